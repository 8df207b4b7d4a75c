"""``manage.py bench_national``: the figures of issue 13 at national scale, side by side in one run.

Builds a national tree — ``--provinces`` provinces (codes 91, 92, …: no real division uses
them), 120,000 communities by default, the first province holding all but one city of 5,000
communities for each of the others — with the rows of ``bench_assessment`` for every community
(cadres and posts, training, funds received and spent, a venue, a joint conference and its
meetings, an agreement with commitments, member registrations, service posts and claims),
the standards on each province, the default assessment scheme in every district and the
facts table of the dashboard's five years.

Fast: one city of 5,000 communities (the template) is built with ``bench_assessment.build``
(``bulk_create``), its facts computed with ``figures.refresh.rebuild`` and its 50 districts'
schemes created with the services; every other city is then a copy made by PostgreSQL
itself, one ``INSERT … SELECT`` per table for all copies (ids shifted by a fixed offset per
copy, codes and unique numbers rewritten). A copied community has the same rows as its
original, so its facts are the same: they are copied too, and a sample of copies is checked
against ``figures.refresh.compute`` (the command stops if one differs).

Then it measures, in one run: the province dashboard cold and warm against the hand-written
GROUP BY over the facts table (``bench_dashboard``'s measurement); the tree page, the community
list page and the API list with 100 communities (``bench_tree``'s small province) against
120,000 (a reviewer of every synthetic province; same query count checked); annual scoring
through real Celery workers (``--workers``) of a tenth of the districts, then of the rest; and
the Excel export of the expenditure list (rows/s, time to the first byte).

Needs PostgreSQL and Redis. ``--keep`` leaves the data; ``--reuse`` measures kept data without
building. See docs/benchmarks.md.
"""

from __future__ import annotations

import os
import platform
import statistics
import time

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError
from django.db import connection, models, transaction

from assessments import services
from assessments.management.commands import bench_assessment as data
from assessments.models import Indicator, Result, Run, RunState, Scheme, Score
from communities.management.commands import bench_tree
from communities.models import Level, Node
from core.excel import xlsx_stream
from core.models import Assignment, Role
from figures.models import Facts
from figures.refresh import FIGURE_FIELDS, compute, rebuild
from funding.models import Allocation, Expenditure, Standard
from regional_building.models import (
    Agreement, Claim, Commitment, Fulfilment, JointConference, Meeting, MemberRegistration, ResidentUnit, ServicePost,
)
from reports import figures
from reports.management.commands import bench_dashboard
from staffing.models import Appointment, Attendance, Cadre, TrainingCourse
from venues.models import AreaStandard, Venue

CITY = 5000  # communities of a city: 50 districts of 100 (bench_assessment's shape)
FIRST = 91
USERNAME = "bench_national"
# Copied per city, in this order (a model after the models it points to).
COPIED = [Node, TrainingCourse, ResidentUnit, Cadre, Appointment, Attendance, Allocation, Expenditure, Venue,
          JointConference, Meeting, Agreement, Commitment, Fulfilment, MemberRegistration, ServicePost, Claim,
          Scheme, Indicator, Facts]


def prefixes(n: int) -> list[str]:
    return [str(FIRST + i) for i in range(n)]


def layout(communities: int, provinces: int) -> list[tuple[str, str]]:
    """``[(province prefix, city code of 4 digits)]`` of every city; the first is the template."""
    cities = communities // CITY
    if communities % CITY or cities < provinces or cities - provinces + 1 > 99:
        raise CommandError(f"--communities must be a multiple of {CITY}, at least {CITY} per province")
    first, *others = prefixes(provinces)
    return [(first, f"{first}{c:02d}") for c in range(1, cities - provinces + 2)] + [(p, f"{p}01") for p in others]


def _qn(name: str) -> str:
    return connection.ops.quote_name(name)


