"""The figures of a node's dashboard (数据看板): the year's 三有一化 figures of a node, the same
figures for each of its children (for drill-down), and a trend over the last years.

Everything is computed by the database with aggregate queries grouped by child: a community's
child is found from its code (the code is a materialized path, so the street of community
620102001003 is ``substr(code, 1, 9)``). No row per community reaches Python, so the cost does
not grow with the number of communities beyond what the database does; the number of queries is
fixed (:data:`QUERIES_FOR`): per year the serving cadres, 一肩挑 and the funds and area standards
met; for all the years at once (conditional aggregates or ``GROUP BY year``) the rest. A
community's "nearest standard" (its own, or its nearest ancestor's) becomes a ``CASE`` over the
code prefixes of the few standards in force, longest prefix first, whose branches hold that
standard's amounts as constants in a correlated ``EXISTS … HAVING`` (one index lookup per
community). docs/benchmarks.md has the measurements, and what was tried and dropped.

Definitions follow the apps' own figures (``staffing.selectors.staffing_figures``,
``funding.selectors.node_funds``, ``venues.selectors.venue_figures``,
``regional_building.selectors.node_figures``), which ``tests/reports/test_figures.py`` checks
against each other. A visible node's whole subtree is visible (core.scope), so the figures do
not depend on who asks and can be cached for everyone (reports.cache).
"""

from __future__ import annotations

import datetime
from decimal import ROUND_HALF_UP, Decimal

from django.db.models import (
    BooleanField, Case, Count, DecimalField, Exists, F, OuterRef, Q, Sum, Value, When,
)
from django.db.models.functions import Coalesce, ExtractYear, Greatest, Round, Substr
from django.utils import timezone
from django.utils.translation import gettext as _

from assessments.models import Grade, Result, State
from communities.models import PREFIX_LENGTH, Level, Node, ancestor_codes
from core.numbers import percent
from funding.models import WORKING_CATEGORIES, Allocation, AllocationCategory, Standard
from regional_building.models import Agreement, Commitment, Meeting, MemberRegistration
from staffing.models import COLLEGE_OR_ABOVE, Appointment, Cadre, Education, Post
from staffing.selectors import _age_expression, active_on, as_of_date, holds_post
from venues.models import AreaStandard, Venue, VenueStatus

YEARS = 5  # the trend covers the year and the four before it
AGE_BANDS = [("35", None, 35), ("36_45", 36, 45), ("46_55", 46, 55), ("56", 56, None)]
GRADES = [g.value for g in Grade]
MONEY = DecimalField(max_digits=16, decimal_places=2)
ZERO = Decimal("0.00")

# Raw counts and sums, added up over children to give the node's totals.
RAW_KEYS = (
    ["communities", "urban_communities", "party_members", "cadres", "age_sum", "college", "one_shoulder"]
    + [f"age_{band}" for band, _lo, _hi in AGE_BANDS]
    + [f"education_{e.value}" for e in Education]
    + ["funds_with_standard", "funds_meeting", "working_funds", "area_with_standard", "area_meeting", "built_area",
       "agreements_in_force", "commitments_due", "commitments_kept", "commitments_overdue", "members_registered",
       "meetings_held", "assessed"]
    + [f"grade_{g}" for g in GRADES]
)
DECIMAL_KEYS = {"working_funds", "built_area"}


def child_level(node: Node) -> Level | None:
    return Level(node.level + 1) if node.level < Level.COMMUNITY else None


def _key(node: Node, path: str = ""):
    """The child a row belongs to: the prefix of its node's code at the child level (the whole
    code for a community's own dashboard, or for a record kept by the node itself)."""
    level = child_level(node)
    length = PREFIX_LENGTH[level] if level else 12
    return Substr(f"{path}__code" if path else "code", 1, length)


def _within(node: Node, path: str = "") -> Q:
    return Q(**{f"{path}__code__startswith" if path else "code__startswith": node.prefix})


def _standards(model, node: Node, years: list[int], fields: list[str]) -> dict[int, list[dict]]:
    """Standards of ``years`` on the node's ancestors, the node or beneath it, longest code prefix
    first (nearest first): one query."""
    condition = Q(node__code__in=ancestor_codes(node.code, node.level) + [node.code]) | _within(node, "node")
    by_year: dict[int, list[dict]] = {year: [] for year in years}
    for row in model.objects.filter(condition, year__in=years).values("year", "node__code", "node__level", *fields):
        row["prefix"] = row["node__code"][: PREFIX_LENGTH[Level(row["node__level"])]]
        by_year[row["year"]].append(row)
    for rows in by_year.values():
        rows.sort(key=lambda r: len(r["prefix"]), reverse=True)
    return by_year


