"""Venues and area standards: the generic persona suite, every refusal, standard inheritance,
compliance figures computed by hand, query counts, the API figures and the list filters."""

from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from communities.models import Level, Node
from tests.conftest import community_facts
from tests.generic import ScopedCrudSuite
from tests.venues.conftest import make_standard, make_venue
from venues.models import AreaStandard, Venue, VenueStatus
from venues.selectors import compliance_rows, standard_for, venue_figures
from venues.services import areastandard_create, areastandard_update, venue_create, venue_update


def venue_form(community, **overrides):
    data = {
        "community": community.pk,
        "name": "新建活动中心",
        "address": "兰州市城关区庆阳路1号",
        "usable_area": "320.50",
        "acquisition": "new",
        "status": "completed",
        "completion_date": "2010-09-01",
        "investment": "880000.00",
        "has_service_hall": "on",
        "room_party_affairs": "on",
        "room_labour": "on",
        "computers": 6,
        "televisions": 2,
        "dvd_players": 1,
        "led_screens": 1,
        "newspaper_subscriptions": 4,
    }
    data.update(overrides)
    return data


def venue_api(community, **overrides):
    data = venue_form(community, **overrides)
    data["has_service_hall"] = True
    data["room_party_affairs"] = True
    data["room_labour"] = True
    return data


@pytest.mark.django_db
class TestVenueCrud(ScopedCrudSuite):
    model = Venue
    url_prefix = "venues:venue"
    api_basename = "venues-api:venue"

    def own_object(self, tree):
        return make_venue(tree.community_a1, name="南关社区办公用房")

    def neighbour_object(self, tree):
        return make_venue(tree.community_b1, name="中山社区办公用房")

    def deletable_object(self, tree):
        return make_venue(tree.community_a2, name=f"临时用房{Venue.objects.count()}")

    def create_data(self, tree):
        return venue_form(tree.community_a2)

    def create_data_in_neighbour_street(self, tree):
        return venue_form(tree.community_b1, name="越权用房")

    def api_create_data(self, tree):
        return venue_api(tree.community_a2)

    def api_create_data_in_neighbour(self, tree):
        return venue_api(tree.community_b1, name="越权用房")

    def update_data(self, obj):
        return venue_form(obj.community, name=obj.name + "（改）", usable_area="410.00")

    def api_update_data(self, obj):
        return {"usable_area": "415.00"}

    def created_exists(self, data):
        return Venue.objects.filter(name=data["name"], community_id=data["community"]).exists()

    def make_many(self, tree, n):
        Venue.objects.bulk_create(
            Venue(community=tree.community_a1, name=f"批量用房{i}", usable_area=Decimal("100.00"), acquisition="new",
                  status="completed", completion_date=date(2010, 1, 1))
            for i in range(n)
        )


def standard_form(node, **overrides):
    data = {"node": node.pk, "year": 2011, "minimum_area": "300.00", "area_per_100_households": "30.00",
            "document": "阵地建设标准", "note": ""}
    data.update(overrides)
    return data


@pytest.mark.django_db
class TestAreaStandardCrud(ScopedCrudSuite):
    model = AreaStandard
    url_prefix = "venues:areastandard"
    api_basename = "venues-api:areastandard"

    def own_object(self, tree):
        return make_standard(tree.street_a, 2010)

    def neighbour_object(self, tree):
        return make_standard(tree.street_b, 2010)

    def deletable_object(self, tree):
        return make_standard(tree.street_a, 2000 + AreaStandard.objects.count())

    def create_data(self, tree):
        return standard_form(tree.street_a)

    def create_data_in_neighbour_street(self, tree):
        return standard_form(tree.street_b)

    def update_data(self, obj):
        return standard_form(obj.node, year=obj.year, minimum_area="333.00")

    def api_update_data(self, obj):
        return {"minimum_area": "222.00"}

    def created_exists(self, data):
        return AreaStandard.objects.filter(node_id=data["node"], year=data["year"]).exists()

    def make_many(self, tree, n):
        start = 2000 + AreaStandard.objects.count()
        AreaStandard.objects.bulk_create(
            AreaStandard(node=tree.street_a, year=start + i, minimum_area=Decimal("100")) for i in range(n)
        )


# ---- refusals ----

