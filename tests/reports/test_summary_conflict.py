"""Two people edit one draft summary: a stale save is refused with 已被他人修改, the other
person's text is taken over where this user left a part as it was, nothing is overwritten
(core.versioning; the summary's text revision is its version)."""

import pytest

from reports import services
from reports.models import Summary
from tests.generic import page_form_data
from tests.reports.test_summaries import start, weak  # noqa: F401 - the fixture

pytestmark = pytest.mark.django_db


def text(summary, key):
    return next(b["text"] for b in Summary.objects.get(pk=summary.pk).blocks if b["key"] == key)


def test_stale_text_save_is_refused_and_merged(weak, login, personas):  # noqa: F811
    clerk = personas.street_clerk
    summary = start(clerk, weak.street_a)
    client = login(clerk)
    url = summary.get_absolute_url()
    stale = page_form_data(client.get(url))  # B opens the draft
    assert stale["_revision"] == summary.revision
    services.summary_update_text(actor=clerk, summary=summary, texts={"staffing": "A 改的队伍段落。"})  # A saves
    response = client.post(url, {**stale, "funding": "B 改的经费段落。", "save": "1"})
    assert response.status_code == 409
    body = response.content.decode()
    assert "已被他人修改" in body and "A 改的队伍段落。" in body
    assert text(summary, "staffing") == "A 改的队伍段落。" and text(summary, "funding") != "B 改的经费段落。"
    offered = page_form_data(response)
    assert offered["staffing"] == "A 改的队伍段落。" and offered["funding"] == "B 改的经费段落。"
    assert client.post(url, {**offered, "save": "1"}).status_code == 302
    assert (text(summary, "staffing"), text(summary, "funding")) == ("A 改的队伍段落。", "B 改的经费段落。")


def test_text_page_without_revision_is_refused(weak, login, personas):  # noqa: F811
    summary = start(personas.street_clerk, weak.street_a)
    before = Summary.objects.get(pk=summary.pk).blocks
    data = {b["key"]: b["text"] + "。" for b in summary.blocks}
    response = login(personas.street_clerk).post(summary.get_absolute_url(), data)
    assert response.status_code == 200
    assert Summary.objects.get(pk=summary.pk).blocks == before
