"""Deletes say what goes with them and can be undone (issue 11, item 6): the confirmation page
lists the dependents per kind, every delete (page or API) lands in the recycle bin with what
cascaded from it, a reviewer in scope restores it whole (ids and values identical) or not at
all, and expired entries are purged."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from core.models import RecycleEntry
from core.recycle import recycle_bin_purge, recycle_entry_restore
from regional_building import models as rb
from staffing.models import Appointment, Attendance, Cadre, Post, TrainingCourse, Welfare
from tests.regional_building import factories as f
from tests.staffing.conftest import appoint, attend, make_cadre, make_course

pytestmark = pytest.mark.django_db


def snapshot(model, pks) -> dict:
    """Every concrete column of the rows, read afresh from the database."""
    names = [field.attname for field in model._meta.concrete_fields]
    return {row["id"]: row for row in model._base_manager.filter(pk__in=list(pks)).values(*names)}


@pytest.fixture
def cadre_family(tree):
    """A cadre of 社区A1 with two posts, two courses attended and two years of welfare."""
    cadre = make_cadre(tree.community_a1, name="王芳", gender="F", born=dt.date(1988, 3, 4))
    appointments = [appoint(cadre, Post.SECRETARY), appoint(cadre, Post.DIRECTOR, start=dt.date(2021, 5, 1))]
    courses = [make_course(tree.street_a, name="集中培训"), make_course(tree.district, name="书记主任培训班")]
    attendances = [attend(course, cadre) for course in courses]
    welfare = [
        Welfare.objects.create(cadre=cadre, year=year, allowance=Decimal("24000.50"), pension=Decimal("3100.25"))
        for year in (2024, 2025)
    ]
    return cadre, appointments, attendances, welfare


@pytest.fixture
def agreement_family(tree):
    unit = f.unit(tree.community_a1)
    agreement = f.agreement(tree.community_a1, unit)
    commitments = [f.commitment(agreement), f.commitment(agreement, category=rb.CommitmentCategory.SOLVE_PROBLEM, description="解决一个难题")]
    fulfilments = [f.fulfilment(commitments[0]), f.fulfilment(commitments[0], done_on=dt.date(2025, 5, 20)), f.fulfilment(commitments[1])]
    return agreement, commitments, fulfilments


def dependents_table(response) -> str:
    html = response.content.decode()
    assert 'id="delete-dependents"' in html
    return html[html.index('id="delete-dependents"'): html.index("</table>", html.index('id="delete-dependents"'))]


# ---- the confirmation page ----

def test_cadre_confirmation_lists_dependents_with_counts(login, personas, cadre_family):
    cadre = cadre_family[0]
    response = login(personas.street_clerk).get(reverse("staffing:cadre_delete", args=[cadre.pk]))
    assert response.status_code == 200
    table = dependents_table(response)
    rows = {kind.label: kind.count for kind in response.context["preview"].dependents}
    assert rows == {"任职记录": 2, "参训记录": 2, "年度待遇": 2}
    assert response.context["preview"].total == 6
    # Each kind is named with its count and its records.
    for kind in response.context["preview"].dependents:
        assert kind.label in table and f'<td class="text-end">{kind.count}</td>' in table
    assert "集中培训" in table and "2025" in table
    assert "回收站" in response.content.decode()


def test_agreement_and_course_confirmations(login, personas, tree, agreement_family, cadre_family):
    agreement = agreement_family[0]
    response = login(personas.street_clerk).get(reverse("regional_building:agreement_delete", args=[agreement.pk]))
    counts = {kind.label: kind.count for kind in response.context["preview"].dependents}
    assert counts == {"承诺事项": 2, "履行记录": 3} and response.context["preview"].total == 5
    dependents_table(response)

    course = TrainingCourse.objects.get(name="集中培训")
    attend(course, make_cadre(tree.community_a2, name="李四"))
    response = login(personas.street_clerk).get(reverse("staffing:trainingcourse_delete", args=[course.pk]))
    counts = {kind.label: kind.count for kind in response.context["preview"].dependents}
    assert counts == {"参训记录": 2}
    assert "王芳" in dependents_table(response) and "李四" in dependents_table(response)


def test_confirmation_without_dependents_and_with_protected(login, personas, tree):
    cadre = make_cadre(tree.community_a1)
    response = login(personas.street_clerk).get(reverse("staffing:cadre_delete", args=[cadre.pk]))
    assert response.context["preview"].dependents == [] and 'id="delete-dependents"' not in response.content.decode()
    unit = f.unit(tree.community_a1, name="兰州银行")
    f.agreement(tree.community_a1, unit)
    response = login(personas.street_clerk).get(reverse("regional_building:residentunit_delete", args=[unit.pk]))
    assert response.context["preview"].protected and 'id="delete-protected"' in response.content.decode()


# ---- delete → bin → restore ----

def _family_snapshots(cadre_family):
    cadre, appointments, attendances, welfare = cadre_family
    return {
        Cadre: snapshot(Cadre, [cadre.pk]),
        Appointment: snapshot(Appointment, [a.pk for a in appointments]),
        Attendance: snapshot(Attendance, [a.pk for a in attendances]),
        Welfare: snapshot(Welfare, [w.pk for w in welfare]),
    }


def test_delete_then_restore_gives_back_identical_rows(login, personas, cadre_family):
    before = _family_snapshots(cadre_family)
    cadre = cadre_family[0]
    courses_before = snapshot(TrainingCourse, TrainingCourse.objects.values_list("pk", flat=True))
    response = login(personas.street_clerk).post(reverse("staffing:cadre_delete", args=[cadre.pk]))
    assert response.status_code == 302
    for model, rows in before.items():
        assert not model._base_manager.filter(pk__in=list(rows)).exists()
    entry = RecycleEntry.objects.get()
    assert entry.object_id == cadre.pk and entry.node_code == "620102001001" and entry.deleted_by == personas.street_clerk
    assert entry.counts == {"staffing.cadre": 1, "staffing.appointment": 2, "staffing.attendance": 2, "staffing.welfare": 2}

    reviewer = login(personas.district_reviewer)
    page = reviewer.get(reverse("core:recycle_bin"))
    assert page.status_code == 200 and "王芳" in page.content.decode()
    detail = reviewer.get(reverse("core:recycle_entry", args=[entry.pk]))
    assert detail.status_code == 200
    kinds = {kind.label: (kind.count, kind.names) for kind in detail.context["entry"].kinds}
    assert kinds == {
        "任职记录": (2, ["王芳 · 党组织书记", "王芳 · 居委会主任"]),
        "参训记录": (2, ["王芳 · 集中培训", "王芳 · 书记主任培训班"]),
        "年度待遇": (2, ["王芳 · 2024", "王芳 · 2025"]),
    }
    assert "王芳 · 集中培训" in detail.content.decode()
    response = reviewer.post(reverse("core:recycle_restore", args=[entry.pk]))
    assert response.status_code == 302 and response["Location"] == reverse("staffing:cadre_detail", args=[cadre.pk])
    after = _family_snapshots(cadre_family)
    assert after == before  # every column, ids and timestamps included
    assert snapshot(TrainingCourse, courses_before) == courses_before
    assert not RecycleEntry.objects.exists()


def test_agreement_restore_is_identical(login, personas, agreement_family):
    agreement, commitments, fulfilments = agreement_family
    models = {rb.Agreement: [agreement.pk], rb.Commitment: [c.pk for c in commitments], rb.Fulfilment: [x.pk for x in fulfilments]}
    before = {model: snapshot(model, pks) for model, pks in models.items()}
    assert login(personas.street_clerk).post(reverse("regional_building:agreement_delete", args=[agreement.pk])).status_code == 302
    assert not rb.Fulfilment.objects.exists()
    recycle_entry_restore(actor=personas.admin, entry=RecycleEntry.objects.get())
    assert {model: snapshot(model, pks) for model, pks in models.items()} == before


def test_many_to_many_links_come_back(login, personas, tree):
    conf = f.conference(tree.street_a)
    units = [f.unit(tree.street_a), f.unit(tree.community_a1)]
    meeting = f.meeting(conf)
    meeting.attendees.set(units)
    assert login(personas.street_clerk).post(reverse("regional_building:meeting_delete", args=[meeting.pk])).status_code == 302
    recycle_entry_restore(actor=personas.district_reviewer, entry=RecycleEntry.objects.get())
    assert set(rb.Meeting.objects.get(pk=meeting.pk).attendees.values_list("pk", flat=True)) == {u.pk for u in units}


def test_api_delete_goes_to_the_bin(api, personas, cadre_family):
    cadre = cadre_family[0]
    response = api(token=personas.write_token).delete(reverse("staffing-api:cadre-detail", args=[cadre.pk]))
    assert response.status_code == 204
    entry = RecycleEntry.objects.get()
    assert entry.object_id == cadre.pk and entry.counts["staffing.welfare"] == 2 and entry.deleted_by == personas.street_clerk
    recycle_entry_restore(actor=personas.district_reviewer, entry=entry)
    assert Cadre.objects.filter(pk=cadre.pk).exists() and Welfare.objects.filter(cadre=cadre).count() == 2


# ---- who may restore ----

def test_clerk_and_out_of_scope_reviewer_cannot_restore(login, personas, tree, cadre_family):
    from core.models import Assignment, Role
    from tests.conftest import _user

    cadre = cadre_family[0]
    login(personas.street_clerk).post(reverse("staffing:cadre_delete", args=[cadre.pk]))
    entry = RecycleEntry.objects.get()
    clerk = login(personas.street_clerk)
    assert clerk.get(reverse("core:recycle_bin")).status_code == 403
    assert clerk.post(reverse("core:recycle_restore", args=[entry.pk])).status_code == 403
    assert 'id="nav-recycle-bin"' not in clerk.get(reverse("core:home")).content.decode()

    outsider = _user("other_reviewer", tree.other_district, Role.REVIEWER)
    street_b_reviewer = _user("street_b_reviewer", tree.street_b, Role.REVIEWER)
    assert Assignment.objects.filter(user=outsider).exists()
    for user in (outsider, street_b_reviewer):
        c = login(user)
        assert "王芳" not in c.get(reverse("core:recycle_bin")).content.decode()
        assert c.get(reverse("core:recycle_entry", args=[entry.pk])).status_code == 404
        assert c.post(reverse("core:recycle_restore", args=[entry.pk])).status_code == 404
    assert not Cadre.objects.filter(pk=cadre.pk).exists() and RecycleEntry.objects.filter(pk=entry.pk).exists()
    assert 'id="nav-recycle-bin"' in login(personas.district_reviewer).get(reverse("core:home")).content.decode()


# ---- conflicts: refused in Chinese, nothing half-restored ----

def test_restore_conflict_reused_id_number(login, personas, tree, cadre_family):
    cadre = cadre_family[0]
    id_number = cadre.id_number
    login(personas.street_clerk).post(reverse("staffing:cadre_delete", args=[cadre.pk]))
    entry = RecycleEntry.objects.get()
    make_cadre(tree.community_a2, name="王芳", gender="F", born=dt.date(1988, 3, 4), id_number=id_number)
    counts_before = {m: m.objects.count() for m in (Cadre, Appointment, Attendance, Welfare)}
    response = login(personas.district_reviewer).post(reverse("core:recycle_restore", args=[entry.pk]))
    assert response.status_code == 409
    html = response.content.decode()
    assert "无法恢复" in html and "身份证号" in html, html[html.find('id="restore-errors"'):][:600]
    assert {m: m.objects.count() for m in counts_before} == counts_before
    assert RecycleEntry.objects.filter(pk=entry.pk).exists()


def test_restore_conflict_missing_parent(personas, tree, cadre_family):
    from core.services import scoped_delete

    cadre, _, attendances, _ = cadre_family
    scoped_delete(actor=personas.street_clerk, instance=Attendance.objects.get(pk=attendances[0].pk))
    scoped_delete(actor=personas.street_clerk, instance=Cadre.objects.get(pk=cadre.pk))
    first, second = RecycleEntry.objects.order_by("deleted_at", "id")
    with pytest.raises(ValidationError) as exc:
        recycle_entry_restore(actor=personas.district_reviewer, entry=first)
    assert "不存在" in " ".join(exc.value.messages)
    assert not Attendance.objects.filter(pk=attendances[0].pk).exists()
    recycle_entry_restore(actor=personas.district_reviewer, entry=second)  # the cadre first
    recycle_entry_restore(actor=personas.district_reviewer, entry=first)  # then the attendance
    assert Attendance.objects.filter(cadre=cadre).count() == 2


# ---- the change log ----

def test_restore_appears_in_change_log(login, personas, cadre_family):
    cadre = cadre_family[0]
    login(personas.street_clerk).post(reverse("staffing:cadre_delete", args=[cadre.pk]))
    reviewer = login(personas.district_reviewer)
    reviewer.post(reverse("core:recycle_restore", args=[RecycleEntry.objects.get().pk]))
    restored = Cadre.history.filter(id=cadre.pk).order_by("-history_date", "-history_id").first()
    assert restored.history_type == "+" and restored.history_user == personas.district_reviewer
    assert Welfare.history.filter(cadre_id=cadre.pk, history_type="+", history_user=personas.district_reviewer).count() == 2
    # Cascaded rows' deletions name the clerk too.
    assert Welfare.history.filter(cadre_id=cadre.pk, history_type="-", history_user=personas.street_clerk).count() == 2
    html = reviewer.get(reverse("core:changelog")).content.decode()
    assert "从回收站恢复" in html and "移入回收站" in html and "王芳" in html
    assert ">恢复</span>" in html and ">删除</span>" in html


# ---- expiry ----

def test_purge_removes_expired_entries_only(settings, personas, tree):
    from core.services import scoped_delete
    from core.tasks import purge_recycle_bin

    settings.SANQI_RECYCLE_BIN_DAYS = 30
    old, recent = make_cadre(tree.community_a1, name="甲"), make_cadre(tree.community_a1, name="乙")
    scoped_delete(actor=personas.street_clerk, instance=old)
    scoped_delete(actor=personas.street_clerk, instance=recent)
    RecycleEntry.objects.filter(object_repr="甲").update(deleted_at=timezone.now() - dt.timedelta(days=31))
    RecycleEntry.objects.filter(object_repr="乙").update(deleted_at=timezone.now() - dt.timedelta(days=29))
    assert purge_recycle_bin.apply().get() == 1
    assert list(RecycleEntry.objects.values_list("object_repr", flat=True)) == ["乙"]
    settings.SANQI_RECYCLE_BIN_DAYS = 7
    assert recycle_bin_purge() == 1 and not RecycleEntry.objects.exists()


def test_beat_schedules_the_purge(settings):
    assert any(item["task"] == "core.purge_recycle_bin" for item in settings.CELERY_BEAT_SCHEDULE.values())


# ---- the bin in the API ----

def test_api_lists_and_restores_in_scope(api, personas, tree, cadre_family):
    from tests.conftest import _token, _user
    from core.models import Role

    cadre = cadre_family[0]
    api(token=personas.write_token).delete(reverse("staffing-api:cadre-detail", args=[cadre.pk]))
    entry = RecycleEntry.objects.get()
    url = reverse("core-api:recycleentry-list")
    restore_url = reverse("core-api:recycleentry-restore", args=[entry.pk])

    assert api(token=personas.write_token).get(url).status_code == 403  # a clerk
    assert api(token=personas.write_token).post(restore_url).status_code == 403
    assert api(token=personas.read_token).post(restore_url).status_code == 403  # a read-only token
    outsider = _user("other_reviewer", tree.other_district, Role.REVIEWER)
    assert api(outsider).get(url).json()["results"] == []
    assert api(outsider).post(restore_url).status_code == 404

    rows = api(token=personas.read_token).get(url).json()["results"]
    assert [(r["id"], r["model"], r["object_id"], r["deleted_by"], r["counts"]["staffing.welfare"]) for r in rows] == [
        (entry.pk, "staffing.cadre", cadre.pk, "street_clerk", 2)
    ]
    writer = _token(personas.district_reviewer, read_only=False)
    response = api(token=writer).post(restore_url)
    assert response.status_code == 200 and response.json() == {"model": "staffing.cadre", "id": cadre.pk, "repr": "王芳"}
    assert Welfare.objects.filter(cadre_id=cadre.pk).count() == 2
    assert api(token=writer).post(restore_url).status_code == 404  # restored once


def test_api_restore_conflict_is_409_in_chinese(api, personas, tree, cadre_family):
    from tests.conftest import _token

    cadre = cadre_family[0]
    api(token=personas.write_token).delete(reverse("staffing-api:cadre-detail", args=[cadre.pk]))
    make_cadre(tree.community_a2, name="王芳", gender="F", born=dt.date(1988, 3, 4), id_number=cadre.id_number)
    entry = RecycleEntry.objects.get()
    response = api(token=_token(personas.district_reviewer, read_only=False)).post(
        reverse("core-api:recycleentry-restore", args=[entry.pk])
    )
    assert response.status_code == 409
    body = response.json()
    assert "无法恢复" in body["detail"] and any("身份证号" in p for p in body["problems"])
    assert not Appointment.objects.filter(cadre_id=cadre.pk).exists() and RecycleEntry.objects.filter(pk=entry.pk).exists()


def test_unique_race_after_the_check_rolls_back_everything(monkeypatch, personas, tree, cadre_family):
    """A conflicting row committed between the check and the insert: the database refuses, the
    whole restore rolls back and the answer is the same kind of Chinese message."""
    import core.recycle
    from core.services import scoped_delete

    cadre = cadre_family[0]
    cadre_id = cadre.pk
    scoped_delete(actor=personas.street_clerk, instance=cadre)
    make_cadre(tree.community_a2, name="王芳", gender="F", born=dt.date(1988, 3, 4), id_number=cadre.id_number)
    monkeypatch.setattr(core.recycle, "_conflicts", lambda objects, using: [])
    with pytest.raises(ValidationError) as exc:
        recycle_entry_restore(actor=personas.district_reviewer, entry=RecycleEntry.objects.get())
    assert "无法恢复" in exc.value.messages[0]
    assert not Appointment.objects.filter(cadre_id=cadre_id).exists() and not Cadre.objects.filter(pk=cadre_id).exists()
    assert RecycleEntry.objects.count() == 1


@pytest.mark.services
def test_two_reviewers_restoring_at_once_restore_once(transactional_db, tree, personas, monkeypatch):
    import threading
    import time

    from django.core.exceptions import PermissionDenied
    from django.db import connection, connections

    import core.recycle
    from core.services import scoped_delete
    from tests.conftest import require_service

    require_service("PostgreSQL (row locks)", connection.vendor == "postgresql", connection.vendor)
    cadre = make_cadre(tree.community_a1, name="赵六")
    appoint(cadre)
    cadre_id = cadre.pk
    scoped_delete(actor=personas.street_clerk, instance=cadre)
    entry = RecycleEntry.objects.get()
    checking = threading.Event()
    original = core.recycle._conflicts

    def slow_conflicts(objects, using):
        found = original(objects, using)
        if not checking.is_set():
            checking.set()
            time.sleep(1.0)  # the second reviewer arrives meanwhile and waits on the entry's lock
        return found

    monkeypatch.setattr(core.recycle, "_conflicts", slow_conflicts)
    outcomes = {}

    def restore(name):
        try:
            recycle_entry_restore(actor=personas.district_reviewer if name == "a" else personas.admin, entry=entry)
            outcomes[name] = "restored"
        except PermissionDenied as exc:
            outcomes[name] = str(exc)
        except Exception as exc:  # anything else (an IntegrityError) is the failure this test guards
            outcomes[name] = repr(exc)
        finally:
            connections.close_all()

    a = threading.Thread(target=restore, args=("a",))
    a.start()
    assert checking.wait(5)
    b = threading.Thread(target=restore, args=("b",))
    b.start()
    a.join(10)
    b.join(10)
    assert outcomes == {"a": "restored", "b": "回收站中没有该条目（已恢复或已过期清除）。"}
    assert Cadre.objects.filter(pk=cadre_id).count() == 1 and Appointment.objects.filter(cadre_id=cadre_id).count() == 1
    assert not RecycleEntry.objects.exists()


def test_restore_clears_the_cached_dashboard(transactional_db, personas, tree, cadre_family):
    """Committed for real: the cache is cleared by the commit of the restore (raw saves send
    post_save), not by the end of a test transaction that never commits."""
    from core.services import scoped_delete
    from reports import cache

    scoped_delete(actor=personas.street_clerk, instance=cadre_family[0])
    without = cache.dashboard_json(node=tree.street_a, year=2025)
    assert cache.dashboard_json(node=tree.street_a, year=2025) == without  # served from the cache
    recycle_entry_restore(actor=personas.district_reviewer, entry=RecycleEntry.objects.get())
    assert cache.dashboard_json(node=tree.street_a, year=2025)[1] != without[1]


def test_restore_after_the_model_changed(personas, tree):
    """A field removed by a later migration is ignored; a kind of record that no longer exists
    is refused in Chinese, nothing restored."""
    from core.services import scoped_delete

    cadre = make_cadre(tree.community_a1, name="钱七")
    cadre_id = cadre.pk
    appoint(cadre)
    scoped_delete(actor=personas.street_clerk, instance=cadre)
    entry = RecycleEntry.objects.get()
    entry.data[0]["fields"]["nickname"] = "小钱"  # a column dropped since
    entry.save()
    recycle_entry_restore(actor=personas.district_reviewer, entry=entry)
    assert Cadre.objects.filter(pk=cadre_id, name="钱七").exists()

    scoped_delete(actor=personas.street_clerk, instance=Cadre.objects.get(pk=cadre_id))
    entry = RecycleEntry.objects.get()
    entry.data[-1]["model"] = "staffing.retiredmodel"
    entry.save()
    with pytest.raises(ValidationError) as exc:
        recycle_entry_restore(actor=personas.district_reviewer, entry=entry)
    assert "无法恢复" in exc.value.messages[0]
    assert not Cadre.objects.filter(pk=cadre_id).exists() and RecycleEntry.objects.filter(pk=entry.pk).exists()


def test_bin_list_queries_do_not_grow(login, api, personas, tree):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from core.services import scoped_delete

    def delete_cadres(n):
        for i in range(n):
            cadre = make_cadre(tree.community_a1, name=f"干部{i}")
            appoint(cadre)
            scoped_delete(actor=personas.street_clerk, instance=cadre)

    def count(client, url):
        with CaptureQueriesContext(connection) as ctx:
            assert client.get(url).status_code == 200
        return len(ctx.captured_queries)

    page, rest = login(personas.district_reviewer), api(personas.district_reviewer)
    delete_cadres(3)
    small = (count(page, reverse("core:recycle_bin")), count(rest, reverse("core-api:recycleentry-list")))
    delete_cadres(12)
    large = (count(page, reverse("core:recycle_bin")), count(rest, reverse("core-api:recycleentry-list")))
    assert small == large, f"queries at 3 entries {small}, at 15 {large}"


def test_large_cascade_is_counted_whole_and_named_in_part(login, personas, tree):
    course = make_course(tree.street_a, name="岗前培训")
    for i in range(25):
        attend(course, make_cadre(tree.community_a1, name=f"学员{i:02d}"))
    confirm = login(personas.street_clerk).get(reverse("staffing:trainingcourse_delete", args=[course.pk]))
    [kind] = confirm.context["preview"].dependents
    assert (kind.count, len(kind.names), kind.more) == (25, 20, 5)
    assert "等另外 5 条" in confirm.content.decode()
    login(personas.street_clerk).post(reverse("staffing:trainingcourse_delete", args=[course.pk]))
    entry = RecycleEntry.objects.get()
    assert entry.counts == {"staffing.trainingcourse": 1, "staffing.attendance": 25}
    assert sum("repr" in row for row in entry.data if row["model"] == "staffing.attendance") <= 21
    page = login(personas.district_reviewer).get(reverse("core:recycle_entry", args=[entry.pk]))
    [kind] = page.context["entry"].kinds
    assert (kind.count, len(kind.names), kind.more) == (25, 20, 5)
    recycle_entry_restore(actor=personas.district_reviewer, entry=entry)
    assert Attendance.objects.filter(course_id=course.pk).count() == 25


def test_restore_conflict_id_taken(personas, tree, cadre_family):
    """A row of the entry whose id is taken meanwhile (e.g. written back by hand): refused."""
    from core.services import scoped_delete

    cadre, _, _, welfare = cadre_family
    cadre_id, welfare_id = cadre.pk, welfare[0].pk
    scoped_delete(actor=personas.street_clerk, instance=cadre)
    Welfare.objects.create(id=welfare_id, cadre=make_cadre(tree.community_a2, name="孙八"), year=2030)
    with pytest.raises(ValidationError) as exc:
        recycle_entry_restore(actor=personas.district_reviewer, entry=RecycleEntry.objects.get())
    assert "无法恢复" in exc.value.messages[0] and any("年度待遇" in m and "ID" in m for m in exc.value.messages[1:])
    assert not Cadre.objects.filter(pk=cadre_id).exists() and Welfare.objects.get(pk=welfare_id).year == 2030


def test_restore_conflict_conditional_constraint(login, personas, tree):
    """One active registration per member and community (a conditional unique constraint):
    registered again meanwhile, the deleted one is not restored beside it."""
    reg = f.registration(tree.community_a1, name="周九", phone="13900001111")
    reg_id = reg.pk
    assert login(personas.street_clerk).post(reverse("regional_building:memberregistration_delete", args=[reg_id])).status_code == 302
    f.registration(tree.community_a1, name="周九", phone="13900001111")
    response = login(personas.district_reviewer).post(reverse("core:recycle_restore", args=[RecycleEntry.objects.get().pk]))
    assert response.status_code == 409
    assert "该党员（姓名和电话相同）已在本社区报到" in response.content.decode()
    assert not rb.MemberRegistration.objects.filter(pk=reg_id).exists()
