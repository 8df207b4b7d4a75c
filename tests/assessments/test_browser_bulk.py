"""Batch actions and who-scores-what in a real browser (issue 15): a street clerk submits every
draft of their street at once while the reviewer has just adjusted one of them (that row is
reported as changed, the other submitted); the reviewer approves a page of submitted results at
once while one was returned meanwhile; a clerk is refused, in Chinese, when adjusting an automatic
score, and the reviewer adjusts it with a reason shown under their name.
Screenshots: var/screenshots/assessment-bulk-*.png."""

import re

import pytest

from assessments import services
from assessments.models import Result, Score, State
from tests.browser import chromium_browser, login_as, page, screenshot, url  # noqa: F401

pytestmark = pytest.mark.browser


def switch_user(page, live_server, user):  # noqa: F811
    page.context.clear_cookies()
    return login_as(page, live_server, user)


@pytest.fixture
def scored_scheme(tree, personas):
    """城关区's default scheme for 2025, scored here (no queue): three draft results."""
    scheme = services.scheme_create(actor=personas.district_reviewer, district=tree.district, year=2025)
    run = services.run_start(actor=personas.district_reviewer, scheme=scheme, enqueue=False)
    for chunk_id in run.chunks.values_list("pk", flat=True):
        services.score_chunk(chunk_id)
    return scheme


def _result(community):
    return Result.objects.get(community=community, year=2025)


def test_batch_submit_with_one_conflicting_row(transactional_db, live_server, tree, personas, scored_scheme, page):  # noqa: F811
    from playwright.sync_api import expect

    clerk, reviewer = personas.street_clerk, personas.district_reviewer
    login_as(page, live_server, clerk)
    expect(page.locator("#mainnav")).to_contain_text("待提交")  # the menu names the queue for the clerk
    page.goto(url(live_server, "/assessments/results/"))
    expect(page.locator(".page-header h4")).to_have_text("待提交")
    rows = page.locator("#result-table tbody tr")
    expect(rows).to_have_count(2)  # 街道A's drafts: what the clerk has to act on
    expect(page.locator("#result-table")).not_to_contain_text("中山社区")

    # While the page is open, the reviewer adjusts an automatic score of 北关社区.
    north = _result(tree.community_a2)
    score = Score.objects.get(result=north, indicator__name="联席会议召开")
    services.score_adjust(actor=reviewer, score=score, final=1, reason="区级复核：一次会议有记录")

    page.get_by_label("全选").check()
    expect(page.get_by_label("勾选南关社区")).to_be_checked()
    expect(page.get_by_label("勾选北关社区")).to_be_checked()
    page.get_by_role("button", name="批量提交").click()
    report = page.locator("#bulk-report")
    expect(page.locator(".alert").first).to_contain_text("共 2 条，成功 1 条")
    expect(report.locator("tr", has_text="南关社区")).to_contain_text("成功")
    expect(report.locator("tr", has_text="北关社区")).to_contain_text("已被他人修改")
    screenshot(page, "assessment-bulk-1-submit-report")
    assert _result(tree.community_a1).state == State.SUBMITTED and _result(tree.community_a2).state == State.DRAFT

    # The reloaded queue shows 北关社区 with its new version; submitting it now goes through.
    expect(rows).to_have_count(1)
    page.get_by_label("勾选北关社区").check()
    page.get_by_role("button", name="批量提交").click()
    expect(report.locator("tr", has_text="北关社区")).to_contain_text("成功")
    assert _result(tree.community_a2).state == State.SUBMITTED


