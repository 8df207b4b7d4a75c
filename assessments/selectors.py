"""Reads of the annual assessment; each takes the viewer."""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Q

from assessments.models import Grade, Result, Run, Scheme, Score, State
from core.scope import Action, scope_prefixes, scope_q


def scheme_list(*, user):
    """Schemes of the districts the user sees, or sees part of (a street clerk reads the scheme
    and the ranking of their district; the rows beneath stay scoped)."""
    prefixes = scope_prefixes(user, Action.VIEW)
    qs = Scheme.objects.all()
    if prefixes is not None:
        districts = [p[:6].ljust(12, "0") for p in prefixes if len(p) >= 6]
        qs = qs.filter(scope_q(user, Action.VIEW, "district") | Q(district__code__in=districts))
    return qs.select_related("district")


def scheme_districts(*, user):
    """The districts (and cities) whose schemes ``user`` reads: a scheme's district choices."""
    from communities.models import Level, Node

    qs = Node.objects.filter(level__in=(Level.CITY, Level.COUNTY))
    prefixes = scope_prefixes(user, Action.VIEW)
    if prefixes is not None:
        districts = [p[:6].ljust(12, "0") for p in prefixes if len(p) >= 6]
        qs = qs.filter(scope_q(user, Action.VIEW) | Q(code__in=districts))
    return qs.order_by("code")


def result_list(*, user):
    return Result.objects.visible_to(user).select_related("community__parent", "scheme")


def grade_q(scheme: Scheme, grade: str) -> Q:
    bounds = {
        Grade.EXCELLENT: Q(final_total__gte=scheme.excellent_from),
        Grade.GOOD: Q(final_total__gte=scheme.good_from, final_total__lt=scheme.excellent_from),
        Grade.PASS: Q(final_total__gte=scheme.pass_from, final_total__lt=scheme.good_from),
        Grade.FAIL: Q(final_total__lt=scheme.pass_from),
    }
    return bounds.get(grade, Q())


def scores_of(result: Result):
    return Score.objects.filter(result=result).select_related("indicator__parent", "adjusted_by").order_by(
        "indicator__parent__position", "indicator__position", "indicator_id"
    )


@dataclass
class RankRow:
    result: Result
    district_rank: int
    street_rank: int
    grade: str

    @property
    def grade_label(self) -> str:
        return Grade(self.grade).label if self.grade else ""


def _competition_ranks(results, key) -> dict[int, int]:
    ranks, position, previous, rank = {}, 0, None, 0
    for r in results:
        position += 1
        if key(r) != previous:
            rank, previous = position, key(r)
        ranks[r.pk] = rank
    return ranks


def ranking(*, user, scheme: Scheme, approved_only: bool = False) -> list[RankRow]:
    """Every result of the scheme ranked by final total within the district and within its street
    (ties share a rank); only the rows the viewer may see are returned. Two queries."""
    everything = list(
        Result.objects.filter(scheme=scheme).select_related("community__parent").order_by("-final_total", "community__code")
    )
    if approved_only:
        everything = [r for r in everything if r.state == State.APPROVED]
    visible = set(Result.objects.visible_to(user).filter(scheme=scheme).values_list("pk", flat=True))
    district = _competition_ranks(everything, lambda r: r.final_total)
    street: dict[int, int] = {}
    by_street: dict[int, list] = {}
    for r in everything:
        by_street.setdefault(r.community.parent_id, []).append(r)
    for rows in by_street.values():
        street.update(_competition_ranks(rows, lambda r: r.final_total))
    return [
        RankRow(result=r, district_rank=district[r.pk], street_rank=street[r.pk], grade=scheme.grade_for(r.final_total))
        for r in everything
        if r.pk in visible
    ]


def run_list(*, user):
    return Run.objects.visible_to(user).select_related("scheme__district")