def _nearest(standards: list[dict], then, output_field):
    """``CASE WHEN code LIKE '<nearest prefix>%' THEN <then(standard)> … END`` (NULL: no standard)."""
    if not standards:
        return Value(None, output_field=output_field)
    return Case(
        *[When(code__startswith=s["prefix"], then=then(s)) for s in standards],
        default=Value(None, output_field=output_field),
        output_field=output_field,
    )


class _Collector:
    """Raw figures by year and child key."""

    def __init__(self, years):
        self.data: dict[int, dict[str, dict]] = {year: {} for year in years}

    def add(self, year: int, key: str, **values):
        row = self.data[year].setdefault(key, {})
        for name, value in values.items():
            row[name] = row.get(name, 0) + (value or 0)


def _years_before(on: datetime.date, years: int) -> datetime.date:
    try:
        return on.replace(year=on.year - years)
    except ValueError:  # 29 February
        return on.replace(year=on.year - years, day=28)


def _age_band(on: datetime.date, lo: int | None, hi: int | None) -> Q:
    """Aged ``lo``–``hi`` on ``on``, as a range of birth dates (an index-friendly comparison,
    not the age expression evaluated again for every band)."""
    q = Q()
    if lo is not None:
        q &= Q(birth_date__lte=_years_before(on, lo))
    if hi is not None:
        q &= Q(birth_date__gt=_years_before(on, hi + 1))
    return q


def _staffing(c: _Collector, node: Node, year: int):
    on = as_of_date(year)
    age = _age_expression(on)
    bands = {f"age_{band}": Count("id", filter=_age_band(on, lo, hi)) for band, lo, hi in AGE_BANDS}
    education = {f"education_{e.value}": Count("id", filter=Q(education=e.value)) for e in Education}
    serving = (
        Cadre.objects.filter(_within(node, "community"))
        .filter(Exists(Appointment.objects.filter(active_on(on), cadre=OuterRef("pk"))))
        .annotate(age=age)
        .values(k=_key(node, "community"))
        .annotate(
            cadres=Count("id"), age_sum=Sum("age"), **bands, **education,
        )
        .order_by()
    )
    for row in serving:
        row["college"] = sum(row[f"education_{e.value}"] for e in COLLEGE_OR_ABOVE)  # 大专以上
        c.add(year, row.pop("k"), **row)
    # 一肩挑, per year: as hash semi-joins this is fast; as ten correlated EXISTS in one query
    # over every year it took 1.7 s for 10,000 communities
    one_shoulder = (
        Cadre.objects.filter(_within(node, "community"), community__is_urban=True)  # 居委会 only
        .filter(holds_post(Post.SECRETARY, on), holds_post(Post.DIRECTOR, on))
        .values(k=_key(node, "community"))
        .annotate(one_shoulder=Count("community_id", distinct=True))
        .order_by()
    )
    for row in one_shoulder:
        c.add(year, row["k"], one_shoulder=row["one_shoulder"])


def _compliance(c: _Collector, node: Node, year: int, standards: list[dict], meets, name: str):
    """Communities held to a standard (``<name>_with_standard``) and meeting it
    (``<name>_meeting``), by child: one query; ``meets(standard)`` is the test of one community."""
    rows = (
        Node.objects.filter(_within(node), level=Level.COMMUNITY)
        .annotate(
            held=_nearest(standards, lambda s: Value(True), BooleanField()),
            met=_nearest(standards, meets, BooleanField()),
        )
        .values(k=_key(node))
        .annotate(**{
            f"{name}_with_standard": Count("id", filter=Q(held=True)),
            f"{name}_meeting": Count("id", filter=Q(met=True)),
        })
        .order_by()
    )
    for row in rows:
        c.add(year, row.pop("k"), **row)


def _funds(c: _Collector, node: Node, year: int, standards: list[dict]):
    """Communities held to a funding standard and meeting it (office, party-building and the
    working total each at least the standard's): one query.

    Each community's test is one correlated EXISTS on allocation (community, year) — an index
    lookup — whose HAVING holds the amounts of its nearest standard as constants, picked by the
    CASE over the standards' code prefixes; nothing from the outer row but its id is needed."""

    def total(s):
        return s["total_amount"] if s["total_amount"] is not None else s["office_amount"] + s["party_amount"]

    def received(**condition):
        return Coalesce(Sum("amount", filter=Q(**condition)), Value(ZERO), output_field=MONEY)

    def meets(s):
        return Exists(
            Allocation.objects.filter(community=OuterRef("pk"), year=year)
            .values("community")
            .annotate(
                office=received(category=AllocationCategory.OFFICE),
                party=received(category=AllocationCategory.PARTY),
                working=received(category__in=list(WORKING_CATEGORIES)),
            )
            .filter(office__gte=s["office_amount"], party__gte=s["party_amount"], working__gte=total(s))
        )

    _compliance(c, node, year, standards, meets, "funds")


