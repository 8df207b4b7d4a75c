"""Reading the facts table: roll-ups by code prefix, and keeping a reader's figures current.

A page never waits on a rebuild: :func:`catch_up` recomputes the dirty nodes under the node read
only when they are few (``FIGURES_INLINE_LIMIT``, a clerk's own change seen at once); otherwise
the page shows the rows as they are, with their freshness (:func:`freshness`), and the queued
refresh brings them up to date.
"""

from __future__ import annotations

import datetime
from contextlib import contextmanager
from contextvars import ContextVar
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
    "headcount_secretary", "headcount_director", "headcount_deputy_secretary", "headcount_deputy_director",
    "headcount_member", "headcount_party_assistant", "headcount_graduate_assistant", "headcount_contract",
    "headcount_public_welfare", "cadre_party_members", "training_attendances", "volunteer_teams", "volunteers",
    "service_hours",
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


def rollup(*, prefix: str, years: list[int], length: int, where: Q | None = None):
    """``{(year, key): {figure: total}}`` of the facts under ``prefix``, grouped by the first
    ``length`` digits of the code: one query (``communities`` counts community rows,
    ``urban_communities`` the 居委会 among them and ``urban_one_shoulder`` those with 一肩挑,
    ``with_venue`` those with a completed venue; ``<flag>`` counts the communities where it
    holds; ``updated`` is the newest row's time). ``where`` narrows the rows (a viewer's scope:
    ``core.scope.scope_q(user)`` applies to the table as it is, through ``code``)."""
    rows = (
        Facts.objects.filter(where or Q(), year__in=years, code__startswith=prefix)
        .values("year", k=Substr("code", 1, length))
        .annotate(
            communities=Count("id", filter=COMMUNITY),
            urban_communities=Count("id", filter=COMMUNITY & Q(is_urban=True)),
            urban_one_shoulder=Count("id", filter=Q(is_urban=True, one_shoulder=True)),
            with_venue=Count("id", filter=COMMUNITY & Q(venues__gt=0)),
            **{f: Sum(f) for f in SUM_FIELDS},
            **{f: Count("id", filter=Q(**{f: True})) for f in FLAG_FIELDS},
            updated=Max("computed_at"),
        )
        .order_by()
    )
    return {(row.pop("year"), row.pop("k")): row for row in rows}


def freshness(*, prefix: str, pending: bool, updated: datetime.datetime | None) -> dict:
    return {"updated": updated, "pending": pending}


def freshness_text(updated: datetime.datetime | str | None) -> str:
    """When figures were computed, as shown beside them: "10:42" today, "2026-12-01 10:42"
    before (an ISO string, as a cached dashboard keeps it, is accepted)."""
    from django.utils import timezone

    if not updated:
        return ""
    if isinstance(updated, str):
        updated = datetime.datetime.fromisoformat(updated)
    moment = timezone.localtime(updated)
    return f"{moment:%H:%M}" if moment.date() == timezone.localdate() else f"{moment:%Y-%m-%d %H:%M}"


_SHARED: ContextVar[dict | None] = ContextVar("figures_shared_totals", default=None)


@contextmanager
def shared_totals():
    """Within this block, :func:`node_totals` reads each node's totals once and hands the same
    row to every caller (a node's page: each app's panel asks for the same node and year)."""
    token = _SHARED.set({})
    try:
        yield
    finally:
        _SHARED.reset(token)


def node_totals(*, prefix: str, year: int, user=None) -> dict:
    """The totals of the facts of ``year`` under ``prefix`` ("" for everything) that ``user``
    may see (everyone's when ``None``), as :func:`rollup` names them, plus ``pending`` (changes
    under the prefix still wait for the background refresh) and ``updated``. A tree page's
    panels read these instead of building every community: two queries (the dirty marks and
    the roll-up) whatever the size of the node, once per page (:func:`shared_totals`); a node
    without rows gives zeros and ``communities`` 0."""
    from core.scope import scope_prefixes, scope_q

    where, key = None, (prefix, year)
    if user is not None:
        prefixes = scope_prefixes(user, "view")
        if prefixes is not None and not (prefix and any(prefix.startswith(p) for p in prefixes)):
            # the viewer sees only part of what is under the prefix
            where, key = scope_q(user, "view"), (prefix, year, tuple(prefixes))
    shared = _SHARED.get()
    if shared is not None and key in shared:
        return dict(shared[key])
    pending = catch_up(prefix)
    row = rollup(prefix=prefix, years=[year], length=len(prefix), where=where).get((year, prefix))
    if row is None:
        row = {key: 0 for key in ("communities", "urban_communities", "urban_one_shoulder", "with_venue",
                                  *SUM_FIELDS, *FLAG_FIELDS)}
        row["updated"] = None
    for name in SUM_FIELDS:
        if row[name] is None:
            row[name] = 0
    row["pending"] = pending
    if shared is not None:
        shared[key] = dict(row)
    return row


