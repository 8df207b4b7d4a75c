"""Funding fixtures: money helpers and a small, hand-computable data set."""

from datetime import date
from decimal import Decimal

import pytest

from funding.models import Allocation, AllocationCategory, Expenditure, ExpenditureCategory, Source, Standard

YEAR = 2025


def D(value) -> Decimal:
    return Decimal(str(value)).quantize(Decimal("0.01"))


def allocate(community, amount, *, year=YEAR, category=AllocationCategory.OFFICE, source=Source.DISTRICT, **kw):
    """An allocation written directly (fixtures only; the rules are tested through the services)."""
    return Allocation.objects.create(
        community=community, year=year, category=category, source=source, amount=D(amount),
        received_on=kw.pop("received_on", date(year, 3, 1)), **kw,
    )


def spend(community, amount, *, category=ExpenditureCategory.UTILITIES, spent_on=None, **kw):
    spent_on = spent_on or date(YEAR, 6, 1)
    return Expenditure.objects.create(
        community=community, spent_on=spent_on, year=spent_on.year, category=category, amount=D(amount),
        purpose=kw.pop("purpose", "办公水电"), **kw,
    )


def standard(node, *, year=YEAR, office=0, party=0, total=None):
    return Standard.objects.create(
        node=node, year=year, office_amount=D(office), party_amount=D(party),
        total_amount=None if total is None else D(total),
    )


@pytest.fixture
def hand_data(tree):
    """The data set of test_figures, every figure computed by hand there.

    Standards 2025: 城关区 office 15,000 + party 5,000; 张掖路街道 (street B) overrides with
    office 10,000 + party 3,000, 15,000 in all; 七里河区 none.
    """
    C, P, H, O = AllocationCategory.OFFICE, AllocationCategory.PARTY, AllocationCategory.HEATING, AllocationCategory.OTHER
    E = ExpenditureCategory
    standard(tree.district, office=15000, party=5000)
    standard(tree.street_b, office=10000, party=3000, total=15000)
    a1, a2, b1, c1 = tree.community_a1, tree.community_a2, tree.community_b1, tree.community_c1
    allocate(a1, 15000, category=C, source=Source.DISTRICT)
    allocate(a1, 3000, category=P, source=Source.DISTRICT)
    allocate(a1, 2000, category=P, source=Source.PARTY_DUES)
    spend(a1, 4000, category=E.UTILITIES)
    spend(a1, 3000, category=E.PARTY_ACTIVITY)
    spend(a1, 1000, category=E.TRAINING)
    allocate(a2, 12000, category=C, source=Source.DISTRICT)
    allocate(a2, 5000, category=P, source=Source.DISTRICT)
    allocate(a2, 3000, category=O, source=Source.DEPARTMENT)
    spend(a2, 6000, category=E.UTILITIES)
    allocate(b1, 10000, category=C, source=Source.CITY)
    allocate(b1, 2000, category=H, source=Source.STREET)
    allocate(b1, 3000, category=P, source=Source.PARTY_DUES)
    spend(b1, 1500, category=E.PARTY_ACTIVITY)
    spend(b1, 500, category=E.PHONE)
    allocate(c1, 9000, category=C, source=Source.DISTRICT)
    # Another year, which no figure of YEAR may count.
    allocate(a1, 99999, year=YEAR - 1)
    spend(a1, 11111, spent_on=date(YEAR - 1, 5, 5))
    return tree
