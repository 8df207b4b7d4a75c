"""The generic persona suite (tests/generic.py) fed with each funding model's data."""

from datetime import date

import pytest

from funding.models import Allocation, Expenditure, Standard
from tests.funding.conftest import YEAR, allocate, spend
from tests.generic import ScopedCrudSuite


@pytest.mark.django_db
class TestStandardCrud(ScopedCrudSuite):
    model = Standard
    url_prefix = "funding:standard"
    api_basename = "funding-api:standard"

    def own_object(self, tree):
        return Standard.objects.get_or_create(node=tree.street_a, year=YEAR, defaults={"office_amount": 15000, "party_amount": 5000})[0]

    def neighbour_object(self, tree):
        return Standard.objects.get_or_create(node=tree.street_b, year=YEAR, defaults={"office_amount": 15000, "party_amount": 5000})[0]

    def deletable_object(self, tree):
        return Standard.objects.create(node=tree.community_a2, year=2000 + Standard.objects.count(), party_amount=3000)

    def create_data(self, tree):
        return {"node": tree.street_a.pk, "year": 2024, "office_amount": "15000.00", "party_amount": "5000.00",
                "total_amount": "", "basis": "城组发〔2024〕1号"}

    def create_data_in_neighbour_street(self, tree):
        return {**self.create_data(tree), "node": tree.street_b.pk}

    def api_create_data(self, tree):
        return {**self.create_data(tree), "total_amount": None}

    def api_create_data_in_neighbour(self, tree):
        return {**self.create_data_in_neighbour_street(tree), "total_amount": None}

    def update_data(self, obj):
        return {"node": obj.node_id, "year": obj.year, "office_amount": "16000.00", "party_amount": "5000.00",
                "total_amount": "", "basis": "调整"}

    def api_update_data(self, obj):
        return {"party_amount": "6000.00"}

    def created_exists(self, data):
        return Standard.objects.filter(node_id=data["node"], year=data["year"]).exists()

    def make_many(self, tree, n):
        start = Standard.objects.count()
        nodes = [tree.community_a1, tree.community_a2]
        Standard.objects.bulk_create(
            Standard(node=nodes[k % 2], year=2000 + k // 2, office_amount=1000) for k in range(start, start + n)
        )


@pytest.mark.django_db
class TestAllocationCrud(ScopedCrudSuite):
    model = Allocation
    url_prefix = "funding:allocation"
    api_basename = "funding-api:allocation"

    def own_object(self, tree):
        return Allocation.objects.filter(community=tree.community_a1).first() or allocate(tree.community_a1, 15000)

    def neighbour_object(self, tree):
        return Allocation.objects.filter(community=tree.community_b1).first() or allocate(tree.community_b1, 15000)

    def deletable_object(self, tree):
        return allocate(tree.community_a2, 100)

    def create_data(self, tree):
        return {"community": tree.community_a1.pk, "year": YEAR, "category": "party", "source": "party_dues",
                "amount": "5000.00", "received_on": f"{YEAR}-04-01", "document_number": "城组发〔2025〕7号", "note": ""}

    def create_data_in_neighbour_street(self, tree):
        return {**self.create_data(tree), "community": tree.community_b1.pk}

    def update_data(self, obj):
        return {"community": obj.community_id, "year": obj.year, "category": obj.category, "source": obj.source,
                "amount": "16000.00", "received_on": obj.received_on.isoformat(), "document_number": "改", "note": ""}

    def api_update_data(self, obj):
        return {"amount": "17000.00"}

    def created_exists(self, data):
        return Allocation.objects.filter(document_number=data["document_number"], community_id=data["community"]).exists()

    def make_many(self, tree, n):
        Allocation.objects.bulk_create(
            Allocation(community=tree.community_a1, year=YEAR, category="office", source="district", amount=10,
                       received_on=date(YEAR, 1, 1)) for _ in range(n)
        )


@pytest.mark.django_db
class TestExpenditureCrud(ScopedCrudSuite):
    model = Expenditure
    url_prefix = "funding:expenditure"
    api_basename = "funding-api:expenditure"

    @staticmethod
    def funded(community):
        if not Allocation.objects.filter(community=community, year=YEAR).exists():
            allocate(community, 20000)
        return community

    def own_object(self, tree):
        self.funded(tree.community_a1)
        return Expenditure.objects.filter(community=tree.community_a1).first() or spend(tree.community_a1, 500)

    def neighbour_object(self, tree):
        self.funded(tree.community_b1)
        return Expenditure.objects.filter(community=tree.community_b1).first() or spend(tree.community_b1, 500)

    def deletable_object(self, tree):
        return spend(self.funded(tree.community_a2), 100)

    def create_data(self, tree):
        self.funded(tree.community_a1)
        return {"community": tree.community_a1.pk, "spent_on": f"{YEAR}-05-04", "category": "party_activity",
                "amount": "1200.50", "purpose": "五四青年党员志愿服务", "voucher_number": "记-0504"}

    def create_data_in_neighbour_street(self, tree):
        self.funded(tree.community_b1)
        return {**self.create_data(tree), "community": tree.community_b1.pk}

    def update_data(self, obj):
        return {"community": obj.community_id, "spent_on": obj.spent_on.isoformat(), "category": obj.category,
                "amount": "600.00", "purpose": "改正用途", "voucher_number": obj.voucher_number}

    def api_update_data(self, obj):
        return {"purpose": "改正用途（接口）"}

    def created_exists(self, data):
        return Expenditure.objects.filter(voucher_number=data["voucher_number"], community_id=data["community"]).exists()

    def make_many(self, tree, n):
        self.funded(tree.community_a1)
        Expenditure.objects.bulk_create(
            Expenditure(community=tree.community_a1, spent_on=date(YEAR, 2, 2), year=YEAR, category="paper",
                        amount=1, purpose="纸张") for _ in range(n)
        )
