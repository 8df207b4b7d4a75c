"""The year-end figures against a small data set computed by hand, their query count, and
where they are shown (community page, street/district page, API)."""

from datetime import date
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from staffing.selectors import staffing_figures
from tests.conftest import community_facts, make_node
from tests.staffing.conftest import appoint, attend, make_cadre, make_course, make_team
from staffing.models import Volunteer


@pytest.fixture
def data(tree):
    """Ages are on 31 December 2024.

    南关 (A1): 王 secretary since 2020 and director since 2022-05 (一肩挑), 44, bachelor;
               刘 party worker, born 1990-12-31 (34 on the day), college;
               周 member until 2023-12-31 (not serving in 2024), secondary.
    北关 (A2): 李 secretary, 48, secondary, not a party member;
               陈 director and (from 2024-06) party worker, 29, postgraduate.
    中山 (B1): 赵 secretary since 2018, director 2018 to 2024-06-30 (一肩挑 in 2023, not 2024),
               born 29 February 1972 (52), college.
    """
    wang = make_cadre(tree.community_a1, "王建国", date(1980, 3, 1), "M", "bachelor")
    liu = make_cadre(tree.community_a1, "刘芳", date(1990, 12, 31), "F", "college")
    zhou = make_cadre(tree.community_a1, "周明", date(1970, 6, 15), "M", "secondary")
    li = make_cadre(tree.community_a2, "李强", date(1976, 7, 1), "M", "secondary", is_party_member=False, party_join_date=None)
    chen = make_cadre(tree.community_a2, "陈静", date(1995, 1, 1), "F", "postgraduate")
    zhao = make_cadre(tree.community_b1, "赵军", date(1972, 2, 29), "M", "college")
    appoint(wang, "secretary", date(2020, 1, 1))
    appoint(wang, "director", date(2022, 5, 1))
    appoint(liu, "party_worker", date(2023, 1, 1))
    appoint(zhou, "member", date(2015, 1, 1), date(2023, 12, 31))
    appoint(li, "secretary", date(2019, 1, 1))
    appoint(chen, "director", date(2021, 1, 1))
    appoint(chen, "party_worker", date(2024, 6, 1))
    appoint(zhao, "secretary", date(2018, 1, 1))
    appoint(zhao, "director", date(2018, 1, 1), date(2024, 6, 30))
    # The other district's cadre never counts.
    appoint(make_cadre(tree.community_c1, "钱多", date(1960, 1, 1)), "secretary", date(2010, 1, 1))

    district_class = make_course(tree.district, "书记主任培训班", date(2024, 3, 1), "24")
    street_class = make_course(tree.street_a, "岗前培训", date(2024, 9, 1), "6")
    last_year = make_course(tree.district, "2023年集中培训", date(2023, 5, 1), "12")
    for cadre in (wang, liu, zhao, zhou):
        attend(district_class, cadre)
    for cadre in (wang, li):
        attend(street_class, cadre)
    attend(last_year, wang)

    team_a1 = make_team(tree.community_a1, "南关宣传队", date(2015, 1, 1), members=3)
    Volunteer.objects.create(team=team_a1, name="新队员", gender="M", joined_on=date(2025, 3, 1))
    make_team(tree.community_b1, "中山助残队", date(2024, 5, 1), members=2)
    make_team(tree.community_a2, "北关文体队", date(2025, 2, 1), members=4)
    return tree


@pytest.mark.django_db
def test_district_figures_2024(data):
    f = staffing_figures(node=data.district, year=2024)
    assert f.as_of == date(2024, 12, 31)
    assert f.communities == 3
    assert f.cadres == 5  # 周 ended in 2023; the other district's cadre is outside
    posts = dict((p.value, n) for p, n in f.by_post)
    assert posts["secretary"] == 3 and posts["director"] == 2 and posts["party_worker"] == 2 and posts["member"] == 0
    assert f.party_workers == 2
    assert f.one_shoulder == 1  # 南关 only: 中山's director post ended in June
    assert f.average_age == Decimal("41.4")  # (44 + 34 + 48 + 29 + 52) / 5
    assert f.college_or_above == 4 and f.college_share == Decimal("80.0")
    assert f.party_members == 4
    assert f.courses == 2  # the district class and the street class of 2024
    assert f.person_times == 6  # 4 at the district class, 2 at the street class
    assert f.training_hours == Decimal("108")  # 4 × 24 + 2 × 6
    assert f.teams == 2 and f.volunteers == 5  # 北关's team was founded in 2025; one member joined in 2025