def flagged(*, user, year: int, where: Q):
    """Ids of the communities ``user`` may see whose facts of ``year`` satisfy ``where`` (a
    ``Q`` over the facts' columns, e.g. ``Q(has_standard=True, funds_meet_standard=False)``),
    as a subquery: a list filter ("below standard") narrows its rows with it in the database,
    with no figure computed per community."""
    from core.scope import scope_q

    catch_up("")
    return (
        Facts.objects.filter(scope_q(user, "view"), where, COMMUNITY, year=year)
        .order_by().values_list("node_id", flat=True)
    )


def child_length(node: Node) -> int:
    return PREFIX_LENGTH[Level(node.level + 1)] if node.level < Level.COMMUNITY else 12


def assessment_facts(*, community_ids, year: int) -> dict[int, dict]:
    """``{community id: {"<app>.<key>": value}}`` as ``assessments.rules.all_facts`` gives it, read
    from the facts table: two queries when the table is current. Communities with a pending
    mark (a change not refreshed yet) are computed from the raw rows, in one set (the apps'
    ``community_facts``), so a scoring chunk sees every change committed before it and never
    waits for the refresh of other years. Shares are derived from their stored numerators and
    denominators exactly as the apps' facts round them. A year the table does not keep is
    computed from the raw rows."""
    from assessments.rules import all_facts
    from figures.refresh import years

    ids = list(community_ids)
    if year not in years():
        return all_facts(community_ids=ids, year=year)
    dirty = set(Dirty.objects.filter(Q(node_id__in=ids) & (Q(year=0) | Q(year=year))).values_list("node_id", flat=True))
    columns = fact_columns()
    rows = {
        pk: values for pk, *values in Facts.objects.filter(node_id__in=ids, year=year).values_list("node_id", *columns)
        if pk not in dirty
    }
    missing = [pk for pk in ids if pk not in rows]
    merged = all_facts(community_ids=missing, year=year) if missing else {}
    for pk, values in rows.items():
        merged[pk] = keyed_facts(dict(zip(columns, values)))
    return merged


# Facts the apps derive (shares), stored as their numerators and denominators.
DERIVED_KEYS = {"college_share", "training_hours_per_cadre", "party_work_share"}


def fact_columns() -> list[str]:
    """The columns :func:`keyed_facts` reads."""
    from assessments.rules import FACT_SOURCES

    columns = [key for module in FACT_SOURCES.values() for key in module.KEYS if key not in DERIVED_KEYS]
    return list(dict.fromkeys(columns + ["college_count", "staff_count", "training_hours", "party_work_spent", "spent"]))


def keyed_facts(values: dict) -> dict:
    """One community's facts as ``assessments.rules.all_facts`` names them (``"<app>.<key>"``),
    from its facts-table columns (``values``: at least :func:`fact_columns`). Shares are derived
    from their stored numerators and denominators exactly as the apps' facts round them."""
    from assessments.rules import FACT_SOURCES
    from core.numbers import percent
    from staffing.facts import _ratio

    derived = {
        "college_share": _ratio(values["college_count"], values["staff_count"], percent=True),
        "training_hours_per_cadre": _ratio(values["training_hours"], values["staff_count"]),
        "party_work_share": percent(values["party_work_spent"], values["spent"]) or Decimal("0.0"),
    }
    return {
        f"{app}.{key}": derived[key] if key in derived else values[key]
        for app, module in FACT_SOURCES.items() for key in module.KEYS
    }