def _area(c: _Collector, node: Node, year: int, standards: list[dict]):
    """Communities held to an area standard and meeting it: one query, built like :func:`_funds`
    (the required area depends on the community's households: the larger of the minimum and the
    area per 100 households)."""
    year_end = datetime.date(year, 12, 31)

    def meets(s):
        required = Value(s["minimum_area"], output_field=MONEY)
        if s["area_per_100_households"]:
            # the households of the venue's own community (grouped by): SQLite cannot see the
            # outer row's columns in the HAVING of a subquery within an aggregate's FILTER
            required = Greatest(required, Round(
                Value(s["area_per_100_households"], output_field=MONEY) * Coalesce(F("community__households"), 0)
                / Value(100), 2, output_field=MONEY,
            ), output_field=MONEY)
        built_enough = Exists(
            Venue.objects.filter(community=OuterRef("pk"), status=VenueStatus.COMPLETED, completion_date__lte=year_end)
            .values("community", "community__households")
            .annotate(area=Sum("usable_area"))
            .filter(area__gte=required)
        )
        if s["minimum_area"] > 0:
            return built_enough
        # a standard that can require nothing is met without any venue
        return Case(When(Q(households__isnull=True) | Q(households=0) if s["area_per_100_households"] else Q(),
                         then=Value(True)), default=built_enough, output_field=BooleanField())

    _compliance(c, node, year, standards, meets, "area")


def _agreements(c: _Collector, node: Node, years: list[int]):
    """Agreements in force at some time in each year (validity overlapping the year, not
    terminated before it began): one query, a conditional count per year."""
    aggregates = {}
    for year in years:
        first, last = datetime.date(year, 1, 1), datetime.date(year, 12, 31)
        aggregates[f"y{year}"] = Count("id", filter=Q(valid_from__lte=last, valid_until__gte=first) & (
            Q(terminated_on__isnull=True) | Q(terminated_on__gte=first)))
    rows = (
        Agreement.objects.filter(_within(node, "node"), valid_from__lte=datetime.date(years[-1], 12, 31),
                                 valid_until__gte=datetime.date(years[0], 1, 1))
        .values(k=_key(node, "node"))
        .annotate(**aggregates)
        .order_by()
    )
    for row in rows:
        key = row.pop("k")
        for year in years:
            c.add(year, key, agreements_in_force=row[f"y{year}"])


def _received_and_built(c: _Collector, node: Node, years: list[int]):
    """Working funds received in each year (GROUP BY year, child), and the area of the venues
    completed by the end of each year (completions counted by year, then added up: one query)."""
    funds = (
        Allocation.objects.filter(_within(node, "community"), year__in=years, category__in=list(WORKING_CATEGORIES))
        .values("year", k=_key(node, "community"))
        .annotate(working_funds=Sum("amount"))
        .order_by()
    )
    for row in funds:
        c.add(row["year"], row["k"], working_funds=row["working_funds"])
    completed = (
        Venue.objects.filter(_within(node, "community"), status=VenueStatus.COMPLETED,
                             completion_date__lte=datetime.date(years[-1], 12, 31))
        .values(k=_key(node, "community"))
        .annotate(**{f"y{year}": Sum("usable_area", filter=Q(completion_date__lte=datetime.date(year, 12, 31)))
                     for year in years})
        .order_by()
    )
    for row in completed:
        key = row.pop("k")
        for year in years:
            c.add(year, key, built_area=row[f"y{year}"])


