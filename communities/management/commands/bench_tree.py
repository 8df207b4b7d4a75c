"""``manage.py bench_tree``: does a page cost the same with 100 or 10,000 communities?

Builds two synthetic provinces whose codes no real division uses (98: the small one, 99: the
large one), shaped like a real province (cities → districts → streets → ~15 communities per
street, every community with its facts), gives each a province-wide reviewer (the widest
scope, so filter dropdowns are as large as they get), then times the community list page, the
API list and a few related pages for both, counting the SQL queries of each request.

Exits non-zero when a page needs a different number of queries at the two sizes, or answers
wrongly (a filter refused or silently dropped), so it can be used as a check. Everything it
creates is deleted at the end (unless ``--keep``), and leftovers of an interrupted run are
deleted at the start. See docs/benchmarks.md.
"""

from __future__ import annotations

import math
import platform
import random
import re
import statistics
import time
from collections.abc import Callable
from dataclasses import dataclass, field

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError
from django.db import connection, transaction
from django.db.models import Q
from django.test import Client
from django.test.utils import CaptureQueriesContext, override_settings
from django.urls import reverse

from communities.models import CommunityType, Level, Node, PartyOrgForm
from communities.views import CommunityListView
from core.models import Assignment, Role

SMALL_PREFIX = "98"
LARGE_PREFIX = "99"
PREFIXES = (SMALL_PREFIX, LARGE_PREFIX)
USERNAME = "bench_tree_reviewer_{}"
PER_STREET = 15  # communities per street, about what a real 街道 has
STREETS_PER_DISTRICT = 7
DISTRICTS_PER_CITY = 10
BATCH = 1000
COMMUNITY_CODE_CELL = re.compile(r'<td class="font-monospace">(\d{12})</td>')


def synthetic_q() -> Q:
    return Q(code__startswith=SMALL_PREFIX) | Q(code__startswith=LARGE_PREFIX)


def spread(total: int, parts: int) -> list[int]:
    """``total`` split into ``parts`` near-equal whole numbers."""
    base, extra = divmod(total, parts)
    return [base + (1 if i < extra else 0) for i in range(parts)]


@dataclass
class Shape:
    communities: int
    cities: int
    districts: int
    streets: int

    @classmethod
    def for_communities(cls, n: int) -> "Shape":
        streets = max(1, math.ceil(n / PER_STREET))
        districts = max(1, math.ceil(streets / STREETS_PER_DISTRICT))
        cities = max(1, math.ceil(districts / DISTRICTS_PER_CITY))
        shape = cls(n, cities, districts, streets)
        if cities > 99 or math.ceil(districts / cities) > 99 or math.ceil(streets / districts) > 999:
            raise CommandError(f"{n} communities do not fit in one province's code space")
        return shape

    def __str__(self):
        return (
            f"{self.cities} cities, {self.districts} districts, {self.streets} streets, "
            f"{self.communities:,} communities"
        )


@dataclass
class Province:
    prefix: str
    shape: Shape
    node: Node | None = None
    user: object = None
    district: Node | None = None  # the first district, for the filtered rows
    district_communities: int = 0
    street: Node | None = None  # the first street
    street_communities: int = 0


@dataclass
class Target:
    label: str
    url: Callable[[Province], str]
    # What a right answer holds: (code prefix of every community shown, how many there are).
    expect: Callable[[Province], tuple[str, int]] | None = None
    api: bool = False


@dataclass
class Result:
    times_ms: list[float] = field(default_factory=list)
    queries: list[str] = field(default_factory=list)
    sql_ms: list[float] = field(default_factory=list)  # time spent in the database, per timed request
    error: str = ""

    @property
    def median(self) -> float:
        return statistics.median(self.times_ms)

    @property
    def p90(self) -> float:
        ordered = sorted(self.times_ms)
        return ordered[max(0, math.ceil(0.9 * len(ordered)) - 1)]


