"""Each app's community_facts against the hand-computed data of conftest.py, and its cost."""

from decimal import Decimal

from django.db import connection
from django.test.utils import CaptureQueriesContext

from assessments.rules import all_facts
from funding import facts as funding_facts
from regional_building import facts as rb_facts
from staffing import facts as staffing_facts
from venues import facts as venue_facts

YEAR = 2025


def test_staffing_facts(facts_data):
    t = facts_data
    f = staffing_facts.community_facts(community_ids=[t.community_a1.pk, t.community_a2.pk, t.community_b1.pk], year=YEAR)
    a1 = f[t.community_a1.pk]
    assert a1 == dict(
        secretary_in_post=True, director_in_post=True, one_shoulder=True, full_time_deputy=False, staff_count=3,
        party_workers=1, college_count=2, college_share=Decimal("66.7"), training_hours=Decimal("24"),
        training_hours_per_cadre=Decimal("8.0"),
    )
    a2 = f[t.community_a2.pk]
    assert (a2["secretary_in_post"], a2["director_in_post"], a2["one_shoulder"], a2["staff_count"], a2["college_count"]) == (
        False, True, False, 1, 0)
    assert f[t.community_b1.pk]["staff_count"] == 0 and f[t.community_b1.pk]["training_hours_per_cadre"] == 0


def test_funding_facts(facts_data):
    t = facts_data
    f = funding_facts.community_facts(community_ids=[t.community_a1.pk, t.community_a2.pk, t.community_b1.pk], year=YEAR)
    a1 = f[t.community_a1.pk]
    assert a1["office_funds"] == Decimal("12000") and a1["party_funds"] == Decimal("4000")
    assert a1["office_standard"] == Decimal("10000") and a1["party_standard"] == Decimal("5000")
    assert a1["office_meets_standard"] is True and a1["party_meets_standard"] is False and a1["funds_meet_standard"] is False
    assert a1["spent"] == Decimal("10000") and a1["party_work_spent"] == Decimal("3000") and a1["party_work_share"] == Decimal("30.0")
    a2 = f[t.community_a2.pk]  # its own standard, met exactly
    assert a2["office_standard"] == Decimal("8000") and a2["office_meets_standard"] and a2["party_meets_standard"]
    assert a2["funds_meet_standard"] is True and a2["party_work_share"] == 0
    b1 = f[t.community_b1.pk]  # inherits the district's standard and received nothing
    assert b1["has_standard"] is True and b1["office_meets_standard"] is False and b1["office_funds"] == 0


def test_venue_facts(facts_data):
    t = facts_data
    f = venue_facts.community_facts(community_ids=[t.community_a1.pk, t.community_a2.pk], year=YEAR)
    assert f[t.community_a1.pk] == dict(
        built_area=Decimal("250.00"), required_area=Decimal("300"), has_area_standard=True, area_meets_standard=False,
        venues=1, service_hall=True, functional_rooms=3, equipment_items=7,
    )
    a2 = f[t.community_a2.pk]  # 3,000 households × 10 ㎡ / 100 = 300, the minimum as well
    assert a2["required_area"] == Decimal("300") and a2["built_area"] == 0 and not a2["service_hall"] and a2["venues"] == 0


def test_regional_building_facts(facts_data):
    t = facts_data
    f = rb_facts.community_facts(community_ids=[t.community_a1.pk, t.community_b1.pk], year=YEAR)
    assert f[t.community_a1.pk] == dict(meetings_held=3, agreements_in_force=1, commitments_due=2, commitments_kept=1,
                                         members_registered=5, posts_offered=4, posts_claimed=2)
    assert set(f[t.community_b1.pk].values()) == {0}


def test_facts_cost_a_constant_number_of_queries(facts_data):
    t = facts_data
    with CaptureQueriesContext(connection) as one:
        all_facts(community_ids=[t.community_a1.pk], year=YEAR)
    with CaptureQueriesContext(connection) as four:
        all_facts(community_ids=[t.community_a1.pk, t.community_a2.pk, t.community_b1.pk, t.community_c1.pk], year=YEAR)
    assert len(one) == len(four) <= 20
