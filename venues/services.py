"""Writes of venues and area standards. Each takes the acting user; the rules live in the
models' ``clean`` (run by core.services.scoped_save) so that pages, API and Excel share them."""

from django.db import transaction

from core.services import scoped_delete, scoped_save
from core.versioning import locked_update
from venues.models import AreaStandard, Venue

VENUE_FIELDS = [
    "community", "name", "address", "usable_area", "acquisition", "status", "completion_date", "investment",
    "has_service_hall", "room_party_affairs", "room_labour", "room_family_planning", "room_civil_affairs",
    "room_sanitation", "room_party_members", "room_culture_sports", "room_party_school", "room_health_station",
    "other_rooms", "computers", "televisions", "dvd_players", "led_screens", "newspaper_subscriptions",
    "other_equipment", "note",
]
STANDARD_FIELDS = ["node", "year", "minimum_area", "area_per_100_households", "document", "note"]


def _only(fields: dict, allowed: list[str]) -> dict:
    unknown = set(fields) - set(allowed)
    if unknown:
        raise TypeError(f"unknown fields: {sorted(unknown)}")
    return fields


def venue_create(*, actor, **fields) -> Venue:
    return scoped_save(actor=actor, instance=Venue(**_only(fields, VENUE_FIELDS)))


@transaction.atomic
def venue_update(*, actor, venue: Venue, **fields) -> Venue:
    return scoped_save(actor=actor, instance=locked_update(venue, _only(fields, VENUE_FIELDS + ["version"])))


def venue_delete(*, actor, venue: Venue) -> None:
    scoped_delete(actor=actor, instance=venue)


def areastandard_create(*, actor, **fields) -> AreaStandard:
    return scoped_save(actor=actor, instance=AreaStandard(**_only(fields, STANDARD_FIELDS)))


@transaction.atomic
def areastandard_update(*, actor, areastandard: AreaStandard, **fields) -> AreaStandard:
    standard = locked_update(areastandard, _only(fields, STANDARD_FIELDS + ["version"]))
    return scoped_save(actor=actor, instance=standard)


def areastandard_delete(*, actor, areastandard: AreaStandard) -> None:
    scoped_delete(actor=actor, instance=areastandard)
