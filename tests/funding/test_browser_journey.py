"""A clerk's funding journey in a real browser: spending refused for lack of funds, an
allocation added, the spending goes through, and the community's compliance changes.

Screenshots land in var/screenshots/funding-*.png for review.
"""

from datetime import date

import pytest
from django.utils import timezone

from funding.models import Expenditure
from tests.browser import chromium_browser, login_as, page, screenshot, url  # noqa: F401
from tests.funding.conftest import allocate, spend, standard

pytestmark = pytest.mark.browser


def open_menu(nav, label):
    """The funding pages sit in the navbar's 经费 dropdown."""
    nav.get_by_role("button", name="经费", exact=True).click()
    nav.get_by_role("link", name=label).click()


def test_clerk_is_refused_then_funds_arrive_and_compliance_changes(transactional_db, live_server, tree, personas, page):  # noqa: F811
    from playwright.sync_api import expect

    year = timezone.localdate().year
    today = timezone.localdate()
    a1 = tree.community_a1
    standard(tree.district, year=year, office=15000, party=5000)
    allocate(a1, 15000, year=year, received_on=date(year, 1, 15), document_number="城财行〔%d〕3号" % year)
    spend(a1, 14000, spent_on=date(year, 1, 20), purpose="办公用房取暖及水电")
    nav = page.locator("nav.navbar")

    login_as(page, live_server, personas.street_clerk)

    # The compliance page: 南关社区 has no party-building funds yet, so it is below standard.
    open_menu(nav, "经费达标")
    row = page.locator('#compliance-table tr[data-community="%s"]' % a1.code)
    expect(row).to_contain_text("未达标")
    expect(row).to_contain_text("继承")
    screenshot(page, "funding-1-compliance-before")

    # Spending of 2,000 for a party day: refused, the message gives the balance of 1,000.
    open_menu(nav, "经费支出")
    page.get_by_role("link", name="新增").click()
    page.get_by_label("社区").select_option(label="酒泉路街道 / 南关社区")
    page.get_by_label("支出日期").fill(today.isoformat())
    page.get_by_label("支出类别").select_option(label="党建活动")
    page.get_by_label("金额（元）").fill("2000")
    page.get_by_label("用途").fill("“七一”主题党日活动")
    page.get_by_label("凭证号").fill("记-0701")
    page.get_by_role("button", name="保存", exact=True).click()
    expect(page.locator(".errorlist, .invalid-feedback, .alert-danger").first).to_contain_text("余额为¥1,000.00")
    assert not Expenditure.objects.filter(voucher_number="记-0701").exists()
    screenshot(page, "funding-2-refused")

    # The street's party-building funds arrive: 5,000 from party dues.
    open_menu(nav, "经费拨付")
    page.get_by_role("link", name="新增").click()
    page.get_by_label("社区").select_option(label="酒泉路街道 / 南关社区")
    page.get_by_label("预算年度").fill(str(year))
    page.get_by_label("经费类别").select_option(label="党建工作经费")
    page.get_by_label("经费来源").select_option(label="党费")
    page.get_by_label("金额（元）").fill("5000")
    page.get_by_label("到账日期").fill(today.isoformat())
    page.get_by_label("文号").fill("城组发〔%d〕18号" % year)
    page.get_by_role("button", name="保存", exact=True).click()
    expect(page.locator(".alert-success")).to_contain_text("已保存")
    summary = page.locator(".funds-summary")
    expect(summary.locator('[data-figure="balance"]')).to_have_text("¥6,000.00")
    expect(summary.locator('[data-figure="meets"]')).to_contain_text("达标")
    expect(summary.locator('[data-figure="meets"]')).not_to_contain_text("未达标")
    screenshot(page, "funding-3-allocation")

    # The same spending now goes through.
    open_menu(nav, "经费支出")
    page.get_by_role("link", name="新增").click()
    page.get_by_label("社区").select_option(label="酒泉路街道 / 南关社区")
    page.get_by_label("支出日期").fill(today.isoformat())
    page.get_by_label("支出类别").select_option(label="党建活动")
    page.get_by_label("金额（元）").fill("2000")
    page.get_by_label("用途").fill("“七一”主题党日活动")
    page.get_by_label("凭证号").fill("记-0701")
    page.get_by_role("button", name="保存", exact=True).click()
    expect(page.locator(".alert-success")).to_contain_text("已保存")
    summary = page.locator(".funds-summary")
    expect(summary.locator('[data-figure="balance"]')).to_have_text("¥4,000.00")
    expect(summary.locator('[data-figure="party-share"]')).to_have_text("12.5%")  # 2,000 of 16,000
    assert Expenditure.objects.filter(voucher_number="记-0701", community=a1).exists()
    screenshot(page, "funding-4-spent")

    # The compliance page and the community's own page now show it meeting the standard.
    open_menu(nav, "经费达标")
    row = page.locator('#compliance-table tr[data-community="%s"]' % a1.code)
    expect(row).to_contain_text("达标")
    expect(row).not_to_contain_text("未达标")
    expect(row).to_contain_text("12.5%")
    screenshot(page, "funding-5-compliance-after")
    row.get_by_role("link", name="南关社区").click()
    panel = page.locator("#funding-panel")
    expect(panel.locator('[data-figure="meets"]')).to_contain_text("达标")
    expect(panel.locator('[data-figure="standard"]')).to_contain_text("继承自城关区")
    screenshot(page, "funding-6-community")


def test_reviewer_reads_lists_with_the_below_standard_filter(transactional_db, live_server, tree, personas, page):  # noqa: F811
    from playwright.sync_api import expect

    year = timezone.localdate().year
    standard(tree.district, year=year, office=15000, party=5000)
    allocate(tree.community_a1, 15000, year=year)
    allocate(tree.community_a1, 5000, year=year, category="party", source="party_dues")
    allocate(tree.community_b1, 12000, year=year)
    login_as(page, live_server, personas.district_reviewer)
    page.goto(url(live_server, "/funding/allocations/"))
    expect(page.locator("#allocation-table tbody tr")).to_have_count(3)
    page.get_by_label("未达标").select_option(label="是")
    page.get_by_role("button", name="筛选").click()
    table = page.locator("#allocation-table")
    expect(table.locator("tbody tr")).to_have_count(1)
    expect(table).to_contain_text("中山社区")
    expect(table).to_contain_text("¥12,000.00")
    screenshot(page, "funding-7-allocations-below")
    page.goto(url(live_server, "/funding/standards/"))
    expect(page.locator("#standard-table")).to_contain_text("城关区")
    screenshot(page, "funding-8-standards")
    page.locator("#standard-table").get_by_role("link", name=str(year)).click()
    expect(page.locator("#governed")).to_contain_text("南关社区")
    screenshot(page, "funding-9-standard-detail")
