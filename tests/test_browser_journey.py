"""A street clerk's journey in a real browser: log in, browse the tree, add a community.

Screenshots land in var/screenshots/journey-*.png for review.
"""

import re

import pytest

from communities.models import Node
from tests.browser import chromium_browser, login_as, page, screenshot, url  # noqa: F401

pytestmark = pytest.mark.browser


def test_street_clerk_adds_a_community(transactional_db, live_server, tree, personas, page):  # noqa: F811
    from playwright.sync_api import expect

    nav = page.locator("nav.navbar")

    # Log in through the form; the home page shows the clerk's part of the hierarchy.
    login_as(page, live_server, personas.street_clerk)
    expect(page.locator("h4")).to_contain_text("欢迎，street_clerk")
    assignments = page.locator("#my-assignments")
    expect(assignments).to_contain_text("酒泉路街道")
    expect(assignments).to_contain_text("录入员")
    screenshot(page, "journey-1-home")

    # The tree: the clerk's street is their only root; into it, its communities.
    nav.get_by_role("link", name="区划树").click()
    expect(page).to_have_url(url(live_server, "/tree/"))
    roots = page.locator("#tree-children tbody tr")
    expect(roots).to_have_count(1)
    roots.get_by_role("link", name="酒泉路街道").click()
    expect(page).to_have_url(url(live_server, f"/tree/{tree.street_a.code}/"))
    crumbs = page.locator("ol.breadcrumb")
    expect(crumbs).to_contain_text("城关区")
    expect(crumbs.locator(".breadcrumb-item.active")).to_have_text("酒泉路街道")
    children = page.locator("#tree-children")
    expect(children).to_contain_text("南关社区")
    expect(children).to_contain_text("北关社区")
    expect(children).not_to_contain_text("中山社区")
    screenshot(page, "journey-2-tree")

    # The community list, then 新增.
    nav.get_by_role("link", name="社区", exact=True).click()
    expect(page).to_have_url(url(live_server, "/communities/"))
    page.get_by_role("link", name="新增").click()
    expect(page).to_have_url(url(live_server, "/communities/add/"))

    page.get_by_label("区划代码").fill("620102")
    page.get_by_label("名称").fill("晨光社区")
    page.get_by_label("街道/乡镇").select_option(label="城关区 / 酒泉路街道（620102001）")
    page.get_by_label("社区类型").select_option(label="老旧小区")
    page.get_by_label("党组织形式").select_option(label="党支部")
    page.get_by_label("常住人口").fill("4800")
    page.get_by_label("流动人口").fill("650")
    page.get_by_label("户数").fill("1700")
    page.get_by_label("党员数").fill("96")

    # A bad code: the form comes back with the Chinese message and nothing is saved.
    page.get_by_role("button", name="保存", exact=True).click()
    expect(page).to_have_url(url(live_server, "/communities/add/"))
    expect(page.locator(".errorlist")).to_contain_text("区划代码必须是12位数字")
    expect(page.get_by_label("名称")).to_have_value("晨光社区")
    assert not Node.objects.filter(name="晨光社区").exists()
    screenshot(page, "journey-3-form-error")

    # Corrected, it saves and the detail page shows it with its history.
    page.get_by_label("区划代码").fill("620102001007")
    page.get_by_role("button", name="保存", exact=True).click()
    created = Node.objects.get(code="620102001007")
    assert created.name == "晨光社区" and created.parent == tree.street_a
    expect(page).to_have_url(url(live_server, f"/communities/{created.pk}/"))
    expect(page.locator(".alert-success")).to_contain_text("已保存“晨光社区”")
    expect(page.locator("h4")).to_contain_text("晨光社区")
    facts = page.locator("#community-facts")
    expect(facts).to_contain_text("酒泉路街道")
    expect(facts.get_by_role("row", name="常住人口")).to_contain_text("4800")
    history_rows = page.locator(".card", has_text="变更历史").locator("tbody tr")
    expect(history_rows).to_have_count(1)
    expect(history_rows.first).to_contain_text("street_clerk")
    expect(history_rows.first.locator(".badge.bg-success")).to_be_visible()
    screenshot(page, "journey-4-detail")

    # Back on the list, the new community is in the table.
    nav.get_by_role("link", name="社区", exact=True).click()
    table = page.locator("#community-table")
    expect(table).to_contain_text("晨光社区")
    expect(table.get_by_role("link", name="晨光社区")).to_have_attribute(
        "href", re.compile(rf"/communities/{created.pk}/$")
    )
    screenshot(page, "journey-5-list")
