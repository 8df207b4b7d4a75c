"""``manage.py bench_assessment``: score a province-sized data set through a real Celery worker.

Builds two synthetic provinces whose codes no real division uses (96: 1,000 communities, 97:
10,000 by default; 100 communities per district, 20 per street), with realistic rows in every
app for each community (cadres and posts, training, funds received and spent, a venue, a
joint conference and its meetings, an agreement with commitments, member registrations,
service posts and claims) and the standards on the province. Then, for each province, it opens
the default scheme in every district and starts all the districts' scoring runs at once, and
times them to the last chunk, done by a worker process it starts (``--workers``, prefork). It
prints communities per second, the queries of one chunk at several chunk sizes, and the growth
from the small to the large province. Everything it creates is deleted at the end (and
leftovers of an interrupted run at the start).

Needs PostgreSQL (DATABASE_URL) and Redis (CELERY_BROKER_URL).
"""

from __future__ import annotations

import datetime
import os
import platform
import subprocess
import sys
import time
from decimal import Decimal

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext

from assessments import services
from assessments.models import Chunk, Event, Indicator, Result, Run, RunState, Scheme, Score
from communities.models import Level, Node
from core.models import Assignment, Role
from figures.models import Dirty, Facts
from funding.models import Allocation, Expenditure, Standard
from regional_building.codes import make_credit_code
from regional_building.models import (
    Agreement, Claim, Commitment, Fulfilment, JointConference, Meeting, MemberRegistration, ResidentUnit, ServicePost,
)
from staffing.models import Appointment, Attendance, Cadre, TrainingCourse
from venues.models import AreaStandard, Venue, VenueStatus

D = datetime.date
YEAR = 2025
PREFIXES = ("96", "97")
PER_DISTRICT, PER_STREET = 100, 20
BENCH_USER = "bench_assessment"


def _raw_delete(qs):
    qs._raw_delete(qs.db)


def cleanup(prefixes=PREFIXES) -> None:
    for prefix in prefixes:
        nodes = Node.objects.filter(code__startswith=prefix)
        community = {"community__code__startswith": prefix}
        schemes = Scheme.objects.filter(district__code__startswith=prefix)
        for qs in (
            Event.objects.filter(result__scheme__in=schemes), Score.objects.filter(**community),
            Result.objects.filter(**community), Chunk.objects.filter(run__scheme__in=schemes),
            Run.objects.filter(scheme__in=schemes),
            Indicator.history.model.objects.filter(scheme_id__in=schemes.values("pk")),
            Indicator.objects.filter(scheme__in=schemes), Scheme.history.model.objects.filter(district_id__in=nodes.values("pk")),
            schemes,
            Claim.objects.filter(post__community__code__startswith=prefix), ServicePost.objects.filter(**community),
            MemberRegistration.objects.filter(**community),
            Fulfilment.objects.filter(commitment__agreement__node__code__startswith=prefix),
            Commitment.objects.filter(agreement__node__code__startswith=prefix),
            Agreement.objects.filter(node__code__startswith=prefix),
            Meeting.objects.filter(conference__node__code__startswith=prefix),
            JointConference.objects.filter(node__code__startswith=prefix),
            ResidentUnit.objects.filter(node__code__startswith=prefix),
            Venue.objects.filter(**community), AreaStandard.objects.filter(node__code__startswith=prefix),
            Expenditure.objects.filter(**community), Allocation.objects.filter(**community),
            Standard.objects.filter(node__code__startswith=prefix),
            Attendance.objects.filter(cadre__community__code__startswith=prefix), Appointment.objects.filter(cadre__community__code__startswith=prefix),
            Cadre.objects.filter(**community), TrainingCourse.objects.filter(organizer__code__startswith=prefix),
            Assignment.objects.filter(node__code__startswith=prefix),
            Facts.objects.filter(code__startswith=prefix), Dirty.objects.filter(node_id__in=nodes.values("pk")),
        ):
            _raw_delete(qs)
        for level in (Level.COMMUNITY, Level.TOWNSHIP, Level.COUNTY, Level.CITY, Level.PROVINCE):
            _raw_delete(Node.objects.filter(code__startswith=prefix, level=level))


