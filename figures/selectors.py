"""Reading the facts table: roll-ups by code prefix, and keeping a reader's figures current.

A page never waits on a rebuild: :func:`catch_up` recomputes the dirty nodes under the node read
only when they are few (``FIGURES_INLINE_LIMIT``, a clerk's own change seen at once); otherwise
the page shows the rows as they are, with their freshness (:func:`freshness`), and the queued
refresh brings them up to date.
"""

from __future__ import annotations

import datetime
from decimal import Decimal

from django.conf import settings
from django.db.models import Count, Max, Q, Sum
from django.db.models.functions import Substr

from communities.models import PREFIX_LENGTH, Level, Node
from figures.marking import pending_q
from figures.models import Dirty, Facts

SUM_FIELDS = [
    "party_members", "cadre_records", "staff_count", "party_workers", "college_count", "training_hours", "age_sum",
    "age_35", "age_36_45", "age_46_55", "age_56", "education_postgraduate", "education_bachelor",
    "education_college", "education_secondary", "education_junior", "allocation_records", "expenditure_records",
    "office_funds", "party_funds", "working_funds", "allocated", "spent", "party_work_spent", "venue_records",
    "built_area", "venues", "equipment_items", "meetings_held", "agreements_in_force", "commitments_due",
    "commitments_kept", "commitments_overdue", "members_registered", "posts_offered", "posts_claimed",
]
FLAG_FIELDS = [
    "secretary_in_post", "director_in_post", "one_shoulder", "full_time_deputy", "has_standard",
    "office_meets_standard", "party_meets_standard", "funds_meet_standard", "has_area_standard",
    "area_meets_standard", "service_hall",
]
COMMUNITY = Q(level=Level.COMMUNITY)


def inline_limit() -> int:
    return getattr(settings, "FIGURES_INLINE_LIMIT", 200)


def catch_up(prefix: str) -> bool:
    """Recompute the dirty nodes under ``prefix`` now if there are at most ``inline_limit()``
    of them (one query when there are none). Returns whether marks are left (figures pending)."""
    from figures.refresh import refresh_dirty

    limit = inline_limit()
    where = pending_q(prefix)
    waiting = Dirty.objects.filter(where).order_by()[: limit + 1].count()
    if not waiting:
        return False
    if waiting > limit:
        return True
    refresh_dirty(limit=limit, rounds=1, where=where)
    return Dirty.objects.filter(where).exists()


def rollup(*, prefix: str, years: list[int], length: int):
    """``{(year, key): {figure: total}}`` of the facts under ``prefix``, grouped by the first
    ``length`` digits of the code: one query (``communities`` counts community rows,
    ``urban_communities`` the 居委会 among them and ``urban_one_shoulder`` those with 一肩挑;
    ``<flag>`` counts the communities where it holds; ``updated`` is the newest row's time)."""
    rows = (
        Facts.objects.filter(year__in=years, code__startswith=prefix)
        .values("year", k=Substr("code", 1, length))
        .annotate(
            communities=Count("id", filter=COMMUNITY),
            urban_communities=Count("id", filter=COMMUNITY & Q(is_urban=True)),
            urban_one_shoulder=Count("id", filter=Q(is_urban=True, one_shoulder=True)),
            **{f: Sum(f) for f in SUM_FIELDS},
            **{f: Count("id", filter=Q(**{f: True})) for f in FLAG_FIELDS},
            updated=Max("computed_at"),
        )
        .order_by()
    )
    return {(row.pop("year"), row.pop("k")): row for row in rows}


def freshness(*, prefix: str, pending: bool, updated: datetime.datetime | None) -> dict:
    return {"updated": updated, "pending": pending}


def child_length(node: Node) -> int:
    return PREFIX_LENGTH[Level(node.level + 1)] if node.level < Level.COMMUNITY else 12


def community_rows(*, community_ids, year: int) -> dict[int, Facts]:
    """The facts rows of these communities in ``year``: one query."""
    return {f.node_id: f for f in Facts.objects.filter(node_id__in=list(community_ids), year=year)}


def assessment_facts(*, community_ids, year: int) -> dict[int, dict]:
    """``{community id: {"<app>.<key>": value}}`` as ``assessments.rules.all_facts`` gives it, read
    from the facts table: two queries when the table is current. Communities with a pending
    mark (a change not refreshed yet) are computed from the raw rows, in one set (the apps'
    ``community_facts``), so a scoring chunk sees every change committed before it and never
    waits for the refresh of other years. Shares are derived from their stored numerators and
    denominators exactly as the apps' facts round them. A year the table does not keep is
    computed from the raw rows."""
    from assessments.rules import FACT_SOURCES, all_facts
    from core.numbers import percent
    from figures.refresh import years
    from staffing.facts import _ratio

    ids = list(community_ids)
    if year not in years():
        return all_facts(community_ids=ids, year=year)
    dirty = set(Dirty.objects.filter(Q(node_id__in=ids) & (Q(year=0) | Q(year=year))).values_list("node_id", flat=True))
    keys = [(app, key) for app, module in FACT_SOURCES.items() for key in module.KEYS]
    derived_from = ["college_count", "staff_count", "training_hours", "party_work_spent", "spent"]
    columns = list(dict.fromkeys([key for _app, key in keys if key not in DERIVED_KEYS] + derived_from))
    # values, not model objects: a scoring chunk reads thousands of rows a second
    stored = {
        row[0]: dict(zip(columns, row[1:]))
        for row in Facts.objects.filter(node_id__in=ids, year=year).values_list("node_id", *columns)
        if row[0] not in dirty
    }
    missing = [pk for pk in ids if pk not in stored]
    merged = all_facts(community_ids=missing, year=year) if missing else {}
    for pk, f in stored.items():
        f["college_share"] = _ratio(f["college_count"], f["staff_count"], percent=True)
        f["training_hours_per_cadre"] = _ratio(f["training_hours"], f["staff_count"])
        f["party_work_share"] = percent(f["party_work_spent"], f["spent"]) or Decimal("0.0")
        merged[pk] = {f"{app}.{key}": f[key] for app, key in keys}
    return merged


# Facts the apps derive (shares), stored as their numerators and denominators.
DERIVED_KEYS = {"college_share", "training_hours_per_cadre", "party_work_share"}
