"""A street clerk's venue journey in a real browser: a community below the area standard gets
a completed venue, a future completion date is refused on the way, and the compliance figure
changes. Screenshots land in var/screenshots/venues-*.png for review."""

from datetime import date, timedelta

import pytest
from django.utils import timezone

from tests.browser import chromium_browser, login_as, page, screenshot, url  # noqa: F401
from tests.venues.conftest import make_standard, make_venue
from venues.models import Venue

pytestmark = pytest.mark.browser


def test_clerk_brings_a_community_up_to_standard(transactional_db, live_server, tree, personas, page):  # noqa: F811
    from playwright.sync_api import expect

    year = timezone.localdate().year
    make_standard(tree.district, year, "120.00")
    make_standard(tree.street_a, year, "250.00", per_100="10.00")  # 北关社区: 3000 households → 300 ㎡
    make_venue(tree.community_a1, "260.00", completed=date(2009, 5, 1), name="南关社区办公用房")
    make_venue(tree.community_a2, "280.00", completed=date(2008, 7, 1), name="北关社区办公用房", acquisition="rented")

    nav = page.locator("nav.navbar")
    login_as(page, live_server, personas.street_clerk)

    # The compliance page: one of the clerk's two communities is below standard.
    nav.get_by_role("link", name="场所", exact=True).click()
    page.locator("#venue-tabs").get_by_role("link", name="面积达标").click()
    expect(page).to_have_url(url(live_server, "/venues/compliance/"))
    expect(page.locator("#compliance-summary .compliance-rate")).to_have_text("50.0%")
    table = page.locator("#compliance-table")
    expect(table).to_contain_text("每100户10㎡，且不少于250㎡")
    page.get_by_label("未达标", exact=True).select_option(label="是")
    page.get_by_role("button", name="筛选").click()
    rows = page.locator("#compliance-table tbody tr")
    expect(rows).to_have_count(1)
    expect(rows.first).to_contain_text("北关社区")
    expect(rows.first).to_contain_text("低于标准，差 20.00 ㎡")
    expect(rows.first).to_contain_text("酒泉路街道")
    screenshot(page, "venues-1-below-standard")

    # 新增场所 from that row: the community is already chosen.
    rows.first.get_by_role("link", name="新增场所").click()
    expect(page.get_by_label("社区（街道 / 社区）")).to_have_value(str(tree.community_a2.pk))
    page.get_by_label("场所名称").fill("北关社区活动室扩建")
    page.get_by_label("场所地址").fill("兰州市城关区北关街12号")
    page.get_by_label("使用面积（㎡）").fill("40")
    page.get_by_label("取得方式").select_option(label="扩建")
    page.get_by_label("建设状态").select_option(label="已建成")
    page.get_by_label("投资（元）").fill("120000")
    page.get_by_label("一门式服务大厅").check()
    page.get_by_label("党员活动室").check()
    page.get_by_label("电脑").fill("4")

    # Completed, but dated next month: refused with the reason, nothing saved.
    page.get_by_label("竣工日期").fill((timezone.localdate() + timedelta(days=30)).isoformat())
    page.get_by_role("button", name="保存", exact=True).click()
    expect(page.locator(".errorlist")).to_contain_text("不能晚于今天")
    expect(page.get_by_label("场所名称")).to_have_value("北关社区活动室扩建")
    assert not Venue.objects.filter(name="北关社区活动室扩建").exists()
    screenshot(page, "venues-2-refused")

    # Dated today, it saves; the detail page shows the community now meets the standard.
    page.get_by_label("竣工日期").fill(timezone.localdate().isoformat())
    page.get_by_role("button", name="保存", exact=True).click()
    venue = Venue.objects.get(name="北关社区活动室扩建")
    expect(page).to_have_url(url(live_server, f"/venues/{venue.pk}/"))
    expect(page.locator(".alert-success")).to_contain_text("已保存")
    facts = page.locator("#venue-facts")
    expect(facts).to_contain_text("40.00 ㎡")
    expect(facts).to_contain_text("党员活动室")
    expect(page.locator("#venue-compliance")).to_contain_text("320.00 ㎡")
    expect(page.locator("#venue-compliance .badge")).to_have_text("达标")
    screenshot(page, "venues-3-detail")

    # The compliance figure changed: on the compliance page and on the street's panel.
    nav.get_by_role("link", name="场所", exact=True).click()
    page.locator("#venue-tabs").get_by_role("link", name="面积达标").click()
    expect(page.locator("#compliance-summary .compliance-rate")).to_have_text("100.0%")
    screenshot(page, "venues-4-compliance")
    page.goto(url(live_server, f"/tree/{tree.street_a.code}/"))
    panel = page.locator(".card", has_text="有场所议事")
    expect(panel.locator(".compliance-rate")).to_contain_text("100.0%（2/2）")
    screenshot(page, "venues-5-street-panel")

    # The venue list lists it with the others.
    nav.get_by_role("link", name="场所", exact=True).click()
    expect(page.locator("#venue-table")).to_contain_text("北关社区活动室扩建")
    screenshot(page, "venues-6-list")

    # Where the standard comes from: the street's own standard, and the district's it overrides.
    page.locator("#venue-tabs").get_by_role("link", name="面积达标").click()
    page.locator("#compliance-table tbody tr").first.get_by_role("link", name="酒泉路街道").click()
    expect(page.locator("h4")).to_contain_text(f"酒泉路街道 {year}年面积标准")
    expect(page.locator("#standard-facts")).to_contain_text("每100户10㎡，且不少于250㎡")
    expect(page.locator("#standard-facts")).to_contain_text("2（达标 2）")
    screenshot(page, "venues-7-standard")
    nav.get_by_role("link", name="场所", exact=True).click()
    page.locator("#venue-tabs").get_by_role("link", name="面积标准").click()
    expect(page.locator("#standard-table")).to_contain_text("酒泉路街道")
    expect(page.locator("#standard-table")).not_to_contain_text("城关区 / 城关区")
    screenshot(page, "venues-8-standards")
