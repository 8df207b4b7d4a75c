"""Demo venues and area standards for 兰州市城关区, from the seeds' figures where they fit: every
urban community reaches the standard after the 2010 programme (25 new venues, 16 expanded ones)
except two whose rebuilding is still under way (the seeds' "124 of 126"; the demo tree has 140
urban communities), 72 one-stop service halls, the functional
rooms and equipment the seeds list, and two venues named after 南环 (600 ㎡, new) and 向阳
(400 ㎡, expanded). 兰州市 sets a 100 ㎡ floor from 2009; 城关区 overrides it from 2010 with
"5 ㎡ per 100 households, at least 120 ㎡". Deterministic and idempotent."""

from __future__ import annotations

import random
from datetime import date
from decimal import ROUND_HALF_UP, Decimal

from django.db import transaction
from django.utils import timezone

from communities.models import Level, Node
from venues.models import ROOM_TYPES, Acquisition, AreaStandard, Venue, VenueStatus

CITY = "620100000000"
DISTRICT = "620102000000"
FIRST_YEAR = 2009
PROGRAMME_YEAR = 2010
# The demo street clerk's street (see load_demo): one of its communities is still below standard.
CLERK_STREET_PREFIX = "620102017"
HALL_ROOMS = ["room_party_affairs", "room_labour", "room_family_planning", "room_civil_affairs", "room_sanitation"]


def _d(value: float) -> Decimal:
    return Decimal(str(value)).quantize(Decimal("1"), rounding=ROUND_HALF_UP) + Decimal("0.00")


def _standards() -> int:
    nodes = {n.code: n for n in Node.objects.filter(code__in=[CITY, DISTRICT])}
    if len(nodes) < 2:
        return 0
    created = 0
    for year in range(FIRST_YEAR, timezone.localdate().year + 1):
        _obj, new = AreaStandard.objects.get_or_create(
            node=nodes[CITY], year=year,
            defaults={"minimum_area": Decimal("100.00"), "document": "兰州市社区建设规划（示例）"},
        )
        created += new
        if year >= PROGRAMME_YEAR:
            _obj, new = AreaStandard.objects.get_or_create(
                node=nodes[DISTRICT], year=year,
                defaults={
                    "minimum_area": Decimal("120.00"),
                    "area_per_100_households": Decimal("5.00"),
                    "document": "城关区街道社区阵地建设实施方案（示例）",
                },
            )
            created += new
    return created


