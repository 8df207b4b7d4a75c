"""The facts table (figures): random changes written through the services, then the queue
drained, must leave exactly the rows a from-scratch computation gives, and the apps' own facts.

Also: what marks what, the broker being down, the catch-up of a reader, the rebuild command."""

from __future__ import annotations

import datetime
import random
from decimal import Decimal
from unittest import mock

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management import call_command
from django.db import connection, transaction
from django.db.models.deletion import ProtectedError
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from assessments.rules import all_facts
from communities.models import Level, Node
from core.services import scoped_delete, scoped_save
from figures import marking, selectors
from figures.models import Dirty, Facts
from figures.refresh import FIGURE_FIELDS, _rows_kept, compute, refresh_dirty, years
from funding.models import Allocation, Expenditure, Standard
from regional_building import models as rbm
from staffing.models import Appointment, Cadre, TrainingCourse
from tests.regional_building import factories as rb
from tests.staffing.conftest import id_for
from venues.models import AreaStandard, Venue, VenueStatus

D = datetime.date
pytestmark = pytest.mark.django_db
CHECKED_YEARS = [2023, 2024, 2025]


def _table(year_list):
    return {
        (f.node_id, f.year): {name: getattr(f, name) for name in ["code", "level", *FIGURE_FIELDS]}
        for f in Facts.objects.filter(year__in=year_list)
    }


def _from_scratch(year_list):
    ids = _rows_kept(list(Node.objects.values_list("pk", flat=True)))
    expected = {}
    for year in year_list:
        for pk, row in compute(ids, year).items():
            expected[(pk, year)] = row
    return expected


def _same(a, b) -> bool:
    if isinstance(a, Decimal) or isinstance(b, Decimal):
        return Decimal(a) == Decimal(b)
    return a == b


def assert_table_is_current(year_list=CHECKED_YEARS):
    got, want = _table(year_list), _from_scratch(year_list)
    assert set(got) == set(want)
    for key, row in want.items():
        diff = {name: (got[key][name], value) for name, value in row.items() if not _same(got[key][name], value)}
        assert not diff, (key, diff)
    # and the apps' own facts (the assessment's source until now) agree with the table
    communities = list(Node.objects.filter(level=Level.COMMUNITY).values_list("pk", flat=True))
    for year in year_list:
        for pk, facts in all_facts(community_ids=communities, year=year).items():
            row = got[(pk, year)]
            for name, value in facts.items():
                key = name.split(".", 1)[1]
                if key in row:
                    assert _same(row[key], value), (pk, year, name, row[key], value)


