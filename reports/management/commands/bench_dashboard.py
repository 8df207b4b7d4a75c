"""``manage.py bench_dashboard``: the dashboard of a province of 10,000 communities, timed
against the raw SQL of the same aggregates, cold and from the cache.

Builds the synthetic province of ``bench_assessment`` (code 97…; every community with cadres,
posts, training, funds received and spent, a venue, a joint conference with meetings, an
agreement with commitments, member registrations, and the standards on the province), then for
the province, a city, a district and a street:

- **cold**: :func:`reports.figures.dashboard` computed from the database (no cache), the whole
  Python side included (ORM, building the result);
- **raw SQL**: the same aggregate statements, as the database receives them, sent through a bare
  DB-API cursor and fetched, with no ORM at all — the floor any implementation of these
  aggregates pays;
- **warm**: :func:`reports.cache.dashboard_json` answered from the cache, and the whole API
  request (token auth, view, 200 with ETag) through Django's test client.

Cold and raw runs are interleaved so that a slow moment of the machine hits both. Prints a table;
with ``--check`` exits non-zero when the province's cold/raw ratio is above ``--max-ratio``
(1.2). Everything it creates is deleted at the end (and leftovers of an interrupted run at the
start). Meant for PostgreSQL (``DATABASE_URL``); runs on SQLite too, for the test suite.
"""

from __future__ import annotations

import platform
import statistics
import time

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError
from django.db import connection, transaction
from django.test import Client
from django.test.utils import CaptureQueriesContext

from assessments.management.commands import bench_assessment as data
from communities.models import Level, Node
from core.models import ApiToken, Assignment, Role
from figures.refresh import rebuild
from reports import cache, figures

PREFIX = data.PREFIXES[1]
USERNAME = "bench_dashboard"
TOKEN = "bench-dashboard-token-not-for-production"


def median_ms(samples: list[float]) -> float:
    return statistics.median(samples) * 1000


