"""Figures per community and per node, against the data set of conftest.hand_data, each
number worked out by hand below; and the cost: a constant number of queries."""

from datetime import date

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from communities.models import Level, Node
from funding.models import Allocation
from funding.selectors import node_funds
from tests.funding.conftest import YEAR, D


def by_name(funds):
    return {c.community.name: c for c in funds.communities}


@pytest.mark.django_db
def test_community_figures_by_hand(hand_data, personas):
    rows = by_name(node_funds(user=personas.admin, node=hand_data.district, year=YEAR))
    a1, a2, b1 = rows["南关社区"], rows["北关社区"], rows["中山社区"]
    # 南关: 15,000 office + 3,000 + 2,000 party = 20,000; spent 4,000 + 3,000 + 1,000 = 8,000, of which
    # party work 3,000 → 37.5 %; district standard 15,000 + 5,000 met.
    assert (a1.allocated, a1.office, a1.party, a1.spent, a1.balance) == (D(20000), D(15000), D(5000), D(8000), D(12000))
    assert a1.party_spent == D(3000) and a1.party_share == D("37.5")
    assert a1.standard.node == hand_data.district and a1.standard_inherited and a1.meets_standard is True
    # 北关: office 12,000 < 15,000 and working funds 17,000 < 20,000 (the 3,000 department transfer is
    # "other", not working funds): below, with two shortfalls; all spending on utilities → 0 %.
    assert (a2.allocated, a2.spent, a2.balance, a2.party_share) == (D(20000), D(6000), D(14000), D("0.0"))
    assert a2.meets_standard is False
    assert [(got, need) for _what, got, need in a2.shortfalls] == [(D(12000), D(15000)), (D(17000), D(20000))]
    # 中山: street B's own standard 10,000 + 3,000, 15,000 in all; office 10,000, party 3,000,
    # heating 2,000 → 15,000: met. Spent 1,500 party + 500 phone → 75 %.
    assert b1.standard.node == hand_data.street_b and b1.meets_standard is True
    assert (b1.allocated, b1.spent, b1.party_share) == (D(15000), D(2000), D("75.0"))


@pytest.mark.django_db
def test_street_and_district_totals_by_hand(hand_data, personas):
    street = node_funds(user=personas.admin, node=hand_data.street_a, year=YEAR)
    assert (street.allocated, street.spent, street.balance) == (D(40000), D(14000), D(26000))
    assert street.party_share == D("21.4")  # 3,000 / 14,000
    assert (street.meeting, street.with_standard, street.compliance_rate) == (1, 2, D("50.0"))
    district = node_funds(user=personas.district_reviewer, node=hand_data.district, year=YEAR)
    assert district.community_count == 3  # 七里河区's 西湖社区 is neither in 城关区 nor visible
    assert (district.allocated, district.spent, district.balance) == (D(55000), D(16000), D(39000))
    assert district.party_share == D("28.1")  # 4,500 / 16,000 = 28.125 %
    assert (district.meeting, district.with_standard, district.compliance_rate) == (2, 3, D("66.7"))
    assert [c.community.name for c in district.below] == ["北关社区"]
    assert district.by_category == {"office": D(37000), "party": D(13000), "other": D(3000), "heating": D(2000)}
    assert district.by_source == {
        "district": D(35000), "party_dues": D(5000), "department": D(3000), "city": D(10000), "street": D(2000)
    }
    city = node_funds(user=personas.admin, node=hand_data.city, year=YEAR)
    assert city.community_count == 4 and city.with_standard == 3 and city.allocated == D(64000)
    assert by_name(city)["西湖社区"].meets_standard is None


@pytest.mark.django_db
def test_a_street_clerk_counts_only_their_street(hand_data, personas):
    funds = node_funds(user=personas.street_clerk, node=hand_data.district, year=YEAR)
    assert {c.community.name for c in funds.communities} == {"南关社区", "北关社区"}
    assert funds.allocated == D(40000)


def add_communities(tree, n):
    """n more funded communities in street A (and allocations for each)."""
    start = Node.objects.filter(parent=tree.street_a).count() + 10
    nodes = Node.objects.bulk_create(
        Node(code=f"620102001{start + i:03d}", name=f"新社区{start + i}", parent=tree.street_a, level=Level.COMMUNITY)
        for i in range(n)
    )
    Allocation.objects.bulk_create(
        Allocation(community=node, year=YEAR, category="office", source="district", amount=D(15000),
                   received_on=date(YEAR, 3, 1)) for node in nodes
    )


@pytest.mark.django_db
def test_figures_cost_a_constant_number_of_queries(hand_data, personas):
    user = type(personas.district_reviewer).objects.get(pk=personas.district_reviewer.pk)

    def count():
        with CaptureQueriesContext(connection) as ctx:
            funds = node_funds(user=user, node=hand_data.district, year=YEAR)
            funds.compliance_rate, funds.by_source, funds.party_share  # noqa: B018
        return len(ctx.captured_queries), funds.community_count

    node_funds(user=user, node=hand_data.district, year=YEAR)  # the scope is read once per user
    small = count()
    add_communities(hand_data, 10)
    ten = count()
    add_communities(hand_data, 90)
    hundred = count()
    assert small[0] == ten[0] == hundred[0] == 5, (small, ten, hundred)
    assert hundred[1] == 103