class RandomWriter:
    """Random valid changes of every kind the facts depend on, each through scoped_save/scoped_delete."""

    def __init__(self, rng: random.Random, tree, admin):
        self.rng, self.tree, self.actor = rng, tree, admin
        self.communities = [tree.community_a1, tree.community_a2, tree.community_b1, tree.community_c1]
        self.keepers = self.communities + [tree.street_a, tree.street_b]
        self.units = [rb.unit(tree.street_a), rb.unit(tree.street_b)]
        self.course = TrainingCourse.objects.create(name="集中培训", kind="concentrated", organizer=tree.district,
                                                    start_date=D(2025, 4, 1), end_date=D(2025, 4, 2), hours=Decimal("6"))

    def date(self):
        return D(self.rng.choice(CHECKED_YEARS + [2026]), self.rng.randint(1, 12), self.rng.randint(1, 28))

    def pick(self, model):
        rows = list(model.objects.order_by("pk").values_list("pk", flat=True))
        return model.objects.get(pk=self.rng.choice(rows)) if rows else None

    def save(self, obj):
        return scoped_save(actor=self.actor, instance=obj)

    def step(self):
        op = self.rng.choice([name for name in dir(self) if name.startswith("op_")])
        try:
            with transaction.atomic():
                getattr(self, op)()
        except (ValidationError, PermissionDenied, ProtectedError):
            pass  # refused as a user would be: nothing half-saved
        return op

    # staffing
    def op_cadre(self):
        born = D(self.rng.randint(1960, 2000), self.rng.randint(1, 12), self.rng.randint(1, 28))
        c = self.save(Cadre(community=self.rng.choice(self.communities), name="干部", gender="M", birth_date=born,
                            education=self.rng.choice(["bachelor", "college", "secondary", "junior", "postgraduate"]),
                            is_party_member=False, phone="13912345678", id_number=id_for(born, "M")))
        self.save(Appointment(cadre=c, post=self.rng.choice(["secretary", "director", "party_worker", "member",
                                                              "deputy_secretary"]),
                              start_date=D(self.rng.choice([2020, 2023, 2024, 2025]), 3, 1), employment_form="contract",
                              recruitment_channel="open_recruitment", selection_method="general_election"))
        if self.rng.random() < 0.5:
            from staffing.models import Attendance

            Attendance.objects.create(course=self.course, cadre=c)  # (no service: attendance is a bulk form)
            marking.mark([c.community_id])

    def op_end_appointment(self):
        a = self.pick(Appointment)
        if a:
            a.end_date = max(a.start_date, self.date())
            self.save(a)

    def op_move_cadre(self):
        c = self.pick(Cadre)
        if c:
            c.community = self.rng.choice(self.communities)
            self.save(c)

    def op_delete_cadre(self):
        c = self.pick(Cadre)
        if c:
            scoped_delete(actor=self.actor, instance=c)

    def op_course_hours(self):
        self.course.hours = Decimal(self.rng.randint(1, 20))
        self.save(self.course)

    # funding
    def op_allocation(self):
        self.save(Allocation(community=self.rng.choice(self.communities), year=self.rng.choice(CHECKED_YEARS),
                             category=self.rng.choice(["office", "party", "heating", "allowance"]), source="district",
                             received_on=D(2025, 2, 1), amount=Decimal(self.rng.randint(1, 20) * 1000)))

    def op_change_allocation(self):
        a = self.pick(Allocation)
        if a:
            a.amount, a.year = Decimal(self.rng.randint(0, 20) * 500), self.rng.choice(CHECKED_YEARS)
            self.save(a)

    def op_delete_allocation(self):
        a = self.pick(Allocation)
        if a:
            scoped_delete(actor=self.actor, instance=a)

    def op_expenditure(self):
        on = self.date()
        self.save(Expenditure(community=self.rng.choice(self.communities), spent_on=on,
                              category=self.rng.choice(["utilities", "party_activity", "training"]),
                              purpose="支出", amount=Decimal(self.rng.randint(1, 50) * 100)))

    def op_standard(self):
        node = self.rng.choice([self.tree.district, self.tree.street_a, self.tree.community_a2, self.tree.city])
        year = self.rng.choice(CHECKED_YEARS)
        s = Standard.objects.filter(node=node, year=year).first() or Standard(node=node, year=year)
        s.office_amount, s.party_amount = Decimal(self.rng.randint(1, 15) * 1000), Decimal(self.rng.randint(1, 6) * 1000)
        self.save(s)

    def op_delete_standard(self):
        s = self.pick(Standard)
        if s:
            scoped_delete(actor=self.actor, instance=s)

    # venues
    def op_venue(self):
        done = self.rng.random() < 0.7
        self.save(Venue(community=self.rng.choice(self.communities), name="活动室", acquisition="new",
                        usable_area=Decimal(self.rng.randint(50, 400)),
                        status=VenueStatus.COMPLETED if done else VenueStatus.PLANNED,
                        completion_date=self.date() if done else None, has_service_hall=self.rng.random() < 0.5,
                        room_party_affairs=self.rng.random() < 0.5, computers=self.rng.randint(0, 5)))

    def op_move_venue(self):
        v = self.pick(Venue)
        if v:
            v.community = self.rng.choice(self.communities)
            v.usable_area = Decimal(self.rng.randint(50, 400))
            self.save(v)

    def op_area_standard(self):
        node = self.rng.choice([self.tree.district, self.tree.street_b, self.tree.community_a1])
        year = self.rng.choice(CHECKED_YEARS)
        s = AreaStandard.objects.filter(node=node, year=year).first() or AreaStandard(node=node, year=year)
        s.minimum_area = Decimal(self.rng.randint(100, 400))
        s.area_per_100_households = Decimal(self.rng.choice([0, 5, 10]))
        self.save(s)

    def op_households(self):
        c = Node.objects.get(pk=self.rng.choice(self.communities).pk)
        c.households, c.party_members = self.rng.randint(500, 5000), self.rng.randint(10, 900)
        self.save(c)

    # 一化
    def op_agreement(self):
        start = self.date()
        a = self.save(rbm.Agreement(title="共建协议", node=self.rng.choice(self.keepers), unit=self.rng.choice(self.units),
                                    signed_on=start, valid_from=start, valid_until=start + datetime.timedelta(days=500)))
        self.save(rbm.Commitment(agreement=a, category="party_day", description="开展一次党日活动", due_on=self.date()))

    def op_fulfil(self):
        c = self.pick(rbm.Commitment)
        if c and not c.fulfilments.exists():
            self.save(rbm.Fulfilment(commitment=c, done_on=c.agreement.valid_from, what_was_done="组织志愿服务"))

    def op_terminate(self):
        a = self.pick(rbm.Agreement)
        if a:
            a.terminated_on, a.termination_reason = max(a.valid_from, self.date()), "单位搬迁"
            self.save(a)

    def op_meeting(self):
        node = self.rng.choice(self.keepers)
        conf = rbm.JointConference.objects.filter(node=node).first() or rb.conference(node)
        marking.mark([node.pk])  # (the factory saves directly; the conference itself is a watched model)
        self.save(rbm.Meeting(conference=conf, held_on=self.date(), topics="议事"))

    def op_registration(self):
        n = self.rng.randint(1, 10**7)
        self.save(rbm.MemberRegistration(community=self.rng.choice(self.communities), name=f"党员{n}",
                                         phone=f"139{n:08d}", work_unit_name="兰州市第一中学", registered_on=self.date()))


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_random_changes_through_the_services_leave_the_table_as_computed_from_scratch(tree, personas, seed):
    call_command("rebuild_facts", verbosity=0)
    assert_table_is_current()
    writer = RandomWriter(random.Random(seed), tree, personas.admin)
    ops = set()
    for round_ in range(3):
        for _n in range(25):
            ops.add(writer.step())
        assert Dirty.objects.exists()
        refresh_dirty()  # the queue drains (what the refresh task does)
        assert not Dirty.objects.exists()
        assert_table_is_current()
    assert len(ops) >= 12  # the random walk covered most kinds of change


