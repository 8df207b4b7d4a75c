"""A hand-computed data set for the reports tests (the statistical tables, the summary's
figures and problems).

The statistical tables of the year-end summary: the table of facts per community for two
years, against hand-computed data, and the Excel workbook read back with openpyxl.

Data (YEAR 2025, PREVIOUS 2024), district 城关区 (七里河区's 西湖社区 is outside it):

南关社区 (A1, street 酒泉路街道):
  cadres: 1 本科 secretary + director since 2020 (一肩挑); 2 高中 party worker since 2020;
    3 大专 member from 2025-03; 4 高中 deputy director 2020 – 2025-06.
    2025: staff 3 (1, 2, 3), college 2 → 66.7 %;  2024: staff 3 (1, 2, 4), college 1 → 33.3 %.
  funds 2025: office 15,000 + party 5,000 = 20,000 ≥ standard 20,000 (met); spent 3,000 party
    activity + 1,000 utilities → party share 75.0 %.  2024: office 12,000 < 15,000; nothing spent.
  venue 250 ㎡ since 2023; area standard (2025 only) 300 ㎡ → not met; 2024: no standard.
  一化: meetings 2 (2025) / 1 (2024); one agreement in force both years; commitments due
    2025: 2 (1 kept), 2024: 1 (1 kept); in-service members 3 (2025) / 1 (2024).
北关社区 (A2, 酒泉路街道):
  cadres: 5 大专 director since 2020; 6 本科 secretary from 2025-02.
    2025: staff 2, college 2 → 100 %;  2024: staff 1, college 1 → 100 %.
  funds 2025: office 10,000 + heating 2,000 = 12,000 < 20,000; spent 2,000 utilities → 0 %.
    2024: office 10,000 + party 5,000 = 15,000 ≥ 15,000 (met); spent 1,000 party activity → 100 %.
  venue 320 ㎡ completed 2025-05 → 2025: 320 ≥ 300 (met); 2024: 0.
中山社区 (B1, street 张掖路街道): one meeting in 2025, nothing else (inherits the standards).

Street 酒泉路街道 subtotal 2025: staff 5, college 4 → 80.0 %, 一肩挑 1, party workers 1,
  funds 32,000 of standard 40,000, met 1, party share 3,000 / 6,000 = 50.0 %, area 570 of 600,
  met 1, meetings 2.   2024: staff 4, college 2 → 50.0 %, funds 27,000 of 30,000, met 1,
  party share 1,000 / 1,000 = 100.0 %, area 250 of 0, met 0, meetings 1.
Total 2025: the street plus 中山: standard 60,000, area standard 900, meetings 3.
"""

import datetime
from decimal import Decimal

import pytest

from funding.models import Allocation, Expenditure, Standard
from staffing.models import Appointment, Cadre
from tests.regional_building import factories as rb
from venues.models import AreaStandard, Venue, VenueStatus

D = datetime.date
YEAR, PREVIOUS = 2025, 2024


def cadre(community, n, education):
    return Cadre.objects.create(community=community, name=f"干部{n}", gender="F", birth_date=D(1980, 1, 1 + n % 28),
                                education=education, id_number=f"62010219800101{n:03d}X"[:18])


def appoint(c, post, start=D(2020, 1, 1), end=None):
    return Appointment.objects.create(cadre=c, post=post, start_date=start, end_date=end, employment_form="career",
                                      recruitment_channel="open_recruitment", selection_method="two_recommend")


def allocate(community, year, category, amount):
    Allocation.objects.create(community=community, year=year, category=category, source="district",
                              received_on=D(year, 3, 1), amount=Decimal(amount))


def spend(community, on, category, amount):
    Expenditure.objects.create(community=community, spent_on=on, year=on.year, category=category, purpose="日常支出",
                               amount=Decimal(amount))


@pytest.fixture
def data(tree):
    a1, a2, b1 = tree.community_a1, tree.community_a2, tree.community_b1
    # 有人管事
    c1, c2, c3, c4 = cadre(a1, 1, "bachelor"), cadre(a1, 2, "secondary"), cadre(a1, 3, "college"), cadre(a1, 4, "secondary")
    appoint(c1, "secretary"), appoint(c1, "director"), appoint(c2, "party_worker")
    appoint(c3, "member", start=D(2025, 3, 1)), appoint(c4, "deputy_director", end=D(2025, 6, 30))
    c5, c6 = cadre(a2, 5, "college"), cadre(a2, 6, "bachelor")
    appoint(c5, "director"), appoint(c6, "secretary", start=D(2025, 2, 1))
    # 有钱办事
    Standard.objects.create(node=tree.district, year=YEAR, office_amount=Decimal("15000"), party_amount=Decimal("5000"))
    Standard.objects.create(node=tree.district, year=PREVIOUS, office_amount=Decimal("10000"), party_amount=Decimal("5000"))
    allocate(a1, YEAR, "office", "15000"), allocate(a1, YEAR, "party", "5000"), allocate(a1, PREVIOUS, "office", "12000")
    allocate(a2, YEAR, "office", "10000"), allocate(a2, YEAR, "heating", "2000")
    allocate(a2, PREVIOUS, "office", "10000"), allocate(a2, PREVIOUS, "party", "5000")
    spend(a1, D(2025, 5, 1), "party_activity", "3000"), spend(a1, D(2025, 6, 1), "utilities", "1000")
    spend(a2, D(2025, 6, 1), "utilities", "2000"), spend(a2, D(2024, 6, 1), "party_activity", "1000")
    # 有场所议事
    AreaStandard.objects.create(node=tree.district, year=YEAR, minimum_area=Decimal("300"),
                                area_per_100_households=Decimal("10"))
    Venue.objects.create(community=a1, name="党群服务中心", usable_area=Decimal("250"), acquisition="new",
                         status=VenueStatus.COMPLETED, completion_date=D(2023, 5, 1))
    Venue.objects.create(community=a2, name="新建活动中心", usable_area=Decimal("320"), acquisition="new",
                         status=VenueStatus.COMPLETED, completion_date=D(2025, 5, 1))
    # 一化
    conf = rb.conference(a1, level="community")
    for held in (D(2025, 1, 5), D(2025, 9, 5), D(2024, 9, 5)):
        rb.meeting(conf, held_on=held)
    rb.meeting(rb.conference(b1, level="community"), held_on=D(2025, 4, 1))
    unit = rb.unit(tree.street_a)
    agr = rb.agreement(a1, unit, signed_on=D(2024, 1, 1), valid_from=D(2024, 1, 1), valid_until=D(2026, 12, 31))
    rb.fulfilment(rb.commitment(agr, due_on=D(2025, 6, 30)), done_on=D(2025, 5, 1))
    rb.commitment(agr, due_on=D(2025, 11, 30), category="solve_problem")
    rb.fulfilment(rb.commitment(agr, due_on=D(2024, 9, 1)), done_on=D(2024, 8, 1))
    for _n in range(3):
        rb.registration(a1, registered_on=D(2025, 3, 5))
    rb.registration(a1, registered_on=D(2024, 3, 5))
    return tree


@pytest.fixture(autouse=True)
def _eager(eager_tasks):
    yield


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    """Summaries write their files (.xlsx, .docx) under MEDIA_ROOT: a fresh one per test."""
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


@pytest.fixture(autouse=True)
def fresh_cache():
    from django.core.cache import cache

    cache.clear()
    yield
    cache.clear()
