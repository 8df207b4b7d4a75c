"""A street clerk deletes a cadre and is told what goes with it; the district reviewer finds it
in 回收站 and restores it whole, in a real browser. Screenshots: var/screenshots/recycle-*.png."""

import datetime as dt
from decimal import Decimal

import pytest

from core.models import RecycleEntry
from staffing.models import Appointment, Cadre, Post, Welfare
from tests.browser import chromium_browser, login_as, page, screenshot, url  # noqa: F401
from tests.staffing.conftest import appoint, attend, make_cadre, make_course

pytestmark = pytest.mark.browser


def test_delete_then_restore_in_the_browser(transactional_db, live_server, tree, personas, page):  # noqa: F811
    from playwright.sync_api import expect

    cadre = make_cadre(tree.community_a1, name="王芳", gender="F", born=dt.date(1988, 3, 4))
    cadre_id = cadre.pk
    appoint(cadre, Post.SECRETARY)
    attend(make_course(tree.street_a, name="集中培训"), cadre)
    Welfare.objects.create(cadre=cadre, year=2025, allowance=Decimal("24000"))

    login_as(page, live_server, personas.street_clerk)
    expect(page.locator("#nav-recycle-bin")).to_have_count(0)  # clerks do not restore
    page.goto(url(live_server, f"/staffing/cadres/{cadre_id}/"))
    page.get_by_role("link", name="删除").click()
    table = page.locator("#delete-dependents")
    expect(table).to_contain_text("任职")
    expect(table).to_contain_text("参训记录")
    expect(table).to_contain_text("年度待遇")
    expect(page.locator("main")).to_contain_text("回收站保留 30 天")
    screenshot(page, "recycle-1-confirm")
    page.locator("main").get_by_role("button", name="删除").click()
    expect(page.locator(".alert-success")).to_contain_text("回收站")
    assert not Cadre.objects.filter(pk=cadre_id).exists()

    page.context.clear_cookies()
    login_as(page, live_server, personas.district_reviewer)
    page.locator("nav.navbar").get_by_role("button", name="district_reviewer").click()  # the user menu
    page.locator("#nav-recycle-bin").click()
    row = page.locator("#recycle-bin tbody tr", has_text="王芳")
    expect(row).to_contain_text("南关社区")
    expect(row).to_contain_text("street_clerk")
    screenshot(page, "recycle-2-bin")
    row.get_by_role("link", name="王芳").click()
    expect(page.locator("#entry-dependents")).to_contain_text("王芳 · 集中培训")
    screenshot(page, "recycle-3-entry")
    page.get_by_role("button", name="全部恢复").click()
    expect(page).to_have_url(url(live_server, f"/staffing/cadres/{cadre_id}/"))
    expect(page.locator(".alert-success")).to_contain_text("已恢复")
    screenshot(page, "recycle-4-restored")
    assert Appointment.objects.filter(cadre_id=cadre_id).count() == 1 and not RecycleEntry.objects.exists()
    page.goto(url(live_server, "/changelog/"))
    expect(page.locator("#changes")).to_contain_text("从回收站恢复")
    screenshot(page, "recycle-5-changelog")
