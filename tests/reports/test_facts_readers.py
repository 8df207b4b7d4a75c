"""The tree page's panels and the "below standard" list filters read the facts table
(figures.models.Facts); they must show exactly what the from-scratch computation over the raw
rows shows, on a varied data set: communities with every kind of record, one with almost
nothing (中山社区), one outside the district (西湖社区), several years, a year without any
record, viewers with the whole tree and with part of it."""

import datetime
import re
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from core.panels import node_panels

from funding import selectors as funding
from regional_building import selectors as regional
from staffing import selectors as staffing
from staffing.models import Attendance, TrainingCourse, Volunteer, VolunteerTeam
from tests.regional_building import factories as rb
from tests.reports.conftest import PREVIOUS, YEAR, allocate, appoint, cadre
from venues import selectors as venues
from venues.models import Venue, VenueStatus

D = datetime.date
pytestmark = pytest.mark.django_db
NODES = ["city", "district", "street_a", "street_b", "community_a1", "community_b1", "other_district"]
YEARS = [YEAR, PREVIOUS, YEAR - 4]  # YEAR - 4: nothing recorded at all


@pytest.fixture
def varied(data):
    """The reports data plus what only the panels show: rooms and a venue completed this year,
    party-member cadres, training, volunteers, service hours, a community outside the district
    with its own records."""
    tree = data
    a1, a2, c1 = tree.community_a1, tree.community_a2, tree.community_c1
    Venue.objects.filter(community=a1).update(room_party_affairs=True, room_labour=True, has_service_hall=True,
                                              investment=Decimal("80000"))
    Venue.objects.create(community=c1, name="西湖活动室", usable_area=Decimal("180.50"), acquisition="rented",
                         status=VenueStatus.COMPLETED, completion_date=D(YEAR, 2, 1), room_culture_sports=True)
    Venue.objects.create(community=a2, name="在建中心", usable_area=Decimal("500"), acquisition="new",
                         status=VenueStatus.UNDER_CONSTRUCTION)
    x = cadre(c1, 30, "postgraduate")
    x.is_party_member = False
    x.save()
    appoint(x, "secretary"), appoint(x, "contract", start=D(YEAR, 1, 1))
    course = TrainingCourse.objects.create(name="示范培训班", kind="leaders", organizer=tree.district,
                                           start_date=D(YEAR, 4, 1), end_date=D(YEAR, 4, 3), hours=Decimal("16"))
    for c in a1.cadres.all()[:2]:
        Attendance.objects.create(course=course, cadre=c)
    team = VolunteerTeam.objects.create(name="红色志愿服务队", community=a1, founded_on=D(PREVIOUS, 3, 1))
    Volunteer.objects.create(team=team, name="张三", joined_on=D(PREVIOUS, 3, 1))
    Volunteer.objects.create(team=team, name="李四", joined_on=D(YEAR, 3, 1))
    p = rb.post(a1, offered_on=D(YEAR, 2, 1))
    rb.claim(p, unit=rb.unit(tree.street_a), claimed_on=D(YEAR, 4, 1), hours=Decimal("3.5"))
    allocate(c1, YEAR, "allowance", "4000")
    return tree


def _funds(f):
    return (f.community_count, f.with_standard, f.meeting, f.below_count, f.allocated, f.spent, f.party_spent,
            f.balance, f.party_share, f.compliance_rate, f.category_rows(), f.source_rows())


@pytest.mark.parametrize("year", YEARS)
@pytest.mark.parametrize("who", ["admin", "district_reviewer", "street_clerk"])
def test_panels_read_from_facts_agree_with_the_raw_rows(varied, personas, who, year):
    user = getattr(personas, who)
    for name in NODES:
        node = getattr(varied, name)
        from_facts = funding.node_totals(user=user, node=node, year=year)
        assert isinstance(from_facts, funding.FundTotals)
        assert _funds(from_facts) == _funds(funding.node_funds(user=user, node=node, year=year)), (name, who)
        assert from_facts.updated is not None or from_facts.community_count == 0

        v = venues.venue_figures(user=user, node=node, year=year)
        rows = venues.compliance_rows(user=user, node=node, year=year)
        assert v.as_dict() == venues.venue_figures(user=user, node=node, year=year, rows=rows).as_dict(), (name, who)

        r = regional.node_totals(node=node, year=year, user=user, today=D(2026, 11, 30))
        raw = regional.node_figures(node=node, year=year, user=user, today=D(2026, 11, 30))
        for field in ("meetings_held", "agreements_in_force", "commitments_due", "commitments_kept",
                      "commitments_overdue", "commitments_pending", "members_registered", "posts_offered",
                      "posts_claimed", "service_hours", "kept_rate"):
            assert getattr(r, field) == getattr(raw, field), (name, who, field)

    for name in NODES:  # staffing figures do not depend on the viewer
        node = getattr(varied, name)
        s, raw = staffing.staffing_figures(node=node, year=year), staffing.figures_from_rows(node=node, year=year)
        assert s.as_dict() == raw.as_dict(), name
        assert s.by_post == raw.by_post


