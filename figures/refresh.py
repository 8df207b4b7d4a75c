"""Computing the facts table (figures.models.Facts) from the raw rows, in sets.

:func:`compute` is the only definition of a row: it calls the apps' set-based
``community_facts`` (staffing, funding, venues, regional_building: a constant number of
queries per year whatever the number of communities) and adds what the dashboard needs besides
(age and education structure, commitments overdue, records on file). :func:`refresh` writes
the rows of some nodes with one upsert per chunk; :func:`refresh_dirty` takes the dirty marks
(figures.marking) and refreshes their nodes; :func:`rebuild` does every node (the
``rebuild_facts`` command, after a migration or a restore).
"""

from __future__ import annotations

import datetime
import logging

from django.conf import settings
from django.db import connection, transaction
from django.db.models import Count, Exists, OuterRef, Q, Sum
from django.utils import timezone

from communities.models import Level, Node
from figures.models import Dirty, Facts
from funding import facts as funding_facts
from regional_building import facts as rb_facts
from regional_building.models import Agreement, Claim, Commitment, JointConference
from staffing import facts as staffing_facts
from staffing.models import Appointment, Attendance, Cadre, Education, Post, VolunteerTeam
from staffing.selectors import _age_expression, active_on, as_of_date
from venues import facts as venue_facts
from venues.models import Venue

log = logging.getLogger(__name__)

AGE_BANDS = [("35", None, 35), ("36_45", 36, 45), ("46_55", 46, 55), ("56", 56, None)]
CHUNK = 2000  # nodes per upsert (and per set of queries)
FIGURE_FIELDS = [
    f.name for f in Facts._meta.concrete_fields
    if f.name not in ("id", "node", "year", "code", "level", "computed_at", "valid_until")
]


def years(today: datetime.date | None = None) -> list[int]:
    """The years the table holds: ``FIGURES_YEARS_BACK`` years before this one (the dashboard's
    trend of the oldest year a selector offers) to next year."""
    this_year = (today or timezone.localdate()).year
    back = getattr(settings, "FIGURES_YEARS_BACK", 10)
    return list(range(this_year - back, this_year + 2))


def _years_before(on: datetime.date, n: int) -> datetime.date:
    try:
        return on.replace(year=on.year - n)
    except ValueError:  # 29 February
        return on.replace(year=on.year - n, day=28)


def _age_band(on: datetime.date, lo: int | None, hi: int | None) -> Q:
    """Aged ``lo``–``hi`` on ``on``, as a range of birth dates (index-friendly)."""
    q = Q()
    if lo is not None:
        q &= Q(birth_date__lte=_years_before(on, lo))
    if hi is not None:
        q &= Q(birth_date__gt=_years_before(on, hi + 1))
    return q


def _structure(ids: list[int], year: int) -> dict[int, dict]:
    """Age sum, age bands and education of the serving cadres, by community: one query."""
    on = as_of_date(year)
    rows = (
        Cadre.objects.filter(community_id__in=ids)
        .filter(Exists(Appointment.objects.filter(active_on(on), cadre=OuterRef("pk"))))
        .values("community_id")
        .annotate(
            age_sum=Sum(_age_expression(on)),
            **{f"age_{band}": Count("id", filter=_age_band(on, lo, hi)) for band, lo, hi in AGE_BANDS},
            **{f"education_{e.value}": Count("id", filter=Q(education=e.value)) for e in Education},
        )
        .order_by()
    )
    return {row.pop("community_id"): row for row in rows}


def _people(ids: list[int], year: int) -> dict[int, dict]:
    """What the tree page's staffing panel adds: people in each post (``headcount_<post>``;
    full-time party workers are ``party_workers``), serving cadres who are party members,
    training attendances of the year, volunteer teams and their members: four queries."""
    on = as_of_date(year)
    rows: dict[int, dict] = {}
    for pk, post, n in (
        Appointment.objects.filter(active_on(on), cadre__community_id__in=ids)
        .values_list("cadre__community_id", "post").annotate(n=Count("cadre", distinct=True)).order_by()
    ):
        if post != Post.PARTY_WORKER:
            rows.setdefault(pk, {})[f"headcount_{post}"] = n
    for pk, n in (
        Cadre.objects.filter(community_id__in=ids, is_party_member=True)
        .filter(Exists(Appointment.objects.filter(active_on(on), cadre=OuterRef("pk"))))
        .values("community_id").annotate(n=Count("id")).order_by().values_list("community_id", "n")
    ):
        rows.setdefault(pk, {})["cadre_party_members"] = n
    for pk, n in _counts(Attendance.objects.filter(cadre__community_id__in=ids, course__start_date__year=year),
                         "cadre__community_id").items():
        rows.setdefault(pk, {})["training_attendances"] = n
    for row in (
        VolunteerTeam.objects.filter(community_id__in=ids, founded_on__lte=on).values("community_id")
        .annotate(teams=Count("id", distinct=True), members=Count("members", filter=Q(members__joined_on__lte=on)))
        .order_by()
    ):
        rows.setdefault(row["community_id"], {}).update(volunteer_teams=row["teams"], volunteers=row["members"])
    return rows