@pytest.mark.django_db
@pytest.mark.parametrize(
    "overrides,field,message",
    [
        ({"usable_area": Decimal("-5")}, "usable_area", "面积不能为负数"),
        ({"usable_area": Decimal("0")}, "usable_area", "大于 0"),
        ({"usable_area": Decimal("12.345")}, "usable_area", "小数不超过 2 位"),
        ({"investment": Decimal("-1")}, "investment", "金额不能为负数"),
        ({"investment": Decimal("10.001")}, "investment", "小数不超过 2 位"),
        ({"completion_date": None}, "completion_date", "已建成的场所必须填写竣工日期"),
        ({"completion_date": date(2999, 1, 1)}, "completion_date", "不能晚于今天"),
        ({"completion_date": date(1900, 1, 1)}, "completion_date", "不合理"),
        ({"acquisition": "stolen"}, "acquisition", "不是有效选项"),
    ],
)
def test_venue_refusals(tree, personas, overrides, field, message):
    fields = dict(community=tree.community_a1, name="被拒用房", usable_area=Decimal("200"), acquisition="new",
                  status="completed", completion_date=date(2010, 1, 1), investment=Decimal("0"))
    fields.update(overrides)
    with pytest.raises(ValidationError) as exc:
        venue_create(actor=personas.street_clerk, **fields)
    assert field in exc.value.message_dict
    assert message in " ".join(exc.value.message_dict[field]), exc.value.message_dict
    assert not Venue.objects.filter(name="被拒用房").exists()


@pytest.mark.django_db
def test_future_date_is_fine_for_a_venue_under_construction(tree, personas):
    later = timezone.localdate() + timedelta(days=200)
    venue = venue_create(actor=personas.street_clerk, community=tree.community_a1, name="在建中心",
                         usable_area=Decimal("500"), acquisition="new", status="under_construction",
                         completion_date=later)
    assert venue.pk
    with pytest.raises(ValidationError) as exc:
        venue_update(actor=personas.street_clerk, venue=venue, status="completed")
    assert "不能晚于今天" in str(exc.value)
    venue.refresh_from_db()
    assert venue.status == "under_construction"


@pytest.mark.django_db
def test_a_venue_belongs_to_a_community_not_a_street(tree, personas):
    with pytest.raises(ValidationError) as exc:
        venue_create(actor=personas.admin, community=tree.street_a, name="街道用房", usable_area=Decimal("100"),
                     acquisition="new", status="completed", completion_date=date(2010, 1, 1))
    assert "场所属于社区" in str(exc.value)


@pytest.mark.django_db
def test_venue_out_of_scope_is_refused_by_the_service(tree, personas):
    with pytest.raises(PermissionDenied):
        venue_create(actor=personas.street_clerk, community=tree.community_b1, name="越权", usable_area=Decimal("100"),
                     acquisition="new", status="completed", completion_date=date(2010, 1, 1))
    venue = make_venue(tree.community_a1)
    with pytest.raises(PermissionDenied):
        venue_update(actor=personas.street_clerk, venue=venue, community=tree.community_b1)
    with pytest.raises(PermissionDenied):
        venue_update(actor=personas.neighbour_clerk, venue=venue, usable_area=Decimal("1"))
    venue.refresh_from_db()
    assert venue.community == tree.community_a1 and venue.usable_area == Decimal("150.00")


@pytest.mark.django_db
def test_page_shows_chinese_messages_and_saves_nothing(login, tree, personas):
    client = login(personas.street_clerk)
    response = client.post(reverse("venues:venue_add"), venue_form(tree.community_a1, usable_area="-20", completion_date=""))
    body = response.content.decode()
    assert response.status_code == 200
    assert "面积不能为负数" in body
    assert "已建成的场所必须填写竣工日期" in body
    assert not Venue.objects.exists()


@pytest.mark.django_db
def test_api_refusals_are_chinese_json(api, tree, personas):
    client = api(token=personas.write_token)
    url = reverse("venues-api:venue-list")
    response = client.post(url, venue_api(tree.community_a1, usable_area="-1"), format="json")
    assert response.status_code == 400 and "面积不能为负数" in response.json()["usable_area"][0]
    future = (timezone.localdate() + timedelta(days=3)).isoformat()
    response = client.post(url, venue_api(tree.community_a1, completion_date=future), format="json")
    assert response.status_code == 400 and "不能晚于今天" in response.json()["completion_date"][0]
    response = client.post(url, venue_api(tree.community_a1, completion_date=None), format="json")
    assert response.status_code == 400 and "竣工日期" in response.json()["completion_date"][0]
    assert not Venue.objects.exists()