def test_a_standard_marks_its_subtree_for_its_year_only(tree):
    call_command("rebuild_facts", verbosity=0)
    Standard.objects.create(node=tree.street_a, year=2025, office_amount=Decimal("1"), party_amount=Decimal("1"))
    marks = set(Dirty.objects.values_list("node_id", "year"))
    assert marks == {(tree.street_a.pk, 2025), (tree.community_a1.pk, 2025), (tree.community_a2.pk, 2025)}


def test_a_moved_record_marks_both_nodes(tree):
    venue = Venue.objects.create(community=tree.community_a1, name="v", acquisition="new", usable_area=Decimal("100"),
                                 status=VenueStatus.COMPLETED, completion_date=D(2024, 1, 1))
    Dirty.objects.all().delete()
    venue.community = tree.community_c1
    venue.save()
    assert set(Dirty.objects.values_list("node_id", flat=True)) == {tree.community_a1.pk, tree.community_c1.pk}


def test_a_node_moved_to_another_code_rewrites_its_subtree(tree):
    call_command("rebuild_facts", verbosity=0)
    street = Node.objects.get(pk=tree.street_b.pk)
    community = Node.objects.get(pk=tree.community_b1.pk)
    community.code = "620102002009"
    community.save()
    refresh_dirty()
    assert set(Facts.objects.filter(node=community).values_list("code", flat=True)) == {"620102002009"}
    assert street.pk not in set(Facts.objects.values_list("node_id", flat=True))  # keeps nothing of its own


def _commit():
    """As if the test's writes so far had committed: their on-commit callbacks run and are gone."""
    for _sids, func, _robust in list(connection.run_on_commit):
        func()
    connection.run_on_commit.clear()


def test_the_broker_being_down_loses_no_change(tree, django_capture_on_commit_callbacks):
    call_command("rebuild_facts", verbosity=0)
    _commit()
    with mock.patch("figures.tasks.refresh_facts.delay", side_effect=ConnectionError("redis down")):
        with django_capture_on_commit_callbacks(execute=True) as callbacks:
            Allocation.objects.create(community=tree.community_a1, year=2025, category="office", source="district",
                                      received_on=D(2025, 1, 1), amount=Decimal("5000"))
    assert [c.__name__ for c in callbacks].count("_queue") == 1  # queued once, and the failure did not raise
    assert Dirty.objects.filter(node_id=tree.community_a1.pk).exists()
    refresh_dirty()
    assert Facts.objects.get(node=tree.community_a1, year=2025).office_funds == Decimal("5000")