def _service_hours(ids: list[int], year: int) -> dict[int, object]:
    return dict(
        Claim.objects.filter(post__community_id__in=ids, claimed_on__year=year)
        .values("post__community_id").annotate(h=Sum("hours")).order_by().values_list("post__community_id", "h")
    )


def _overdue(ids: list[int], year: int, today: datetime.date) -> dict[int, int]:
    """Commitments due in the year, not kept and past their due date ``today``, by node."""
    return dict(
        Commitment.objects.filter(agreement__node_id__in=ids, due_on__year=year)
        .with_status(today)
        .filter(status_value="overdue")
        .values("agreement__node_id")
        .annotate(n=Count("id"))
        .order_by()
        .values_list("agreement__node_id", "n")
    )


def _counts(qs, path: str) -> dict[int, int]:
    return dict(qs.values(path).annotate(n=Count("id")).order_by().values_list(path, "n"))


def compute(ids: list[int], year: int, today: datetime.date | None = None) -> dict[int, dict]:
    """``{node id: {field: value}}`` for the given nodes (communities, or nodes keeping records
    of their own) in ``year``: about 30 queries whatever the number of nodes."""
    today = today or timezone.localdate()
    nodes = list(Node.objects.filter(pk__in=list(ids)).values_list("id", "code", "level", "party_members", "is_urban"))
    communities = [pk for pk, _code, level, *_rest in nodes if level == Level.COMMUNITY]
    rows: dict[int, dict] = {}
    for pk, code, level, party_members, is_urban in nodes:
        community = level == Level.COMMUNITY
        rows[pk] = dict.fromkeys(FIGURE_FIELDS, 0)
        rows[pk].update(code=code, level=level, party_members=(party_members or 0) if community else 0,
                        is_urban=community and is_urban)
    if communities:
        for pk, f in staffing_facts.community_facts(community_ids=communities, year=year).items():
            f.pop("college_share"), f.pop("training_hours_per_cadre")
            rows[pk].update(f)
        for pk, f in _structure(communities, year).items():
            rows[pk].update(f)
        for pk, n in _counts(Cadre.objects.filter(community_id__in=communities), "community_id").items():
            rows[pk]["cadre_records"] = n
        for pk, f in funding_facts.community_rows(community_ids=communities, year=year).items():
            f.pop("party_work_share")
            rows[pk].update(f)
        for pk, f in venue_facts.community_facts(community_ids=communities, year=year).items():
            rows[pk].update(f)
        for pk, n in _counts(Venue.objects.filter(community_id__in=communities), "community_id").items():
            rows[pk]["venue_records"] = n
        for pk, f in _people(communities, year).items():
            rows[pk].update(f)
        for pk, hours in _service_hours(communities, year).items():
            rows[pk]["service_hours"] = hours or 0
    all_ids = [pk for pk, *_rest in nodes]
    for pk, f in rb_facts.community_facts(community_ids=all_ids, year=year).items():
        rows[pk].update(f)
    for pk, n in _overdue(all_ids, year, today).items():
        rows[pk]["commitments_overdue"] = n
    return rows


def _valid_until(year: int, today: datetime.date):
    # the current year's (and later years') figures describe today: appointments end, commitments
    # fall due; a past year's are final until its data change
    return today if year >= today.year else None