@pytest.mark.django_db
def test_standard_refusals(tree, personas, login, api):
    make_standard(tree.street_a, 2011)
    with pytest.raises(ValidationError) as exc:
        areastandard_create(actor=personas.street_clerk, node=tree.street_a, year=2011, minimum_area=Decimal("200"))
    assert "已有2011年的面积标准" in str(exc.value)
    with pytest.raises(ValidationError) as exc:
        areastandard_create(actor=personas.street_clerk, node=tree.street_a, year=2012, minimum_area=Decimal("-1"))
    assert "面积不能为负数" in str(exc.value)
    with pytest.raises(ValidationError):
        areastandard_create(actor=personas.street_clerk, node=tree.street_a, year=1990, minimum_area=Decimal("100"))
    with pytest.raises(PermissionDenied):
        areastandard_create(actor=personas.street_clerk, node=tree.district, year=2012, minimum_area=Decimal("100"))
    page = login(personas.street_clerk).post(reverse("venues:areastandard_add"), standard_form(tree.street_a))
    assert page.status_code == 200 and "已有2011年的面积标准" in page.content.decode()
    response = api(token=personas.write_token).post(reverse("venues-api:areastandard-list"), standard_form(tree.street_a), format="json")
    assert response.status_code == 400 and "已有2011年的面积标准" in str(response.json())
    assert AreaStandard.objects.count() == 1


# ---- standards: inheritance ----

@pytest.fixture
def standards(tree):
    """城关区 2010: at least 120 ㎡. 街道A overrides: 10 ㎡ per 100 households, at least 250 ㎡.
    街道B and its 社区B1 set none; 七里河区 has none at all."""
    return {
        "district": make_standard(tree.district, 2010, "120.00"),
        "street_a": make_standard(tree.street_a, 2010, "250.00", per_100="10.00"),
        "other_year": make_standard(tree.district, 2011, "500.00"),
    }


@pytest.mark.django_db
def test_standard_inheritance(tree, standards, django_assert_num_queries):
    assert standard_for(community=tree.community_a1, year=2010) == standards["street_a"]
    assert standard_for(community=tree.community_b1, year=2010) == standards["district"]
    assert standard_for(community=tree.community_c1, year=2010) is None
    assert standard_for(community=tree.community_a1, year=2011) == standards["other_year"]
    assert standard_for(community=tree.community_a1, year=2009) is None
    # Households: A1 has 2100 → 210 ㎡ < the 250 ㎡ floor; A2 has 3000 → 300 ㎡.
    assert standards["street_a"].required_area(2100) == Decimal("250.00")
    assert standards["street_a"].required_area(3000) == Decimal("300.00")
    assert standards["street_a"].required_area(None) == Decimal("250.00")
    assert standards["street_a"].describe() == "每100户10㎡，且不少于250㎡"
    # A community's own standard beats its street's.
    own = make_standard(tree.community_a1, 2010, "90.00")
    assert standard_for(community=tree.community_a1, year=2010) == own


# ---- compliance figures, computed by hand ----

@pytest.fixture
def venues(tree, standards):
    a1_old = make_venue(tree.community_a1, "200.00", completed=date(2009, 5, 1), name="南关旧房", investment="100000.00")
    a1_ext = make_venue(tree.community_a1, "60.00", completed=date(2010, 3, 1), name="南关扩建", acquisition="expanded",
                        investment="50000.00", has_service_hall=True, room_party_affairs=True)
    a2 = make_venue(tree.community_a2, "280.00", completed=date(2008, 7, 1), name="北关租房", acquisition="rented")
    make_venue(tree.community_a2, "500.00", status=VenueStatus.PLANNED, name="北关规划")
    b1 = make_venue(tree.community_b1, "130.00", completed=date(2010, 8, 1), name="中山购房", acquisition="purchased",
                    investment="300000.00", has_service_hall=True, room_party_affairs=True, room_labour=True)
    c1 = make_venue(tree.community_c1, "400.00", completed=date(2010, 1, 1), name="西湖中心")
    return a1_old, a1_ext, a2, b1, c1


