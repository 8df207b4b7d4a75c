"""Reads of the funding app: the standard that applies to a community, and the figures of a
community or of any node (street, district, city) for a year. Each takes the viewer and
counts only what they may see.

The totals of a node (the tree page's panel, :func:`node_totals`) are read from the facts table
(figures.models.Facts, docs/figures.md): one roll-up of the communities' rows and one aggregate
of the year's allocations by category and source, whatever the number of communities, and no
object per community. :func:`funds_for` computes each community from the raw rows (lists of
communities: the compliance page, a standard's communities, a community's own page) at a
constant number of queries: the communities (one), their standards (one,
``core.standards.nearest_standards``), allocations grouped by community and category (one),
allocations grouped by source (one) and spending grouped by community with the party-work part
as a conditional sum (one).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import Q, Sum

from communities.models import Level, Node
from core.numbers import percent
from core.standards import nearest_standards
from funding.models import (
    PARTY_WORK_CATEGORIES,
    WORKING_CATEGORIES,
    ZERO,
    Allocation,
    AllocationCategory,
    Expenditure,
    Source,
    Standard,
)



class _Balance:
    """The balance and the party-work share of spending, from ``allocated``, ``spent`` and
    ``party_spent``."""

    @property
    def balance(self) -> Decimal:
        return self.allocated - self.spent

    @property
    def party_share(self) -> Decimal | None:
        """Percentage of the year's spending that went to party work (None when nothing was spent)."""
        return percent(self.party_spent, self.spent)


@dataclass
class CommunityFunds(_Balance):
    """One community's funds in one year, measured against the standard that applies."""

    community: Node
    year: int
    standard: Standard | None = None
    by_category: dict = field(default_factory=dict)  # allocation category → Decimal
    spent: Decimal = ZERO
    party_spent: Decimal = ZERO

    @property
    def allocated(self) -> Decimal:
        return sum(self.by_category.values(), ZERO)

    @property
    def office(self) -> Decimal:
        return self.by_category.get(AllocationCategory.OFFICE, ZERO)

    @property
    def party(self) -> Decimal:
        return self.by_category.get(AllocationCategory.PARTY, ZERO)

    @property
    def working(self) -> Decimal:
        return sum((self.by_category.get(c, ZERO) for c in WORKING_CATEGORIES), ZERO)

    @property
    def standard_inherited(self) -> bool:
        return self.standard is not None and self.standard.node_id != self.community.pk

    @property
    def shortfalls(self) -> list[tuple[str, Decimal, Decimal]]:
        """(what, received, required) for each part of the standard that is not met."""
        from django.utils.translation import gettext as _

        s = self.standard
        if s is None:
            return []
        gaps = []
        if self.office < s.office_amount:
            gaps.append((_("office funds"), self.office, s.office_amount))
        if self.party < s.party_amount:
            gaps.append((_("party-building funds"), self.party, s.party_amount))
        if self.working < s.effective_total:
            gaps.append((_("working funds in all"), self.working, s.effective_total))
        return gaps

    @property
    def meets_standard(self) -> bool | None:
        """True or False against the applicable standard; None when no node sets one."""
        if self.standard is None:
            return None
        return not self.shortfalls


class _Totals(_Balance):
    """What a node's totals show, from ``allocated``, ``spent``, ``party_spent``, ``meeting``,
    ``with_standard``, ``by_category`` and ``by_source``."""

    updated = None  # when the facts read were computed (None: computed from the rows now)
    pending = False  # changes under the node wait for the background refresh

    @property
    def compliance_rate(self) -> Decimal | None:
        return percent(self.meeting, self.with_standard)

    @property
    def below_count(self) -> int:
        return self.with_standard - self.meeting

    def category_rows(self) -> list[tuple[str, Decimal]]:
        totals = self.by_category
        return [(label, totals.get(value, ZERO)) for value, label in AllocationCategory.choices]

    def source_rows(self) -> list[tuple[str, Decimal]]:
        return [(label, self.by_source.get(value, ZERO)) for value, label in Source.choices]


@dataclass
class FundTotals(_Totals):
    """The totals of the visible communities under a node for a year, read from the facts table
    (:func:`node_totals`): no object per community. ``updated``/``pending``: the freshness of
    the facts ("数据更新于 10:42")."""

    node: Node
    year: int
    community_count: int
    with_standard: int
    meeting: int
    allocated: Decimal
    spent: Decimal
    party_spent: Decimal
    by_category: dict
    by_source: dict
    updated: object = None
    pending: bool = False


