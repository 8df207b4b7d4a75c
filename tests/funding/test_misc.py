"""Filters cover every field; the 牡丹江-style standard; the demo loader is idempotent."""

import pytest

from funding.filters import AllocationFilterSet, ExpenditureFilterSet, StandardFilterSet
from funding.models import Allocation, Expenditure, Standard
from funding.selectors import node_funds
from tests.funding.conftest import YEAR, D, allocate, standard


@pytest.mark.parametrize(
    "model,filterset", [(Standard, StandardFilterSet), (Allocation, AllocationFilterSet), (Expenditure, ExpenditureFilterSet)]
)
def test_every_model_field_has_a_filter(model, filterset):
    filtered = {f.field_name for f in filterset.base_filters.values()}
    ignored = {"id", "created", "last_updated", "version"}
    missing = [f.name for f in model._meta.concrete_fields if f.name not in ignored | filtered and f.attname not in filtered]
    assert not missing


@pytest.mark.django_db
def test_five_thousand_in_all_of_which_three_thousand_for_party_work(tree, personas):
    """牡丹江 2011: 5,000 per community for office and heating, at least 3,000 of it party work."""
    standard(tree.city, office=0, party=3000, total=5000)
    allocate(tree.community_a1, 2000, category="heating")
    allocate(tree.community_a1, 3000, category="party")
    allocate(tree.community_a2, 4000, category="office")
    allocate(tree.community_a2, 1000, category="party")
    rows = {c.community.name: c for c in node_funds(user=personas.admin, node=tree.street_a, year=YEAR).communities}
    assert rows["南关社区"].meets_standard is True
    assert rows["北关社区"].meets_standard is False
    assert [(got, need) for _w, got, need in rows["北关社区"].shortfalls] == [(D(1000), D(3000))]


@pytest.mark.django_db
def test_demo_loads_once_and_shows_communities_below_standard(tree, personas):
    from funding.demo import demo_years, load

    first = load()
    counts = (Standard.objects.count(), Allocation.objects.count(), Expenditure.objects.count())
    assert "有钱办事" in first and counts[1] > 0 and counts[2] > 0
    assert load().count(" 0 ") == 3  # nothing new
    assert (Standard.objects.count(), Allocation.objects.count(), Expenditure.objects.count()) == counts
    district_standard = Standard.objects.get(node=tree.district, year=2010)
    assert (district_standard.office_amount, district_standard.party_amount) == (D(15000), D(5000))
    for year in demo_years():
        funds = node_funds(user=personas.admin, node=tree.district, year=year)
        assert funds.spent <= funds.allocated
        assert all(c.balance >= 0 for c in funds.communities)
