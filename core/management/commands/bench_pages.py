"""``manage.py bench_pages``: the server time and query count of every page, as every demo persona.

Walks the URL patterns the way the security sweep does (``core.urlwalk``): every page route that
answers GET (the API, the admin and the login pages are left out), at a record each persona can
open (the first one of the model in their scope; ``<code>`` at the node they are assigned to and at
the first community in it). Each page is requested through Django's test client (middleware,
session, view, SQL, template; no web server), ``--warmup`` times untimed (the query count is taken
from the last of them) and ``--repeat`` times timed, and the table gives the median and the 90th
percentile of the server time and the number of SQL statements.

``--scale N`` then multiplies the demo: N-1 more communities for each of the demo district's
communities, under the same streets, each with rows in every app (the builder of
``bench_assessment``) and its facts rows, inside a transaction that is rolled back at the end.
Every page is requested again and its query count compared: a page whose count changes issues
per-row queries. The command exits non-zero when one does, or when a page answers 500.

Needs the demo (``manage.py load_demo``); works on SQLite and PostgreSQL.
"""

from __future__ import annotations

import re
import statistics
import time
from dataclasses import dataclass, field

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError
from django.db import connection, transaction
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from communities.models import Level, Node
from core.models import Assignment
from core.urlwalk import methods_of, route_kwargs, routes, walked

PERSONAS = ["admin", "district_reviewer", "street_clerk", "community_clerk", "neighbour_clerk", "city_viewer",
            "district_admin", "district_security", "district_auditor"]
DEMO_DISTRICT = "620102000000"
TARGET_MS = 200.0
# Routes requested by GET that are not pages to time: file downloads are measured too, but
# these answer a redirect or a confirmation whatever the data.
SKIP = re.compile(r"(_delete|_revoke|_restore|_action|_regenerate|:logout)$")


@dataclass
class Page:
    url: str
    name: str


@dataclass
class Measure:
    page: Page
    persona: str
    status: int
    queries: int
    times: list[float] = field(default_factory=list)
    scaled_queries: int | None = None

    @property
    def p50(self) -> float:
        return statistics.median(self.times) if self.times else 0.0

    @property
    def p90(self) -> float:
        if not self.times:
            return 0.0
        ordered = sorted(self.times)
        return ordered[min(len(ordered) - 1, round(0.9 * (len(ordered) - 1)))]


def _request(client: Client, url: str):
    response = client.get(url, HTTP_ACCEPT="text/html")
    if getattr(response, "streaming", False):
        b"".join(response.streaming_content)
    return response


def pages_for(user) -> list[Page]:
    """Every GET page route, at records ``user`` can open (``code``: their node and a community)."""
    assigned = Assignment.objects.filter(user=user).select_related("node").order_by("node__code").first()
    home = assigned.node if assigned else Node.objects.filter(code=DEMO_DISTRICT).first()
    community = None
    if home is not None:
        community = (Node.objects.visible_to(user).filter(level=Level.COMMUNITY, code__startswith=home.prefix)
                     .order_by("code").first())
    nodes = [n for n in (home, community) if n is not None]

    def pick(model, param, node):
        if param == "code":
            return node
        if model is Node:
            return community
        manager = model._default_manager
        qs = manager.visible_to(user) if hasattr(manager, "visible_to") else manager.all()
        return qs.order_by("pk").first()

    pages = []
    for route in routes():
        if route.is_api or not walked(route) or SKIP.search(route.name) or "get" not in methods_of(route):
            continue
        if not route.params:
            pages.append(Page(reverse(route.name), route.name))
            continue
        # a page at a node is measured at the user's own node and at a community in it
        choices = [route_kwargs(route, lambda model, param, node=node: pick(model, param, node))
                   for node in (nodes if "code" in route.params else nodes[:1])]
        choices = [c for i, c in enumerate(choices) if c is not None and c not in choices[:i]]
        for kwargs in choices:
            pages.append(Page(reverse(route.name, kwargs=kwargs), route.name))
    return pages


