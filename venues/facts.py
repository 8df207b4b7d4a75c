"""Per-community facts of 有场所议事 for one year, set-based: three queries whatever the number
of communities (the communities, the standards that apply, the venues completed by the end of
the year grouped by community). Used by the annual assessment (and the year-end summary).

Keys of each community's dict:
- ``built_area`` (Decimal ㎡): usable area of venues completed by 31 December;
- ``required_area`` (Decimal ㎡): what the applicable standard requires (0 when none applies);
- ``has_area_standard`` (bool); ``area_meets_standard`` (bool: built ≥ required, False without a standard);
- ``venues`` (int): completed venues; ``service_hall`` (bool): one of them has a one-stop service hall;
- ``functional_rooms`` (int): how many of the nine functional room types exist in its venues;
- ``equipment_items`` (int): computers, televisions, DVD players, LED screens and newspaper
  subscriptions of its venues, summed.
"""

from __future__ import annotations

from decimal import Decimal

from django.db.models import Count, Q, Sum

from communities.models import Node
from core.standards import nearest_standards
from venues.models import EQUIPMENT_TYPES, ROOM_TYPES, AreaStandard, Venue, VenueStatus
from venues.selectors import q2, year_end

KEYS = ["built_area", "required_area", "has_area_standard", "area_meets_standard", "venues", "service_hall",
        "functional_rooms", "equipment_items"]
ZERO = Decimal("0.00")


def community_facts(*, community_ids: list[int], year: int) -> dict[int, dict]:
    communities = list(Node.objects.filter(pk__in=list(community_ids)).only("id", "code", "level", "households"))
    standards = nearest_standards(AreaStandard.objects.filter(year=year), communities)
    rooms = {name: Count("id", filter=Q(**{name: True})) for name, _label in ROOM_TYPES}
    equipment = {f"eq_{name}": Sum(name) for name, _label in EQUIPMENT_TYPES}
    built = {
        row["community_id"]: row
        for row in Venue.objects.filter(
            community_id__in=[c.pk for c in communities], status=VenueStatus.COMPLETED,
            completion_date__lte=year_end(year),
        )
        .values("community_id")
        .annotate(area=Sum("usable_area"), n=Count("id"), halls=Count("id", filter=Q(has_service_hall=True)),
                  **rooms, **equipment)
        .order_by()
    }
    facts = {}
    for c in communities:
        standard = standards.get(c.pk)
        agg = built.get(c.pk)
        area = q2(agg["area"]) if agg and agg["area"] is not None else ZERO
        required = standard.required_area(c.households) if standard else ZERO
        facts[c.pk] = dict(
            built_area=area,
            required_area=required,
            has_area_standard=standard is not None,
            area_meets_standard=standard is not None and area >= required,
            venues=agg["n"] if agg else 0,
            service_hall=bool(agg and agg["halls"]),
            functional_rooms=sum(1 for name, _l in ROOM_TYPES if agg and agg[name]),
            equipment_items=sum(int(agg[f"eq_{name}"] or 0) for name, _l in EQUIPMENT_TYPES) if agg else 0,
        )
    return facts