def test_batch_approve_with_one_conflicting_row(transactional_db, live_server, tree, personas, scored_scheme, page):  # noqa: F811
    from playwright.sync_api import expect

    for community, clerk in ((tree.community_a1, personas.street_clerk), (tree.community_a2, personas.street_clerk),
                             (tree.community_b1, personas.neighbour_clerk)):
        services.result_transition(actor=clerk, result=_result(community), action="submit")
    login_as(page, live_server, personas.district_reviewer)
    expect(page.locator("#mainnav")).to_contain_text("待审核")
    page.goto(url(live_server, "/assessments/results/"))
    rows = page.locator("#result-table tbody tr")
    expect(rows).to_have_count(3)  # every submitted result of the district

    # A return needs the one comment for all; nothing moves without it.
    page.get_by_label("全选").check()
    page.get_by_role("button", name="批量退回").click()
    expect(page.locator(".alert").first).to_contain_text("请填写此操作的意见或理由")
    expect(rows).to_have_count(3)
    assert _result(tree.community_a1).state == State.SUBMITTED

    # While the page is open, an administrator returns 中山社区.
    services.result_transition(actor=personas.admin, result=_result(tree.community_b1), action="return",
                               comment="场所面积数据待核实")

    page.get_by_label("全选").check()
    page.get_by_role("button", name="批量通过").click()
    report = page.locator("#bulk-report")
    expect(page.locator(".alert").first).to_contain_text("共 3 条，成功 2 条")
    expect(report.locator("tr", has_text="南关社区")).to_contain_text("成功")
    expect(report.locator("tr", has_text="北关社区")).to_contain_text("成功")
    expect(report.locator("tr", has_text="中山社区")).to_contain_text("已被他人修改")
    screenshot(page, "assessment-bulk-2-approve-report")
    assert [_result(c).state for c in (tree.community_a1, tree.community_a2, tree.community_b1)] == [
        State.APPROVED, State.APPROVED, State.RETURNED]
    for name in ("南关社区", "北关社区", "中山社区"):  # nothing left to review
        expect(page.locator("#result-table")).not_to_contain_text(name)


def test_clerk_refused_when_adjusting_an_automatic_score(transactional_db, live_server, tree, personas, scored_scheme, page):  # noqa: F811
    from playwright.sync_api import expect

    reviewer = personas.district_reviewer
    reviewer.last_name, reviewer.first_name = "王", "审核"
    reviewer.save()
    result = _result(tree.community_a1)
    card = url(live_server, f"/assessments/results/{result.pk}/")
    score = Score.objects.get(result=result, indicator__name="联席会议召开")

    # The clerk's score card offers no way to change an automatic score and says who may.
    login_as(page, live_server, personas.street_clerk)
    page.goto(card)
    row = page.locator("#score-table tbody tr", has_text="联席会议召开")
    expect(row).to_contain_text("自动评分（仅审核人员可调整）")
    expect(page.locator("#score-table input[name=final]")).to_have_count(0)
    # A hand-made adjustment (an old page, a crafted request) is refused in Chinese; nothing changes.
    token = page.locator("#workflow-form input[name=csrfmiddlewaretoken]").input_value()
    response = page.request.post(card, form={"csrfmiddlewaretoken": token, "form": "adjust", "score": str(score.pk),
                                             "version": str(result.version), "final": "5", "reason": "自评满分"})
    assert response.ok and "自动评分由业务数据计算得出，只有区级审核人员可以调整" in response.text()
    score.refresh_from_db()
    assert score.final == score.computed and not score.adjusted_at

    # The reviewer adjusts it, with the reason required, and the card names them.
    switch_user(page, live_server, reviewer)
    page.goto(card)
    row = page.locator("#score-table tbody tr", has_text="联席会议召开")
    row.get_by_label("最终得分").fill("2")
    row.get_by_role("button", name="调整").click()
    expect(page.locator(".alert").first).to_contain_text("调整理由")
    row = page.locator("#score-table tbody tr", has_text="联席会议召开")
    row.get_by_label("最终得分").fill("2")
    row.get_by_label("调整理由").fill("两次会议有签到记录")
    row.get_by_role("button", name="调整").click()
    adjustments = page.locator("#adjustments")
    expect(adjustments).to_contain_text("王审核")
    expect(adjustments).to_contain_text("两次会议有签到记录")
    expect(adjustments).not_to_contain_text("district_reviewer")
    expect(page.locator("#final-total")).to_have_text(re.compile(r"^2\.00$"))
    screenshot(page, "assessment-bulk-3-adjusted")
