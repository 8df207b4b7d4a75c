"""The scoring run in the change log: its rows are the system's (系统 · 考核评分), not the
person whose request ran it, created rows are 新增, results and scores are named, evidence is
readable (issue 15)."""

import re

import pytest
from django.urls import reverse
from simple_history.models import HistoricalRecords

from assessments import services
from assessments.models import Result, Score
from core.audit import SCORING_JOB

LEAVES = 19


@pytest.fixture
def run_in_clerks_request(scheme, facts_data, personas, rf, django_capture_on_commit_callbacks):
    """Score the district while a clerk's request is the current one (tasks run inline in the
    demo and without a broker: the history middleware would name that clerk)."""

    def run():
        request = rf.get("/")
        request.user = personas.street_clerk
        HistoricalRecords.context.request = request
        try:
            with django_capture_on_commit_callbacks(execute=True):
                services.run_start(actor=personas.district_reviewer, scheme=scheme, chunk_size=2)
        finally:
            del HistoricalRecords.context.request

    return run


def _rows(html):
    body = html.split('id="changes">', 1)[1].split("</table>", 1)[0].split("<tbody>", 1)[1]
    return [re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", r)).strip() for r in re.findall(r"<tr>(.*?)</tr>", body, re.S)]


def test_scoring_run_writes_as_the_system_and_creates(run_in_clerks_request, personas):
    run_in_clerks_request()
    results, scores = Result.history.all(), Score.history.all()
    assert results.count() == 3 and scores.count() == 3 * LEAVES
    for row in [*results, *scores]:
        assert (row.history_type, row.history_user_id, row.history_change_reason) == ("+", None, SCORING_JOB)
    # a run that changes nothing writes no history; one that changes a score writes one change
    run_in_clerks_request()
    assert Result.history.count() == 3 and Score.history.count() == 3 * LEAVES


def test_changelog_names_results_and_scores_and_reads_evidence(run_in_clerks_request, login, personas, facts_data):
    run_in_clerks_request()
    clerk = personas.street_clerk
    clerk.last_name, clerk.first_name = "李", "录入"
    clerk.save()
    result = Result.objects.get(community=facts_data.community_a1)
    services.result_transition(actor=clerk, result=result, action="submit")
    client = login(personas.district_reviewer)
    rows = _rows(client.get(reverse("core:changelog"), {"app": "assessments", "kind": "assessments.result"}).content.decode())
    created = [r for r in rows if "新增" in r]
    assert len(created) == 3 and all("系统 · 考核评分" in r and "李录入" not in r for r in created)
    assert any("2025年 南关社区 考核结果" in r for r in created)
    submitted = next(r for r in rows if "修改" in r)
    # the clerk's submission, with what it was before
    assert "李录入" in submitted and "2025年 南关社区 考核结果" in submitted and "草稿 → 已提交" in submitted
    score_rows = _rows(client.get(reverse("core:changelog"), {"kind": "assessments.score"}).content.decode())
    manual = next(r for r in score_rows if "群众满意度（人工评定） — 南关社区 2025" in r)
    assert "评分方式：人工评分" in manual and "满分：3.00" in manual
    assert "{'" not in " ".join(score_rows) and "'method'" not in " ".join(score_rows)
    assert not any(re.search(r"指标得分 \d+ ", r) for r in score_rows)  # never a bare id
