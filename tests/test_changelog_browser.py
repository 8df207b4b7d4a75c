"""The change log in a real browser: people and records by name, filters, older/newer pages,
and a table that scrolls inside its box on a phone. Screenshots: var/screenshots/changelog-*.png."""

from decimal import Decimal

import pytest

from communities.services import node_update
from staffing.models import Welfare
from tests.browser import chromium_browser, login_as, page, screenshot, url  # noqa: F401
from tests.staffing.conftest import make_cadre

pytestmark = pytest.mark.browser


def test_change_log_reads_like_a_log(transactional_db, live_server, tree, personas, page):  # noqa: F811
    from playwright.sync_api import expect

    clerk = personas.street_clerk
    clerk.last_name, clerk.first_name = "李", "录入"
    clerk.save()
    cadre = make_cadre(tree.community_a1, name="王芳", gender="F")
    welfare = Welfare(cadre=cadre, year=2025, allowance=Decimal("24000"))
    welfare._history_user = clerk
    welfare.save()
    for n in range(55):
        node_update(actor=clerk, node=tree.community_a1, households=1000 + n)

    login_as(page, live_server, personas.district_reviewer)
    page.goto(url(live_server, "/changelog/"))
    table = page.locator("#changes")
    expect(table).to_contain_text("李录入")
    expect(table).to_contain_text("南关社区")
    expect(page.locator("#changes tbody tr")).to_have_count(50)
    screenshot(page, "changelog-1-first-page")
    page.locator("#changelog-older").click()
    expect(table).to_contain_text("王芳 · 2025")
    expect(table).to_contain_text("¥24,000.00")
    screenshot(page, "changelog-2-older")

    page.goto(url(live_server, "/changelog/"))
    page.select_option("#id_action", "created")
    page.locator("#changelog-filter").get_by_role("button").click()
    expect(page.locator("#changes tbody tr").first).to_contain_text("新增")
    expect(page.locator("#changes tbody .badge", has_text="修改")).to_have_count(0)
    screenshot(page, "changelog-3-created-only")

    page.set_viewport_size({"width": 390, "height": 844})
    page.goto(url(live_server, "/changelog/"))
    expect(table).to_be_visible()
    # the page itself does not scroll sideways: the table scrolls inside its box
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1")
    screenshot(page, "changelog-4-phone")
