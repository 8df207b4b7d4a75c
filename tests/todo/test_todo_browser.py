"""The 待办 in a real browser: the clerk's count of results to submit falls as they submit, the
reviewer's count of results to review rises, and falls again when the reviewer approves.
Screenshots: var/screenshots/todo-*.png."""

import pytest

from assessments import services
from assessments.models import Result
from tests.browser import chromium_browser, login_as, page, screenshot, url  # noqa: F401

pytestmark = pytest.mark.browser


def switch_user(page, live_server, user):  # noqa: F811
    page.context.clear_cookies()
    return login_as(page, live_server, user)


def test_todo_counts_follow_submit_and_approve(transactional_db, live_server, tree, personas, page):  # noqa: F811
    from playwright.sync_api import expect

    scheme = services.scheme_create(actor=personas.district_reviewer, district=tree.district, year=2025)
    for community in (tree.community_a1, tree.community_a2):
        Result.objects.create(scheme=scheme, community=community, year=2025)

    # The clerk's home: two results to submit, the count in the menu too; the item opens them.
    switch_user(page, live_server, personas.street_clerk)
    expect(page.locator("#todo-results_to_submit .todo-count")).to_have_text("2")
    expect(page.locator("#nav-todo-total")).to_have_text("2")
    screenshot(page, "todo-1-clerk")
    page.locator("#todo-results_to_submit a").click()
    expect(page.locator("#result-table tbody tr")).to_have_count(2)
    page.locator("#result-table tbody tr").get_by_role("link", name="南关社区").click()
    page.get_by_role("button", name="提交审核").click()
    expect(page.locator("#result-state")).to_have_text("已提交")
    page.goto(url(live_server, "/"))
    expect(page.locator("#todo-results_to_submit .todo-count")).to_have_text("1")

    # The reviewer's count rose; the item opens the one result to review; approving it clears it.
    switch_user(page, live_server, personas.district_reviewer)
    expect(page.locator("#todo-results_to_review .todo-count")).to_have_text("1")
    expect(page.locator("#nav-todo-total")).to_have_text("1")
    screenshot(page, "todo-2-reviewer")
    page.locator("#todo-results_to_review a").click()
    rows = page.locator("#result-table tbody tr")
    expect(rows).to_have_count(1)
    rows.get_by_role("link", name="南关社区").click()
    page.get_by_role("button", name="审核通过").click()
    expect(page.locator("#result-state")).to_have_text("已通过")
    page.goto(url(live_server, "/"))
    expect(page.locator("#todo-results_to_review .todo-count")).to_have_text("0")
    expect(page.locator("#nav-todo-total")).to_have_count(0)
    screenshot(page, "todo-3-reviewer-done")