@pytest.mark.django_db
def test_district_figures_2023_and_street_figures(data):
    f = staffing_figures(node=data.district, year=2023)
    assert f.one_shoulder == 2  # 南关 and 中山
    assert f.person_times == 1 and f.training_hours == Decimal("12") and f.courses == 1
    s = staffing_figures(node=data.street_a, year=2024)
    assert (s.communities, s.cadres, s.one_shoulder) == (2, 4, 1)
    assert s.average_age == Decimal("38.8")  # (44 + 34 + 48 + 29) / 4 = 38.75
    assert s.courses == 1 and s.person_times == 5 and s.training_hours == Decimal("84")
    c = staffing_figures(node=data.community_a2, year=2024)
    assert (c.cadres, c.one_shoulder, c.party_workers, c.teams) == (2, 0, 1, 0)


@pytest.mark.django_db
def test_one_shoulder_follows_the_appointments(data, personas):
    from staffing import services

    assert staffing_figures(node=data.community_a2, year=2024).one_shoulder == 0
    chen = data.community_a2.cadres.get(name="陈静")
    li_secretary = data.community_a2.cadres.get(name="李强").appointments.get(post="secretary")
    services.appointment_update(actor=personas.street_clerk, appointment=li_secretary, end_date=date(2024, 3, 31))
    services.appointment_create(actor=personas.street_clerk, cadre=chen, post="secretary", start_date=date(2024, 4, 1),
                                employment_form="career", recruitment_channel="street_seconded", selection_method="general_election")
    assert staffing_figures(node=data.community_a2, year=2024).one_shoulder == 1
    assert staffing_figures(node=data.district, year=2024).one_shoulder == 2


def _queries(node, year):
    with CaptureQueriesContext(connection) as ctx:
        staffing_figures(node=node, year=year)
    return len(ctx.captured_queries)


@pytest.mark.django_db
def test_figures_cost_the_same_queries_whatever_the_size(data):
    staffing_figures(node=data.district, year=2024)  # the first read after changes computes their facts
    small = _queries(data.district, 2024)
    for i in range(20):
        community = make_node(f"620102002{100 + i:03d}", f"新社区{i}", data.street_b, **community_facts())
        cadre = make_cadre(community, f"干部{i}", date(1980, 1, 1 + i))
        appoint(cadre, "secretary", date(2020, 1, 1))
        appoint(cadre, "director", date(2020, 1, 1))
        make_team(community, f"队{i}", members=2)
    staffing_figures(node=data.district, year=2024)
    large = _queries(data.district, 2024)
    # read from the facts table: the dirty marks, the roll-up, the courses organized
    assert small == large == 3
    assert staffing_figures(node=data.district, year=2024).one_shoulder == 21


@pytest.mark.django_db
def test_panels_on_community_and_district_pages(login, data, personas):
    client = login(personas.district_reviewer)
    page = client.get(reverse("communities:community_detail", args=[data.community_a1.pk]), {"year": 2024}).content.decode()
    assert "有人管事" in page and 'id="fig-one-shoulder">是' in page
    page = client.get(reverse("communities:tree_node", args=[data.district.code]), {"year": 2024}).content.decode()
    assert 'id="fig-one-shoulder">1/3' in page and 'id="fig-age">41.4' in page and "80.0%" in page


@pytest.mark.django_db
def test_figures_api(api, data, personas):
    url = reverse("staffing-api:figures")
    body = api(token=personas.read_token).get(url, {"node": data.district.pk, "year": 2024}).json()
    assert body["one_shoulder_communities"] == 1 and body["average_age"] == "41.4"
    assert body["headcount_by_post"]["secretary"] == 3 and body["training_person_times"] == 6
    assert body["volunteer_teams"] == 2 and body["volunteers"] == 5
    client = api(personas.street_clerk)
    assert client.get(url, {"node": data.street_b.pk, "year": 2024}).status_code == 404  # not theirs
    assert client.get(url, {"node": data.street_a.pk, "year": 1999}).status_code == 400
    assert api().get(url, {"node": data.district.pk}).status_code in (401, 403)
