"""The figures of a node's dashboard (数据看板): the year's 三有一化 figures of a node, the same
figures for each of its children (for drill-down), and a trend over the last years.

They are read from the facts table (figures.models.Facts: one narrow row per community and
year, kept current by figures.refresh): one ``GROUP BY year, substr(code, 1, n)`` over the rows
under the node for the five years, plus the approved assessment grades and the list of
children, so the cost does not depend on the raw rows (cadres, allocations, venues…) at all and
the number of queries is fixed (:data:`QUERIES_FOR`). Before reading, the few dirty nodes under
the node, if any, are recomputed (figures.selectors.catch_up); many are left to the background
refresh, and the answer says how fresh it is (``freshness``).

Definitions are the apps' own (``staffing.facts``, ``funding.facts``, ``venues.facts``,
``regional_building.facts``), which ``tests/reports/test_figures.py`` checks against each app's
figures (``staffing_figures``, ``node_funds``, ``venue_figures``, ``node_figures``). A visible
node's whole subtree is visible (core.scope), so the figures do not depend on who asks and can
be cached for everyone (reports.cache).
"""

from __future__ import annotations

import datetime
from decimal import ROUND_HALF_UP, Decimal

from django.db.models import Count, F, Q
from django.db.models.functions import Substr
from django.utils.translation import gettext as _

from assessments.models import Grade, Result, State
from communities.models import PREFIX_LENGTH, Level, Node
from core.numbers import percent
from figures import selectors as facts
from figures.refresh import AGE_BANDS
from staffing.models import Education

YEARS = 5  # the trend covers the year and the four before it
GRADES = [g.value for g in Grade]
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
# dashboard name → facts table column (the others have the same name)
FROM_FACTS = {
    "one_shoulder": "urban_one_shoulder", "cadres": "staff_count", "college": "college_count", "funds_with_standard": "has_standard",
    "funds_meeting": "funds_meet_standard", "area_with_standard": "has_area_standard",
    "area_meeting": "area_meets_standard",
}


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


class _Collector:
    """Raw figures by year and child key."""

    def __init__(self, years):
        self.data: dict[int, dict[str, dict]] = {year: {} for year in years}

    def add(self, year: int, key: str, **values):
        row = self.data[year].setdefault(key, {})
        for name, value in values.items():
            row[name] = row.get(name, 0) + (value or 0)


def _from_facts(c: _Collector, node: Node, years: list[int]):
    """Everything but the grades: one query over the facts table. Returns the newest row's time."""
    level = child_level(node)
    rows = facts.rollup(prefix=node.prefix, years=years, length=PREFIX_LENGTH[level] if level else 12)
    names = [k for k in RAW_KEYS if k not in ("assessed",) and not k.startswith("grade_")]
    newest = None
    for (year, key), row in rows.items():
        c.add(year, key, **{name: row[FROM_FACTS.get(name, name)] for name in names})
        if row["updated"] and (newest is None or row["updated"] > newest):
            newest = row["updated"]
    return newest


def _grades(c: _Collector, node: Node, years: list[int]):
    """Approved assessment results and their grades, by year and child: one query (grades
    follow the scheme's thresholds, so they are read from the results themselves)."""
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
    for row in results:
        year, key = row.pop("y"), row.pop("k")
        c.add(year, key, **row)


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
    "figures"}], "freshness": {"updated", "pending"}}`` where the children's figures are those
    of ``year``; ``updated`` is when the newest figures were computed, ``pending`` whether
    changes under the node wait for the background refresh. ``today`` is accepted for
    compatibility: overdue commitments are those of the day the facts were computed.
    """
    years = list(range(year - YEARS + 1, year + 1))
    pending = facts.catch_up(node.prefix)
    c = _Collector(years)
    updated = _from_facts(c, node, years)
    _grades(c, node, years)

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
        "freshness": {"updated": updated, "pending": pending},
    }


QUERIES_FOR = 1 + 1 + 1 + 1  # dirty marks under the node, the facts roll-up, the grades, the children


def _plain(value):
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, datetime.datetime):
        return value.isoformat()
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
