"""The assessment journey in a real browser: the reviewer starts scoring and watches the job;
the street clerk submits; the reviewer returns it with a comment; the clerk reads it and
resubmits; the reviewer scores the district-scored indicator with a reason and approves; the
ranking shows it. Screenshots: var/screenshots/assessment-*.png."""

import pytest

from assessments import services
from assessments.models import Result
from tests.browser import chromium_browser, login_as, page, screenshot, url  # noqa: F401

pytestmark = pytest.mark.browser


def switch_user(page, live_server, user):  # noqa: F811
    page.context.clear_cookies()
    return login_as(page, live_server, user)


def test_return_correct_resubmit_approve(transactional_db, live_server, tree, personas, page, settings):  # noqa: F811
    from playwright.sync_api import expect

    scheme = services.scheme_create(actor=personas.district_reviewer, district=tree.district, year=2025)

    # The reviewer opens the scheme editor and starts scoring; the job page shows the progress bar.
    login_as(page, live_server, personas.district_reviewer)
    page.goto(url(live_server, "/assessments/schemes/"))
    expect(page.locator("#scheme-table")).to_contain_text("城关区")
    page.get_by_role("link", name=scheme.name).click()
    expect(page.locator("#indicator-tree")).to_contain_text("专职党务工作者")
    screenshot(page, "assessment-1-scheme")
    page.get_by_role("button", name="开始评分").click()
    expect(page.locator("#run-bar")).to_have_text("100%")
    expect(page.locator("#run-done")).to_have_text("3")
    screenshot(page, "assessment-2-job")

    result = Result.objects.get(community=tree.community_a1, year=2025)
    card = f"/assessments/results/{result.pk}/"

    # The street clerk submits 南关社区.
    switch_user(page, live_server, personas.street_clerk)
    page.goto(url(live_server, card))
    expect(page.locator("#score-table")).to_contain_text("人均培训学时")
    page.get_by_role("button", name="提交审核").click()
    expect(page.locator("#result-state")).to_have_text("已提交")

    # The reviewer finds it in the queue and returns it with a comment.
    switch_user(page, live_server, personas.district_reviewer)
    page.goto(url(live_server, "/assessments/results/"))
    expect(page.locator(".page-header h4")).to_have_text("待审核")  # the queue opens on what the reviewer has to act on
    expect(page.locator("#result-table tbody tr")).to_have_count(1)
    page.get_by_label("审核状态").select_option(label="已提交")
    page.get_by_role("button", name="筛选").click()
    rows = page.locator("#result-table tbody tr")
    expect(rows).to_have_count(1)
    screenshot(page, "assessment-3-queue")
    rows.get_by_role("link", name="南关社区").click()
    page.get_by_role("button", name="退回修改").click()
    expect(page.locator(".alert-danger, .alert-error, .alert")).to_contain_text("请填写此操作的意见或理由")
    page.get_by_label("意见或理由").fill("联席会议记录不全，请补录后重新提交。")
    page.get_by_role("button", name="退回修改").click()
    expect(page.locator("#result-state")).to_have_text("已退回")

    # The clerk reads the comment and resubmits; the score card offers them no score to change
    # (every indicator is automatic or scored by the district).
    switch_user(page, live_server, personas.street_clerk)
    page.goto(url(live_server, card))
    expect(page.locator("#review-comment")).to_contain_text("联席会议记录不全")
    expect(page.locator("#score-table input[name=final]")).to_have_count(0)
    expect(page.locator("#score-table tbody tr", has_text="群众满意度")).to_contain_text("区级评定")
    page.get_by_role("button", name="提交审核").click()
    expect(page.locator("#result-state")).to_have_text("已提交")

    # The reviewer scores 群众满意度 (由区委组织部评定) with a reason.
    switch_user(page, live_server, personas.district_reviewer)
    page.goto(url(live_server, card))
    row = page.locator("#score-table tbody tr", has_text="群众满意度")
    row.get_by_label("最终得分").fill("2.7")
    row.get_by_label("调整理由").fill("入户测评满意率90%")
    row.get_by_role("button", name="调整").click()
    expect(page.locator("#adjustments")).to_contain_text("入户测评满意率90%")
    expect(page.locator("#final-total")).to_have_text("2.70")
    screenshot(page, "assessment-4-scorecard")

    # The reviewer approves; the ranking shows it.
    page.get_by_role("button", name="审核通过").click()
    expect(page.locator("#result-state")).to_have_text("已通过")
    expect(page.locator("#workflow-history li")).to_have_count(4)
    screenshot(page, "assessment-5-approved")
    page.goto(url(live_server, f"/assessments/schemes/{scheme.pk}/ranking/"))
    first = page.locator("#district-ranking tbody tr").first
    expect(first).to_contain_text("南关社区")
    expect(first).to_contain_text("已通过")
    expect(first).to_contain_text("不合格")
    screenshot(page, "assessment-6-ranking")
    result.refresh_from_db()
    assert result.state == "approved" and str(result.final_total) == "2.70"
