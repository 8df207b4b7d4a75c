"""ID numbers and phones: masked on every channel for everyone without core.view_personal_data;
each unmasked view leaves a PersonalDataAccess record."""

import io
from datetime import date

import openpyxl
import pytest
from django.urls import reverse

from core.masking import mask_id_number, mask_phone
from core.models import PersonalDataAccess
from tests.staffing.conftest import appoint, grant_personal_data, make_cadre


@pytest.fixture
def cadre(tree):
    c = make_cadre(tree.community_a1, "王建国", date(1980, 3, 1), phone="13912345678")
    appoint(c, "secretary")
    return c


def channels(client, api_client, cadre):
    """The raw text of every channel that shows the cadre."""
    return {
        "list": client.get(reverse("staffing:cadre_list")).content.decode(),
        "detail": client.get(reverse("staffing:cadre_detail", args=[cadre.pk])).content.decode(),
        "api-list": api_client.get(reverse("staffing-api:cadre-list")).content.decode(),
        "api-detail": api_client.get(reverse("staffing-api:cadre-detail", args=[cadre.pk])).content.decode(),
        "export": " ".join(
            str(v) for row in openpyxl.load_workbook(io.BytesIO(client.get(reverse("staffing:cadre_list"), {"export": "xlsx"}).getvalue()))
            .worksheets[0].iter_rows(values_only=True) for v in row
        ),
    }


@pytest.mark.django_db
@pytest.mark.parametrize("persona", ["street_clerk", "community_clerk", "district_reviewer", "viewer"])
def test_masked_for_personas_without_permission(login, api, cadre, personas, persona):
    user = getattr(personas, persona)
    for name, text in channels(login(user), api(user), cadre).items():
        assert cadre.id_number not in text, name
        assert cadre.phone not in text, name
        assert mask_id_number(cadre.id_number) in text, name
        assert mask_phone(cadre.phone) in text, name
    assert mask_id_number(cadre.id_number) == cadre.id_number[:6] + "*" * 12
    assert not PersonalDataAccess.objects.exists()


@pytest.mark.django_db
def test_edit_form_never_carries_the_raw_values(login, cadre, personas):
    page = login(personas.street_clerk).get(reverse("staffing:cadre_edit", args=[cadre.pk])).content.decode()
    assert cadre.id_number not in page and cadre.phone not in page
    assert mask_id_number(cadre.id_number) in page


@pytest.mark.django_db
def test_masked_values_sent_back_keep_the_stored_ones(login, api, cadre, personas):
    data = {
        "community": cadre.community_id, "name": "王建国", "gender": "M", "birth_date": "1980-03-01", "education": "postgraduate",
        "is_party_member": "on", "party_join_date": "2000-07-01", "phone": mask_phone(cadre.phone), "id_number": mask_id_number(cadre.id_number),
        "version": cadre.version,
    }
    response = login(personas.street_clerk).post(reverse("staffing:cadre_edit", args=[cadre.pk]), data)
    assert response.status_code == 302, response.content.decode()[:2000]
    stored = type(cadre).objects.get(pk=cadre.pk)
    assert (stored.id_number, stored.phone, stored.education) == (cadre.id_number, cadre.phone, "postgraduate")
    response = api(personas.street_clerk).patch(
        reverse("staffing-api:cadre-detail", args=[cadre.pk]), {"id_number": mask_id_number(cadre.id_number), "name": "王建军"}, format="json"
    )
    assert response.status_code == 200 and response.json()["id_number"] == mask_id_number(cadre.id_number)
    stored.refresh_from_db()
    assert stored.id_number == cadre.id_number and stored.name == "王建军"


@pytest.mark.django_db
def test_token_reads_masked(api, cadre, personas):
    body = api(token=personas.read_token).get(reverse("staffing-api:cadre-list")).json()
    assert body["results"][0]["id_number"] == mask_id_number(cadre.id_number)


@pytest.mark.django_db
def test_neighbour_and_anonymous_see_nothing(client, login, api, cadre, personas):
    assert login(personas.neighbour_clerk).get(reverse("staffing:cadre_detail", args=[cadre.pk])).status_code == 404
    assert api(personas.neighbour_clerk).get(reverse("staffing-api:cadre-detail", args=[cadre.pk])).status_code == 404
    client.logout()
    assert client.get(reverse("staffing:cadre_detail", args=[cadre.pk])).status_code == 302


@pytest.mark.django_db
@pytest.mark.parametrize("persona", ["street_clerk", "district_reviewer", "admin"])
def test_unmasked_with_permission_and_every_view_is_recorded(login, api, cadre, personas, persona):
    user = getattr(personas, persona)
    if persona != "admin":
        user = grant_personal_data(user)
    seen = channels(login(user), api(user), cadre)
    for name, text in seen.items():
        assert cadre.id_number in text and cadre.phone in text, name
    records = PersonalDataAccess.objects.filter(user=user, object_id=cadre.pk)
    assert sorted(records.values_list("channel", flat=True)) == ["api", "api", "export", "page", "page"]
    assert set(records.values_list("fields", flat=True)) == {"id_number,phone"}


@pytest.mark.django_db
def test_list_records_views_in_one_insert(login, tree, personas, django_assert_max_num_queries):
    for i in range(5):
        appoint(make_cadre(tree.community_a1, f"干部{i}", date(1980, 1, 1 + i)))
    user = grant_personal_data(personas.street_clerk)
    client = login(user)
    client.get(reverse("staffing:cadre_list"))
    assert PersonalDataAccess.objects.filter(user=user, channel="page").count() == 5


@pytest.mark.django_db
def test_edit_form_unmasked_for_the_allowed_and_recorded(login, cadre, personas):
    user = grant_personal_data(personas.street_clerk)
    page = login(user).get(reverse("staffing:cadre_edit", args=[cadre.pk])).content.decode()
    assert cadre.id_number in page
    assert PersonalDataAccess.objects.filter(user=user, object_id=cadre.pk, channel="page").count() == 1



@pytest.mark.django_db
def test_history_masks_id_number_and_phone_for_readers_without_permission(login, tree, personas, cadre):
    from staffing.services import cadre_update

    cadre_update(actor=personas.street_clerk, cadre=cadre, phone="13800001111")
    for url in (reverse("core:changelog"), reverse("staffing:cadre_detail", args=[cadre.pk])):
        body = login(personas.district_reviewer).get(url).content.decode()
        assert cadre.id_number not in body and "13800001111" not in body and "13912345678" not in body
        assert mask_phone("13800001111") in body
