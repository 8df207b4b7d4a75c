"""Reads of venues and their compliance with the area standards. Each takes the viewer.

Every figure is computed with a constant number of queries whatever the size of the node:
one for the communities, one for the standards (core.standards.nearest_standards), one
GROUP BY community over the completed venues and one aggregate over the year's venues.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from decimal import ROUND_HALF_UP, Decimal

from django.db.models import Count, Q, Sum

from communities.models import Level, Node
from core.numbers import percent
from core.scope import scope_q
from core.standards import nearest_standards
from venues.models import NEW_OR_EXPANDED, ROOM_TYPES, AreaStandard, Venue, VenueStatus

ZERO = Decimal("0.00")


def q2(value) -> Decimal:
    """Sums come back from some databases without their two places (SQLite: 190 for 190.00)."""
    return Decimal(value or 0).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)


def venue_list(*, user):
    return Venue.objects.visible_to(user).select_related("community", "community__parent")


def standard_list(*, user):
    return AreaStandard.objects.visible_to(user).select_related("node", "node__parent")


@dataclass
class CommunityCompliance:
    community: Node
    standard: AreaStandard | None
    required_area: Decimal | None
    built_area: Decimal
    venues: int
    halls: int
    rooms: dict = field(default_factory=dict)

    @property
    def complies(self) -> bool | None:
        """True/False against the applicable standard; None when no standard applies."""
        if self.required_area is None:
            return None
        return self.built_area >= self.required_area

    @property
    def shortfall(self) -> Decimal:
        if self.required_area is None or self.built_area >= self.required_area:
            return ZERO
        return self.required_area - self.built_area


def _communities(*, user, node: Node | None):
    qs = Node.objects.visible_to(user).filter(level=Level.COMMUNITY)
    if node is not None:
        qs = qs.filter(code__startswith=node.prefix)
    return qs.select_related("parent").only(
        "id", "code", "name", "level", "households", "parent_id", "parent__id", "parent__name", "parent__code"
    ).order_by("code")


def _venues_in(*, user, node: Node | None):
    qs = Venue.objects.filter(scope_q(user, "view", "community"))
    if node is not None:
        qs = qs.filter(community__code__startswith=node.prefix)
    return qs


def year_end(year: int) -> date:
    return date(year, 12, 31)


def compliance_rows(*, user, node: Node | None, year: int) -> list[CommunityCompliance]:
    """Each visible community under ``node`` (all visible ones when ``None``) with the standard
    it is held to in ``year``, where that standard is set, and the area of its venues completed
    by the end of that year. Three queries."""
    communities = list(_communities(user=user, node=node))
    if not communities:
        return []
    standards = nearest_standards(AreaStandard.objects.filter(year=year), communities, root=node)
    room_counts = {name: Count("id", filter=Q(**{name: True})) for name, _label in ROOM_TYPES}
    built = {
        row["community_id"]: row
        for row in _venues_in(user=user, node=node)
        .filter(status=VenueStatus.COMPLETED, completion_date__lte=year_end(year))
        .values("community_id")
        .annotate(area=Sum("usable_area"), n=Count("id"), halls=Count("id", filter=Q(has_service_hall=True)), **room_counts)
        .order_by()
    }
    rows = []
    for community in communities:
        standard = standards.get(community.id)
        agg = built.get(community.id)
        rows.append(
            CommunityCompliance(
                community=community,
                standard=standard,
                required_area=standard.required_area(community.households) if standard else None,
                built_area=q2(agg["area"]) if agg else ZERO,
                venues=agg["n"] if agg else 0,
                halls=agg["halls"] if agg else 0,
                rooms={name: bool(agg and agg[name]) for name, _label in ROOM_TYPES},
            )
        )
    return rows


def below_standard_ids(*, user, year: int, node: Node | None = None) -> list[int]:
    return [row.community.id for row in compliance_rows(user=user, node=node, year=year) if row.complies is False]



@dataclass
class VenueFigures:
    year: int
    communities: int
    with_standard: int
    compliant: int
    below: int
    compliance_rate: Decimal | None  # percent of the communities a standard applies to
    communities_with_venue: int
    total_area: Decimal
    average_area: Decimal | None  # per community with a completed venue
    new_area: Decimal  # new or expanded area completed this year
    investment: Decimal  # investment in venues completed this year
    venues_completed: int  # venues completed this year
    halls: int  # communities with a one-stop service hall
    hall_rate: Decimal | None
    room_coverage: list[tuple[str, str, int, Decimal | None]]  # (field, label, communities, percent)

    def as_dict(self) -> dict:
        def s(value):
            return None if value is None else str(value)

        return {
            "year": self.year,
            "communities": self.communities,
            "communities_with_standard": self.with_standard,
            "compliant": self.compliant,
            "below_standard": self.below,
            "compliance_rate": s(self.compliance_rate),
            "communities_with_venue": self.communities_with_venue,
            "total_area": s(self.total_area),
            "average_area": s(self.average_area),
            "new_or_expanded_area": s(self.new_area),
            "investment": s(self.investment),
            "venues_completed": self.venues_completed,
            "service_halls": self.halls,
            "service_hall_rate": s(self.hall_rate),
            "room_coverage": [
                {"room": name, "label": label, "communities": n, "rate": s(rate)} for name, label, n, rate in self.room_coverage
            ],
        }


def venue_figures(*, user, node: Node | None, year: int, rows: list[CommunityCompliance] | None = None) -> VenueFigures:
    """The venue figures of ``node`` (every visible community when ``None``) for ``year``: four
    queries whatever the number of communities (one when the caller passes the compliance rows)."""
    if rows is None:
        rows = compliance_rows(user=user, node=node, year=year)
    this_year = (
        _venues_in(user=user, node=node)
        .filter(status=VenueStatus.COMPLETED, completion_date__year=year)
        .aggregate(
            new_area=Sum("usable_area", filter=Q(acquisition__in=NEW_OR_EXPANDED)),
            investment=Sum("investment"),
            n=Count("id"),
        )
    )
    n = len(rows)
    with_standard = [r for r in rows if r.complies is not None]
    compliant = sum(1 for r in with_standard if r.complies)
    with_venue = [r for r in rows if r.venues]
    total_area = sum((r.built_area for r in with_venue), ZERO)
    halls = sum(1 for r in rows if r.halls)
    coverage = []
    for name, label in ROOM_TYPES:
        count = sum(1 for r in rows if r.rooms.get(name))
        coverage.append((name, str(label), count, percent(count, n)))
    return VenueFigures(
        year=year,
        communities=n,
        with_standard=len(with_standard),
        compliant=compliant,
        below=len(with_standard) - compliant,
        compliance_rate=percent(compliant, len(with_standard)),
        communities_with_venue=len(with_venue),
        total_area=total_area,
        average_area=(total_area / len(with_venue)).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP) if with_venue else None,
        new_area=q2(this_year["new_area"]),
        investment=q2(this_year["investment"]),
        venues_completed=this_year["n"],
        halls=halls,
        hall_rate=percent(halls, n),
        room_coverage=coverage,
    )


def standard_for(*, community: Node, year: int) -> AreaStandard | None:
    """The standard ``community`` is held to in ``year`` (its own or its nearest ancestor's)."""
    return nearest_standards(AreaStandard.objects.filter(year=year), [community]).get(community.id)
