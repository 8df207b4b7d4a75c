"""Issue 12, finding 1: no combination of what a reader without ``core.view_personal_data``
sees may rebuild an ID number. The test plays the attacker: it takes every masked ID number a
channel shows, fills its hidden characters from the birth date and gender the same channels
show, and counts the numbers that pass the GB 11643 check. One candidate means rebuilt."""

import io
import itertools
import re
from datetime import date

import openpyxl
import pytest
from django.urls import reverse

from staffing.idnumber import check_char
from staffing.models import Attendance
from tests.staffing.conftest import appoint, make_cadre, make_course

MASKED_ID = re.compile(r"\d{2,6}[\d*X]{6,16}")


def candidates(masked: str, born: date, gender: str) -> int:
    """How many valid ID numbers agree with ``masked`` and the shown birth date and gender."""
    if len(masked) != 18:
        return 10**6
    birth = f"{born:%Y%m%d}"
    fixed = list(masked)
    for i in range(6, 14):
        if fixed[i] == "*":
            fixed[i] = birth[i - 6]
        elif fixed[i] != birth[i - 6]:
            return 0
    hidden = [i for i in range(18) if fixed[i] == "*"]
    count = 0
    for combo in itertools.product(*(("0123456789X" if i == 17 else "0123456789") for i in hidden)):
        trial = list(fixed)
        for i, ch in zip(hidden, combo):
            trial[i] = ch
        number = "".join(trial)
        if not number[:17].isdigit() or check_char(number[:17]) != number[17]:
            continue
        if (int(number[16]) % 2 == 1) != (gender == "M"):
            continue
        count += 1
    return count


def xlsx_text(response) -> str:
    wb = openpyxl.load_workbook(io.BytesIO(response.getvalue()))
    return " ".join(str(v) for ws in wb.worksheets for row in ws.iter_rows(values_only=True) for v in row if v is not None)


@pytest.fixture
def cadre(tree, personas):
    from staffing.services import cadre_update

    c = make_cadre(tree.community_a1, "王建国", date(1980, 3, 1), phone="13912345678")
    appoint(c, "secretary")
    Attendance.objects.create(course=make_course(tree.street_a), cadre=c)
    cadre_update(actor=personas.street_clerk, cadre=c, phone="13800001111")  # a history entry
    return c


def channels(client, api_client, cadre):
    detail = reverse("staffing:cadre_detail", args=[cadre.pk])
    return {
        "list": client.get(reverse("staffing:cadre_list")).content.decode(),
        "search": client.get(reverse("staffing:cadre_list"), {"q": cadre.name}).content.decode(),
        "detail+history": client.get(detail).content.decode(),
        "changelog": client.get(reverse("core:changelog")).content.decode(),
        "api-list": api_client.get(reverse("staffing-api:cadre-list")).content.decode(),
        "api-detail": api_client.get(reverse("staffing-api:cadre-detail", args=[cadre.pk])).content.decode(),
        "export": xlsx_text(client.get(reverse("staffing:cadre_list"), {"export": "xlsx"})),
        "attendance-export": xlsx_text(client.get(reverse("staffing:attendance_list"), {"export": "xlsx"})),
    }


@pytest.mark.django_db
@pytest.mark.parametrize("persona", ["street_clerk", "community_clerk", "district_reviewer", "viewer"])
def test_masked_id_cannot_be_rebuilt_from_what_the_reader_sees(login, api, cadre, personas, persona):
    user = getattr(personas, persona)
    seen = channels(login(user), api(user), cadre)
    shown_anywhere = " ".join(seen.values())
    # The attacker has the birth date and gender: they are shown (the test would prove nothing otherwise).
    assert "1980-03-01" in shown_anywhere or "1980年3月1日" in shown_anywhere
    for name, text in seen.items():
        assert cadre.id_number not in text, name
        masks = [m for m in MASKED_ID.findall(text) if "*" in m]
        assert masks, f"{name}: no masked ID number shown"
        for masked in masks:
            assert candidates(masked, cadre.birth_date, cadre.gender) >= 100, (name, masked)


@pytest.mark.django_db
def test_edit_form_for_a_clerk_without_permission_does_not_rebuild(login, cadre, personas):
    page = login(personas.street_clerk).get(reverse("staffing:cadre_edit", args=[cadre.pk])).content.decode()
    masks = [m for m in MASKED_ID.findall(page) if "*" in m]
    assert masks and cadre.id_number not in page
    assert all(candidates(m, cadre.birth_date, cadre.gender) >= 100 for m in masks)


def test_the_attacker_model_rebuilds_the_old_mask():
    """The counting above is sharp: the mask of today's main (area and last four kept) gives
    exactly one candidate once the birth date is known."""
    number = "620102198003010159"
    number = number[:17] + check_char(number[:17])
    old_mask = number[:6] + "********" + number[-4:]
    assert candidates(old_mask, date(1980, 3, 1), "M") == 1