class Command(BaseCommand):
    help = "Server time (p50/p90) and query count of every page as every demo persona; --scale checks the counts at N× data."

    def add_arguments(self, parser):
        parser.add_argument("--personas", default=",".join(PERSONAS), help="comma-separated demo users")
        parser.add_argument("--only", default="", help="regular expression on the URL name or path")
        parser.add_argument("--repeat", type=int, default=5, help="timed requests per page and persona")
        parser.add_argument("--warmup", type=int, default=1, help="untimed requests first (queries counted on the last)")
        parser.add_argument("--scale", type=int, default=0, help="also count the queries with N× the demo communities")
        parser.add_argument("--slowest", type=int, default=0, help="print only the N slowest rows (0: all)")

    def handle(self, *args, **opts):
        self.verbosity = opts["verbosity"]
        User = get_user_model()
        if not Node.objects.filter(code=DEMO_DISTRICT).exists():
            raise CommandError("No demo data: run `manage.py load_demo` first (DEBUG=1).")
        only = re.compile(opts["only"]) if opts["only"] else None
        users = {u.username: u for u in User.objects.filter(username__in=opts["personas"].split(","))}
        plan: list[tuple[str, Client, list[Page]]] = []
        for name in opts["personas"].split(","):
            if name not in users:
                raise CommandError(f"No demo user {name!r}.")
            client = Client(raise_request_exception=False)
            client.force_login(users[name])
            pages = [p for p in pages_for(users[name]) if only is None or only.search(p.name) or only.search(p.url)]
            plan.append((name, client, pages))
        measures = self.measure(plan, opts["warmup"], opts["repeat"])
        regressions = []
        if opts["scale"] > 1:
            regressions = self.scaled(plan, measures, opts["scale"], opts["warmup"])
        self.report(measures, opts)
        errors = [m for m in measures if m.status >= 500]
        if errors or regressions:
            raise CommandError(f"{len(errors)} page(s) answered 500, {len(regressions)} page(s) issue more queries "
                               f"at {opts['scale']}× the data.")

    def measure(self, plan, warmup: int, repeat: int, times: bool = True) -> list[Measure]:
        measures = []
        for persona, client, pages in plan:
            for page in pages:
                status, queries = 0, 0
                for _ in range(max(warmup, 1)):
                    # the log keeps the last 9,000 statements: once full, a capture would count nothing
                    connection.queries_log.clear()
                    with CaptureQueriesContext(connection) as ctx:
                        status = _request(client, page.url).status_code
                    queries = len(ctx.captured_queries)
                m = Measure(page, persona, status, queries)
                for _ in range(repeat if times and status < 500 else 0):
                    start = time.perf_counter()
                    _request(client, page.url)
                    m.times.append((time.perf_counter() - start) * 1000)
                measures.append(m)
                if self.verbosity > 1:
                    self.stderr.write(f"{persona} {page.url} {status} {m.p90:.0f} ms {queries} q")
        return measures

    def scaled(self, plan, measures: list[Measure], scale: int, warmup: int) -> list[Measure]:
        """Counts the queries again with ``scale``× the communities; rolls the extra data back."""
        regressions = []
        with transaction.atomic():
            added = self.multiply(scale)
            self.stderr.write(f"{added} communities added under {DEMO_DISTRICT} (rolled back at the end)")
            again = {(m.persona, m.page.url): m for m in self.measure(plan, warmup, 0, times=False)}
            for m in measures:
                other = again[(m.persona, m.page.url)]
                m.scaled_queries = other.queries
                if m.status == 200 and other.status == 200 and other.queries != m.queries:
                    regressions.append(m)
            transaction.set_rollback(True)
        return regressions

    def multiply(self, scale: int) -> int:
        from assessments.management.commands.bench_assessment import populate
        from figures import refresh

        district = Node.objects.get(code=DEMO_DISTRICT)
        streets = list(Node.objects.filter(parent=district, level=Level.TOWNSHIP).order_by("code"))
        per_street = {s.pk: Node.objects.filter(parent=s).count() for s in streets}
        nodes = Node.objects.bulk_create([
            Node(code=f"{s.code[:9]}{500 + k:03d}", name=f"{s.name}压测社区{k + 1}", level=Level.COMMUNITY, parent=s,
                 households=1500 + (k * 137) % 2500, resident_population=5000, party_members=150)
            for s in streets for k in range(per_street[s.pk] * (scale - 1))
        ], batch_size=2000)
        populate(nodes, [district], {s.pk: district.pk for s in streets}, "95")
        refresh.refresh([n.pk for n in nodes], refresh.years())
        return len(nodes)

    def report(self, measures: list[Measure], opts) -> None:
        rows = sorted(measures, key=lambda m: -m.p90) if opts["slowest"] else measures
        if opts["slowest"]:
            rows = rows[: opts["slowest"]]
        scale = opts["scale"] if opts["scale"] > 1 else 0
        db = connection.vendor
        head = "| page | persona | status | p50 ms | p90 ms | queries |" + (f" queries at {scale}× |" if scale else "")
        self.stdout.write(f"{db}, {opts['repeat']} timed requests each\n")
        self.stdout.write(head)
        self.stdout.write("|" + "---|" * (head.count("|") - 1))
        for m in rows:
            flag = " ⚠" if m.status == 200 and m.p90 > TARGET_MS else ""
            line = f"| `{m.page.url}` | {m.persona} | {m.status} | {m.p50:.0f} | {m.p90:.0f}{flag} | {m.queries} |"
            if scale:
                same = m.scaled_queries == m.queries
                line += f" {m.scaled_queries}{'' if same or m.status != 200 else ' ✗'} |"
            self.stdout.write(line)
        ok = [m for m in measures if m.status == 200]
        slow = [m for m in ok if m.p90 > TARGET_MS]
        self.stdout.write(f"\n{len(measures)} requests of {len({m.page.url for m in measures})} URLs; "
                          f"{len(slow)} of {len(ok)} answering 200 above {TARGET_MS:.0f} ms at p90; "
                          f"worst p90 {max((m.p90 for m in ok), default=0):.0f} ms.")