def _by_year(c: _Collector, node: Node, years: list[int], today: datetime.date):
    """Figures dated within a year, for every year at once (GROUP BY year, child)."""
    first, last = datetime.date(years[0], 1, 1), datetime.date(years[-1], 12, 31)
    commitments = (
        Commitment.objects.filter(_within(node, "agreement__node"), due_on__range=(first, last))
        .with_status(today)
        .values(y=ExtractYear("due_on"), k=_key(node, "agreement__node"))
        .annotate(
            commitments_due=Count("id"),
            commitments_kept=Count("id", filter=Q(status_value="kept")),
            commitments_overdue=Count("id", filter=Q(status_value="overdue")),
        )
        .order_by()
    )
    registrations = (
        MemberRegistration.objects.filter(_within(node, "community"), registered_on__range=(first, last))
        .values(y=ExtractYear("registered_on"), k=_key(node, "community"))
        .annotate(members_registered=Count("id"))
        .order_by()
    )
    meetings = (
        Meeting.objects.filter(_within(node, "conference__node"), held_on__range=(first, last))
        .values(y=ExtractYear("held_on"), k=_key(node, "conference__node"))
        .annotate(meetings_held=Count("id"))
        .order_by()
    )
    grades = {
        Grade.EXCELLENT: Q(final_total__gte=F("scheme__excellent_from")),
        Grade.GOOD: Q(final_total__gte=F("scheme__good_from"), final_total__lt=F("scheme__excellent_from")),
        Grade.PASS: Q(final_total__gte=F("scheme__pass_from"), final_total__lt=F("scheme__good_from")),
        Grade.FAIL: Q(final_total__lt=F("scheme__pass_from")),
    }
    results = (
        Result.objects.filter(_within(node, "community"), year__in=years, state=State.APPROVED)
        .values(y=F("year"), k=_key(node, "community"))
        .annotate(assessed=Count("id"), **{f"grade_{g.value}": Count("id", filter=q) for g, q in grades.items()})
        .order_by()
    )
    for qs in (commitments, registrations, meetings, results):
        for row in qs:
            year, key = row.pop("y"), row.pop("k")
            c.add(year, key, **row)


def _communities(c: _Collector, node: Node, years: list[int]):
    """Communities as they are now (the hierarchy keeps no history), counted for every year."""
    rows = (
        Node.objects.filter(_within(node), level=Level.COMMUNITY)
        .values(k=_key(node))
        .annotate(communities=Count("id"), urban_communities=Count("id", filter=Q(is_urban=True)),
                  party_members=Sum("party_members"))
        .order_by()
    )
    for row in rows:
        for year in years:
            c.add(year, row["k"], communities=row["communities"], urban_communities=row["urban_communities"],
                  party_members=row["party_members"])


# One rule for "no data" (未录入), shared by the dashboard, the REST figures, the summary and
# its tables: a family of figures none of whose records exists for the node in the year is
# None (a gap in a trend, "no figure" on a card, 未录入 in a text), never 0. A family is
# recorded when any of its record counts is above zero: (record counts, figures it governs).
RECORD_FAMILIES = {
    "staffing": (("cadres",), [
        "cadres", "age_sum", "college", "one_shoulder", "average_age", "college_share", "one_shoulder_share",
        *[f"age_{band}" for band, _lo, _hi in AGE_BANDS], *[f"education_{e.value}" for e in Education]]),
    "funding": (("working_funds",), ["working_funds", "funds_meeting", "funds_compliance_rate", "funds_per_community"]),
    "venues": (("built_area",), ["built_area", "area_meeting", "area_compliance_rate"]),
    "regional": (("agreements_in_force", "commitments_due", "meetings_held", "members_registered"), [
        "agreements_in_force", "commitments_due", "commitments_kept", "commitments_overdue", "commitments_kept_rate",
        "meetings_held", "members_registered"]),
    "assessment": (("assessed",), ["assessed", *[f"grade_{g}" for g in GRADES]]),
}


def unrecorded(figures: dict) -> set[str]:
    """The families (keys of :data:`RECORD_FAMILIES`) with no records in ``figures`` (derived or
    raw): every record count is 0 or None."""
    return {family for family, (counts, _keys) in RECORD_FAMILIES.items()
            if not any(figures.get(count) for count in counts)}


def derive(raw: dict) -> dict:
    """The shown figures of one node (or child) in one year, from its raw counts and sums; the
    figures of a family without records are None (:data:`RECORD_FAMILIES`)."""
    r = {key: raw.get(key, 0) for key in RAW_KEYS}
    for key in DECIMAL_KEYS:
        r[key] = Decimal(r[key] or 0).quantize(Decimal("0.01"))
    figures = _derived(r)
    for family in unrecorded(r):
        figures.update(dict.fromkeys(RECORD_FAMILIES[family][1]))
    return figures


def _derived(r: dict) -> dict:
    communities = r["communities"]
    return {
        **r,
        "average_age": (Decimal(r["age_sum"]) / r["cadres"]).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)
        if r["cadres"] else None,
        "college_share": percent(r["college"], r["cadres"]),
        "one_shoulder_share": percent(r["one_shoulder"], r["urban_communities"]),  # of 居委会, not villages
        "funds_compliance_rate": percent(r["funds_meeting"], r["funds_with_standard"]),
        "funds_per_community": (r["working_funds"] / communities).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)
        if communities else None,
        "area_compliance_rate": percent(r["area_meeting"], r["area_with_standard"]),
        "commitments_kept_rate": percent(r["commitments_kept"], r["commitments_due"]),
    }


