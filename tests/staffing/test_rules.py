"""Every bad input of issue 3 gets a clear Chinese message (page, API JSON) and saves nothing."""

from datetime import date

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from django.utils import timezone

from staffing import services
from staffing.idnumber import check_char, check_id_number, make_id_number
from staffing.models import Appointment, Cadre, TrainingCourse
from tests.staffing.conftest import appoint, id_for, make_cadre, make_course
from tests.staffing.test_crud import appointment_form, cadre_form, course_form


# ---- the ID number (GB 11643) ----

def test_check_character_of_the_standard_example():
    # The example of GB 11643-1999: 11010519491231002X.
    assert check_char("11010519491231002") == "X"
    assert check_id_number("11010519491231002X", birth_date=date(1949, 12, 31), gender="F") is None


@pytest.mark.parametrize(
    "number,fragment",
    [
        ("62010219850601001", "18位"),
        ("6201021985060100AX", "17位数字"),
        ("620102198513010011", "出生日期"),  # month 13
        (make_id_number("620102", date(1985, 6, 1), 13)[:17] + ("0" if make_id_number("620102", date(1985, 6, 1), 13)[17] != "0" else "1"), "校验位"),
    ],
)
def test_bad_id_numbers(number, fragment):
    assert fragment in check_id_number(number)


def test_id_number_must_agree_with_birth_date_and_gender():
    number = make_id_number("620102", date(1985, 6, 1), 13)  # odd sequence: a man
    assert check_id_number(number, birth_date=date(1985, 6, 1), gender="M") is None
    assert "不一致" in check_id_number(number, birth_date=date(1985, 6, 2), gender="M")
    assert "女性" in check_id_number(number, birth_date=date(1985, 6, 1), gender="F")


@pytest.mark.django_db
def test_lowercase_x_is_accepted_and_stored_upper(tree, personas):
    number = make_id_number("620102", date(1990, 1, 5), 2)
    while not number.endswith("X"):  # find a sequence whose check character is X
        number = make_id_number("620102", date(1990, 1, 5), int(number[14:17]) + 2)
    cadre = services.cadre_create(actor=personas.street_clerk, **{**_fields(tree), "birth_date": date(1990, 1, 5),
                                  "gender": "F", "id_number": number.lower()})
    assert cadre.id_number == number


def _fields(tree, **overrides):
    born = overrides.pop("birth_date", date(1986, 2, 3))
    fields = dict(community=tree.community_a1, name="孙丽", gender="F", birth_date=born, education="college",
                  is_party_member=True, phone="13700000000", id_number=id_for(born, "F"))
    fields.update(overrides)
    return fields


# ---- cadres ----

@pytest.mark.django_db
def test_birth_date_in_the_future_is_refused_on_the_page(login, tree, personas):
    future = timezone.localdate().replace(year=timezone.localdate().year + 1)
    data = cadre_form(tree.community_a1, born=future)
    response = login(personas.street_clerk).post(reverse("staffing:cadre_add"), data)
    assert response.status_code == 200
    assert "出生日期不能晚于今天" in response.content.decode()
    assert not Cadre.objects.exists()


@pytest.mark.django_db
@pytest.mark.parametrize("age", [17, 76])
def test_age_outside_18_to_75_is_refused(api, tree, personas, age):
    today = timezone.localdate()
    born = date(today.year - age, 1, 1) if age == 76 else date(today.year - age, today.month, 1)
    data = dict(cadre_form(tree.community_a1, born=born), is_party_member=False, party_join_date=None)
    response = api(token=personas.write_token).post(reverse("staffing-api:cadre-list"), data, format="json")
    assert response.status_code == 400
    assert "18至75岁之间" in response.json()["birth_date"][0]
    assert not Cadre.objects.exists()


