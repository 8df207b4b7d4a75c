"""A street administrator creates a clerk from an Excel sheet; the clerk logs in, is made to
choose a password and enrols an authenticator app; the administrator sees the login and forces
a logout. Real Chromium.
Screenshots: var/screenshots/accounts-*.png."""

import io
import re

import openpyxl
import pytest

from base64 import b32decode

from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice

from accounts.models import LoginSession
from accounts.sheets import AccountSheet
from tests.browser import CONTEXT_OPTIONS, TIMEOUT_MS, chromium_browser, login_as, page, screenshot, url  # noqa: F401

pytestmark = pytest.mark.browser


def totp_code(device) -> str:
    return f"{TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift).token():06d}"


def accounts_workbook(code: str) -> bytes:
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append([c.title for c in AccountSheet.columns])
    ws.append(["clerk_nanguan", "王小红", code, "", "录入员", "13912345678", "", "Chushi-mima-2026!", "", ""])
    buffer = io.BytesIO()
    wb.save(buffer)
    return buffer.getvalue()


def test_admin_imports_a_clerk_who_must_change_the_password_and_is_logged_out(
    transactional_db, live_server, tree, personas, admins, page, chromium_browser  # noqa: F811
):
    from playwright.sync_api import expect

    login_as(page, live_server, admins.street_admin)
    page.locator("nav.navbar .dropdown-menu-end").locator("..").get_by_role("button").click()  # the user menu
    page.locator("nav.navbar").get_by_role("link", name="账号管理").click()
    expect(page.locator("#system-tabs .active")).to_have_text("账号管理")
    page.get_by_role("link", name="上传 Excel").click()
    page.set_input_files("input[type=file]", files=[{
        "name": "账号.xlsx",
        "mimeType": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        "buffer": accounts_workbook(tree.community_a1.code),
    }])
    screenshot(page, "accounts-1-import")
    page.get_by_role("button", name="上传").click()
    expect(page.locator(".alert-success")).to_contain_text("新建 1 条")
    expect(page.locator("#account-table")).to_contain_text("clerk_nanguan")
    screenshot(page, "accounts-2-list")

    # The clerk, in another browser, logs in with the initial password: password change first.
    clerk_context = chromium_browser.new_context(**CONTEXT_OPTIONS)
    clerk_context.set_default_timeout(TIMEOUT_MS)
    clerk = clerk_context.new_page()
    try:
        clerk.goto(url(live_server, "/login/"))
        clerk.get_by_label("用户名").fill("clerk_nanguan")
        clerk.get_by_label("密码").fill("Chushi-mima-2026!")
        clerk.get_by_role("button", name="登录").click()
        expect(clerk).to_have_url(url(live_server, "/me/password/"))
        expect(clerk.locator(".alert-warning")).to_contain_text("管理员")
        clerk.goto(url(live_server, "/communities/"))  # anything else leads back here
        expect(clerk).to_have_url(url(live_server, "/me/password/"))
        clerk.get_by_label("旧密码").fill("Chushi-mima-2026!")
        clerk.locator("#id_new_password1").fill("Wode-xin-mima-88!")
        clerk.get_by_label("新密码确认").fill("Wode-xin-mima-88!")
        screenshot(clerk, "accounts-3-forced-change")
        clerk.get_by_role("button", name="修改密码").click()
        expect(clerk).to_have_url(url(live_server, "/me/"))
        expect(clerk.locator("#my-roles")).to_contain_text("南关社区")
        screenshot(clerk, "accounts-4-profile")

        # The clerk enrols an authenticator app: QR code drawn by the server, confirmed by a code.
        clerk.locator("#otp-line").get_by_role("link", name="管理").click()
        expect(clerk.locator("#otp-qr")).to_be_visible()
        clerk.wait_for_function("() => { const i = document.getElementById('otp-qr'); return i.complete && i.naturalWidth > 0; }")
        secret = clerk.locator("#otp-secret").inner_text().replace(" ", "")
        device = TOTPDevice.objects.get(user__username="clerk_nanguan", confirmed=False)
        assert b32decode(secret) == device.bin_key
        screenshot(clerk, "accounts-4b-otp-setup")
        clerk.get_by_label("六位动态码").fill(totp_code(device))
        clerk.get_by_role("button", name="确认").click()
        expect(clerk.locator("#otp-line")).to_contain_text("已绑定")

        # The administrator sees the login and forces the clerk out.
        page.locator("#system-tabs").get_by_role("link", name="登录记录").click()
        expect(page.locator(".logins-table")).to_contain_text("clerk_nanguan")
        screenshot(page, "accounts-5-login-records")
        page.locator("#system-tabs").get_by_role("link", name="在线用户").click()
        row = page.locator("#session-table tr", has_text="clerk_nanguan")
        row.get_by_role("button", name="强制下线").click()
        expect(page.locator(".alert-success")).to_contain_text("clerk_nanguan")
        expect(page.locator("#session-table")).not_to_contain_text("clerk_nanguan")
        screenshot(page, "accounts-6-forced-logout")
        clerk.goto(url(live_server, "/"))
        expect(clerk).to_have_url(re.compile(r"/login/"))
        assert LoginSession.objects.get(user__username="clerk_nanguan").end_reason == "forced"
    finally:
        clerk_context.close()


def test_district_admin_imports_the_division_code_table(
    transactional_db, live_server, tree, personas, admins, page  # noqa: F811
):
    from playwright.sync_api import expect

    from communities.models import Node

    table = "\n".join([
        "统计用区划代码,名称,城乡分类代码",
        f"{tree.district.code},城关区,",
        f"{tree.street_a.code},酒泉路街道,",
        f"{tree.community_a1.code},南关社区,111",
        f"{tree.community_a2.code},北关社区,111",
        f"{tree.street_b.code},张掖路街道,",
        f"{tree.community_b1.code},中山社区,111",
        "620102003000,新设街道,",
        "620102003001,新设社区,112",
        "620102003002,新设村,220",
    ]).encode("gb18030")  # as the bureau's files often come
    login_as(page, live_server, admins.district_admin)
    page.goto(url(live_server, "/system/divisions/"))
    page.set_input_files("input[type=file]", files=[{"name": "620102.csv", "mimeType": "text/csv", "buffer": table}])
    page.get_by_role("button", name="上传并预览").click()
    expect(page.locator("#count-new")).to_have_text("3")
    expect(page.locator("#list-new")).to_contain_text("新设村")
    screenshot(page, "accounts-0-division-preview")
    assert not Node.objects.filter(code="620102003000").exists()
    page.get_by_role("button", name="应用这些变化").click()
    expect(page.locator(".alert-success")).to_contain_text("新增 3 个")
    assert Node.objects.get(code="620102003002").is_urban is False