def dashboard(*, node: Node, year: int, today: datetime.date | None = None) -> dict:
    """The figures of ``node`` for ``year`` and the years before it (see the module docstring).

    Returns plain data (Decimals, ints, None, str) that :func:`as_json` turns into JSON:
    ``{"node", "year", "years", "totals": {year: figures}, "children": [{"code", "name",
    "figures"}]}`` where the children's figures are those of ``year``.
    """
    today = today or timezone.localdate()
    years = list(range(year - YEARS + 1, year + 1))
    c = _Collector(years)
    _communities(c, node, years)
    funding_standards = _standards(Standard, node, years, ["office_amount", "party_amount", "total_amount"])
    area_standards = _standards(AreaStandard, node, years, ["minimum_area", "area_per_100_households"])
    for y in years:
        _staffing(c, node, y)
        _funds(c, node, y, funding_standards[y])
        _area(c, node, y, area_standards[y])
    _agreements(c, node, years)
    _received_and_built(c, node, years)
    _by_year(c, node, years, today)

    totals = {}
    for y in years:
        raw: dict = {}
        for row in c.data[y].values():
            for name, value in row.items():
                raw[name] = raw.get(name, 0) + value
        totals[y] = derive(raw)
    level = child_level(node)
    children = []
    if level is not None:
        for child in Node.objects.filter(_within(node), level=level).only("code", "name", "level").order_by("code"):
            children.append({
                "code": child.code, "name": child.name, "figures": derive(c.data[year].get(child.prefix, {})),
            })
        # Records the node keeps itself (a street's own agreements and conference meetings)
        # belong to no child: shown as "<node> (own)" so the children add up to the total.
        own = c.data[year].get(node.code[: PREFIX_LENGTH[level]])
        if own and any(own.values()):
            children.append({
                "code": node.code, "name": _("%(node)s (own)") % {"node": node.name}, "own": True,
                "figures": derive(own),
            })
    return {
        "node": {"code": node.code, "name": node.name, "level": node.level, "level_label": str(Level(node.level).label)},
        "child_level_label": str(level.label) if level else "",
        "year": year,
        "years": years,
        "totals": totals,
        "children": children,
    }


QUERIES_FOR = 1 + 2 + 4 * YEARS + 3 + 4 + 1  # communities, standards, per year ×4, all years ×(3 + 4), children


def _plain(value):
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_plain(v) for v in value]
    return value


def as_json(data: dict) -> dict:
    """``dashboard()`` as JSON data: Decimals become strings (exact), year keys strings."""
    return _plain(data)


def labels() -> dict:
    """What each figure is called (for charts and documentation), in the active language."""
    return {
        "communities": _("Communities"),
        "urban_communities": _("Urban communities"),
        "party_members": _("Party members"),
        "cadres": _("Community cadres"),
        "average_age": _("Average age"),
        "college": _("Junior college or above"),
        "college_share": _("Junior college or above (%)"),
        "one_shoulder": _("Communities with one person as secretary and director"),
        "one_shoulder_share": _("Secretary also director (%)"),
        "funds_with_standard": _("Communities with a funding standard"),
        "funds_meeting": _("Communities meeting the funding standard"),
        "funds_compliance_rate": _("Funding standard met (%)"),
        "working_funds": _("Working funds (yuan)"),
        "funds_per_community": _("Working funds per community (yuan)"),
        "area_with_standard": _("Communities with an area standard"),
        "area_meeting": _("Communities meeting the area standard"),
        "area_compliance_rate": _("Area standard met (%)"),
        "built_area": _("Venue area (㎡)"),
        "agreements_in_force": _("Joint-building agreements in force"),
        "commitments_due": _("Commitments due"),
        "commitments_kept": _("Commitments kept"),
        "commitments_overdue": _("Commitments overdue"),
        "commitments_kept_rate": _("Commitments kept (%)"),
        "members_registered": _("In-service members registered"),
        "meetings_held": _("Joint conference meetings"),
        "assessed": _("Communities assessed (approved)"),
        **{f"age_{band}": label for (band, _lo, _hi), label in zip(AGE_BANDS, [
            _("35 and under"), _("36 to 45"), _("46 to 55"), _("56 and over")])},
        **{f"education_{e.value}": e.label for e in Education},
        **{f"grade_{g.value}": g.label for g in Grade},
    }
