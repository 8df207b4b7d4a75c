"""Reads of 一化. Each takes the viewer; figures cost a constant number of aggregate queries
whatever the size of the node (one per model, filtered by the node's code prefix)."""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from decimal import Decimal

from django.db.models import Count, Q, Sum
from django.utils import timezone

from regional_building.models import (
    Agreement,
    Claim,
    Commitment,
    Meeting,
    MemberRegistration,
    ServicePost,
)


@dataclass
class Figures:
    year: int
    meetings_held: int
    agreements_in_force: int
    commitments_due: int
    commitments_kept: int
    commitments_overdue: int
    commitments_pending: int
    members_registered: int
    members_active: int
    posts_offered: int
    posts_claimed: int
    claims: int
    service_hours: object  # Decimal
    updated: object = None  # when the facts read were computed (None: computed from the rows now)
    pending: bool = False  # changes under the node wait for the background refresh

    @property
    def kept_rate(self) -> float | None:
        return round(100 * self.commitments_kept / self.commitments_due, 1) if self.commitments_due else None


def _within(qs, node):
    path = qs.model.scope_path
    return qs.filter(**{f"{path}__code__startswith": node.prefix})


def node_figures(*, node, year: int, user, today: datetime.date | None = None) -> Figures:
    """The year's figures for ``node`` and its subtree, as far as ``user`` may see them. Six queries.

    - meetings held: conference meetings dated in the year;
    - agreements in force: in force at some time in the year (validity overlaps the year and not
      terminated before the year began);
    - commitments due: falling due in the year; kept: with a fulfilment; overdue: without one
      and past their due date (as of ``today``); pending: the rest;
    - members registered: registrations dated in the year (active: of those, not revoked);
    - posts offered: offered in the year; posts claimed: posts with a claim dated in the year;
    - service hours: hours of the claims dated in the year.
    """
    today = today or timezone.localdate()
    first, last = datetime.date(year, 1, 1), datetime.date(year, 12, 31)

    meetings = _within(Meeting.objects.visible_to(user), node).filter(held_on__year=year).count()
    agreements = (
        _within(Agreement.objects.visible_to(user), node)
        .filter(valid_from__lte=last, valid_until__gte=first)
        .filter(Q(terminated_on__isnull=True) | Q(terminated_on__gte=first))
        .count()
    )
    c = _commitment_counts(_within(Commitment.objects.visible_to(user), node), year, today)
    m = _within(MemberRegistration.objects.visible_to(user), node).filter(registered_on__year=year).aggregate(
        registered=Count("id"), active=Count("id", filter=Q(status="registered"))
    )
    posts = _within(ServicePost.objects.visible_to(user), node).filter(offered_on__year=year).count()
    cl = _within(Claim.objects.visible_to(user), node).filter(claimed_on__year=year).aggregate(
        claims=Count("id"), posts=Count("post", distinct=True), hours=Sum("hours")
    )
    return Figures(
        year=year,
        meetings_held=meetings,
        agreements_in_force=agreements,
        commitments_due=c["due"],
        commitments_kept=c["kept"],
        commitments_overdue=c["overdue"],
        commitments_pending=c["due"] - c["kept"] - c["overdue"],
        members_registered=m["registered"],
        members_active=m["active"],
        posts_offered=posts,
        posts_claimed=cl["posts"],
        claims=cl["claims"],
        service_hours=cl["hours"] or Decimal("0"),
    )


def node_totals(*, node, year: int, user, today: datetime.date | None = None) -> Figures:
    """:func:`node_figures` as the tree page's panel shows them, read from the facts table
    (figures.models.Facts: the node's and its subtree's own rows): two queries whatever the size
    of the node, no object per community. Overdue commitments are those of the day the facts
    were computed; ``members_active`` and ``claims`` are not kept there (None). A year the table
    does not keep is computed from the raw rows."""
    from figures.refresh import years
    from figures.selectors import node_totals as facts_totals

    if year not in years():
        return node_figures(node=node, year=year, user=user, today=today)
    f = facts_totals(prefix=node.prefix, year=year, user=user)
    figures = Figures(
        year=year,
        meetings_held=f["meetings_held"],
        agreements_in_force=f["agreements_in_force"],
        commitments_due=f["commitments_due"],
        commitments_kept=f["commitments_kept"],
        commitments_overdue=f["commitments_overdue"],
        commitments_pending=f["commitments_due"] - f["commitments_kept"] - f["commitments_overdue"],
        members_registered=f["members_registered"],
        members_active=None,
        posts_offered=f["posts_offered"],
        posts_claimed=f["posts_claimed"],
        claims=None,
        service_hours=f["service_hours"] or Decimal("0"),
    )
    figures.updated, figures.pending = f["updated"], f["pending"]
    return figures


def _commitment_counts(qs, year, today) -> dict:
    """Due, kept and overdue commitments of the year in one query (EXISTS per row, no GROUP BY
    over fulfilments)."""
    qs = qs.filter(due_on__year=year).with_status(today)
    return qs.aggregate(
        due=Count("id"),
        kept=Count("id", filter=Q(status_value="kept")),
        overdue=Count("id", filter=Q(status_value="overdue")),
    )
