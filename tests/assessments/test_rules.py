"""Every rule kind on hand-computed facts, the evidence it keeps, and the default scheme's
scores for the hand-computed community."""

from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from assessments.models import Result, Score
from assessments.rules import apply_rule, validate_rule

W = Decimal("4")


@pytest.mark.parametrize("mode,facts,expected", [
    ("all", {"staffing.secretary_in_post": True, "staffing.director_in_post": True}, "4.00"),
    ("all", {"staffing.secretary_in_post": True, "staffing.director_in_post": False}, "0.00"),
    ("any", {"staffing.one_shoulder": False, "staffing.full_time_deputy": True}, "4.00"),
    ("any", {"staffing.one_shoulder": False, "staffing.full_time_deputy": False}, "0.00"),
])
def test_boolean(mode, facts, expected):
    score, evidence = apply_rule("boolean", {"facts": list(facts), "mode": mode}, facts, W)
    assert score == Decimal(expected)
    assert evidence["facts"] == facts and evidence["rule"] == "boolean" and evidence["score"] == expected


@pytest.mark.parametrize("value,expected", [(0, "0.00"), (1, "4.00"), (3, "4.00")])
def test_threshold(value, expected):
    score, _ = apply_rule("threshold", {"fact": "staffing.party_workers", "min": 1}, {"staffing.party_workers": value}, W)
    assert score == Decimal(expected)


@pytest.mark.parametrize("value,expected", [(0, "0.00"), (3, "2.40"), (5, "4.00"), (9, "4.00"), (Decimal("8.0"), "6.40")])
def test_count(value, expected):
    at_least = 16 if isinstance(value, Decimal) else 5
    weight = Decimal("12.8") if isinstance(value, Decimal) else W
    score, _ = apply_rule("count", {"fact": "staffing.staff_count", "at_least": at_least}, {"staffing.staff_count": value}, weight)
    assert score == Decimal(expected)


@pytest.mark.parametrize("num,den,target,expected", [
    (Decimal("250"), Decimal("300"), 1, "8.33"),   # 250/300 × 10
    (Decimal("3000"), Decimal("10000"), 0.3, "10.00"),
    (Decimal("1500"), Decimal("10000"), 0.3, "5.00"),
    (Decimal("5"), Decimal("0"), 1, "0.00"),        # nothing to divide by
])
def test_ratio(num, den, target, expected):
    params = {"numerator": "venues.built_area", "denominator": "venues.required_area", "target": target}
    score, evidence = apply_rule("ratio", params, {"venues.built_area": num, "venues.required_area": den}, Decimal("10"))
    assert score == Decimal(expected)
    assert evidence["facts"] == {"venues.built_area": str(num), "venues.required_area": str(den)}


@pytest.mark.parametrize("kind,params", [
    ("nonsense", {}),
    ("threshold", {"fact": "staffing.nothing", "min": 1}),
    ("threshold", {"fact": "staffing.party_workers"}),
    ("count", {"fact": "staffing.staff_count", "at_least": "many"}),
    ("ratio", {"numerator": "venues.built_area", "denominator": "venues.required_area", "target": -1}),
    ("boolean", {"facts": []}),
    ("boolean", "not a dict"),
])
def test_bad_rules_are_refused(kind, params):
    with pytest.raises(ValidationError):
        validate_rule(kind, params)


EXPECTED_A1 = {
    "书记、主任在岗": "5.00", "“一肩挑”或配备专职副职": "4.00", "工作人员配备": "2.40", "专职党务工作者": "4.00",
    "大专以上学历占比": "4.00", "人均培训学时": "2.00",
    "办公经费达标": "9.00", "党建工作经费达标": "0.00", "党建工作支出占比": "7.00",
    "活动场所面积达标": "8.33", "一站式服务大厅": "5.00", "功能室设置": "3.00", "设施设备配备": "2.80",
    "联席会议召开": "3.75", "共驻共建协议": "2.00", "“四个一”承诺履行": "2.50", "在职党员报到": "1.00", "服务岗位认领": "2.00",
    "群众满意度（人工评定）": None,
}


def test_default_scheme_scores_the_hand_computed_community(scored, facts_data):
    a1 = facts_data.community_a1
    scores = {s.indicator.name: s for s in Score.objects.filter(community=a1, year=2025).select_related("indicator")}
    assert {name: (str(s.computed) if s.computed is not None else None) for name, s in scores.items()} == EXPECTED_A1
    assert scores["活动场所面积达标"].evidence["facts"] == {"venues.built_area": "250.00", "venues.required_area": "300.00"}
    result = Result.objects.get(community=a1, year=2025)
    assert result.computed_total == result.final_total == Decimal("67.78")
    # 中山社区 has only the district's standards and no data: every score is 0
    assert Result.objects.get(community=facts_data.community_b1, year=2025).computed_total == 0