def demo_venues(communities: list[Node]) -> list[dict]:
    """Field dicts of every demo venue (``community`` is the Node)."""
    rng = random.Random(620102_4)
    district = AreaStandard(minimum_area=Decimal("120"), area_per_100_households=Decimal("5"))
    urban = [c for c in communities if c.is_urban]
    clerk_street = [c for c in urban if c.code.startswith(CLERK_STREET_PREFIX)]
    below = [clerk_street[1] if len(clerk_street) > 1 else urban[0]]
    below.append(rng.choice([c for c in urban if c not in below]))
    rest = [c for c in urban if c not in below]
    rng.shuffle(rest)
    new_2010, expanded_2010 = rest[:25], rest[25:41]
    kinds = {c.code: "new" for c in new_2010} | {c.code: "expanded" for c in expanded_2010} | {c.code: "below" for c in below}
    compliant = [c for c in communities if c not in below]
    halls = {c.code for c in rng.sample(compliant, 72)}

    def fittings(community, hall: bool) -> dict:
        rooms = {name: (hall and name in HALL_ROOMS) or rng.random() < 0.45 for name, _label in ROOM_TYPES}
        return {
            "has_service_hall": hall,
            **rooms,
            "computers": rng.randint(2, 8) if hall else rng.randint(1, 3),
            "televisions": rng.randint(1, 2),
            "dvd_players": rng.randint(0, 1),
            "led_screens": 1 if hall else rng.randint(0, 1),
            "newspaper_subscriptions": rng.randint(2, 6),
        }

    def day(year):
        return date(year, rng.randint(1, 12), rng.randint(1, 28))

    venues = []
    named = {"南环": False, "向阳": False}
    for community in communities:
        required = district.required_area(community.households)
        kind = kinds.get(community.code, "old")
        base = {"community": community, "address": community.address}
        if kind == "new":
            area = _d(float(required) * rng.uniform(1.05, 1.5))
            name = f"{community.name}党群服务中心"
            acquisition = rng.choice([Acquisition.NEW, Acquisition.NEW, Acquisition.PURCHASED, Acquisition.CONSOLIDATED])
            if not named["南环"]:
                named["南环"], area, name, acquisition = True, Decimal("600.00"), "南环社区服务中心", Acquisition.NEW
            venues.append({
                **base, "name": name, "usable_area": area, "acquisition": acquisition,
                "status": VenueStatus.COMPLETED, "completion_date": day(PROGRAMME_YEAR),
                "investment": _d(float(area) * rng.uniform(3000, 4500) / 100) * 100,
                **fittings(community, community.code in halls),
            })
        elif kind in ("expanded", "below"):
            old_area = _d(float(required) * rng.uniform(0.4, 0.75))
            venues.append({
                **base, "name": f"{community.name}办公用房", "usable_area": old_area,
                "acquisition": rng.choice([Acquisition.RENTED, Acquisition.RESIDENT_UNIT, Acquisition.DEVELOPER]),
                "status": VenueStatus.COMPLETED, "completion_date": day(rng.randint(2001, 2007)),
                "investment": Decimal("0.00"), **fittings(community, False),
            })
            if kind == "expanded":
                extra = _d(float(required - old_area) + rng.uniform(20, 90))
                name = f"{community.name}办公用房扩建"
                if not named["向阳"]:
                    named["向阳"], extra, name = True, Decimal("400.00"), "向阳社区活动中心（扩建）"
                venues.append({
                    **base, "name": name, "usable_area": extra, "acquisition": Acquisition.EXPANDED,
                    "status": VenueStatus.COMPLETED, "completion_date": day(PROGRAMME_YEAR),
                    "investment": _d(float(extra) * rng.uniform(2500, 3500) / 100) * 100,
                    **fittings(community, community.code in halls),
                })
            else:
                venues.append({
                    **base, "name": f"{community.name}办公用房重建", "usable_area": _d(float(required) * 1.3),
                    "acquisition": Acquisition.NEW, "status": VenueStatus.UNDER_CONSTRUCTION, "completion_date": None,
                    "investment": Decimal("800000.00"), "note": "重建任务，计划年内完成",
                    **fittings(community, False),
                })
        else:
            area = _d(float(required) * rng.uniform(1.0, 1.6))
            venues.append({
                **base, "name": f"{community.name}办公活动用房", "usable_area": area,
                "acquisition": rng.choice([
                    Acquisition.DEVELOPER, Acquisition.RESIDENT_UNIT, Acquisition.GOVERNMENT, Acquisition.CONSOLIDATED,
                    Acquisition.PURCHASED, Acquisition.NEW,
                ]),
                "status": VenueStatus.COMPLETED, "completion_date": day(rng.randint(2000, 2009)),
                "investment": _d(float(area) * rng.uniform(1500, 3000) / 100) * 100,
                **fittings(community, community.code in halls),
            })
    return venues


@transaction.atomic
def load() -> str:
    standards = _standards()
    communities = list(
        Node.objects.filter(level=Level.COMMUNITY, code__startswith=DISTRICT[:6]).order_by("code")
    )
    if not communities:
        return "场所：没有演示区划，未加载。"
    existing = set(Venue.objects.filter(community__in=communities).values_list("community_id", "name"))
    created = 0
    for fields in demo_venues(communities):
        if (fields["community"].id, fields["name"]) in existing:
            continue
        venue = Venue(**fields)
        venue.full_clean()
        venue.save()
        created += 1
    return f"场所：新建 {created} 处场所、{standards} 条面积标准（已有的保持不变）。"