def refresh(ids, year_list: list[int], today: datetime.date | None = None) -> int:
    """Recompute and upsert the rows of ``ids`` for ``year_list``; rows of nodes that no longer
    exist, or that keep nothing any more (a street whose last agreement was deleted), go."""
    today = today or timezone.localdate()
    ids = sorted(set(ids))
    now = timezone.now()
    written = 0
    for start in range(0, len(ids), CHUNK):
        chunk = ids[start : start + CHUNK]
        keep = _rows_kept(chunk)
        for year in year_list:
            computed = compute(keep, year, today)
            objs = [
                Facts(node_id=pk, year=year, computed_at=now, valid_until=_valid_until(year, today), **values)
                for pk, values in sorted(computed.items())
            ]
            Facts.objects.bulk_create(
                objs, batch_size=500, update_conflicts=True, unique_fields=["node", "year"],
                update_fields=[f for f in ["code", "level", "computed_at", "valid_until", *FIGURE_FIELDS]],
            )
            written += len(objs)
        Facts.objects.filter(node_id__in=chunk, year__in=year_list).exclude(node_id__in=keep).delete()
    return written


def _rows_kept(ids: list[int]) -> list[int]:
    """Of ``ids``, the nodes that have facts rows: communities, and other nodes keeping
    regional-building records of their own (agreements, conferences)."""
    return list(
        Node.objects.filter(pk__in=ids).filter(
            Q(level=Level.COMMUNITY)
            | Exists(Agreement.objects.filter(node=OuterRef("pk")))
            | Exists(JointConference.objects.filter(node=OuterRef("pk")))
        ).values_list("pk", flat=True)
    )


def _take_marks(limit: int, where: Q | None) -> list[tuple[int, int, int]]:
    qs = Dirty.objects.filter(where or Q()).order_by("node_id", "year")
    if connection.features.has_select_for_update_skip_locked:
        qs = qs.select_for_update(skip_locked=True)
    return list(qs.values_list("id", "node_id", "year")[:limit])


def expire(today: datetime.date | None = None) -> int:
    """Mark dirty the rows that describe a day before ``today`` (current-year figures of
    yesterday): one INSERT … SELECT."""
    from figures.marking import mark_query

    today = today or timezone.localdate()
    return mark_query(Facts.objects.filter(valid_until__lt=today), "node_id", "year")


def refresh_dirty(*, limit: int = CHUNK, rounds: int | None = None, where: Q | None = None) -> int:
    """Refresh marked nodes, ``limit`` marks a transaction, until none is left (or ``rounds``
    transactions). Each transaction locks its marks (SKIP LOCKED: workers share the queue),
    recomputes their nodes and deletes the marks; a crash rolls back and leaves them. Returns
    the number of marks done. ``where``: only the marks it selects (a page catching up its own
    subtree)."""
    done = 0
    window = years()
    n = 0
    while rounds is None or n < rounds:
        n += 1
        with transaction.atomic():
            marks = _take_marks(limit, where)
            if not marks:
                break
            every_year = sorted({node for _id, node, year in marks if year == 0})
            by_year: dict[int, set[int]] = {}
            for _id, node, year in marks:
                if year and node not in every_year:
                    by_year.setdefault(year, set()).add(node)
            if every_year:
                refresh(every_year, window)
            for year, nodes in sorted(by_year.items()):
                refresh(sorted(nodes), [year])
            Dirty.objects.filter(pk__in=[pk for pk, _n, _y in marks]).delete()
            _touch_dashboards({node for _id, node, _y in marks})
            done += len(marks)
    return done


def _touch_dashboards(node_ids) -> None:
    """Cached dashboards of these nodes read the facts as they were: forget them on commit."""
    from reports import cache

    cache.touch_ids(node_ids)


def rebuild(*, year_list: list[int] | None = None, prefix: str = "", stdout=None) -> int:
    """Recompute every row (of the nodes under ``prefix``), chunk by chunk, each chunk in its own
    transaction; marks of those nodes made before the start are dropped at the end."""
    year_list = year_list or years()
    started = timezone.now()
    nodes = Node.objects.filter(code__startswith=prefix) if prefix else Node.objects.all()
    ids = list(nodes.order_by("code").values_list("pk", flat=True))
    written = 0
    for start in range(0, len(ids), CHUNK):
        with transaction.atomic():
            written += refresh(ids[start : start + CHUNK], year_list)
        if stdout is not None:
            stdout.write(f"{min(start + CHUNK, len(ids))}/{len(ids)} nodes, {written} rows")
    if not prefix and year_list == years():
        Dirty.objects.filter(marked_at__lt=started).delete()
    return written
