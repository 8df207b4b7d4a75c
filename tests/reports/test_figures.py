"""reports.figures, the dashboard's aggregates: they agree with each app's own figures, and the
age bands fall on the right birthdays."""

import datetime

import pytest

from funding.selectors import node_funds
from regional_building.selectors import node_figures
from reports import figures
from staffing.selectors import staffing_figures
from tests.regional_building import factories as rb
from tests.reports.conftest import YEAR, appoint, cadre
from venues.selectors import venue_figures

D = datetime.date
pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("year", [YEAR, YEAR - 1])
@pytest.mark.parametrize("which", ["district", "street_a", "street_b", "community_a1", "city"])
def test_the_dashboard_agrees_with_the_apps_own_figures(data, personas, which, year):
    node = getattr(data, which)
    today = D(2026, 11, 30)
    got = figures.dashboard(node=node, year=year, today=today)["totals"][year]
    admin = personas.admin
    s = staffing_figures(node=node, year=year)
    f = node_funds(user=admin, node=node, year=year)
    v = venue_figures(user=admin, node=node, year=year)
    r = node_figures(node=node, year=year, user=admin, today=today)
    missing = figures.unrecorded(got)

    def expected(family, *values):
        """The apps count 0 where nothing is recorded; the dashboard says "no data" (None)."""
        if family in missing:
            assert not any(values), (family, values)
            return tuple(None for _v in values)
        return values

    assert (got["cadres"], got["average_age"], got["college"], got["one_shoulder"]) == expected(
        "staffing", s.cadres, s.average_age, s.college_or_above, s.one_shoulder)
    assert got["funds_with_standard"] == f.with_standard
    assert (got["funds_meeting"], got["working_funds"]) == expected(
        "funding", f.meeting, sum(c.working for c in f.communities))
    assert got["funds_compliance_rate"] == (None if "funding" in missing else f.compliance_rate)
    assert got["area_with_standard"] == v.with_standard
    assert (got["area_meeting"], got["built_area"]) == expected("venues", v.compliant, v.total_area)
    assert got["area_compliance_rate"] == (None if "venues" in missing else v.compliance_rate)
    assert (got["agreements_in_force"], got["commitments_due"], got["commitments_kept"], got["commitments_overdue"],
            got["members_registered"], got["meetings_held"]) == expected(
        "regional", r.agreements_in_force, r.commitments_due, r.commitments_kept, r.commitments_overdue,
        r.members_registered, r.meetings_held)


def test_age_bands_fall_on_birthdays(tree):
    # ages on 31 December 2025 (as_of_date of a past year), birthdays on the day itself included
    ages = [(D(1990, 12, 31), 35), (D(1989, 12, 31), 36), (D(1980, 1, 1), 45), (D(1979, 12, 31), 46),
            (D(1970, 12, 31), 55), (D(1970, 1, 1), 55), (D(1969, 12, 31), 56)]
    for n, (born, _age) in enumerate(ages):
        c = cadre(tree.community_a1, 40 + n, "college")
        c.birth_date = born
        c.save()
        appoint(c, "member")
    got = figures.dashboard(node=tree.community_a1, year=YEAR)["totals"][YEAR]
    assert (got["age_35"], got["age_36_45"], got["age_46_55"], got["age_56"]) == (1, 2, 3, 1)
    assert got["age_sum"] == sum(age for _born, age in ages) and got["cadres"] == len(ages)


def test_children_are_the_next_level_and_sum_to_the_total(data):
    d = figures.dashboard(node=data.district, year=YEAR)
    assert [c["name"] for c in d["children"]] == ["酒泉路街道", "张掖路街道"]
    total = d["totals"][YEAR]
    for key in ("cadres", "communities", "working_funds", "meetings_held", "members_registered"):
        assert sum(c["figures"][key] or 0 for c in d["children"]) == total[key], key
    assert figures.dashboard(node=data.community_a1, year=YEAR)["children"] == []


def test_records_kept_by_the_node_itself_show_as_its_own_row(data):
    conference = rb.conference(data.street_a)  # the street's own joint conference
    rb.meeting(conference, held_on=D(YEAR, 6, 1))
    rb.agreement(data.street_a, rb.unit(data.street_a, name="兰州石化"), signed_on=D(YEAR, 1, 2),
                 valid_from=D(YEAR, 1, 2), valid_until=D(YEAR + 1, 12, 31))
    d = figures.dashboard(node=data.street_a, year=YEAR)
    names = [c["name"] for c in d["children"]]
    assert names == ["南关社区", "北关社区", "酒泉路街道本级"]
    own = d["children"][-1]
    assert own["own"] is True and own["figures"]["meetings_held"] == 1 and own["figures"]["agreements_in_force"] == 1
    for key in ("meetings_held", "agreements_in_force"):
        assert sum(c["figures"][key] or 0 for c in d["children"]) == d["totals"][YEAR][key]
    # a node with nothing of its own has no such row
    assert [c["name"] for c in figures.dashboard(node=data.street_b, year=YEAR)["children"]] == ["中山社区"]


def test_no_records_is_no_data_not_zero(data):
    """One rule for "no data": a year without any record of a family gives None (a gap, "no
    figure"), not 0. 张掖路街道 (中山社区) has one meeting in 2025 and nothing else; 2024 has nothing."""
    got = figures.dashboard(node=data.street_b, year=YEAR)["totals"]
    now, before = got[YEAR], got[YEAR - 1]
    assert figures.unrecorded(now) == {"staffing", "funding", "venues", "assessment"}
    assert now["cadres"] is None and now["one_shoulder_share"] is None and now["working_funds"] is None
    assert now["built_area"] is None and now["grade_fail"] is None and now["funds_per_community"] is None
    assert now["meetings_held"] == 1 and now["members_registered"] == 0  # 一化 has records: 0 is a fact
    assert before["meetings_held"] is None and before["members_registered"] is None
    assert now["communities"] == 1 and now["funds_with_standard"] == 1  # nodes and standards are no records


def test_one_shoulder_counts_urban_communities_only(data):
    """Villages (村委会) have no residents' committee director: 一肩挑 is a share of urban communities."""
    from tests.conftest import community_facts, make_node

    village = make_node("620102001201", "雁滩村", data.street_a, is_urban=False, **community_facts())
    c = cadre(village, 90, "college")
    appoint(c, "secretary"), appoint(c, "director")
    got = figures.dashboard(node=data.street_a, year=YEAR)["totals"][YEAR]
    assert (got["communities"], got["urban_communities"], got["one_shoulder"]) == (3, 2, 1)
    assert got["one_shoulder_share"] == 50  # 1 of the 2 urban communities, not 1 of 3 nor 2 of 3
