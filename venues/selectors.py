"""Reads of venues and their compliance with the area standards. Each takes the viewer.

Every figure is computed with a constant number of queries whatever the size of the node. A
node's figures (the tree page's panel, the API) are read from the facts table
(figures.models.Facts): its roll-up and one aggregate over the venues, no object per
community. The compliance of each community (the compliance page) is computed from the raw
rows: one query for the communities, one for the standards (core.standards.nearest_standards),
one GROUP BY community over the completed venues.
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
    """Computed from the raw rows (what the facts table's ``area_meets_standard`` must agree with)."""
    return [row.community.id for row in compliance_rows(user=user, node=node, year=year) if row.complies is False]


def below_standard(*, user, year: int):
    """The visible communities below their area standard in ``year``, as a subquery of ids read
    from the facts table's flags (no figure computed per community); a year the table does not
    keep is computed from the raw rows."""
    from figures.refresh import years
    from figures.selectors import flagged

    if year not in years():
        return below_standard_ids(user=user, year=year)
    return flagged(user=user, year=year, where=Q(has_area_standard=True, area_meets_standard=False))



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
    updated: object = None  # when the facts read were computed (None: computed from the rows now)
    pending: bool = False  # changes under the node wait for the background refresh

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
    """The venue figures of ``node`` (every visible community when ``None``) for ``year``.

    Without ``rows``, read from the facts table (figures.models.Facts): the roll-up of the
    communities' rows and one aggregate of the venues (this year's completions, and the
    communities with each room), whatever the number of communities and with no object per
    community (the tree page's panel); ``updated``/``pending`` tell how fresh. With the
    compliance rows a page already has, from those rows (one query). A year the table does not
    keep is computed from the raw rows."""
    from figures.refresh import years

    if rows is None and year in years():
        return _figures_from_facts(user=user, node=node, year=year)
    if rows is None:
        rows = compliance_rows(user=user, node=node, year=year)
    this_year = _this_year(user=user, node=node, year=year)
    with_standard = [r for r in rows if r.complies is not None]
    with_venue = [r for r in rows if r.venues]
    return _venue_figures(
        year=year, this_year=this_year, communities=len(rows), with_standard=len(with_standard),
        compliant=sum(1 for r in with_standard if r.complies), with_venue=len(with_venue),
        total_area=sum((r.built_area for r in with_venue), ZERO), halls=sum(1 for r in rows if r.halls),
        rooms={name: sum(1 for r in rows if r.rooms.get(name)) for name, _label in ROOM_TYPES},
    )


def _this_year(*, user, node: Node | None, year: int, rooms: bool = False) -> dict:
    """Venues completed in ``year`` (new or expanded area, investment, how many) and, with
    ``rooms``, the communities with each room in a venue completed by its end: one aggregate."""
    completed = Q(completion_date__year=year)
    by_room = {
        name: Count("community_id", distinct=True, filter=Q(completion_date__lte=year_end(year), **{name: True}))
        for name, _label in ROOM_TYPES
    } if rooms else {}
    return _venues_in(user=user, node=node).filter(status=VenueStatus.COMPLETED).aggregate(
        new_area=Sum("usable_area", filter=completed & Q(acquisition__in=NEW_OR_EXPANDED)),
        investment=Sum("investment", filter=completed),
        n=Count("id", filter=completed),
        **by_room,
    )


def _figures_from_facts(*, user, node: Node | None, year: int) -> VenueFigures:
    from figures.selectors import node_totals

    f = node_totals(prefix=node.prefix if node is not None else "", year=year, user=user)
    this_year = _this_year(user=user, node=node, year=year, rooms=True)
    figures = _venue_figures(
        year=year, this_year=this_year, communities=f["communities"], with_standard=f["has_area_standard"],
        compliant=f["area_meets_standard"], with_venue=f["with_venue"], total_area=q2(f["built_area"]),
        halls=f["service_hall"], rooms={name: this_year[name] for name, _label in ROOM_TYPES},
    )
    figures.updated, figures.pending = f["updated"], f["pending"]
    return figures


def _venue_figures(*, year, this_year, communities, with_standard, compliant, with_venue, total_area, halls, rooms):
    coverage = [(name, str(label), rooms[name], percent(rooms[name], communities)) for name, label in ROOM_TYPES]
    return VenueFigures(
        year=year,
        communities=communities,
        with_standard=with_standard,
        compliant=compliant,
        below=with_standard - compliant,
        compliance_rate=percent(compliant, with_standard),
        communities_with_venue=with_venue,
        total_area=total_area,
        average_area=(total_area / with_venue).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP) if with_venue else None,
        new_area=q2(this_year["new_area"]),
        investment=q2(this_year["investment"]),
        venues_completed=this_year["n"],
        halls=halls,
        hall_rate=percent(halls, communities),
        room_coverage=coverage,
    )


def standard_for(*, community: Node, year: int) -> AreaStandard | None:
    """The standard ``community`` is held to in ``year`` (its own or its nearest ancestor's)."""
    return nearest_standards(AreaStandard.objects.filter(year=year), [community]).get(community.id)