@pytest.mark.django_db
def test_compliance_rows_by_hand(tree, personas, venues, standards):
    rows = {r.community.code: r for r in compliance_rows(user=personas.district_reviewer, node=tree.district, year=2010)}
    assert set(rows) == {tree.community_a1.code, tree.community_a2.code, tree.community_b1.code}
    a1, a2, b1 = rows[tree.community_a1.code], rows[tree.community_a2.code], rows[tree.community_b1.code]
    assert (a1.required_area, a1.built_area, a1.complies) == (Decimal("250.00"), Decimal("260.00"), True)
    assert (a2.required_area, a2.built_area, a2.complies) == (Decimal("300.00"), Decimal("280.00"), False)
    assert a2.shortfall == Decimal("20.00")  # the planned 500 ㎡ does not count
    assert (b1.required_area, b1.built_area, b1.complies) == (Decimal("120.00"), Decimal("130.00"), True)
    assert a1.standard.node == tree.street_a and b1.standard.node == tree.district
    # In 2009: A1 had only 200 ㎡ and B1 nothing; no standard applied that year.
    rows_2009 = {r.community.code: r for r in compliance_rows(user=personas.admin, node=tree.city, year=2009)}
    assert rows_2009[tree.community_a1.code].built_area == Decimal("200.00")
    assert rows_2009[tree.community_b1.code].built_area == Decimal("0.00")
    assert all(r.complies is None for r in rows_2009.values())


@pytest.mark.django_db
def test_figures_by_hand(tree, personas, venues):
    f = venue_figures(user=personas.district_reviewer, node=tree.district, year=2010)
    assert (f.communities, f.with_standard, f.compliant, f.below) == (3, 3, 2, 1)
    assert f.compliance_rate == Decimal("66.7")
    assert f.total_area == Decimal("670.00") and f.average_area == Decimal("223.33")
    assert f.new_area == Decimal("190.00")  # 60 expanded in 南关 + 130 bought in 中山
    assert f.investment == Decimal("350000.00") and f.venues_completed == 2
    assert f.halls == 2 and f.hall_rate == Decimal("66.7")
    coverage = {name: (n, rate) for name, _label, n, rate in f.room_coverage}
    assert coverage["room_party_affairs"] == (2, Decimal("66.7"))
    assert coverage["room_labour"] == (1, Decimal("33.3"))
    assert coverage["room_health_station"] == (0, Decimal("0.0"))

    street = venue_figures(user=personas.district_reviewer, node=tree.street_a, year=2010)
    assert (street.communities, street.compliant, street.compliance_rate) == (2, 1, Decimal("50.0"))
    assert street.average_area == Decimal("270.00") and street.new_area == Decimal("60.00")
    assert street.investment == Decimal("50000.00")

    city = venue_figures(user=personas.admin, node=tree.city, year=2010)
    assert (city.communities, city.with_standard, city.compliant) == (4, 3, 2)  # 西湖 has no standard

    earlier = venue_figures(user=personas.district_reviewer, node=tree.district, year=2009)
    assert earlier.compliance_rate is None and earlier.with_standard == 0
    assert earlier.total_area == Decimal("480.00") and earlier.average_area == Decimal("240.00")
    assert earlier.new_area == Decimal("200.00") and earlier.investment == Decimal("100000.00")


@pytest.mark.django_db
def test_figures_follow_the_viewers_scope(tree, personas, venues):
    f = venue_figures(user=personas.street_clerk, node=tree.district, year=2010)
    assert f.communities == 2 and f.total_area == Decimal("540.00")
    assert venue_figures(user=personas.neighbour_clerk, node=None, year=2010).communities == 1


@pytest.mark.django_db
def test_adding_a_completed_venue_changes_compliance(tree, personas, venues):
    before = venue_figures(user=personas.street_clerk, node=tree.street_a, year=2010)
    venue_create(actor=personas.street_clerk, community=tree.community_a2, name="北关补充用房", usable_area=Decimal("20"),
                 acquisition="expanded", status="completed", completion_date=date(2010, 11, 1))
    after = venue_figures(user=personas.street_clerk, node=tree.street_a, year=2010)
    assert (before.compliant, after.compliant) == (1, 2)
    assert after.compliance_rate == Decimal("100.0")


# ---- query counts ----

def _add_communities(street, start, n):
    nodes = Node.objects.bulk_create(
        Node(code=f"{street.prefix}{start + i:03d}", name=f"测试社区{start + i}", parent=street, level=Level.COMMUNITY,
             **community_facts(households=1000 + i * 37))
        for i in range(n)
    )
    nodes = list(Node.objects.filter(code__in=[n.code for n in nodes]))
    Venue.objects.bulk_create(
        Venue(community=node, name="用房", usable_area=Decimal(100 + i * 3), acquisition="new", status="completed",
              completion_date=date(2010, 5, 1), has_service_hall=bool(i % 2), room_labour=bool(i % 3))
        for i, node in enumerate(nodes)
    )


