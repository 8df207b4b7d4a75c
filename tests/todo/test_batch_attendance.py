"""批量登记: many cadres registered at one course in one step. Refusals are all or nothing
(a cadre outside the clerk's part, a course not open to them); cadres already registered are
skipped and named; the cost does not grow with the batch."""

from datetime import date
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied
from django.db import connection
from django.test.utils import CaptureQueriesContext

from figures.models import Dirty
from staffing import services
from staffing.models import Attendance, TrainingCourse
from tests.staffing.conftest import make_cadre

pytestmark = pytest.mark.django_db
URL = "/staffing/training/attendance/batch/"


@pytest.fixture
def course(tree):
    return TrainingCourse.objects.create(name="书记主任培训班", kind="leaders", organizer=tree.district,
                                         start_date=date(2025, 4, 1), end_date=date(2025, 4, 3), hours=Decimal("12"))


@pytest.fixture
def people(tree):
    a1 = [make_cadre(tree.community_a1, name=f"南关{n}", born=date(1980, 1, n + 1)) for n in range(3)]
    a2 = [make_cadre(tree.community_a2, name="北关甲", born=date(1981, 2, 2))]
    b1 = [make_cadre(tree.community_b1, name="中山甲", born=date(1982, 3, 3))]
    return {"a1": a1, "a2": a2, "b1": b1}


def post(client, course, cadres, **extra):
    return client.post(URL, {"course": course.pk, "cadres": [c.pk for c in cadres], "completed": "on", **extra})


def test_a_clerk_registers_many_and_duplicates_are_named_not_repeated(login, personas, course, people):
    client = login(personas.street_clerk)
    Dirty.objects.all().delete()
    response = post(client, course, people["a1"][:2] + people["a2"])
    assert response.status_code == 302 and response["Location"] == course.get_absolute_url()
    assert set(Attendance.objects.filter(course=course).values_list("cadre__name", flat=True)) == {"南关0", "南关1", "北关甲"}
    history = Attendance.history.filter(course_id=course.pk)
    assert history.count() == 3 and {h.history_user for h in history} == {personas.street_clerk}
    assert {d.node_id for d in Dirty.objects.all()} >= {people["a1"][0].community_id, people["a2"][0].community_id}

    response = post(client, course, people["a1"])  # two again, one new
    assert response.status_code == 302
    assert Attendance.objects.filter(course=course).count() == 4
    shown = [str(m) for m in client.get(response["Location"]).context["messages"]]
    assert any("登记 1 名干部" in m for m in shown)
    assert any("未重复登记" in m and "南关0" in m and "南关1" in m and "南关2" not in m for m in shown)


@pytest.mark.parametrize("foreign", ["neighbour", "missing"])
def test_one_cadre_out_of_reach_refuses_the_whole_batch(login, personas, course, people, foreign):
    client = login(personas.street_clerk)
    outsider = people["b1"][0]
    if foreign == "missing":
        outsider.pk = 999999
    response = post(client, course, people["a1"] + [outsider])
    assert response.status_code == 400 and not Attendance.objects.exists()
    html = response.content.decode()
    assert 'id="batch-field-errors"' in html and "中山甲" not in html  # the neighbour's cadre is not named
    with pytest.raises(PermissionDenied):  # the service refuses on its own, whatever the page offers
        services.attendance_create_many(actor=personas.street_clerk, course=course, cadres=people["a1"] + people["b1"])
    assert not Attendance.objects.exists()


def test_a_course_not_open_to_the_clerk_is_refused(login, personas, tree, people):
    their_course = TrainingCourse.objects.create(name="张掖路岗前培训", kind="induction", organizer=tree.street_b,
                                                 start_date=date(2025, 5, 1), end_date=date(2025, 5, 1), hours=Decimal("4"))
    response = post(login(personas.street_clerk), their_course, people["a1"])
    assert response.status_code == 400 and not Attendance.objects.exists()
    with pytest.raises(PermissionDenied):
        services.attendance_create_many(actor=personas.street_clerk, course=their_course, cadres=people["a1"])


def test_nothing_chosen_and_readers_are_refused(login, personas, course, people):
    response = post(login(personas.street_clerk), course, [])
    assert response.status_code == 400 and "请至少选择一名干部" in response.content.decode()
    assert login(personas.viewer).get(URL).status_code == 403
    assert login(personas.viewer).post(URL, {"course": course.pk, "cadres": [people["a1"][0].pk]}).status_code == 403
    assert not Attendance.objects.exists()


def test_the_page_offers_the_clerks_cadres_masked_and_marks_the_registered(login, personas, course, people):
    Attendance.objects.create(course=course, cadre=people["a1"][0])
    client = login(personas.street_clerk)
    page = client.get(URL, {"course": course.pk})
    html = page.content.decode()
    names = {c.name for c in page.context["page_obj"].object_list}
    assert names == {"南关0", "南关1", "南关2", "北关甲"}  # not the neighbour's
    assert page.context["registered"] == {people["a1"][0].pk}
    assert f'name="cadres" value="{people["a1"][0].pk}"' not in html and f'name="cadres" value="{people["a1"][1].pk}"' in html
    assert people["a1"][1].id_number not in html and people["a1"][1].id_number[:6] + "*" * 12 in html
    narrowed = client.get(URL, {"course": course.pk, "community": people["a2"][0].community_id})
    assert {c.name for c in narrowed.context["page_obj"].object_list} == {"北关甲"}
    # a district course is not the street clerk's to open: the attendance list links the page
    assert client.get(course.get_absolute_url()).status_code == 404
    assert f'id="batch-attendance-list" href="{URL}"' in client.get("/staffing/training/attendance/").content.decode()
    detail = login(personas.admin).get(course.get_absolute_url()).content.decode()
    assert f'id="batch-attendance" href="{URL}?course={course.pk}"' in detail


def test_queries_do_not_grow_with_the_batch(login, personas, tree, course):
    small = [make_cadre(tree.community_a1, name=f"甲{n}", born=date(1970, 1, n + 1)) for n in range(3)]
    large = [make_cadre(tree.community_a2, name=f"乙{n}", born=date(1971, 1, 1 + n % 28), phone=f"1390000{n:04d}")
             for n in range(30)]
    client = login(personas.street_clerk)
    counts = []
    for batch in (small, large):
        with CaptureQueriesContext(connection) as ctx:
            assert post(client, course, batch).status_code == 302
        counts.append(len(ctx.captured_queries))
    assert counts[0] == counts[1], counts
    assert Attendance.objects.filter(course=course).count() == 33
