"""Venue fixtures: helpers that create venues and standards directly (no scope check), for tests."""

from datetime import date
from decimal import Decimal

import pytest

from venues.models import Acquisition, AreaStandard, Venue, VenueStatus


def make_venue(community, area="150.00", *, status=VenueStatus.COMPLETED, completed=date(2010, 6, 1), **extra) -> Venue:
    fields = dict(
        community=community,
        name=extra.pop("name", f"{community.name}活动用房"),
        address="兰州市城关区",
        usable_area=Decimal(area),
        acquisition=extra.pop("acquisition", Acquisition.NEW),
        status=status,
        completion_date=completed if status == VenueStatus.COMPLETED else extra.pop("completion_date", None),
        investment=Decimal(extra.pop("investment", "0.00")),
    )
    fields.update(extra)
    venue = Venue(**fields)
    venue.full_clean()
    venue.save()
    return venue


def make_standard(node, year=2010, minimum="120.00", per_100=None, **extra) -> AreaStandard:
    standard = AreaStandard(
        node=node, year=year, minimum_area=Decimal(minimum),
        area_per_100_households=Decimal(per_100) if per_100 is not None else None, **extra,
    )
    standard.full_clean()
    standard.save()
    return standard


@pytest.fixture
def venue_factory(db):
    return make_venue


@pytest.fixture
def standard_factory(db):
    return make_standard