def _queries(fn) -> int:
    with CaptureQueriesContext(connection) as ctx:
        fn()
    return len(ctx.captured_queries)


@pytest.mark.django_db
def test_figures_cost_the_same_at_10_and_100_communities(tree, personas, standards, login, api):
    reviewer = personas.district_reviewer
    client, api_client = login(reviewer), api(reviewer)
    community_url = reverse("communities:community_detail", args=[tree.community_a1.pk]) + "?year=2010"
    district_url = reverse("communities:tree_node", args=[tree.district.code]) + "?year=2010"
    figures_url = reverse("venues-api:venuefigure-list") + f"?node={tree.district.pk}&year=2010"
    compliance_url = reverse("venues:compliance") + "?year=2010&below_standard=true"
    venue_list_url = reverse("venues:venue_list") + "?below_standard=true&year=2010"

    def measure():
        return {
            "figures": _queries(lambda: venue_figures(user=reviewer, node=tree.district, year=2010)),
            "district page": _queries(lambda: client.get(district_url)),
            "community page": _queries(lambda: client.get(community_url)),
            "api": _queries(lambda: api_client.get(figures_url)),
            "compliance page": _queries(lambda: client.get(compliance_url)),
            "venue list below standard": _queries(lambda: client.get(venue_list_url)),
        }

    _add_communities(tree.street_a, 100, 10)
    measure()  # warm up: the viewer's scope is read once per user object
    small = measure()
    _add_communities(tree.street_b, 200, 90)
    large = measure()
    assert small == large, (small, large)
    assert small["figures"] <= 4
    assert venue_figures(user=reviewer, node=tree.district, year=2010).communities == 103


# ---- pages, panel, filters, API ----

@pytest.mark.django_db
def test_node_panel_on_community_and_district_pages(login, tree, personas, venues):
    client = login(personas.district_reviewer)
    page = client.get(reverse("communities:tree_node", args=[tree.district.code]), {"year": 2010}).content.decode()
    assert "有场所议事" in page and "66.7%（2/3）" in page and "190.00 ㎡" in page and "¥350,000.00" in page
    page = client.get(reverse("communities:community_detail", args=[tree.community_a2.pk]), {"year": 2010}).content.decode()
    assert "0.0%（0/1）" in page


@pytest.mark.django_db
def test_compliance_page_shows_where_each_standard_comes_from(login, tree, personas, venues):
    client = login(personas.district_reviewer)
    url = reverse("venues:compliance")
    body = client.get(url, {"year": 2010}).content.decode()
    assert "每100户10㎡，且不少于250㎡" in body and "不少于120㎡" in body
    assert "酒泉路街道" in body and "城关区" in body
    assert "低于标准，差 20.00 ㎡" in body
    below = client.get(url, {"year": 2010, "below_standard": "true"}).content.decode()
    assert "北关社区" in below and "南关社区" not in below and "中山社区" not in below
    street_b = client.get(url, {"year": 2010, "street": tree.street_b.pk}).content.decode()
    assert "中山社区" in street_b and "北关社区" not in street_b
    assert "西湖社区" not in client.get(url, {"year": 2010}).content.decode()


@pytest.mark.django_db
def test_venue_list_below_standard_filter_and_api(login, api, tree, personas, venues):
    client = login(personas.district_reviewer)
    url = reverse("venues:venue_list")
    body = client.get(url, {"below_standard": "true", "year": 2010}).content.decode()
    assert "北关租房" in body and "北关规划" in body and "南关旧房" not in body and "中山购房" not in body
    body = client.get(url, {"below_standard": "false", "year": 2010}).content.decode()
    assert "北关租房" not in body and "南关旧房" in body
    body = client.get(url, {"status": "planned"}).content.decode()
    assert "北关规划" in body and "北关租房" not in body
    reader = api(token=personas.read_token)
    names = {r["name"] for r in reader.get(reverse("venues-api:venue-list"), {"below_standard": "true", "year": 2010}).json()["results"]}
    assert names == {"北关租房", "北关规划"}
    names = {r["name"] for r in reader.get(reverse("venues-api:venue-list"), {"has_service_hall": "true"}).json()["results"]}
    assert names == {"南关扩建", "中山购房"}


