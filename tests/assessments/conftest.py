"""Hand-computed data for the assessment tests (year 2025), saved directly (test data only).

南关社区 (A1): secretary = director (一肩挑, 本科), a party worker (高中), a committee member (大专),
  a deputy director whose post ended in 2024 → staff 3, college 2, training 24 h (8 per cadre);
  office 12,000 ≥ 10,000, party 4,000 < 5,000; spent 10,000 of which 3,000 on party work;
  venue 250 ㎡ of 300 required, service hall, 3 room types, 7 equipment items;
  3 meetings in 2025, 1 agreement in force, 2 commitments due (1 kept), 5 members registered,
  4 posts offered, 2 claimed.
北关社区 (A2): a director only (高中); its own funding standard met exactly; no venue; nothing else.
中山社区 (B1): nothing at all.
"""

import datetime
from decimal import Decimal

import pytest

from assessments import services
from funding.models import Allocation, Expenditure, Standard
from staffing.models import Appointment, Attendance, Cadre, TrainingCourse
from tests.regional_building import factories as rb
from venues.models import AreaStandard, Venue, VenueStatus

D = datetime.date
YEAR = 2025


def cadre(community, n, education):
    return Cadre.objects.create(community=community, name=f"干部{n}", gender="F", birth_date=D(1980, 1, n),
                                education=education, id_number=f"62010219800101{n:03d}X"[:18])


def appoint(c, post, start=D(2020, 1, 1), end=None):
    return Appointment.objects.create(cadre=c, post=post, start_date=start, end_date=end, employment_form="career",
                                      recruitment_channel="open_recruitment", selection_method="two_recommend")


@pytest.fixture
def facts_data(tree):
    a1, a2 = tree.community_a1, tree.community_a2
    # staffing
    c1, c2, c3, c4 = cadre(a1, 1, "bachelor"), cadre(a1, 2, "secondary"), cadre(a1, 3, "college"), cadre(a1, 4, "college")
    appoint(c1, "secretary"), appoint(c1, "director"), appoint(c2, "party_worker")
    appoint(c3, "deputy_director", end=D(2024, 6, 30)), appoint(c4, "member")
    c5 = cadre(a2, 5, "secondary")
    appoint(c5, "director")
    course = TrainingCourse.objects.create(name="书记主任培训班", kind="leaders", organizer=tree.district,
                                           start_date=D(2025, 4, 1), end_date=D(2025, 4, 3), hours=Decimal("12"))
    old = TrainingCourse.objects.create(name="往年培训", kind="leaders", organizer=tree.district,
                                        start_date=D(2024, 4, 1), end_date=D(2024, 4, 3), hours=Decimal("8"))
    Attendance.objects.create(course=course, cadre=c1)
    Attendance.objects.create(course=course, cadre=c2)
    Attendance.objects.create(course=old, cadre=c1)
    # funding
    Standard.objects.create(node=tree.district, year=YEAR, office_amount=Decimal("10000"), party_amount=Decimal("5000"))
    Standard.objects.create(node=a2, year=YEAR, office_amount=Decimal("8000"), party_amount=Decimal("2000"))
    for community, category, amount in [(a1, "office", "12000"), (a1, "party", "4000"), (a2, "office", "8000"), (a2, "party", "2000")]:
        Allocation.objects.create(community=community, year=YEAR, category=category, source="district",
                                  received_on=D(2025, 3, 1), amount=Decimal(amount))
    for spent_on, category, amount in [(D(2025, 5, 1), "party_activity", "3000"), (D(2025, 6, 1), "utilities", "7000"),
                                       (D(2024, 6, 1), "party_activity", "9000")]:
        Expenditure.objects.create(community=a1, spent_on=spent_on, year=spent_on.year, category=category,
                                   purpose="日常支出", amount=Decimal(amount))
    # venues
    AreaStandard.objects.create(node=tree.district, year=YEAR, minimum_area=Decimal("300"), area_per_100_households=Decimal("10"))
    Venue.objects.create(community=a1, name="党群服务中心", usable_area=Decimal("250"), acquisition="new",
                         status=VenueStatus.COMPLETED, completion_date=D(2023, 5, 1), has_service_hall=True,
                         room_party_affairs=True, room_labour=True, room_culture_sports=True, computers=5, televisions=2)
    Venue.objects.create(community=a1, name="在建活动室", usable_area=Decimal("100"), acquisition="new",
                         status=VenueStatus.UNDER_CONSTRUCTION,
                         completion_date=None)
    Venue.objects.create(community=a1, name="明年建成", usable_area=Decimal("80"), acquisition="new",
                         status=VenueStatus.COMPLETED, completion_date=D(2026, 3, 1), has_service_hall=True)
    # 一化
    conf = rb.conference(a1, level="community")
    for held in (D(2025, 1, 5), D(2025, 4, 5), D(2025, 9, 5), D(2024, 9, 5)):
        rb.meeting(conf, held_on=held)
    unit = rb.unit(tree.street_a)
    agr = rb.agreement(a1, unit, signed_on=D(2024, 1, 1), valid_from=D(2024, 1, 1), valid_until=D(2026, 12, 31))
    rb.agreement(a1, unit, title="已终止协议", signed_on=D(2023, 1, 1), valid_from=D(2023, 1, 1), valid_until=D(2027, 1, 1),
                 terminated_on=D(2024, 6, 1), termination_reason="单位搬迁")
    kept = rb.commitment(agr, due_on=D(2025, 6, 30))
    rb.fulfilment(kept, done_on=D(2025, 5, 1))
    rb.commitment(agr, due_on=D(2025, 11, 30), category="solve_problem")
    for _ in range(5):
        rb.registration(a1, registered_on=D(2025, 3, 5))
    rb.registration(a1, registered_on=D(2024, 3, 5))
    posts = [rb.post(a1) for _ in range(4)]
    rb.claim(posts[0], unit=unit)
    rb.claim(posts[0], unit=unit, claimed_on=D(2025, 5, 1))
    rb.claim(posts[1], unit=unit)
    return tree


@pytest.fixture
def scheme(tree, personas):
    return services.scheme_create(actor=personas.district_reviewer, district=tree.district, year=YEAR)


@pytest.fixture
def scored(scheme, facts_data, personas, django_capture_on_commit_callbacks):
    """The default scheme scored for the district (eager tasks)."""
    with django_capture_on_commit_callbacks(execute=True):
        run = services.run_start(actor=personas.district_reviewer, scheme=scheme, chunk_size=2)
    run.refresh_from_db()
    return run


@pytest.fixture(autouse=True)
def _eager(eager_tasks):
    yield
