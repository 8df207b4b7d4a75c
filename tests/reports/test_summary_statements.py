"""The year-end summary states what the records show, and nothing they do not (issue 14): each
test builds the data of one statement the draft once got wrong and reads the corrected sentence.

Data: tests/reports/conftest.py (城关区 2025: 酒泉路街道 with 南关社区 and 北关社区, 张掖路街道 with
中山社区)."""

import datetime
from decimal import Decimal

import pytest

from reports import drafting
from reports.models import ProblemKind
from staffing.models import Attendance, TrainingCourse
from tests.conftest import community_facts, make_node
from tests.regional_building import factories as rb
from tests.reports.conftest import YEAR, allocate, appoint, cadre

D = datetime.date
pytestmark = pytest.mark.django_db


def text_of(node, year=YEAR, today=None):
    figures = drafting.summary_figures(node=node, year=year, today=today)
    blocks = drafting.compose(node=node, year=year, figures=figures, suggestions=drafting.suggestion_texts(node),
                              on=D(2026, 1, 5))
    return {b["key"]: b["text"] for b in blocks}, figures


def problem_line(text, start):
    return next(line for line in text["problems"].split("\n") if start in line)


# 1. A record kept by a street is the street's ("街道本级"), never counted as a community.
def test_a_streets_own_records_are_not_counted_as_communities(data):
    own = rb.agreement(data.street_a, rb.unit(data.street_a, name="兰州石化"), signed_on=D(2024, 3, 1),
                       valid_from=D(2024, 3, 1), valid_until=D(2026, 12, 31))
    rb.commitment(own, due_on=D(2025, 5, 31))  # overdue, kept by the street itself
    rb.conference(data.street_a, level="street", name="酒泉路街道大党委党建联席会")  # never met in 2025
    text, figures = text_of(data.district, today=D(2026, 1, 5))
    problems = {p["kind"]: p["items"] for p in figures["problems"]}
    overdue = problems[ProblemKind.COMMITMENTS_OVERDUE]
    assert [(i["name"], i["own"]) for i in overdue] == [("酒泉路街道本级", True), ("南关社区", False)]
    assert problem_line(text, "承诺逾期") == (
        "七是部分共建承诺兑现不及时。1个社区（南关社区）、酒泉路街道本级共有2项承诺逾期未兑现。")
    assert problem_line(text, "联席会议作用") == (
        "六是党建联席会议作用发挥不够。1个街道党建联席会全年未召开会议（酒泉路街道大党委党建联席会）。")


# 2. A street's training: its own courses, and its cadres at every course, said apart.
def test_a_streets_training_says_whose_courses_and_whose_attendance(data):
    street_course = TrainingCourse.objects.create(name="酒泉路街道社区干部岗前培训", kind="induction",
                                                  organizer=data.street_a, start_date=D(2025, 9, 1),
                                                  end_date=D(2025, 9, 1), hours=Decimal("6"))
    district_course = TrainingCourse.objects.create(name="城关区社区书记主任培训班", kind="leaders",
                                                    organizer=data.district, start_date=D(2025, 3, 10),
                                                    end_date=D(2025, 3, 12), hours=Decimal("24"))
    cadres = list(data.community_a1.cadres.all()[:3])
    Attendance.objects.create(course=street_course, cadre=cadres[0])
    for c in cadres:
        Attendance.objects.create(course=district_course, cadre=c)
    text, _figures = text_of(data.street_a)
    assert ("二是加强社区干部队伍培训。街道党工委举办“酒泉路街道社区干部岗前培训”；全年全街道社区干部参加各级培训4人次、"
            "累计78学时，其中参加街道党工委举办的培训1人次、参加其他各级举办的培训3人次。") in text["staffing"]
    district, _figures = text_of(data.district)
    assert "区委组织部举办“城关区社区书记主任培训班”，各街道举办培训班1期；全年全区社区干部参加各级培训4人次" in district["staffing"]


# 3. No data is "未录入" (and a problem: 数据未报送), never 0 — nor a problem of its own.
def test_no_cadres_recorded_is_not_entered_not_zero(tree):
    allocate(tree.community_a1, YEAR, "office", "15000")
    text, figures = text_of(tree.district)
    assert "2025年社区干部任职数据尚未录入。" in text["staffing"]
    assert "0个社区实现" not in text["staffing"] and "一肩挑" not in text["staffing"]
    kinds = [p["kind"] for p in figures["problems"]]
    assert ProblemKind.NO_ONE_SHOULDER not in kinds and ProblemKind.NO_PARTY_WORKER not in kinds
    assert problem_line(text, "数据未报送") == (
        "一是部分数据未报送。3个社区未录入社区干部任职数据、2个社区未录入工作经费到位数据（南关社区、北关社区、中山社区），"
        "相关情况未计入本总结，需督促及时补录。")
    assert figures["current"]["cadres"] is None and figures["previous"]["working_funds"] is None


# 4. 一肩挑 counts urban communities (居委会), not villages (村委会).
def test_one_shoulder_counts_urban_communities_only(data):
    village = make_node("620102001201", "雁滩村", data.street_a, is_urban=False, **community_facts())
    appoint(cadre(village, 60, "college"), "secretary")
    text, figures = text_of(data.street_a)
    assert text["staffing"].startswith("全街道共有城市社区2个（另有村委会1个）。")
    assert "2个城市社区中有1个实现党组织书记、居委会主任“一肩挑”，占50.0%" in text["staffing"]
    one_shoulder = next(p for p in figures["problems"] if p["kind"] == ProblemKind.NO_ONE_SHOULDER)
    assert [i["name"] for i in one_shoulder["items"]] == ["北关社区"]  # not 雁滩村


# 5. A current-year draft: "截至X月X日", compared with the same period of last year;
#    agreements "in force and carried out" exclude those terminated.
def test_a_draft_before_the_years_end_compares_the_same_period(data):
    conference = rb.conference(data.community_b1, level="community", name="中山社区党建联席分会")
    rb.meeting(conference, held_on=D(2024, 3, 1))  # 2024 to 30 June: 1 meeting (and 1 later)
    unit = rb.unit(data.street_b, name="省人民医院")
    ended = rb.agreement(data.community_b1, unit, signed_on=D(2025, 1, 10), valid_from=D(2025, 1, 10),
                         valid_until=D(2027, 1, 9))
    ended.terminated_on, ended.termination_reason = D(2025, 5, 1), "单位迁出辖区"
    ended.save()
    text, _figures = text_of(data.district, today=D(2025, 6, 30))
    # 2025 to 30 June: 南关 5 January, 中山 1 April; 2024 to 30 June: 中山 1 March
    assert "截至2025年6月30日，召开党建联席会议2次，比上年同期增加1次" in text["regional"]
    assert "截至2025年6月30日，新签订共驻共建协议1份，截至2025年6月30日正在履行的协议1份（另有1份年内已终止，未计入）" \
        in text["regional"]
    assert "全年" not in text["regional"]
    idle = problem_line(text, "联席会议作用")
    assert "截至2025年6月30日" in idle and "全年未召开" not in idle