def test_the_data_set_is_varied_enough(varied, personas):
    """The comparisons above are not all zeros: each figure family has something to agree on."""
    s = staffing.staffing_figures(node=varied.city, year=YEAR)
    assert s.cadres and s.party_members and s.one_shoulder and s.person_times and s.volunteers == 2 and s.teams == 1
    assert s.average_age is not None and s.party_members < s.cadres
    f = funding.node_totals(user=personas.admin, node=varied.city, year=YEAR)
    assert f.meeting == 1 and f.below_count == 2 and f.party_share == Decimal("50.0")
    v = venues.venue_figures(user=personas.admin, node=varied.city, year=YEAR)
    assert v.below == 2 and v.compliant == 1 and v.venues_completed == 2 and v.halls == 1
    r = regional.node_totals(node=varied.city, year=YEAR, user=personas.admin)
    assert r.service_hours == Decimal("3.5") and r.commitments_kept == 1


@pytest.mark.parametrize("year", [YEAR, PREVIOUS])
@pytest.mark.parametrize("who", ["admin", "district_reviewer", "street_clerk", "neighbour_clerk"])
def test_below_standard_filters_read_the_flags_and_agree(varied, personas, who, year):
    user = getattr(personas, who)
    assert set(funding.below_standard(user=user, year=year)) == set(funding.below_standard_ids(user=user, year=year))
    assert set(venues.below_standard(user=user, year=year)) == set(venues.below_standard_ids(user=user, year=year))


def test_below_standard_list_filters(varied, personas, client):
    client.force_login(personas.district_reviewer)
    expected = set(funding.below_standard_ids(user=personas.district_reviewer, year=YEAR))
    assert expected  # 北关社区 falls short of the funding standard in YEAR
    page = client.get(reverse("funding:allocation_list") + f"?year={YEAR}&below_standard=true")
    shown = {a.community_id for a in page.context["page_obj"].object_list}
    assert shown and shown <= expected
    below_venues = set(venues.below_standard_ids(user=personas.district_reviewer, year=YEAR))
    page = client.get(reverse("venues:venue_list") + f"?year={YEAR}&below_standard=true")
    assert {v.community_id for v in page.context["page_obj"].object_list} == {
        v.community_id for v in Venue.objects.filter(community_id__in=below_venues)}


def test_tree_page_shows_freshness(varied, personas, client):
    client.force_login(personas.admin)
    for name in ("province", "district", "street_a"):
        node = getattr(varied, name)
        page = client.get(reverse("communities:tree_node", args=[node.code]) + f"?year={YEAR}",
                          HTTP_ACCEPT_LANGUAGE="zh-hans")
        assert page.status_code == 200
        assert len(re.findall("数据更新于 ", page.content.decode())) == 4, name  # staffing, funding, venues, 一化


def test_the_panels_cost_the_same_at_every_level_and_share_one_rollup(varied, personas, rf):
    counts = {}
    for name in ("province", "city", "district", "street_a"):
        node = getattr(varied, name)
        request = rf.get("/", {"year": YEAR})
        request.user = personas.admin
        node_panels(request, node, YEAR)  # catch up the dirty marks first
        with CaptureQueriesContext(connection) as queries:
            panels = node_panels(request, node, YEAR)
        assert len(panels) == 5, name  # staffing, funding, venues, 一化, reports
        counts[name] = len(queries.captured_queries)
        rollups = [q["sql"] for q in queries.captured_queries if 'FROM "figures_facts"' in q["sql"]]
        assert len(rollups) == 1, name  # the panels share one roll-up of the node
    assert len(set(counts.values())) == 1, counts
