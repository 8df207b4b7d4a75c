"""A masked phone or ID number coming back is never stored (issue 11, item 2): it is recognised
against what the page or the API showed, not against the value stored now, and phones and ID
numbers are format-checked on every channel (page, API, upload)."""

import io
from datetime import date

import openpyxl
import pytest
from django.core import signing
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from core.masking import mask_id_number, mask_phone
from staffing.models import Cadre
from staffing.sheets import CadreSheet
from tests.generic import page_form_data
from tests.staffing.conftest import appoint, make_cadre

OLD, NEW = "15212344513", "13987650000"


@pytest.fixture
def cadre(tree):
    c = make_cadre(tree.community_a1, "王建国", date(1980, 3, 1), phone=OLD)
    appoint(c, "secretary")
    return c


def edit_url(cadre):
    return reverse("staffing:cadre_edit", args=[cadre.pk])


def stored(cadre) -> Cadre:
    return Cadre.objects.get(pk=cadre.pk)


@pytest.mark.django_db
def test_stale_save_after_a_phone_change_keeps_the_new_phone(login, cadre, personas):
    """The issue's case: B opened the page (152****4513), A changed the phone, B saves."""
    clerk = login(personas.street_clerk)
    b_page = page_form_data(clerk.get(edit_url(cadre)))
    assert b_page["phone"] == mask_phone(OLD)
    a_page = page_form_data(clerk.get(edit_url(cadre)))
    assert clerk.post(edit_url(cadre), {**a_page, "phone": NEW}).status_code == 302
    b_page["education"] = "postgraduate"  # B changes the education
    response = clerk.post(edit_url(cadre), b_page)
    assert response.status_code == 409
    assert stored(cadre).phone == NEW
    # The offered form shows the new phone masked and keeps B's education: saving it keeps both.
    offered = page_form_data(response)
    assert offered["phone"] == mask_phone(NEW) and offered["education"] == "postgraduate"
    assert clerk.post(edit_url(cadre), offered).status_code == 302
    now = stored(cadre)
    assert (now.phone, now.education, now.id_number) == (NEW, "postgraduate", cadre.id_number)


@pytest.mark.django_db
def test_masked_value_is_judged_against_what_the_page_showed(login, cadre, personas):
    """A page that showed 152****4513, posted at the current version after the phone became
    another number: the phone was left as shown, so the stored (new) number stays. Judged against
    the current value (the old rule) it would have been written as data."""
    clerk = login(personas.street_clerk)
    page = page_form_data(clerk.get(edit_url(cadre)))
    Cadre.objects.filter(pk=cadre.pk).update(phone=NEW)  # changed meanwhile, version unchanged
    response = clerk.post(edit_url(cadre), {**page, "name": "王建军"})
    assert response.status_code == 302, response.context["form"].errors
    now = stored(cadre)
    assert (now.phone, now.name) == (NEW, "王建军")


@pytest.mark.django_db
def test_a_masked_value_other_than_the_one_shown_is_refused(login, api, cadre, personas):
    clerk = login(personas.street_clerk)
    page = page_form_data(clerk.get(edit_url(cadre)))
    response = clerk.post(edit_url(cadre), {**page, "phone": "152****0000"})
    assert response.status_code == 200
    assert "打码" in str(response.context["form"].errors["phone"])
    # A forged "shown" token is no help: it is signed.
    forged = signing.dumps({"phone": "152****0000"}, salt="something else")
    response = clerk.post(edit_url(cadre), {**page, "phone": "152****0000", "personal_shown": forged})
    assert response.status_code == 200
    url = reverse("staffing-api:cadre-detail", args=[cadre.pk])
    response = api(personas.street_clerk).patch(url, {"phone": "152****0000"}, format="json")
    assert response.status_code == 400 and "打码" in response.json()["phone"][0]
    assert stored(cadre).phone == OLD


@pytest.mark.django_db
def test_api_masked_copy_of_what_it_read_keeps_the_stored_value(api, cadre, personas):
    client = api(personas.street_clerk)
    url = reverse("staffing-api:cadre-detail", args=[cadre.pk])
    read = client.get(url).json()
    assert read["phone"] == mask_phone(OLD) and read["id_number"] == mask_id_number(cadre.id_number)
    body = {k: v for k, v in read.items() if v is not None}
    body["education"] = "postgraduate"
    response = client.put(url, body, format="json", HTTP_IF_MATCH=f'"{read["version"]}"')
    assert response.status_code == 200, response.content
    now = stored(cadre)
    assert (now.phone, now.id_number, now.education) == (OLD, cadre.id_number, "postgraduate")


@pytest.mark.django_db
@pytest.mark.parametrize("phone", ["12345", "1521234451", "abc", "152-1234-4513x"])
def test_phone_format_is_checked_on_page_and_api(login, api, cadre, personas, phone):
    clerk = login(personas.street_clerk)
    page = page_form_data(clerk.get(edit_url(cadre)))
    response = clerk.post(edit_url(cadre), {**page, "phone": phone})
    assert response.status_code == 200 and "phone" in response.context["form"].errors
    url = reverse("staffing-api:cadre-detail", args=[cadre.pk])
    response = api(personas.street_clerk).patch(url, {"phone": phone}, format="json")
    assert response.status_code == 400 and "电话号码" in response.json()["phone"][0]
    assert stored(cadre).phone == OLD


@pytest.mark.django_db
@pytest.mark.parametrize("phone", ["13912345678", "0931-8888888", "09318888888", "8888888", "0931-8888888-123", "400-810-8888"])
def test_real_phone_numbers_pass(api, cadre, personas, phone):
    url = reverse("staffing-api:cadre-detail", args=[cadre.pk])
    assert api(personas.street_clerk).patch(url, {"phone": phone}, format="json").status_code == 200
    assert stored(cadre).phone == phone


@pytest.mark.django_db
def test_upload_refuses_a_bad_or_masked_phone_row_by_row(login, cadre, personas):
    user = personas.street_clerk
    columns = CadreSheet(user).columns
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append([c.title for c in columns])
    values = {"community": cadre.community.code, "name": cadre.name, "gender": "男", "birth_date": "1980-03-01",
              "education": "大学本科", "is_party_member": "是", "id_number": cadre.id_number}
    ws.append([{**values, "phone": "152****0000"}.get(c.name, "") for c in columns])
    buffer = io.BytesIO()
    wb.save(buffer)
    response = login(user).post(reverse("staffing:cadre_import"), {"file": SimpleUploadedFile("c.xlsx", buffer.getvalue())})
    assert response.status_code == 400
    body = response.content.decode()
    assert "打码" in body
    assert stored(cadre).phone == OLD