@pytest.mark.django_db
def test_pages_with_figures_cost_the_same_at_10_and_100_communities(login, hand_data, personas):
    client = login(personas.district_reviewer)
    urls = [
        reverse("funding:compliance") + f"?year={YEAR}",
        reverse("communities:tree_node", args=[hand_data.district.code]) + f"?year={YEAR}",
        reverse("funding-api:figures-list") + f"?node={hand_data.district.code}&year={YEAR}",
        reverse("funding:allocation_list") + f"?year={YEAR}&below_standard=true",
    ]

    def counts():
        result = []
        for url in urls:
            with CaptureQueriesContext(connection) as ctx:
                assert client.get(url).status_code == 200, url
            result.append(len(ctx.captured_queries))
        return result

    add_communities(hand_data, 10)
    counts()  # the first pages after changes compute their facts (figures.selectors.catch_up)
    ten = counts()
    add_communities(hand_data, 90)
    counts()
    assert counts() == ten


@pytest.mark.django_db
def test_node_panel_on_community_and_district_pages(login, hand_data, personas):
    client = login(personas.district_reviewer)
    page = client.get(reverse("communities:community_detail", args=[hand_data.community_a2.pk]), {"year": YEAR})
    panel = page.content.decode().split('id="funding-panel"')[1]
    assert "¥20,000.00" in panel and "¥14,000.00" in panel and "未达标" in panel and "0.0%" in panel
    page = client.get(reverse("communities:tree_node", args=[hand_data.district.code]), {"year": YEAR})
    panel = page.content.decode().split('id="funding-panel"')[1]
    assert "2 / 3（66.7%）" in panel and "¥55,000.00" in panel and "28.1%" in panel and "部门转移" in panel


@pytest.mark.django_db
def test_compliance_page_below_standard_filter(login, hand_data, personas):
    client = login(personas.district_reviewer)
    url = reverse("funding:compliance")
    page = client.get(url, {"year": YEAR, "status": "below"}).content.decode()
    table = page.split('id="compliance-table"')[1]
    assert "北关社区" in table and "南关社区" not in table and "中山社区" not in table
    table = client.get(url, {"year": YEAR, "street": hand_data.street_b.pk}).content.decode().split('id="compliance-table"')[1]
    assert "中山社区" in table and "北关社区" not in table
    assert "西湖社区" not in client.get(url, {"year": YEAR}).content.decode()


@pytest.mark.django_db
def test_lists_below_standard_filter(login, api, hand_data, personas):
    client = login(personas.district_reviewer)
    for name in ("funding:allocation_list", "funding:expenditure_list"):
        table = client.get(reverse(name), {"year": YEAR, "below_standard": "true"}).content.decode().split("<table")[1]
        assert "北关社区" in table and "南关社区" not in table and "中山社区" not in table, name
        table = client.get(reverse(name), {"year": YEAR, "below_standard": "false"}).content.decode().split("<table")[1]
        assert "北关社区" not in table and "南关社区" in table, name
    rows = api(token=personas.read_token).get(
        reverse("funding-api:expenditure-list"), {"year": YEAR, "below_standard": "true"}
    ).json()["results"]
    assert {r["community_name"] for r in rows} == {"北关社区"}


@pytest.mark.django_db
def test_figures_api(api, hand_data, personas):
    client = api(token=personas.read_token)
    url = reverse("funding-api:figures-list")
    data = client.get(url, {"node": hand_data.district.code, "year": YEAR}).json()
    assert data["allocated"] == "55000.00" and data["spent"] == "16000.00" and data["balance"] == "39000.00"
    assert data["compliance_rate_percent"] == "66.70" and data["party_share_percent"] == "28.10"
    assert data["allocated_by_source"]["department"] == "3000.00"
    a2 = next(c for c in data["communities"] if c["name"] == "北关社区")
    assert a2["meets_standard"] is False and a2["standard"]["set_on"] == "城关区" and a2["standard"]["inherited"]
    below = client.get(url, {"node": hand_data.district.pk, "year": YEAR, "below_standard": "true"}).json()
    assert [c["name"] for c in below["communities"]] == ["北关社区"]
    assert client.get(url, {"node": hand_data.other_district.code}).status_code == 404
    assert client.get(url).status_code == 400


@pytest.mark.django_db
def test_figures_api_refuses_anonymous_and_neighbours_see_only_their_part(api, hand_data, personas):
    url = reverse("funding-api:figures-list")
    assert api().get(url, {"node": hand_data.district.code}).status_code in (401, 403)
    neighbour = api(personas.neighbour_clerk)
    data = neighbour.get(url, {"node": hand_data.street_b.code, "year": YEAR}).json()
    assert [c["name"] for c in data["communities"]] == ["中山社区"] and data["allocated"] == "15000.00"
    assert neighbour.get(url, {"node": hand_data.street_a.code}).status_code == 404
    assert neighbour.get(url, {"node": hand_data.district.code}).status_code == 404  # above their street