def _whole(p: Province) -> tuple[str, int]:
    return p.prefix, p.shape.communities


def _district(p: Province) -> tuple[str, int]:
    return p.district.prefix, p.district_communities


def _street(p: Province) -> tuple[str, int]:
    return p.street.prefix, p.street_communities


def _list(query=""):
    return lambda p: reverse("communities:community_list") + query.format(p=p)


def _api(query=""):
    return lambda p: reverse("communities-api:community-list") + query.format(p=p)


class SqlTimer:
    """``connection.execute_wrapper`` adding up the time spent executing SQL."""

    def __init__(self):
        self.seconds = 0.0

    def __call__(self, execute, sql, params, many, context):
        started = time.perf_counter()
        try:
            return execute(sql, params, many, context)
        finally:
            self.seconds += time.perf_counter() - started


TARGETS = [
    Target("list page", _list(), _whole),
    Target("list page ?district=", _list("?district={p.district.pk}"), _district),
    Target("list page ?street=", _list("?street={p.street.pk}"), _street),
    Target("API list", _api(), _whole, api=True),
    Target("API list ?district=", _api("?district={p.district.pk}"), _district, api=True),
    Target("API list ?street=", _api("?street={p.street.pk}"), _street, api=True),
    Target("tree page (province)", lambda p: reverse("communities:tree_node", args=[p.node.code])),
]
# The rows the issue sets the target for; the others are shown for information.
KEY_TARGETS = {"list page", "API list"}


