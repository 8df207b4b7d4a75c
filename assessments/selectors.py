"""Reads of the annual assessment; each takes the viewer."""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

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


def _reviews(user) -> bool:
    prefixes = scope_prefixes(user, Action.REVIEW)
    return prefixes is None or bool(prefixes)


def _enters(user) -> bool:
    prefixes = scope_prefixes(user, Action.CHANGE)
    return prefixes is None or bool(prefixes)


def queue_default_states(user) -> list[str]:
    """What the review queue opens on: what this person has to act on. Reviewers (and system
    administrators) the submitted results; data-entry clerks the drafts and returned ones; anyone
    else everything. No query once the user's scope is cached."""
    if _reviews(user):
        return [State.SUBMITTED]
    if _enters(user):
        return [State.DRAFT, State.RETURNED]
    return []


def queue_label(user):
    """The queue's name in the menu and on its page, for the role: 待审核 / 待提交 / 审核队列."""
    if user is None or not user.is_authenticated:
        return _("Review queue")
    if _reviews(user):
        return _("To review")
    if _enters(user):
        return _("To submit")
    return _("Review queue")


def bulk_actions_for(user) -> list[str]:
    """The batch buttons the queue offers this person (each row is still checked on its own)."""
    actions = []
    if _enters(user):
        actions.append("submit")
    if _reviews(user):
        actions += ["approve", "return"]
    return actions


OUTCOME_LABELS = {"ok": _("row done"), "conflict": _("changed meanwhile"), "invalid": _("not allowed in this state"),
                  "forbidden": _("not yours to do"), "missing": _("not found")}


def adjustment_history(result: Result):
    """Every manual adjustment of the result's scores, oldest first, from the scores' history (a
    later adjustment of the same score does not hide the earlier one and its reason). Only the
    rows the adjusting person saved: the scoring job's history rows (core.audit.record_changes,
    no person) repeat an adjusted score's fields without being an adjustment. One query."""
    return (
        Score.history.filter(result_id=result.pk, adjusted_at__isnull=False, history_user_id=F("adjusted_by_id"))
        .select_related("adjusted_by", "indicator")
        .order_by("history_date", "history_id")
    )


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