@pytest.mark.django_db
def test_same_id_number_twice_is_refused_page_and_api(login, api, tree, personas):
    first = make_cadre(tree.community_b1, name="赵敏", gender="F", born=date(1980, 1, 1))
    data = cadre_form(tree.community_a1, born=first.birth_date, gender="F", id_number=first.id_number)
    # The first is in street B: the street A clerk is not told it is on record (issue 12, finding 9).
    response = login(personas.street_clerk).post(reverse("staffing:cadre_add"), data)
    assert "请核对" in response.content.decode() and "已经登记" not in response.content.decode()
    response = api(token=personas.write_token).post(reverse("staffing-api:cadre-list"), dict(data, is_party_member=True), format="json")
    assert response.status_code == 400 and "请核对" in response.json()["id_number"][0]
    assert Cadre.objects.count() == 1


@pytest.mark.django_db
def test_id_number_inconsistent_with_the_record_on_the_page(login, tree, personas):
    data = cadre_form(tree.community_a1, gender="F")
    data["gender"] = "M"
    body = login(personas.street_clerk).post(reverse("staffing:cadre_add"), data).content.decode()
    assert "身份证号码第17位表示女性" in body
    assert not Cadre.objects.exists()


@pytest.mark.django_db
def test_cadre_moved_outside_the_clerks_scope_is_refused(login, api, tree, personas):
    cadre = make_cadre(tree.community_a1)
    with pytest.raises(PermissionDenied):
        services.cadre_update(actor=personas.street_clerk, cadre=cadre, community=tree.community_b1)
    # page: the neighbouring community is not even a choice
    data = cadre_form(tree.community_b1, born=cadre.birth_date, gender=cadre.gender, id_number=cadre.id_number, name=cadre.name)
    response = login(personas.street_clerk).post(reverse("staffing:cadre_edit", args=[cadre.pk]), data)
    assert response.status_code == 200 and "选择一个有效的选项" in response.content.decode()
    response = api(personas.street_clerk).patch(reverse("staffing-api:cadre-detail", args=[cadre.pk]), {"community": tree.community_b1.pk}, format="json")
    assert response.status_code == 400
    cadre.refresh_from_db()
    assert cadre.community == tree.community_a1
    # A community clerk may not move a cadre to the other community of their street either.
    with pytest.raises(PermissionDenied):
        services.cadre_update(actor=personas.community_clerk, cadre=cadre, community=tree.community_a2)


@pytest.mark.django_db
def test_party_join_date_rules(tree, personas):
    with pytest.raises(ValidationError) as exc:
        services.cadre_create(actor=personas.street_clerk, **_fields(tree, is_party_member=False, party_join_date=date(2010, 1, 1)))
    assert "只有党员" in str(exc.value)


# ---- appointments ----

@pytest.mark.django_db
def test_appointment_ending_before_it_starts_is_refused(login, api, tree, personas):
    cadre = make_cadre(tree.community_a1)
    data = appointment_form(cadre, start_date="2024-05-01", end_date="2024-04-30")
    body = login(personas.street_clerk).post(reverse("staffing:appointment_add"), data).content.decode()
    assert "任职结束日期不能早于开始日期" in body
    response = api(token=personas.write_token).post(reverse("staffing-api:appointment-list"), data, format="json")
    assert response.status_code == 400 and "不能早于开始日期" in response.json()["end_date"][0]
    assert not Appointment.objects.exists()


@pytest.mark.django_db
@pytest.mark.parametrize("post,label", [("secretary", "党组织书记"), ("director", "居委会主任")])
def test_two_active_secretaries_or_directors_are_refused(login, api, tree, personas, post, label):
    holder = make_cadre(tree.community_a1, name="王建国")
    appoint(holder, post, start=date(2021, 1, 1))
    newcomer = make_cadre(tree.community_a1, name="刘芳", gender="F")
    data = appointment_form(newcomer, post=post, start_date="2024-01-01")
    body = login(personas.street_clerk).post(reverse("staffing:appointment_add"), data).content.decode()
    assert f"南关社区在该期间已有{label}：王建国" in body
    response = api(token=personas.write_token).post(reverse("staffing-api:appointment-list"), dict(data, end_date=None), format="json")
    assert response.status_code == 400 and "王建国" in response.json()["post"][0]
    assert Appointment.objects.filter(post=post).count() == 1
    # Other communities, other posts and periods that do not overlap are fine.
    other = make_cadre(tree.community_a2, name="李强")
    services.appointment_create(actor=personas.street_clerk, cadre=other, post=post, start_date=date(2024, 1, 1),
                                employment_form="contract", recruitment_channel="open_recruitment", selection_method="general_election")
    services.appointment_create(actor=personas.street_clerk, cadre=newcomer, post=post, start_date=date(2019, 1, 1),
                                end_date=date(2020, 12, 31), employment_form="contract", recruitment_channel="open_recruitment",
                                selection_method="general_election")