class Command(BaseCommand):
    help = (
        "Build a small (100) and a province-sized (10,000) synthetic tree and compare the time and "
        "the SQL queries per request of the community list page and the API list."
    )

    def add_arguments(self, parser):
        parser.add_argument("--communities", type=int, default=10_000, help="communities of the large province")
        parser.add_argument("--small", type=int, default=100, help="communities of the small province")
        parser.add_argument("--repeat", type=int, default=15, help="timed requests per page and size")
        parser.add_argument("--warmup", type=int, default=2, help="untimed requests before timing")
        parser.add_argument("--max-ratio", type=float, default=1.5, help="time target: large/small median")
        parser.add_argument("--keep", action="store_true", help="leave the synthetic provinces and users in place")

    def handle(self, *args, **options):
        if options["small"] < 1 or options["communities"] < options["small"]:
            raise CommandError("need 1 <= --small <= --communities")
        if options["repeat"] < 1:
            raise CommandError("--repeat must be at least 1")
        self.verbosity = options["verbosity"]
        removed = self.cleanup()
        if removed:
            self.stdout.write(f"Removed leftovers of an earlier run: {removed}")
        provinces = [
            Province(SMALL_PREFIX, Shape.for_communities(options["small"])),
            Province(LARGE_PREFIX, Shape.for_communities(options["communities"])),
        ]
        try:
            for province in provinces:
                started = time.perf_counter()
                self.build(province)
                self.log(f"Built province {province.prefix}: {province.shape} in {time.perf_counter() - started:.1f} s")
            if connection.vendor == "postgresql":
                with connection.cursor() as cursor:  # what autovacuum would do after a bulk load
                    cursor.execute(f"ANALYZE {connection.ops.quote_name(Node._meta.db_table)}")
            results = self.measure(provinces, options["repeat"], options["warmup"])
        finally:
            if options["keep"]:
                self.stdout.write("--keep: synthetic provinces 98 and 99 and their users are left in place.")
            else:
                self.cleanup()
        problems = self.report(provinces, results, options)
        if problems:
            raise CommandError("; ".join(problems) + " (see above)")

    def log(self, message):
        if self.verbosity >= 1:
            self.stdout.write(message)

    # Building --------------------------------------------------------------------------------

    def build(self, province: Province) -> None:
        shape, p = province.shape, province.prefix
        rng = random.Random(int(p))
        types = [
            CommunityType.COMMERCIAL, CommunityType.WORK_UNIT, CommunityType.MIXED, CommunityType.OLD,
            CommunityType.RELOCATION, CommunityType.VILLAGE_CONVERTED,
        ]

        def community(code: str, parent_id: int) -> Node:
            households, members = rng.randint(800, 5200), rng.randint(40, 420)
            kind = rng.choices(types, weights=[35, 20, 20, 15, 5, 5])[0]
            return Node(
                code=code,
                name=f"基准{code[:9]}-{code[9:]}社区",
                level=Level.COMMUNITY,
                parent_id=parent_id,
                community_type=kind,
                is_urban=kind != CommunityType.VILLAGE_CONVERTED,
                households=households,
                resident_population=int(households * rng.uniform(2.6, 3.1)),
                floating_population=int(households * rng.uniform(0.2, 0.9)),
                party_members=members,
                party_org_form=(
                    PartyOrgForm.COMMITTEE if members >= 300
                    else PartyOrgForm.GENERAL_BRANCH if members >= 150
                    else PartyOrgForm.BRANCH
                ),
                address=f"基准路{rng.randint(1, 999)}号",
                phone=f"0999-{rng.randint(8000000, 8999999)}",
            )

        with transaction.atomic():
            root = Node(code=p.ljust(12, "0"), name=f"基准测试省{p}", level=Level.PROVINCE)
            root_id = self._create([root], Level.PROVINCE, p)[root.code]
            province.node = Node.objects.get(pk=root_id)

            cities = [
                Node(code=code, name=f"基准{code[:4]}市", level=Level.CITY, parent_id=root_id)
                for code in (f"{p}{c:02d}".ljust(12, "0") for c in range(1, shape.cities + 1))
            ]
            city_ids = self._create(cities, Level.CITY, p)

            districts = []
            for city_code, count in zip(sorted(city_ids), spread(shape.districts, shape.cities)):
                for d in range(1, count + 1):
                    code = f"{city_code[:4]}{d:02d}".ljust(12, "0")
                    districts.append(Node(code=code, name=f"基准{code[:6]}区", level=Level.COUNTY,
                                          parent_id=city_ids[city_code]))
            district_ids = self._create(districts, Level.COUNTY, p)

            streets = []
            for district_code, count in zip(sorted(district_ids), spread(shape.streets, shape.districts)):
                for s in range(1, count + 1):
                    code = f"{district_code[:6]}{s:03d}000"
                    streets.append(Node(code=code, name=f"基准{code[:9]}街道", level=Level.TOWNSHIP,
                                        parent_id=district_ids[district_code]))
            street_ids = self._create(streets, Level.TOWNSHIP, p)

            communities = [
                community(f"{street_code[:9]}{n:03d}", street_ids[street_code])
                for street_code, count in zip(sorted(street_ids), spread(shape.communities, shape.streets))
                for n in range(1, count + 1)
            ]
            Node.objects.bulk_create(communities, batch_size=BATCH)

            user = get_user_model()(username=USERNAME.format(p))
            user.set_unusable_password()
            user.save()
            Assignment.objects.create(user=user, node=province.node, role=Role.REVIEWER)
            province.user = user

        first_district = min(district_ids)
        province.district = Node.objects.get(code=first_district)
        province.district_communities = Node.objects.filter(
            level=Level.COMMUNITY, code__startswith=first_district[:6]
        ).count()
        province.street = Node.objects.get(code=min(street_ids))
        province.street_communities = Node.objects.filter(parent=province.street).count()

    @staticmethod
    def _create(nodes: list[Node], level: Level, prefix: str) -> dict[str, int]:
        """bulk_create (no clean, no history rows), then the new ids by code."""
        Node.objects.bulk_create(nodes, batch_size=BATCH)
        return dict(Node.objects.filter(level=level, code__startswith=prefix).values_list("code", "id"))

    # Cleaning up -----------------------------------------------------------------------------

    def cleanup(self) -> str:
        """Delete the synthetic provinces and users, leaves first (Node.parent is PROTECT)."""
        User = get_user_model()
        usernames = [USERNAME.format(p) for p in PREFIXES]
        removed = []
        with transaction.atomic():
            try:
                from axes.models import AccessAttempt, AccessLog
            except ImportError:  # pragma: no cover - axes is installed
                pass
            else:
                AccessLog.objects.filter(username__in=usernames).delete()
                AccessAttempt.objects.filter(username__in=usernames).delete()
            # The synthetic users' login records are as synthetic as they are (the real ones'
            # are audit records and protect their users).
            from accounts.models import LoginSession, Profile

            LoginSession.objects.filter(user__username__in=usernames).delete()
            Profile.objects.filter(user__username__in=usernames).delete()
            users, _ = User.objects.filter(username__in=usernames).delete()
            if users:
                removed.append("users")
            Assignment.objects.filter(node__in=Node.objects.filter(synthetic_q())).delete()
            # The synthetic nodes have no history (bulk_create writes none); deleting them must
            # not write 10,000 "deleted" rows either.
            with override_settings(SIMPLE_HISTORY_ENABLED=False):
                for level in sorted(Level, reverse=True):
                    count, _ = Node.objects.filter(level=level).filter(synthetic_q()).delete()
                    if count:
                        removed.append(f"{count} {Level(level).name.lower()}")
            Node.history.filter(synthetic_q()).delete()  # from edits made after --keep
        return ", ".join(str(r) for r in removed)

    # Measuring -------------------------------------------------------------------------------

    def measure(self, provinces: list[Province], repeat: int, warmup: int) -> dict[str, list[Result]]:
        hosts = list(settings.ALLOWED_HOSTS)
        if "testserver" not in hosts and "*" not in hosts:
            hosts.append("testserver")
        clients = []
        for province in provinces:
            client = Client()
            client.force_login(province.user)
            clients.append(client)
        results: dict[str, list[Result]] = {}
        try:
            with override_settings(ALLOWED_HOSTS=hosts):
                for target in TARGETS:
                    row = [Result() for _ in provinces]
                    urls = [target.url(p) for p in provinces]
                    for i, province in enumerate(provinces):
                        for _ in range(max(1, warmup)):
                            with CaptureQueriesContext(connection) as captured:
                                response = self.get(clients[i], urls[i])
                            row[i].queries = [q["sql"] for q in captured.captured_queries]
                        row[i].error = self.check_response(target, province, response, urls[i])
                    for _ in range(repeat):  # interleaved, so drift hits both sizes alike
                        for i in range(len(provinces)):
                            timer = SqlTimer()
                            with connection.execute_wrapper(timer):
                                started = time.perf_counter()
                                response = self.get(clients[i], urls[i])
                                row[i].times_ms.append((time.perf_counter() - started) * 1000)
                            row[i].sql_ms.append(timer.seconds * 1000)
                    results[target.label] = row
        finally:
            for client in clients:
                client.logout()
        return results

    @staticmethod
    def get(client: Client, url: str):
        return client.get(url, secure=True)  # secure: no redirect where SECURE_SSL_REDIRECT is on

    @staticmethod
    def check_response(target: Target, province: Province, response, url: str) -> str:
        """What is wrong with the answer, or ``""``: a filter silently dropped shows here."""
        where = f"GET {url} (province {province.prefix})"
        if response.status_code != 200:
            return f"{where} answered {response.status_code}: {response.content.decode(errors='replace')[:300]}"
        if target.expect is None:
            return ""
        prefix, total = target.expect(province)
        if target.api:
            body = response.json()
            codes, count = [row["code"] for row in body["results"]], body["count"]
            if count != total:
                return f"{where} counted {count} communities, expected {total}"
        else:
            codes = COMMUNITY_CODE_CELL.findall(response.content.decode())
            if len(codes) != min(total, CommunityListView.paginate_by):
                return f"{where} showed {len(codes)} communities, expected {min(total, CommunityListView.paginate_by)}"
        stray = [code for code in codes if not code.startswith(prefix)]
        return f"{where} showed {stray[0]}, outside {prefix}" if stray else ""

    # Reporting -------------------------------------------------------------------------------

    def report(self, provinces: list[Province], results: dict[str, list[Result]], options) -> list[str]:
        """Print the table; return the problems (differing query counts, wrong answers)."""
        small, large = provinces
        vendor = connection.vendor
        if vendor == "sqlite":
            version = ".".join(str(v) for v in connection.Database.sqlite_version_info)
        elif vendor == "postgresql":
            version = f"{connection.pg_version // 10000}.{connection.pg_version % 10000}"
        else:
            version = ""
        out = self.stdout.write
        out("")
        out(f"Database: {vendor} {version}; Python {platform.python_version()}; {options['repeat']} timed requests "
            f"per cell after {max(1, options['warmup'])} warm-up.")
        out(f"  small: province {small.prefix}: {small.shape}")
        out(f"  large: province {large.prefix}: {large.shape}")
        out("  user: a reviewer assigned on the province (province-wide scope)")
        s_head, l_head = f"{small.shape.communities:,} communities", f"{large.shape.communities:,} communities"
        out("")
        cols = f"{'median':>7} {'p90':>7} {'sql':>5} {'queries':>7}"
        width = len(cols)
        out(f"{'page':<22} | {s_head:>{width}} | {l_head:>{width}} | {'ratio':>6} | queries")
        out(f"{'':<22} | {cols} | {cols} | {'':>6} |")
        out("-" * 22 + "-+-" + "-" * width + "-+-" + "-" * width + "-+-" + "-" * 6 + "-+--------")
        mismatched, slow, errors = [], [], []
        for label, (rs, rl) in results.items():
            ratio = rl.median / rs.median if rs.median else float("inf")
            same = len(rs.queries) == len(rl.queries)
            if not same:
                mismatched.append(label)
            if ratio > options["max_ratio"] and label in KEY_TARGETS:
                slow.append(label)
            errors += [r.error for r in (rs, rl) if r.error]
            mark = "*" if label in KEY_TARGETS else " "
            flag = "same" if same else "DIFFER"
            if rs.error or rl.error:
                flag += ", WRONG ANSWER"
            cells = [
                f"{r.median:>7.1f} {r.p90:>7.1f} {statistics.median(r.sql_ms):>5.1f} {len(r.queries):>7}"
                for r in (rs, rl)
            ]
            out(f"{mark}{label:<21} | {cells[0]} | {cells[1]} | {ratio:>5.2f}x | {flag}")
        out("")
        out("Times in ms: median and 90th percentile of the whole request (middleware, view, SQL, rendering);")
        out("sql: median time of those requests spent executing SQL; queries: SQL statements per request.")
        out(f"* rows with the target: the same number of queries at both sizes, "
            f"median ratio <= {options['max_ratio']}x.")
        out("Query counts: " + ("equal at both sizes on every row." if not mismatched
                                else "DIFFER on " + ", ".join(mismatched) + "."))
        key_ok = not any(label in KEY_TARGETS for label in mismatched) and not slow
        out(f"Target {'met' if key_ok else 'NOT met'}"
            + (f" (slower than {options['max_ratio']}x: {', '.join(slow)})" if slow else "") + ".")
        for error in errors:
            out(f"WRONG ANSWER: {error}")
        if mismatched or self.verbosity >= 2:
            for label, (rs, rl) in results.items():
                if label in mismatched or self.verbosity >= 3:
                    for name, r in (("small", rs), ("large", rl)):
                        out(f"\n-- {label}, {name}: {len(r.queries)} queries")
                        for sql in r.queries:
                            out(f"   {sql[:400]}")
        problems = [f"query counts differ on {', '.join(mismatched)}"] if mismatched else []
        if errors:
            problems.append(f"{len(errors)} wrong answer(s)")
        return problems