class Command(BaseCommand):
    help = "Build a national synthetic tree (120,000 communities) and measure the figures of issue 13 side by side."

    def add_arguments(self, parser):
        parser.add_argument("--communities", type=int, default=120_000)
        parser.add_argument("--provinces", type=int, default=3)
        parser.add_argument("--workers", type=int, default=2)
        parser.add_argument("--chunk-size", type=int, default=200)
        parser.add_argument("--repeat", type=int, default=5)
        parser.add_argument("--export-rows", type=int, default=0, help="rows of the export measured (0: all expenditures)")
        parser.add_argument("--only", default="dashboard,pages,scoring,export",
                            help="comma-separated: dashboard, pages, scoring, export")
        parser.add_argument("--no-tree-page", action="store_true", help="pages: leave out the tree page of the province")
        parser.add_argument("--keep", action="store_true", help="leave the data in place")
        parser.add_argument("--reuse", action="store_true", help="measure the data an earlier --keep left")

    def handle(self, *args, **opts):
        if connection.vendor != "postgresql" or not settings.CELERY_BROKER_URL:
            raise CommandError("需要 PostgreSQL（DATABASE_URL）和 Redis（CELERY_BROKER_URL）。")
        self.opts = opts
        self.year = data.YEAR
        self.lines: list[str] = []
        cities = layout(opts["communities"], opts["provinces"])
        self.provinces = prefixes(opts["provinces"])
        tree = bench_tree.Command(stdout=self.stdout, stderr=self.stderr)
        tree.verbosity = 1
        self.say(f"环境：Python {platform.python_version()}，PostgreSQL {connection.pg_version // 10000}，"
                 f"负载 {' '.join(f'{x:.1f}' for x in os.getloadavg())}，commit {self._commit()}")
        try:
            if not opts["reuse"]:
                self.cleanup(tree)
                self.build(cities)
            small = bench_tree.Province(bench_tree.SMALL_PREFIX, bench_tree.Shape.for_communities(100))
            if not opts["reuse"] or not Node.objects.filter(code=small.prefix.ljust(12, "0")).exists():
                tree.cleanup()
                tree.build(small)
            else:
                self._province_of(small, tree)
            only = set(opts["only"].split(","))
            if "dashboard" in only:
                self.dashboard()
            if "pages" in only:
                self.pages(tree, small)
            if "scoring" in only:
                self.scoring()
            if "export" in only:
                self.export()
        finally:
            if not opts["keep"]:
                self.cleanup(tree)
        self.say(f"负载（结束时）：{' '.join(f'{x:.1f}' for x in os.getloadavg())}")
        self.stdout.write("\n" + "\n".join(self.lines))

    def say(self, line: str) -> None:
        self.lines.append(line)
        self.stdout.write(line)

    @staticmethod
    def _commit() -> str:
        try:
            import subprocess

            return subprocess.run(["git", "rev-parse", "--short", "HEAD"], capture_output=True, text=True,
                                  cwd=settings.BASE_DIR, check=True).stdout.strip()
        except Exception:  # noqa: BLE001 - informative only
            return "?"

    # ---------------------------------------------------------------- building

    def cleanup(self, tree) -> None:
        started = time.perf_counter()
        user = get_user_model().objects.filter(username=USERNAME).first()
        if user is not None:
            Assignment.objects.filter(user=user).delete()
        Assignment.objects.filter(user__username=bench_dashboard.USERNAME).delete()
        bench_dashboard.Command()._drop_user()
        data.cleanup(prefixes(7))  # 91–97 (98 and 99 are bench_tree's)
        tree.cleanup()
        self.stdout.write(f"cleanup {time.perf_counter() - started:.1f} s")

    def build(self, cities: list[tuple[str, str]]) -> None:
        started = time.perf_counter()
        before = {m: self._max_id(m) for m in COPIED}
        template_prefix, template_city = cities[0]
        with transaction.atomic():
            districts = data.build(template_prefix, CITY)
        user = self._user()
        for d in districts:
            services.scheme_create(actor=user, district=d, year=self.year)
        self._analyze()
        built = time.perf_counter() - started
        t = time.perf_counter()
        years = list(range(self.year - figures.YEARS + 1, self.year + 1))
        facts = rebuild(year_list=years, prefix=template_city)
        facts_s = time.perf_counter() - t
        t = time.perf_counter()
        with transaction.atomic():
            province_ids = {template_prefix: Node.objects.get(code=template_prefix.ljust(12, "0")).pk}
            for prefix in self.provinces[1:]:
                node = Node.objects.create(code=prefix.ljust(12, "0"), name=f"压测省{prefix}", level=Level.PROVINCE)
                province_ids[prefix] = node.pk
                template_standard = Standard.objects.get(node_id=province_ids[template_prefix], year=self.year)
                Standard.objects.create(node=node, year=self.year, office_amount=template_standard.office_amount,
                                        party_amount=template_standard.party_amount)
                area = AreaStandard.objects.get(node_id=province_ids[template_prefix], year=self.year)
                AreaStandard.objects.create(node=node, year=self.year, minimum_area=area.minimum_area,
                                            area_per_100_households=area.area_per_100_households)
            after = {m: self._max_id(m) for m in COPIED}  # the new provinces included: copies come after them
            spans = {m: after[m] - before[m] for m in COPIED}
            copies = [(k, city, province_ids[prefix]) for k, (prefix, city) in enumerate(cities) if k]
            rows = 0
            for model in COPIED:
                rows += self._copy(model, before[model], after[model], copies, province_ids[template_prefix], template_city,
                                   spans)
        self._analyze()
        copied_s = time.perf_counter() - t
        self._check_copies(copies, years[-1])
        total = Node.objects.filter(level=Level.COMMUNITY, code__regex=r"^9[1-9]").count()
        self.say(f"建树：模板市 {CITY:,} 个社区（bulk_create + 方案）{built:.0f} s；模板事实表 {facts:,} 行 {facts_s:.0f} s；"
                 f"复制 {len(copies)} 个市 {rows:,} 行 {copied_s:.0f} s；共 {len(self.provinces)} 个省 {total:,} 个社区，"
                 f"明细 {self._detail_rows():,} 行")

    @staticmethod
    def _max_id(model) -> int:
        return model.objects.aggregate(m=models.Max("pk"))["m"] or 0

    @staticmethod
    def _analyze() -> None:
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")

    def _copy(self, model, low: int, high: int, copies, template_province: int, template_city: str, spans) -> int:
        """Copy the template rows (``low < id <= high``) of ``model`` once per city of ``copies``:
        one INSERT … SELECT. Copy k's ids are the template's + k × span; codes start with the
        copy's city; unique numbers get the copy's number in front."""
        span = high - low
        if not span:
            return 0
        columns, exprs = [], []
        for field in model._meta.concrete_fields:
            col = _qn(field.column)
            columns.append(col)
            if field.primary_key:
                exprs.append(f"t.{col} + m.k * {span}")
            elif field.is_relation and field.related_model in spans:
                target = field.related_model
                shifted = f"t.{col} + m.k * {spans[target]}"
                if target is Node:  # the template city's parent is the template province
                    shifted = f"CASE WHEN t.{col} = {template_province} THEN m.province ELSE {shifted} END"
                exprs.append(shifted)
            elif field.name == "code":
                exprs.append(f"m.city || substr(t.{col}, 5)")
            elif field.unique:
                exprs.append(f"'X' || lpad(m.k::text, 3, '0') || substr(t.{col}, 5)")
            else:
                exprs.append(f"t.{col}")
        where = f"t.id > {low} AND t.id <= {high}"
        if model is Node:
            where += f" AND t.code LIKE '{template_city}%'"
        mapping = ", ".join(f"({k}, '{city}', {province})" for k, city, province in copies)
        table = _qn(model._meta.db_table)
        with connection.cursor() as cursor:
            cursor.execute(
                f"INSERT INTO {table} ({', '.join(columns)}) SELECT {', '.join(exprs)} FROM {table} t "
                f"CROSS JOIN (VALUES {mapping}) AS m(k, city, province) WHERE {where}"
            )
            written = cursor.rowcount
            cursor.execute(f"SELECT setval(pg_get_serial_sequence('{model._meta.db_table}', 'id'), "
                           f"(SELECT max(id) FROM {table}))")
        return written

    def _check_copies(self, copies, year: int) -> None:
        """A copied community's facts are its template's: recompute a sample and compare."""
        last_k = copies[-1][0]
        sample = list(Facts.objects.filter(year=year, level=Level.COMMUNITY, code__startswith=copies[-1][1])
                      .order_by("code").values_list("node_id", flat=True)[:300])
        stored = {f.node_id: f for f in Facts.objects.filter(node_id__in=sample, year=year)}
        for pk, values in compute(sample, year).items():
            for name in FIGURE_FIELDS:
                if getattr(stored[pk], name) != values[name]:
                    raise CommandError(f"copy {last_k}: facts of node {pk} differ in {name}: "
                                       f"{getattr(stored[pk], name)!r} ≠ {values[name]!r}")
        self.stdout.write(f"copies checked: {len(sample)} communities' facts equal a fresh computation")

    def _detail_rows(self) -> int:
        return sum(m.objects.count() for m in COPIED if m not in (Node, Scheme, Indicator, Facts))

    def _user(self):
        user, _ = get_user_model().objects.get_or_create(username=USERNAME)
        for prefix in self.provinces:
            node = Node.objects.filter(code=prefix.ljust(12, "0")).first()
            if node is not None:
                Assignment.objects.get_or_create(user=user, node=node, role=Role.REVIEWER)
        from core.scope import clear_scope_cache

        clear_scope_cache(user)
        return user

    # ---------------------------------------------------------------- measuring

    def dashboard(self) -> None:
        province = Node.objects.get(code=self.provinces[0].ljust(12, "0"))
        measure = bench_dashboard.Command(stdout=self.stdout, stderr=self.stderr)
        measure._drop_user()
        client = measure._client(province)
        opts = {"year": self.year, "repeat": self.opts["repeat"], "warm_repeat": 100}
        try:
            r = measure._measure(province, opts, client)
        finally:
            measure._drop_user()
        self.say(f"省级看板 {province.code}（{r['communities']:,} 个社区，{r['queries']} 条查询）：冷 {r['cold']:.0f} ms，"
                 f"手写 GROUP BY {r['raw']:.0f} ms，比 {r['ratio']:.2f}×（最快 {r['min_ratio']:.2f}×）；"
                 f"首次经缓存 {r['first']:.0f} ms，热 {r['warm']:.2f} ms，API {r['api']:.1f} ms")

    def _province_of(self, province, tree) -> None:
        province.node = Node.objects.get(code=province.prefix.ljust(12, "0"))
        province.user = get_user_model().objects.get(username=bench_tree.USERNAME.format(province.prefix))
        province.district = Node.objects.filter(code__startswith=province.prefix, level=Level.COUNTY).order_by("code").first()
        province.district_communities = Node.objects.filter(level=Level.COMMUNITY, code__startswith=province.district.prefix).count()
        province.street = Node.objects.filter(code__startswith=province.prefix, level=Level.TOWNSHIP).order_by("code").first()
        province.street_communities = Node.objects.filter(parent=province.street).count()

    def pages(self, tree, small) -> None:
        first = self.provinces[0]
        n = Node.objects.filter(level=Level.COMMUNITY, code__regex=r"^9[1-7]").count()
        large = bench_tree.Province("9", bench_tree.Shape(n, 0, 0, 0))
        large.node = Node.objects.get(code=first.ljust(12, "0"))
        large.user = self._user()
        large.district = Node.objects.filter(code__startswith=first, level=Level.COUNTY).order_by("code").first()
        large.district_communities = Node.objects.filter(level=Level.COMMUNITY, code__startswith=large.district.prefix).count()
        large.street = Node.objects.filter(code__startswith=first, level=Level.TOWNSHIP).order_by("code").first()
        large.street_communities = Node.objects.filter(parent=large.street).count()
        targets = bench_tree.TARGETS
        if self.opts["no_tree_page"]:
            bench_tree.TARGETS = [t for t in targets if not t.label.startswith("tree page")]
        try:
            results = tree.measure([small, large], self.opts["repeat"], 1)
        finally:
            bench_tree.TARGETS = targets
        self.say(f"页面（中位数 ms，查询数；小 = 省 {small.prefix} 的 100 个社区，大 = {len(self.provinces)} 个省的 {n:,} 个社区，"
                 f"树页为省 {first}）：")
        for label, (rs, rl) in results.items():
            ratio = rl.median / rs.median
            error = "；错误：" + (rs.error or rl.error) if rs.error or rl.error else ""
            self.say(f"  {label:<22} {rs.median:>8.1f} ms {len(rs.queries):>3} q | {rl.median:>8.1f} ms {len(rl.queries):>3} q"
                     f" | {ratio:.2f}× {'同' if len(rs.queries) == len(rl.queries) else '不同'}{error}")

    def scoring(self) -> None:
        from assessments.management.commands.bench_assessment import Command as ScoringBench

        schemes = list(Scheme.objects.filter(district__code__regex=r"^9[1-7]", year=self.year).order_by("district__code"))
        tenth = max(1, len(schemes) // 10)
        worker = ScoringBench(stdout=self.stdout)._start_worker(self.opts["workers"])
        try:
            for part in (schemes[:tenth], schemes[tenth:]):
                self._score(part)
                with connection.cursor() as cursor:  # what autovacuum does after such a load
                    cursor.execute("ANALYZE assessments_score")
                    cursor.execute("ANALYZE assessments_result")
        finally:
            worker.terminate()
            worker.wait(30)

    def _score(self, schemes) -> None:
        user = self._user()
        ids = [s.district_id for s in schemes]
        for model in (Score, Result):  # an earlier run on kept data: score from scratch again
            data._raw_delete(model.objects.filter(community__parent__parent_id__in=ids, year=self.year))
        started = time.perf_counter()
        runs = [services.run_start(actor=user, scheme=s, chunk_size=self.opts["chunk_size"]) for s in schemes]
        queued = time.perf_counter() - started
        total = sum(r.total for r in runs)
        pks = [r.pk for r in runs]
        while Run.objects.filter(pk__in=pks, state=RunState.RUNNING).exists():
            time.sleep(0.5)
        seconds = time.perf_counter() - started
        scored = Result.objects.filter(community__parent__parent_id__in=ids, year=self.year).count()
        scores = Score.objects.filter(community__parent__parent_id__in=ids, year=self.year).count()
        if scored != total:
            raise CommandError(f"只评分了 {scored}/{total} 个社区")
        self.say(f"评分 {total:,} 个社区（{len(schemes)} 个区，{self.opts['workers']} 个 worker，每批 "
                 f"{self.opts['chunk_size']}）：{seconds:.1f} s（其中启动任务 {queued:.1f} s），"
                 f"{total / seconds:,.0f} 个社区/秒，{scores:,} 条得分")

    def export(self) -> None:
        """The member registration list (the longest list of the data: 3–12 a community) exported
        through the page as the national reviewer: time to the first byte, rows/s, memory; and the
        same rows through openpyxl's write_only workbook (the export before issue 13) for a part."""
        import io
        import resource

        import openpyxl
        from django.test import Client
        from django.test.utils import override_settings
        from django.urls import reverse

        from regional_building.sheets import MemberRegistrationSheet

        user = self._user()
        limit = self.opts["export_rows"]
        client = Client()
        client.force_login(user)
        url = reverse("regional_building:memberregistration_list") + "?export=xlsx"
        hosts = [*settings.ALLOWED_HOSTS, "testserver"]
        rss = lambda: int(open("/proc/self/statm").read().split()[1]) * resource.getpagesize() / 2**20  # noqa: E731
        with override_settings(ALLOWED_HOSTS=hosts):
            before = rss()
            started = time.perf_counter()
            response = client.get(url, secure=True)
            first = None
            size, peak = 0, before
            for n, chunk in enumerate(response.streaming_content):
                if first is None:
                    first = time.perf_counter() - started
                size += len(chunk)
                if n % 50 == 0:
                    peak = max(peak, rss())
            seconds = time.perf_counter() - started
        rows = MemberRegistration.objects.filter(community__code__regex=r"^9[1-7]").count()
        self.say(f"导出 人员报到名单 {rows:,} 行（流式 xlsx，{response['Content-Disposition'][-40:]}）：首字节 {first * 1000:.0f} ms，"
                 f"共 {seconds:.1f} s，{rows / seconds:,.0f} 行/秒，{size / 2**20:.0f} MB，进程内存 {before:.0f} → 峰值 {peak:.0f} MB")
        if limit:
            sheet = MemberRegistrationSheet(user)
            queryset = MemberRegistration.objects.filter(community__code__regex=r"^9[1-7]").order_by("pk")[:limit]
            started = time.perf_counter()
            wb = openpyxl.Workbook(write_only=True)
            ws = wb.create_sheet("s")
            ws.append([c.title for c in sheet.columns])
            for row in sheet.export_rows(queryset):
                ws.append(row)
            wb.save(io.BytesIO())
            old = time.perf_counter() - started
            started = time.perf_counter()
            for _chunk in xlsx_stream("s", [c.title for c in sheet.columns], [c.width for c in sheet.columns], sheet.export_rows(queryset)):
                pass
            new = time.perf_counter() - started
            self.say(f"  同一批 {limit:,} 行：openpyxl write_only（之前）{limit / old:,.0f} 行/秒，流式 xlsx {limit / new:,.0f} 行/秒")
