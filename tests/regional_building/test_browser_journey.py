"""A street clerk records a fulfilment in a real browser; the agreement's commitment figure and
the street's 一化 panel change. Screenshots: var/screenshots/rb-journey-*.png."""

import datetime
import re

import pytest
from django.utils import timezone

from regional_building import models as m
from tests.browser import chromium_browser, login_as, page, screenshot, url  # noqa: F401
from tests.regional_building import factories as fx

pytestmark = pytest.mark.browser


def test_clerk_records_a_fulfilment(transactional_db, live_server, tree, personas, page):  # noqa: F811
    from playwright.sync_api import expect

    today = timezone.localdate()
    unit = fx.unit(tree.street_a, name="国网兰州供电公司酒泉路供电所", contact_phone="13912345678")
    agreement = fx.agreement(tree.street_a, unit, today - datetime.timedelta(days=200), today - datetime.timedelta(days=200),
                             today + datetime.timedelta(days=400), title="酒泉路街道与供电所共驻共建协议")
    overdue = fx.commitment(agreement, max(today - datetime.timedelta(days=10), datetime.date(today.year, 1, 1)), category="practical_deed",
                            description="为居民免费检修电路")
    # Due on the last day of this year: not overdue, and inside this year's figures.
    fx.commitment(agreement, datetime.date(today.year, 12, 31), category="party_day", description="共同开展主题党日活动")

    nav = page.locator("nav.navbar")
    login_as(page, live_server, personas.street_clerk)
    nav.get_by_role("link", name="区域化党建").click()
    expect(page.locator("h4")).to_contain_text("共驻共建协议")
    row = page.locator("table.rb-table tbody tr", has_text="酒泉路街道与供电所共驻共建协议")
    expect(row).to_contain_text("0 / 2")
    expect(row).to_contain_text("有效")
    screenshot(page, "rb-journey-1-agreements")

    # The street's panel before: one of two commitments due, none kept, one overdue.
    page.goto(url(live_server, f"/tree/{tree.street_a.code}/"))
    panel = page.locator("#rb-figures")
    expect(panel.locator('[data-figure="commitments_kept"]')).to_have_text(re.compile(r"^0（0.0%）$"))
    expect(panel.locator('[data-figure="commitments_overdue"]')).to_have_text("1")

    page.go_back()
    row.get_by_role("link", name="酒泉路街道与供电所共驻共建协议").click()
    commitments = page.locator("#child-commitment")
    expect(commitments.locator("tr", has_text="为居民免费检修电路")).to_contain_text("已逾期")
    screenshot(page, "rb-journey-2-agreement")
    commitments.get_by_role("link", name="为居民免费检修电路").click()
    page.get_by_role("link", name="登记履行情况").click()
    expect(page.get_by_label("承诺事项")).to_have_value(str(overdue.pk))

    # A date before the signing is refused with a Chinese message; nothing is saved.
    page.get_by_label("履行日期").fill((agreement.signed_on - datetime.timedelta(days=1)).isoformat())
    page.get_by_label("履行内容").fill("组织供电所党员为辖区60户老人免费检修线路")
    page.get_by_label("佐证材料").fill("活动照片12张、居民签字确认单")
    page.get_by_role("button", name="保存", exact=True).click()
    expect(page.locator(".errorlist")).to_contain_text("履行日期不能早于协议签订日期")
    assert not m.Fulfilment.objects.exists()
    screenshot(page, "rb-journey-3-refused")

    page.get_by_label("履行日期").fill(today.isoformat())
    page.get_by_role("button", name="保存", exact=True).click()
    expect(page.locator(".alert-success")).to_contain_text("已保存")
    assert m.Fulfilment.objects.get().commitment == overdue
    screenshot(page, "rb-journey-4-fulfilment")

    # The agreement list now counts one commitment kept, and the commitment reads 已履行.
    nav.get_by_role("link", name="区域化党建").click()
    expect(row).to_contain_text("1 / 2")
    row.get_by_role("link", name="酒泉路街道与供电所共驻共建协议").click()
    expect(page.locator("#child-commitment tr", has_text="为居民免费检修电路")).to_contain_text("已履行")
    expect(page.locator(".card", has_text="变更历史")).to_be_visible()

    # The street's panel after.
    page.goto(url(live_server, f"/tree/{tree.street_a.code}/"))
    expect(panel.locator('[data-figure="commitments_kept"]')).to_have_text(re.compile(r"^1（50.0%）$"))
    expect(panel.locator('[data-figure="commitments_overdue"]')).to_have_text("0")
    screenshot(page, "rb-journey-5-panel")


# "English": the language menu names each language in itself (English, 简体中文)
ALLOWED_LATIN = {"Excel", "API", "PDF", "Word", "docx", "DOCX", "JPG", "PNG", "MB", "street_clerk", "Q", "English"}


def test_every_page_reads_chinese(transactional_db, live_server, tree, personas, page):  # noqa: F811
    """Every list and form of the app, filled with a little data: no English words on screen."""
    from regional_building.urls import SEGMENTS

    unit = fx.unit(tree.street_a, name="兰州银行酒泉路支行")
    conf = fx.conference(tree.street_a)
    fx.member(conf, unit)
    fx.committee_member(conf, unit)
    fx.meeting(conf)
    agr = fx.agreement(tree.street_a, unit)
    fx.fulfilment(fx.commitment(agr), datetime.date(2025, 5, 1))
    reg = fx.registration(tree.community_a1)
    fx.feedback(reg)
    fx.claim(fx.post(tree.community_a1), member=reg)
    login_as(page, live_server, personas.street_clerk)
    for name, segment in SEGMENTS.items():
        for path in (f"/regional/{segment}/", f"/regional/{segment}/add/"):
            page.goto(url(live_server, path))
            text = page.locator("body").inner_text().replace(personas.street_clerk.username, "")
            words = set(re.findall(r"\b[A-Za-z]{2,}\b", text)) - ALLOWED_LATIN
            assert not words, (path, words)
        screenshot(page, f"rb-form-{name}")
    page.goto(url(live_server, f"/regional/meetings/{m.Meeting.objects.get().pk}/"))
    screenshot(page, "rb-meeting-detail")
    page.goto(url(live_server, "/regional/units/"))
    screenshot(page, "rb-units")