@dataclass
class NodeFunds(_Totals):
    """The totals of every visible community under a node for a year."""

    node: Node | None
    year: int
    communities: list[CommunityFunds]
    by_source: dict

    @property
    def community_count(self) -> int:
        return len(self.communities)

    @property
    def with_standard(self) -> int:
        return sum(1 for c in self.communities if c.standard is not None)

    @property
    def meeting(self) -> int:
        return sum(1 for c in self.communities if c.meets_standard)

    @property
    def below(self) -> list[CommunityFunds]:
        return [c for c in self.communities if c.meets_standard is False]

    @property
    def by_category(self) -> dict:
        totals: dict = {}
        for c in self.communities:
            for key, value in c.by_category.items():
                totals[key] = totals.get(key, ZERO) + value
        return totals

    @property
    def allocated(self) -> Decimal:
        return sum((c.allocated for c in self.communities), ZERO)

    @property
    def spent(self) -> Decimal:
        return sum((c.spent for c in self.communities), ZERO)

    @property
    def party_spent(self) -> Decimal:
        return sum((c.party_spent for c in self.communities), ZERO)



def visible_communities(*, user, node: Node | None = None):
    qs = Node.objects.visible_to(user).filter(level=Level.COMMUNITY)
    if node is not None:
        qs = qs.filter(code__startswith=node.prefix)
    return qs


def funds_for(*, user, year: int, communities, root: Node | None = None) -> NodeFunds:
    """Figures of the given communities (a queryset, already scoped) for ``year``: five queries."""
    nodes = list(communities.select_related("parent").order_by("code"))
    standards = nearest_standards(Standard.objects.filter(year=year), nodes, root=root)
    rows = {n.pk: CommunityFunds(community=n, year=year, standard=standards.get(n.pk)) for n in nodes}
    ids = communities.order_by().values("pk")
    for row in (
        Allocation.objects.filter(year=year, community__in=ids)
        .values("community_id", "category")
        .annotate(total=Sum("amount"))
        .order_by()
    ):
        if row["community_id"] in rows:
            rows[row["community_id"]].by_category[row["category"]] = row["total"]
    by_source = {
        row["source"]: row["total"]
        for row in Allocation.objects.filter(year=year, community__in=ids)
        .values("source")
        .annotate(total=Sum("amount"))
        .order_by()
    }
    for row in (
        Expenditure.objects.filter(year=year, community__in=ids)
        .values("community_id")
        .annotate(total=Sum("amount"), party=Sum("amount", filter=Q(category__in=PARTY_WORK_CATEGORIES)))
        .order_by()
    ):
        if row["community_id"] in rows:
            rows[row["community_id"]].spent = row["total"] or ZERO
            rows[row["community_id"]].party_spent = row["party"] or ZERO
    return NodeFunds(node=root, year=year, communities=list(rows.values()), by_source=by_source)


def node_funds(*, user, node: Node, year: int) -> NodeFunds:
    """Figures of ``node`` (a community, street, district, …) for ``year``, as the viewer sees them."""
    return funds_for(user=user, year=year, communities=visible_communities(user=user, node=node), root=node)


def community_funds(*, user, community: Node, year: int) -> CommunityFunds:
    return node_funds(user=user, node=community, year=year).communities[0]


def node_totals(*, user, node: Node, year: int) -> FundTotals | NodeFunds:
    """The funds of the visible communities under ``node`` for ``year``, from the facts table:
    three queries whatever the size of the node (the dirty marks, the roll-up, the year's
    allocations by category and source). A year the table does not keep is computed from the
    raw rows (:func:`node_funds`)."""
    from core.scope import scope_q
    from figures.refresh import years
    from figures.selectors import node_totals as facts_totals

    if year not in years():
        return node_funds(user=user, node=node, year=year)
    f = facts_totals(prefix=node.prefix, year=year, user=user)
    by_category: dict = {}
    by_source: dict = {}
    for row in (
        Allocation.objects.filter(scope_q(user, "view", "community"), year=year, community__code__startswith=node.prefix)
        .values("category", "source").annotate(total=Sum("amount")).order_by()
    ):
        by_category[row["category"]] = by_category.get(row["category"], ZERO) + row["total"]
        by_source[row["source"]] = by_source.get(row["source"], ZERO) + row["total"]
    return FundTotals(
        node=node, year=year, community_count=f["communities"], with_standard=f["has_standard"],
        meeting=f["funds_meet_standard"], allocated=f["allocated"], spent=f["spent"],
        party_spent=f["party_work_spent"], by_category=by_category, by_source=by_source,
        updated=f["updated"], pending=f["pending"],
    )


def below_standard(*, user, year: int):
    """The visible communities that fall below their applicable funding standard in ``year``, as
    a subquery of ids read from the facts table's flags (no figure computed per community); a
    year the table does not keep is computed from the raw rows."""
    from figures.refresh import years
    from figures.selectors import flagged

    if year not in years():
        return below_standard_ids(user=user, year=year)
    return flagged(user=user, year=year, where=Q(has_standard=True, funds_meet_standard=False))


def below_standard_ids(*, user, year: int) -> list[int]:
    """Ids of the visible communities that fall below their applicable standard in ``year``,
    computed from the raw rows (what the facts table's ``funds_meet_standard`` must agree with)."""
    return [c.community.pk for c in funds_for(user=user, year=year, communities=visible_communities(user=user)).below]


def applicable_standard(*, community: Node, year: int) -> Standard | None:
    return nearest_standards(Standard.objects.filter(year=year), [community]).get(community.pk)