def build(prefix: str, communities: int) -> list[Node]:
    """A synthetic province with ``communities`` communities and their rows; returns its districts."""
    province = Node.objects.create(code=f"{prefix}0000000000", name=f"压测省{prefix}", level=Level.PROVINCE)
    n_districts = communities // PER_DISTRICT
    cities = Node.objects.bulk_create([
        Node(code=f"{prefix}{c + 1:02d}00000000", name=f"压测市{c + 1}", level=Level.CITY, parent=province)
        for c in range((n_districts + 49) // 50)
    ])
    districts = Node.objects.bulk_create([
        Node(code=f"{prefix}{d // 50 + 1:02d}{d % 50 + 1:02d}000000", name=f"压测区{d + 1}", level=Level.COUNTY,
             parent=cities[d // 50])
        for d in range(n_districts)
    ])
    streets = Node.objects.bulk_create([
        Node(code=f"{district.code[:6]}{s + 1:03d}000", name=f"{district.name}街道{s + 1}", level=Level.TOWNSHIP, parent=district)
        for district in districts for s in range(PER_DISTRICT // PER_STREET)
    ])
    nodes = Node.objects.bulk_create([
        Node(code=f"{street.code[:9]}{c + 1:03d}", name=f"{street.name}社区{c + 1}", level=Level.COMMUNITY, parent=street,
             households=1500 + (c * 137) % 2500, resident_population=5000, party_members=150)
        for street in streets for c in range(PER_STREET)
    ], batch_size=5000)
    Standard.objects.create(node=province, year=YEAR, office_amount=Decimal("20000"), party_amount=Decimal("10000"))
    AreaStandard.objects.create(node=province, year=YEAR, minimum_area=Decimal("300"), area_per_100_households=Decimal("10"))
    populate(nodes, districts, {s.pk: s.parent_id for s in streets}, prefix)
    return districts


def populate(nodes: list[Node], districts: list[Node], district_of: dict[int, int], prefix: str) -> None:
    """Rows in every app for each community of ``nodes`` (``district_of``: street id → district id;
    ``prefix``: two digits that keep the generated ID numbers and credit codes apart from others)."""
    B = 5000
    courses = {d.pk: TrainingCourse(name="书记主任示范培训班", kind="leaders", organizer=d, start_date=D(YEAR, 4, 1),
                                    end_date=D(YEAR, 4, 3), hours=Decimal("16")) for d in districts}
    TrainingCourse.objects.bulk_create(courses.values())
    units = {d.pk: ResidentUnit(name=f"{d.name}驻区单位", kind="state_enterprise", node=d,
                                credit_code=make_credit_code(f"91{d.code[:6]}MA{int(prefix):07d}"))
             for d in districts}
    ResidentUnit.objects.bulk_create(units.values())
    cadres, appointments, attendances, allocations, expenditures, venues = [], [], [], [], [], []
    conferences, agreements, registrations, posts = [], [], [], []
    educations = ["bachelor", "college", "secondary", "college", "bachelor"]
    posts_of = [["secretary", "director"], ["deputy_director"], ["party_worker"], ["member"], ["member"]]
    for i, c in enumerate(nodes):
        for k in range(4 + i % 2):
            cadres.append(Cadre(community=c, name=f"干部{k}", gender="F" if k % 2 else "M", birth_date=D(1975 + k, 1, 1),
                                education=educations[k], id_number=f"{prefix}{i * 10 + k:016d}"))
        for category, amount in (("office", 20000 - (i % 3) * 3000), ("party", 10000 - (i % 4) * 2000)):
            allocations.append(Allocation(community=c, year=YEAR, category=category, source="district",
                                          received_on=D(YEAR, 3, 1), amount=Decimal(amount)))
        for category, amount in (("party_activity", 3000 + (i % 5) * 500), ("utilities", 8000)):
            expenditures.append(Expenditure(community=c, year=YEAR, spent_on=D(YEAR, 6, 1), category=category,
                                            purpose="日常支出", amount=Decimal(amount)))
        venues.append(Venue(community=c, name="党群服务中心", usable_area=Decimal(200 + (i % 9) * 25), acquisition="new",
                            status=VenueStatus.COMPLETED, completion_date=D(2020, 5, 1), has_service_hall=i % 4 != 0,
                            room_party_affairs=True, room_labour=True, room_culture_sports=i % 2 == 0,
                            room_party_school=i % 3 == 0, computers=4, televisions=2, led_screens=i % 2))
        conferences.append(JointConference(name=f"{c.name}党建联席会", level="community", node=c))
        agreements.append(Agreement(title="共驻共建协议", node=c, unit=units[district_of[c.parent_id]], signed_on=D(YEAR, 1, 5),
                                    valid_from=D(YEAR, 1, 5), valid_until=D(YEAR + 2, 12, 31)))
        for r in range(3 + i % 10):
            registrations.append(MemberRegistration(name=f"党员{r}", phone=f"139{i:06d}{r:02d}", work_unit_name="驻区单位",
                                                    community=c, registered_on=D(YEAR, 3, 5)))
        for p in range(2):
            posts.append(ServicePost(community=c, title="关爱空巢老人", category="vulnerable", capacity=3, offered_on=D(YEAR, 2, 1)))
    Cadre.objects.bulk_create(cadres, batch_size=B)
    position: dict[int, int] = {}
    for cadre in cadres:
        slot = position.get(cadre.community_id, 0)
        position[cadre.community_id] = slot + 1
        for post in posts_of[slot]:
            appointments.append(Appointment(cadre=cadre, post=post, start_date=D(2021, 1, 1), employment_form="career",
                                            recruitment_channel="open_recruitment", selection_method="two_recommend"))
        if slot < 3:
            attendances.append(Attendance(course=courses[district_of[cadre.community.parent_id]], cadre=cadre))
    for model, rows in ((Appointment, appointments), (Attendance, attendances), (Allocation, allocations),
                        (Expenditure, expenditures), (Venue, venues), (JointConference, conferences),
                        (Agreement, agreements), (MemberRegistration, registrations), (ServicePost, posts)):
        model.objects.bulk_create(rows, batch_size=B)
    meetings = [Meeting(conference=conf, held_on=D(YEAR, m, 10), topics="共驻共建议事") for n, conf in enumerate(conferences)
                for m in range(1, 2 + n % 4 * 3, 3)]
    commitments = [Commitment(agreement=a, category=cat, description="开展一次党日活动", due_on=D(YEAR, 6, 30))
                   for a in agreements for cat in ("party_day", "solve_problem")]
    Meeting.objects.bulk_create(meetings, batch_size=B)
    Commitment.objects.bulk_create(commitments, batch_size=B)
    Fulfilment.objects.bulk_create([Fulfilment(commitment=c, done_on=D(YEAR, 5, 1), what_was_done="组织党员志愿服务")
                                    for n, c in enumerate(commitments) if n % 3 != 2], batch_size=B)
    Claim.objects.bulk_create([Claim(post=p, unit=units[district_of[p.community.parent_id]], claimed_on=D(YEAR, 4, 1), hours=2)
                               for n, p in enumerate(posts) if n % 2 == 0], batch_size=B)


class Command(BaseCommand):
    help = "Score a province-sized synthetic data set through a real Celery worker and print the figures."

    def add_arguments(self, parser):
        parser.add_argument("--communities", type=int, default=10_000)
        parser.add_argument("--small", type=int, default=1_000)
        parser.add_argument("--chunk-size", type=int, default=200)
        parser.add_argument("--workers", type=int, default=2)
        parser.add_argument("--keep", action="store_true")

    def handle(self, *args, **opts):
        if connection.vendor != "postgresql" or not settings.CELERY_BROKER_URL:
            raise CommandError("需要 PostgreSQL（DATABASE_URL）和 Redis（CELERY_BROKER_URL）。")
        cleanup()
        worker = self._start_worker(opts["workers"])
        try:
            figures = {}
            for prefix, size in zip(PREFIXES, (opts["small"], opts["communities"])):
                t0 = time.monotonic()
                with transaction.atomic():
                    districts = build(prefix, size)
                with connection.cursor() as cursor:  # fresh planner statistics, as autovacuum would give
                    cursor.execute("ANALYZE")
                built = time.monotonic() - t0
                rows = self._row_count(prefix)
                self.stdout.write(f"{size} 个社区：生成 {rows} 行数据用时 {built:.1f} s")
                figures[size] = self._score(prefix, districts, opts["chunk_size"])
                self.stdout.write(f"  评分 {figures[size]['seconds']:.1f} s，{figures[size]['rate']:.0f} 个社区/秒")
            small, large = figures[opts["small"]], figures[opts["communities"]]
            self.stdout.write(f"增长：社区 ×{opts['communities'] / opts['small']:.0f}，用时 ×{large['seconds'] / small['seconds']:.1f}")
            self._queries_per_chunk(PREFIXES[1])
            self.stdout.write(f"环境：{platform.python_implementation()} {platform.python_version()}，PostgreSQL，"
                              f"worker 进程 {opts['workers']} 个，每批 {opts['chunk_size']} 个社区")
        finally:
            worker.terminate()
            worker.wait(30)
            if not opts["keep"]:
                cleanup()

    def _row_count(self, prefix):
        c = {"community__code__startswith": prefix}
        return sum(q.count() for q in (
            Cadre.objects.filter(**c), Appointment.objects.filter(cadre__community__code__startswith=prefix),
            Attendance.objects.filter(cadre__community__code__startswith=prefix), Allocation.objects.filter(**c),
            Expenditure.objects.filter(**c), Venue.objects.filter(**c), JointConference.objects.filter(node__code__startswith=prefix),
            Meeting.objects.filter(conference__node__code__startswith=prefix), Agreement.objects.filter(node__code__startswith=prefix),
            Commitment.objects.filter(agreement__node__code__startswith=prefix),
            Fulfilment.objects.filter(commitment__agreement__node__code__startswith=prefix),
            MemberRegistration.objects.filter(**c), ServicePost.objects.filter(**c),
            Claim.objects.filter(post__community__code__startswith=prefix),
        ))

    def _user(self, prefix):
        user, _ = get_user_model().objects.get_or_create(username=BENCH_USER)
        province = Node.objects.get(code=f"{prefix}0000000000")
        Assignment.objects.get_or_create(user=user, node=province, role=Role.REVIEWER)
        from core.scope import clear_scope_cache
        clear_scope_cache(user)
        return user

    def _score(self, prefix, districts, chunk_size):
        user = self._user(prefix)
        schemes = [services.scheme_create(actor=user, district=d, year=YEAR) for d in districts]
        t0 = time.monotonic()
        runs = [services.run_start(actor=user, scheme=s, chunk_size=chunk_size) for s in schemes]
        ids = [r.pk for r in runs]
        total = sum(r.total for r in runs)
        last = -1
        while Run.objects.filter(pk__in=ids, state=RunState.RUNNING).exists():
            time.sleep(0.25)
            done = sum(Run.objects.filter(pk__in=ids).values_list("done", flat=True))
            if done // 2000 != last // 2000:
                self.stdout.write(f"  进度 {done}/{total}")
            last = done
        seconds = time.monotonic() - t0
        scored = Result.objects.filter(community__code__startswith=prefix, year=YEAR).count()
        if scored != total:
            raise CommandError(f"只评分了 {scored}/{total} 个社区")
        return {"seconds": seconds, "rate": total / seconds, "total": total}

    def _queries_per_chunk(self, prefix):
        scheme = Scheme.objects.filter(district__code__startswith=prefix).first()
        ids = list(Node.objects.filter(code__startswith=prefix, level=Level.COMMUNITY).order_by("code").values_list("pk", flat=True))
        run = Run.objects.create(scheme=scheme, total=0, chunk_size=0)
        Result.objects.filter(community_id__in=ids[:1000]).update(state="draft")
        self.stdout.write("每批查询数（同一批次逻辑，不同批大小）：")
        for n, size in enumerate((50, 200, 1000)):
            chunk = Chunk.objects.create(run=run, number=n, community_ids=ids[:size])
            connection.queries_log.clear()
            t0 = time.monotonic()
            with CaptureQueriesContext(connection) as q:
                services.score_chunk(chunk.pk)
            self.stdout.write(f"  {size:>5} 个社区：{len(q)} 条查询，{(time.monotonic() - t0) * 1000:.0f} ms")

    def _start_worker(self, workers):
        env = dict(os.environ)
        process = subprocess.Popen(
            [sys.executable, "-m", "celery", "-A", "sanqi", "worker", f"--concurrency={workers}", "--without-gossip",
             "--without-mingle", "--loglevel=WARNING", "-n", f"bench-{os.getpid()}@%h"],
            env=env, cwd=str(settings.BASE_DIR),
        )
        from sanqi.celery import app

        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if app.control.ping(timeout=1.0):
                return process
            if process.poll() is not None:
                raise CommandError("Celery worker 启动失败")
        process.terminate()
        raise CommandError("Celery worker 60 秒内未响应")