@pytest.mark.django_db
def test_api_figures_and_compliance(api, tree, personas, venues):
    reader = api(token=personas.read_token)
    data = reader.get(reverse("venues-api:venuefigure-list"), {"node": tree.district.pk, "year": 2010}).json()
    assert data["compliance_rate"] == "66.7" and data["compliant"] == 2 and data["below_standard"] == 1
    assert data["average_area"] == "223.33" and data["new_or_expanded_area"] == "190.00"
    assert data["investment"] == "350000.00" and data["service_halls"] == 2
    assert data["node"]["code"] == tree.district.code
    # Outside the token's scope: 404, the same as a division that does not exist.
    assert reader.get(reverse("venues-api:venuefigure-list"), {"node": tree.other_district.pk}).status_code == 404
    rows = reader.get(reverse("venues-api:venuecompliance-list"), {"node": tree.district.pk, "year": 2010, "below_standard": "true"}).json()
    assert rows["count"] == 1
    row = rows["results"][0]
    assert row["community_name"] == "北关社区" and row["standard_set_by"] == "酒泉路街道"
    assert row["required_area"] == "300.00" and row["built_area"] == "280.00" and row["complies"] is False
    assert reader.get(reverse("venues-api:venuecompliance-list"), {"year": 2010, "page_size": 2}).json()["count"] == 3
    assert api().get(reverse("venues-api:venuefigure-list")).status_code in (401, 403)
    assert api().get(reverse("venues-api:venuecompliance-list")).status_code in (401, 403)


@pytest.mark.django_db
def test_venue_detail_shows_rooms_equipment_standard_and_history(login, tree, personas, standards):
    venue = venue_create(actor=personas.street_clerk, community=tree.community_a1, name="南关中心", usable_area=Decimal("180"),
                         acquisition="new", status="completed", completion_date=date(2010, 4, 1),
                         room_party_school=True, computers=5, led_screens=1)
    venue_update(actor=personas.street_clerk, venue=venue, usable_area=Decimal("260"))
    body = login(personas.district_reviewer).get(reverse("venues:venue_detail", args=[venue.pk]), {"year": 2010}).content.decode()
    assert "社区党校/市民学校" in body and "电脑：5" in body and "LED显示屏：1" in body
    assert "酒泉路街道" in body and "达标" in body
    assert "street_clerk" in body and "180.00" in body and "260.00" in body


@pytest.mark.django_db
def test_standard_detail_counts_the_communities_held_to_it(login, tree, personas, venues, standards):
    body = login(personas.district_reviewer).get(
        reverse("venues:areastandard_detail", args=[standards["district"].pk])
    ).content.decode()
    assert "1（达标 1）" in body and "2 个社区执行更近一级的标准" in body


@pytest.mark.django_db
def test_community_dropdown_is_labelled_street_slash_community(login, tree, personas):
    body = login(personas.district_reviewer).get(reverse("venues:venue_add"))
    assert body.status_code == 403  # a reviewer has no part to enter data in
    body = login(personas.street_clerk).get(reverse("venues:venue_add")).content.decode()
    assert "酒泉路街道 / 南关社区" in body and "中山社区" not in body


@pytest.mark.django_db
def test_standards_update_through_the_service(tree, personas):
    standard = make_standard(tree.street_a, 2015)
    areastandard_update(actor=personas.street_clerk, areastandard=standard, area_per_100_households=Decimal("30"))
    standard.refresh_from_db()
    assert standard.describe() == "每100户30㎡，且不少于120㎡"
    assert standard.history.first().history_user == personas.street_clerk


@pytest.mark.django_db
def test_inherited_standards_are_readable_but_not_editable_below(login, api, tree, personas, standards):
    district = standards["district"]
    client = login(personas.street_clerk)
    assert client.get(reverse("venues:areastandard_detail", args=[district.pk])).status_code == 200
    assert client.post(reverse("venues:areastandard_edit", args=[district.pk]), standard_form(tree.district, year=2010)).status_code == 403
    listed = client.get(reverse("venues:areastandard_list")).content.decode()
    assert reverse("venues:areastandard_detail", args=[district.pk]) in listed
    response = api(token=personas.write_token).patch(
        reverse("venues-api:areastandard-detail", args=[district.pk]), {"minimum_area": "1.00"}, format="json"
    )
    assert response.status_code == 403
    district.refresh_from_db()
    assert district.minimum_area == Decimal("120.00")
    # Another district's standard stays invisible.
    other = make_standard(tree.other_district, 2010)
    assert client.get(reverse("venues:areastandard_detail", args=[other.pk])).status_code == 404