def test_one_queueing_per_transaction(tree, django_capture_on_commit_callbacks):
    _commit()
    with django_capture_on_commit_callbacks() as callbacks:
        with transaction.atomic():
            for n in range(5):
                Allocation.objects.create(community=tree.community_a1, year=2025, category="office", source="district",
                                          received_on=D(2025, 1, 1), amount=Decimal(n + 1))
    assert [c.__name__ for c in callbacks].count("_queue") == 1


def test_a_reader_catches_up_a_few_marks_but_never_waits_on_many(tree, settings):
    call_command("rebuild_facts", verbosity=0)
    Allocation.objects.create(community=tree.community_a1, year=2025, category="office", source="district",
                              received_on=D(2025, 1, 1), amount=Decimal("700"))
    assert selectors.catch_up(tree.district.prefix) is False  # recomputed inline
    assert Facts.objects.get(node=tree.community_a1, year=2025).office_funds == Decimal("700")
    settings.FIGURES_INLINE_LIMIT = 1
    marking.mark([tree.community_a1.pk, tree.community_a2.pk])
    assert selectors.catch_up(tree.district.prefix) is True  # left to the background refresh
    assert Dirty.objects.count() == 2
    assert selectors.catch_up(tree.other_district.prefix) is False  # nothing dirty there


def test_rebuild_command_fills_every_community_and_year(tree):
    Facts.objects.all().delete()
    call_command("rebuild_facts", verbosity=0)
    communities = Node.objects.filter(level=Level.COMMUNITY).count()
    assert Facts.objects.filter(level=Level.COMMUNITY).count() == communities * len(years())
    assert not Dirty.objects.exists()
    call_command("rebuild_facts", "--years", "2025", "--prefix", tree.street_a.prefix, verbosity=0)


def test_missing_data_is_told_from_zero(tree):
    Allocation.objects.create(community=tree.community_a1, year=2025, category="heating", source="district",
                              received_on=D(2025, 1, 1), amount=Decimal("100"))
    refresh_dirty()
    call_command("rebuild_facts", verbosity=0)
    a1 = Facts.objects.get(node=tree.community_a1, year=2025)
    a2 = Facts.objects.get(node=tree.community_a2, year=2025)
    assert (a1.office_funds, a1.allocation_records) == (0, 1)  # entered: no office funds
    assert (a2.office_funds, a2.allocation_records) == (0, 0)  # nothing entered (未录入)


def test_scoring_reads_the_same_facts_from_the_table(tree, personas):
    """assessment_facts (the table) gives what the apps' facts compute from the raw rows, also
    right after changes not yet refreshed (those communities are computed from the raw rows)."""
    from figures.selectors import assessment_facts

    writer = RandomWriter(random.Random(7), tree, personas.admin)
    ids = list(Node.objects.filter(level=Level.COMMUNITY).values_list("pk", flat=True))
    for _n in range(30):
        writer.step()
    for year in CHECKED_YEARS:  # pending marks
        assert assessment_facts(community_ids=ids, year=year) == all_facts(community_ids=ids, year=year)
    refresh_dirty()
    for year in CHECKED_YEARS:  # read from the table
        with CaptureQueriesContext(connection) as queries:
            got = assessment_facts(community_ids=ids, year=year)
        assert got == all_facts(community_ids=ids, year=year) and len(queries) == 2


def test_the_refresh_is_a_registered_periodic_task(tree, settings):
    from sanqi.celery import app
    from figures.tasks import refresh_facts

    entry = settings.CELERY_BEAT_SCHEDULE["refresh-figures"]
    assert entry["task"] == refresh_facts.name and refresh_facts.name in app.tasks
    # yesterday's current-year rows are marked by it, and recomputed
    today = timezone.localdate()
    call_command("rebuild_facts", "--years", str(today.year), verbosity=0)
    Facts.objects.update(valid_until=datetime.date(2000, 1, 1))
    assert refresh_facts() >= Node.objects.filter(level=Level.COMMUNITY).count()
    assert not Facts.objects.filter(valid_until__lt=today).exists()
