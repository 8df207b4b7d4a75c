"""A street clerk adds a cadre with two posts in a real browser, and the community's 一肩挑
figure changes. Screenshots: var/screenshots/staffing-*.png."""

import pytest

from staffing.models import Cadre
from tests.browser import chromium_browser, login_as, page, screenshot, url  # noqa: F401
from tests.staffing.conftest import appoint, id_for, make_cadre

pytestmark = pytest.mark.browser


def test_clerk_adds_a_cadre_with_two_posts(transactional_db, live_server, tree, personas, page):  # noqa: F811
    from datetime import date

    from playwright.sync_api import expect

    # 南关社区 already has a party worker; nobody holds the secretary or director post.
    appoint(make_cadre(tree.community_a1, "刘芳", date(1990, 5, 4), gender="F", education="college"), "party_worker")
    community_url = url(live_server, f"/communities/{tree.community_a1.pk}/")

    login_as(page, live_server, personas.street_clerk)
    page.goto(community_url)
    figures = page.locator("#staffing-figures")
    expect(figures.locator("#fig-one-shoulder")).to_have_text("否")
    expect(figures.locator("#fig-cadres")).to_have_text("1")
    screenshot(page, "staffing-1-community-before")

    # The roster, then 新增.
    page.locator("nav.navbar").get_by_role("link", name="社区干部").click()
    expect(page.locator("#staffing-tabs .active")).to_have_text("社区干部")
    screenshot(page, "staffing-2-roster")
    page.get_by_role("link", name="新增").click()
    born = date(1979, 8, 15)
    page.get_by_label("社区").select_option(label="酒泉路街道 / 南关社区")
    page.get_by_label("姓名").fill("王建国")
    page.get_by_label("性别").select_option(label="男")
    page.get_by_label("出生日期").fill(born.isoformat())
    page.get_by_label("学历").select_option(label="大学本科")
    page.get_by_label("入党时间").fill("2001-07-01")
    page.get_by_label("手机号码").fill("13919198888")
    # A mistyped ID number first: the Chinese message, nothing saved.
    good = id_for(born, "M")
    page.get_by_label("身份证号码").fill(good[:17] + ("0" if good[17] != "0" else "1"))
    page.get_by_role("button", name="保存", exact=True).click()
    expect(page.locator(".errorlist")).to_contain_text("校验位不正确")
    assert not Cadre.objects.filter(name="王建国").exists()
    screenshot(page, "staffing-3-id-error")
    page.get_by_label("身份证号码").fill(good)
    page.get_by_role("button", name="保存", exact=True).click()
    cadre = Cadre.objects.get(name="王建国")
    expect(page).to_have_url(url(live_server, f"/staffing/cadres/{cadre.pk}/"))
    expect(page.locator("#record-fields")).to_contain_text(good[:6] + "*" * 12)
    expect(page.locator("#record-fields")).not_to_contain_text(good)

    # Two posts from the cadre's page: secretary, then director.
    for label in ("党组织书记", "居委会主任"):
        page.locator(".related-block", has_text="任职记录").get_by_role("link", name="新增").click()
        expect(page.get_by_label("干部")).to_have_value(str(cadre.pk))
        page.get_by_label("职务").select_option(label=label)
        page.get_by_label("开始日期").fill("2024-01-02")
        page.get_by_label("用工形式").select_option(label="事业编制")
        page.get_by_label("选配渠道").select_option(label="街道（乡镇）机关选派")
        page.get_by_label("产生方式").select_option(label="换届选举")
        page.get_by_label("任命机关").fill("城关区委组织部")
        if label == "居委会主任":
            screenshot(page, "staffing-4-appointment-form")
        page.get_by_role("button", name="保存", exact=True).click()
        expect(page.locator(".alert-success")).to_be_visible()
        page.get_by_role("link", name="王建国").first.click()
    posts = page.locator(".related-block", has_text="任职记录").locator("tbody tr")
    expect(posts).to_have_count(2)
    screenshot(page, "staffing-5-cadre")

    # The community's figures now show 一肩挑.
    page.goto(community_url)
    expect(figures.locator("#fig-one-shoulder")).to_have_text("是")
    expect(figures.locator("#fig-cadres")).to_have_text("2")
    expect(page.locator("#headcount-by-post")).to_contain_text("党组织书记")
    screenshot(page, "staffing-6-community-after")

    # And the street page counts the community among its 一肩挑 communities.
    page.goto(url(live_server, f"/tree/{tree.street_a.code}/"))
    expect(page.locator("#fig-one-shoulder")).to_have_text("1/2")
    screenshot(page, "staffing-7-street")