class Command(BaseCommand):
    help = "Time the dashboard of a province-sized data set against the raw SQL of the same aggregates."

    def add_arguments(self, parser):
        parser.add_argument("--communities", type=int, default=10000)
        parser.add_argument("--repeat", type=int, default=7, help="timed cold and raw runs per node")
        parser.add_argument("--warm-repeat", type=int, default=200, help="timed cached answers per node")
        parser.add_argument("--year", type=int, default=data.YEAR)
        parser.add_argument("--max-ratio", type=float, default=1.2)
        parser.add_argument("--check", action="store_true", help="exit non-zero when the province is over --max-ratio")
        parser.add_argument("--keep", action="store_true", help="leave the data (the next run removes it)")

    def handle(self, *args, **opts):
        if opts["communities"] < 100 or opts["communities"] % data.PER_DISTRICT:
            raise CommandError(f"--communities must be a multiple of {data.PER_DISTRICT}")
        self.stdout.write(f"{connection.vendor} · Python {platform.python_version()} · {platform.machine()} · "
                          f"cache {settings.CACHES['default']['BACKEND'].rsplit('.', 1)[-1]}")
        data.cleanup()
        self._drop_user()
        try:
            started = time.perf_counter()
            with transaction.atomic():
                districts = data.build(PREFIX, opts["communities"])
            if connection.vendor == "postgresql":
                with connection.cursor() as cursor:
                    cursor.execute("ANALYZE")
            self.stdout.write(f"built {opts['communities']:,} communities in {time.perf_counter() - started:.1f} s")
            started = time.perf_counter()
            year = opts["year"]
            rows_written = rebuild(year_list=list(range(year - figures.YEARS + 1, year + 1)), prefix=PREFIX)
            if connection.vendor == "postgresql":
                with connection.cursor() as cursor:
                    cursor.execute("ANALYZE figures_facts")
            self.stdout.write(f"facts table: {rows_written:,} rows in {time.perf_counter() - started:.1f} s")
            province = Node.objects.get(code=f"{PREFIX}0000000000")
            district = districts[0]
            nodes = [
                province,
                Node.objects.filter(code__startswith=PREFIX, level=Level.CITY).order_by("code").first(),
                district,
                Node.objects.filter(code__startswith=district.prefix, level=Level.TOWNSHIP).order_by("code").first(),
            ]
            client = self._client(province)
            rows = [self._measure(node, opts, client) for node in nodes]
        finally:
            if not opts["keep"]:
                data.cleanup()
                self._drop_user()
        self._print(rows, opts)
        ratio = rows[0]["ratio"]
        if opts["check"] and ratio > opts["max_ratio"]:
            raise CommandError(f"province: cold {ratio:.2f}× the raw SQL, above {opts['max_ratio']}×")

    # ---- measuring ----

    def _measure(self, node: Node, opts, client: Client) -> dict:
        year = opts["year"]
        communities = Node.objects.filter(code__startswith=node.prefix, level=Level.COMMUNITY).count()
        figures.dashboard(node=node, year=year)  # warm-up: the database's own buffers
        with CaptureQueriesContext(connection) as captured:
            figures.dashboard(node=node, year=year)
        statements = [q["sql"] for q in captured.captured_queries]
        cold, raw = [], []
        for _ in range(opts["repeat"]):
            t = time.perf_counter()
            figures.dashboard(node=node, year=year)
            cold.append(time.perf_counter() - t)
            t = time.perf_counter()
            self._raw(statements)
            raw.append(time.perf_counter() - t)
        cache.touch_all()  # a cold cache for the node
        t = time.perf_counter()
        cache.dashboard_json(node=node, year=year)
        first = time.perf_counter() - t
        warm = []
        for _ in range(opts["warm_repeat"]):
            t = time.perf_counter()
            cache.dashboard_json(node=node, year=year)
            warm.append(time.perf_counter() - t)
        api, etag = [], None
        url = f"/api/v1/reports/dashboard/{node.code}/?year={year}"
        for _ in range(max(opts["warm_repeat"] // 4, 5)):
            t = time.perf_counter()
            response = client.get(url, HTTP_AUTHORIZATION=f"Token {TOKEN}")
            api.append(time.perf_counter() - t)
            if response.status_code != 200:
                raise CommandError(f"{url}: {response.status_code} {response.content[:200]!r}")
            etag = response["ETag"]
        not_modified = client.get(url, HTTP_AUTHORIZATION=f"Token {TOKEN}", HTTP_IF_NONE_MATCH=etag).status_code
        return {
            "node": node, "communities": communities, "queries": len(statements),
            "cold": median_ms(cold), "raw": median_ms(raw), "ratio": statistics.median(cold) / statistics.median(raw),
            "min_ratio": min(cold) / min(raw),
            "first": first * 1000, "warm": median_ms(warm), "api": median_ms(api), "not_modified": not_modified,
        }

    def _raw(self, statements: list[str]) -> None:
        raw = connection.connection  # the DB-API connection itself: no Django cursor wrapper
        cursor = raw.cursor()
        try:
            for sql in statements:
                cursor.execute(sql)
                cursor.fetchall()
        finally:
            cursor.close()

    # ---- the API client ----

    def _client(self, province: Node) -> Client:
        user = get_user_model().objects.create_user(USERNAME, password=None)
        Assignment.objects.create(user=user, node=province, role=Role.VIEWER)
        token = ApiToken(user=user, name="bench", read_only=True)
        token.set_key(TOKEN)
        token.save()
        return Client()

    def _drop_user(self) -> None:
        user = get_user_model().objects.filter(username=USERNAME).first()
        if user is not None:
            ApiToken.objects.filter(user=user).delete()
            Assignment.objects.filter(user=user).delete()
            user.delete()

    def _print(self, rows, opts) -> None:
        self.stdout.write("")
        self.stdout.write(
            f"{'node':<16}{'level':<8}{'communities':>12}{'queries':>9}{'cold ms':>10}{'raw SQL ms':>12}{'ratio':>8}{'min':>7}"
            f"{'1st ms':>9}{'warm ms':>9}{'API ms':>9}{'304':>5}"
        )
        for r in rows:
            self.stdout.write(
                f"{r['node'].code:<16}{Level(r['node'].level).name.lower():<8}{r['communities']:>12,}{r['queries']:>9}"
                f"{r['cold']:>10.1f}{r['raw']:>12.1f}{r['ratio']:>7.2f}×{r['min_ratio']:>6.2f}×{r['first']:>9.1f}{r['warm']:>9.2f}"
                f"{r['api']:>9.2f}{r['not_modified']:>5}"
            )
        self.stdout.write("")
        self.stdout.write(f"target: cold ≤ {opts['max_ratio']}× raw SQL; warm a few ms. (ratio: of the medians of "
                          f"{opts['repeat']} cold and raw runs; min: of the fastest runs; {opts['warm_repeat']} warm)")
