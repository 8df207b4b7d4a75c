"""Suggestion texts are edited on the generic edit page: a stale save is refused with 已被他人修改
and the other person's text stays (core.versioning; SuggestionText has no API, so it is not in
the generic persona suite, which also drives the API)."""

import pytest
from django.urls import reverse

from reports.models import ProblemKind, SuggestionText
from tests.generic import page_form_data

pytestmark = pytest.mark.django_db


def test_stale_suggestion_save_is_refused(tree, login, personas):
    suggestion = SuggestionText.objects.create(node=tree.street_a, kind=ProblemKind.FUNDS_BELOW, text="街道自筹补足。")
    client = login(personas.street_clerk)
    url = reverse("reports:suggestion_edit", args=[suggestion.pk])
    stale = page_form_data(client.get(url))
    assert stale["version"] == 0
    assert client.post(url, {**stale, "text": "甲：区财政补足。"}).status_code == 302
    response = client.post(url, {**stale, "text": "乙：街道自筹补足。"})
    assert response.status_code == 409 and "已被他人修改" in response.content.decode()
    assert SuggestionText.objects.get(pk=suggestion.pk).text == "甲：区财政补足。"
    offered = page_form_data(response)
    assert offered["text"] == "乙：街道自筹补足。" and str(offered["version"]) == "1"  # both changed the text: yours is kept
    assert client.post(url, offered).status_code == 302
    assert SuggestionText.objects.get(pk=suggestion.pk).text == "乙：街道自筹补足。"
