"""Schemes and indicators are edited by the district's organization department on their own
pages: a stale save is refused with 已被他人修改 and nothing is overwritten; the API answers an
ETag and honours If-Match (core.versioning, the same mechanism as every other record)."""

from decimal import Decimal

import pytest
from django.urls import reverse

from assessments.models import Indicator, Scheme
from tests.generic import page_form_data


@pytest.mark.django_db
def test_stale_threshold_save_is_refused(login, scheme, personas):
    client = login(personas.district_reviewer)
    url = reverse("assessments:scheme_detail", args=[scheme.pk])
    stale = page_form_data(client.get(url), "threshold_form")
    assert stale["t-version"] == scheme.version
    first = {**stale, "t-excellent_from": "92"}
    assert client.post(url, first).status_code == 302
    response = client.post(url, {**stale, "t-name": "另一个名称"})
    assert response.status_code == 409
    assert "已被他人修改" in response.content.decode()
    now = Scheme.objects.get(pk=scheme.pk)
    assert now.excellent_from == Decimal("92") and now.name == scheme.name
    offered = page_form_data(response, "threshold_form")
    assert offered["t-excellent_from"] in ("92", "92.00", Decimal("92.00")) and offered["t-name"] == "另一个名称"
    assert client.post(url, offered).status_code == 302
    now = Scheme.objects.get(pk=scheme.pk)
    assert (now.excellent_from, now.name) == (Decimal("92"), "另一个名称")


@pytest.mark.django_db
def test_stale_indicator_save_is_refused(login, scheme, personas):
    leaf = Indicator.objects.filter(scheme=scheme, children__isnull=True).first()
    client = login(personas.district_reviewer)
    url = reverse("assessments:indicator_edit", args=[leaf.pk])
    stale = page_form_data(client.get(url))
    assert client.post(url, {**stale, "description": "第一次修改"}).status_code == 302
    response = client.post(url, {**stale, "name": leaf.name + "（改）"})
    assert response.status_code == 409 and "已被他人修改" in response.content.decode()
    assert Indicator.objects.get(pk=leaf.pk).description == "第一次修改"


@pytest.mark.django_db
def test_scheme_api_etag_and_if_match(api, scheme, personas):
    client = api(personas.district_reviewer)
    url = reverse("assessments-api:scheme-detail", args=[scheme.pk])
    read = client.get(url)
    assert read["ETag"] == f'"{scheme.version}"'
    assert client.patch(url, {"name": "甲"}, format="json", HTTP_IF_MATCH=read["ETag"]).status_code == 200
    response = client.patch(url, {"name": "乙"}, format="json", HTTP_IF_MATCH=read["ETag"])
    assert response.status_code == 412
    response = client.patch(url, {"name": "乙", "version": scheme.version}, format="json")
    assert response.status_code == 409
    assert Scheme.objects.get(pk=scheme.pk).name == "甲"