@pytest.mark.django_db
def test_ending_the_old_secretary_lets_the_new_one_start(tree, personas):
    holder = make_cadre(tree.community_a1, name="王建国")
    old = appoint(holder, "secretary", start=date(2021, 1, 1))
    newcomer = make_cadre(tree.community_a1, name="刘芳", gender="F")
    services.appointment_update(actor=personas.street_clerk, appointment=old, end_date=date(2024, 3, 31))
    services.appointment_create(actor=personas.street_clerk, cadre=newcomer, post="secretary", start_date=date(2024, 4, 1),
                                employment_form="career", recruitment_channel="street_seconded", selection_method="two_recommend")
    # Re-opening the old appointment now overlaps the new secretary: refused.
    with pytest.raises(ValidationError):
        services.appointment_update(actor=personas.street_clerk, appointment=old, end_date=None)


@pytest.mark.django_db
def test_moving_a_secretary_into_a_community_that_has_one_is_refused(tree, personas):
    appoint(make_cadre(tree.community_a2, name="李强"), "secretary", start=date(2020, 1, 1))
    mover = make_cadre(tree.community_a1, name="王建国")
    appoint(mover, "secretary", start=date(2022, 1, 1))
    with pytest.raises(ValidationError):
        services.cadre_update(actor=personas.street_clerk, cadre=mover, community=tree.community_a2)
    mover.refresh_from_db()
    assert mover.community == tree.community_a1


@pytest.mark.django_db
def test_one_person_may_hold_secretary_and_director(tree, personas):
    cadre = make_cadre(tree.community_a1)
    for post in ("secretary", "director"):
        services.appointment_create(actor=personas.street_clerk, cadre=cadre, post=post, start_date=date(2023, 1, 1),
                                    employment_form="career", recruitment_channel="street_seconded", selection_method="general_election")
    assert cadre.appointments.count() == 2


# ---- training ----

@pytest.mark.django_db
@pytest.mark.parametrize("hours", ["0", "-2"])
def test_training_hours_must_be_positive(login, api, tree, personas, hours):
    data = course_form(tree.street_a, hours=hours)
    body = login(personas.street_clerk).post(reverse("staffing:trainingcourse_add"), data).content.decode()
    assert "培训学时必须大于0" in body
    response = api(token=personas.write_token).post(reverse("staffing-api:trainingcourse-list"), data, format="json")
    assert response.status_code == 400 and "大于0" in response.json()["hours"][0]
    assert not TrainingCourse.objects.exists()


@pytest.mark.django_db
def test_attendance_only_for_own_cadres_at_open_courses(tree, personas):
    own = make_cadre(tree.community_a1)
    neighbour = make_cadre(tree.community_b1, name="赵敏", gender="F")
    district_course = make_course(tree.district)
    neighbour_course = make_course(tree.street_b, name="张掖路街道培训")
    services.attendance_create(actor=personas.street_clerk, course=district_course, cadre=own)
    with pytest.raises(PermissionDenied):
        services.attendance_create(actor=personas.street_clerk, course=district_course, cadre=neighbour)
    with pytest.raises(PermissionDenied):
        services.attendance_create(actor=personas.street_clerk, course=neighbour_course, cadre=own)
    with pytest.raises(ValidationError) as exc:
        services.attendance_create(actor=personas.street_clerk, course=district_course, cadre=own)
    assert "已登记参加此培训班" in str(exc.value)
