"""The dashboard page (数据看板, /reports/dashboard/): scope (a node outside the user's part of the
hierarchy is a 404, like one that does not exist), the figures embedded for the charts, the KPI
cards and children's table, local assets only, queries that do not grow with the children, and
the charts drawn by the vendored ECharts in a real browser (drill-down by clicking a bar).

Data: the hand-computed set of tests/reports/conftest.py (year 2025, previous 2024).
Screenshots: var/screenshots/dashboard_district.png, dashboard_district_phone.png,
dashboard_street.png, dashboard_community.png.
"""

from __future__ import annotations

import json
import re
from html.parser import HTMLParser
from pathlib import Path

import pytest
from django.conf import settings
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from figures.refresh import refresh_dirty
from reports import figures
from tests.browser import chromium_browser, login_as, page, screenshot, url  # noqa: F401
from tests.conftest import make_node
from tests.reports.conftest import PREVIOUS, YEAR

DASHBOARD = "/reports/dashboard/"
ECHARTS_DIR = Path(settings.BASE_DIR) / "static" / "vendor" / "echarts"


def dashboard(client, node=None, year=YEAR):
    params = {"year": year} if year is not None else {}
    if node is not None:
        params["node"] = node.code if hasattr(node, "code") else node
    return client.get(DASHBOARD, params)


def embedded(response, element_id: str = "dashboard-data"):
    """The JSON of a ``json_script`` element of the page."""
    html = response.content.decode()
    match = re.search(rf'<script id="{element_id}" type="application/json">(.*?)</script>', html, re.S)
    assert match, f"no #{element_id} in the page"
    return json.loads(match.group(1))


def kpi(response, key: str) -> tuple[str, str]:
    """The value and the change line of a KPI card."""
    html = response.content.decode()
    match = re.search(
        rf'<div class="card h-100 kpi" data-key="{key}">.*?<div class="kpi-value">(.*?)</div>\s*'
        rf'<div class="kpi-change">(.*?)</div>', html, re.S,
    )
    assert match, f"no KPI card {key}"
    return match.group(1).strip(), re.sub(r"\s+", " ", re.sub(r"<[^>]+>", "", match.group(2))).strip()


class Assets(HTMLParser):
    """Every URL a page loads by itself: script src, link href, img src."""

    def __init__(self):
        super().__init__()
        self.urls: list[str] = []

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag in ("script", "img", "iframe") and attrs.get("src"):
            self.urls.append(attrs["src"])
        if tag == "link" and attrs.get("href"):
            self.urls.append(attrs["href"])


def assets(response) -> list[str]:
    parser = Assets()
    parser.feed(response.content.decode())
    return parser.urls


def child_links(response) -> list[str]:
    html = response.content.decode()
    table = re.search(r'<table[^>]*id="dashboard-children".*?</table>', html, re.S)
    return re.findall(r'<a href="([^"]+)">', table.group(0)) if table else []


# ---------------------------------------------------------------------------------------------
# Scope and the node shown


def test_district_reviewer_sees_the_district_and_its_streets(data, personas, login):
    tree = data
    response = dashboard(login(personas.district_reviewer), tree.district)
    assert response.status_code == 200
    payload = embedded(response)
    assert payload["node"]["code"] == tree.district.code
    assert [c["code"] for c in payload["children"]] == [tree.street_a.code, tree.street_b.code]
    assert payload["year"] == YEAR
    assert payload["years"] == list(range(YEAR - 4, YEAR + 1))
    assert set(payload["totals"]) == {str(y) for y in payload["years"]}
    # Hand-computed (tests/reports/conftest.py): 5 cadres in 2025, 4 with college → 80.0 %.
    assert payload["totals"][str(YEAR)]["cadres"] == 5
    assert payload["totals"][str(YEAR)]["college_share"] == "80.0"
    # The labels for the charts come along, translated (the page is in Chinese).
    labels = embedded(response, "dashboard-labels")
    assert set(labels) >= {"funds_compliance_rate", "age_35", "education_bachelor", "grade_excellent"}
    assert isinstance(embedded(response, "dashboard-text"), dict)

    html = response.content.decode()
    assert 'id="dashboard-title"' in html and "城关区" in html
    assert child_links(response) == [
        f"{DASHBOARD}?node={tree.street_a.code}&amp;year={YEAR}",
        f"{DASHBOARD}?node={tree.street_b.code}&amp;year={YEAR}",
    ]
    # One chart box per group: a chart per child, a trend, and a pie for the structures.
    for group in ("compliance", "one_shoulder", "funds", "members", "agreements", "age", "education", "grades"):
        assert f'data-chart="{group}-children"' in html
        assert f'data-chart="{group}-trend"' in html
    for group in ("age", "education", "grades"):
        assert f'data-chart="{group}-pie"' in html


def test_kpi_cards_show_the_year_and_the_change(data, personas, login):
    response = dashboard(login(personas.district_reviewer), data.district)
    value, change = kpi(response, "cadres")
    assert value == "5"
    assert change.startswith("▲ 1")  # 4 cadres in 2024
    assert str(PREVIOUS) in change
    value, change = kpi(response, "college_share")
    assert value == "80.0%"
    assert change.startswith("▲ 30.0")  # 50.0 % in 2024
    value, change = kpi(response, "members_registered")
    assert value == "3"
    assert change.startswith("▲ 2")  # 1 in 2024
    value, _change = kpi(response, "communities")
    assert value == "3"


def test_a_year_without_records_is_no_data_not_a_change_from_zero(data, personas, login):
    """2024 has no 一化 record in 张掖路街道 and no cadres in either year: no "▲ … vs 2024" from
    nothing, no 0 for a figure nobody entered, and the trend has a gap, not a 0."""
    response = dashboard(login(personas.district_reviewer), data.street_b)
    value, change = kpi(response, "members_registered")
    assert value == "0" and change == f"{PREVIOUS}年无数据"  # 一化 recorded in 2025 (a meeting): 0 is a fact
    value, change = kpi(response, "cadres")
    assert value == "—" and change == f"{PREVIOUS}年无数据"
    totals = embedded(response)["totals"]
    assert totals[str(PREVIOUS)]["meetings_held"] is None and totals[str(YEAR)]["meetings_held"] == 1


def test_street_page_and_breadcrumbs(data, personas, login):
    tree = data
    response = dashboard(login(personas.district_reviewer), tree.street_a)
    assert response.status_code == 200
    payload = embedded(response)
    assert payload["node"]["code"] == tree.street_a.code
    assert [c["code"] for c in payload["children"]] == [tree.community_a1.code, tree.community_a2.code]
    html = response.content.decode()
    crumbs = re.search(r'<ol class="breadcrumb[^"]*" id="dashboard-breadcrumbs">(.*?)</ol>', html, re.S).group(1)
    # The reviewer may climb back to the district, not above it (the city is shown, not linked).
    assert f'href="{DASHBOARD}?node={tree.district.code}&amp;year={YEAR}"' in crumbs
    assert "兰州市" in crumbs
    assert f"node={tree.city.code}" not in crumbs
    assert f"node={tree.province.code}" not in crumbs


def test_community_page_has_no_children(data, personas, login):
    tree = data
    response = dashboard(login(personas.street_clerk), tree.community_a1)
    assert response.status_code == 200
    payload = embedded(response)
    assert payload["node"]["code"] == tree.community_a1.code
    assert payload["children"] == []
    html = response.content.decode()
    assert 'id="dashboard-children"' not in html
    assert "-children\"" not in html  # no per-child chart boxes
    assert 'data-chart="funds-trend"' in html and 'data-chart="age-pie"' in html
    assert payload["totals"][str(YEAR)]["members_registered"] == 3


def test_street_clerk_cannot_open_the_district_or_the_neighbouring_street(data, personas, login):
    tree = data
    client = login(personas.street_clerk)
    assert dashboard(client, tree.district).status_code == 404
    assert dashboard(client, tree.street_b).status_code == 404
    assert dashboard(client, tree.community_b1).status_code == 404
    assert dashboard(client, tree.other_district).status_code == 404
    assert dashboard(client, tree.street_a).status_code == 200
    assert dashboard(client, tree.community_a2).status_code == 200
    # The neighbouring clerk is kept out of street A the same way.
    assert dashboard(login(personas.neighbour_clerk), tree.street_a).status_code == 404
    assert dashboard(login(personas.community_clerk), tree.street_a).status_code == 404


def test_breadcrumbs_of_a_street_clerk_link_only_their_street(data, personas, login):
    tree = data
    response = dashboard(login(personas.street_clerk), tree.community_a1)
    crumbs = re.search(r'id="dashboard-breadcrumbs">(.*?)</ol>', response.content.decode(), re.S).group(1)
    assert f"node={tree.street_a.code}" in crumbs
    assert f"node={tree.district.code}" not in crumbs
    assert "城关区" in crumbs  # shown, to know where one is


def test_default_node_is_the_users_first_scope_root(data, personas, login, client):
    tree = data
    assert embedded(dashboard(login(personas.district_reviewer)))["node"]["code"] == tree.district.code
    client.logout()
    assert embedded(dashboard(login(personas.street_clerk)))["node"]["code"] == tree.street_a.code
    client.logout()
    assert embedded(dashboard(login(personas.admin)))["node"]["code"] == tree.province.code


def test_user_without_assignment_gets_404(data, login, django_user_model):
    lonely = django_user_model.objects.create_user(username="lonely", password="Test-pass-2026!")
    assert dashboard(login(lonely)).status_code == 404


def test_anonymous_is_sent_to_login(data, client):
    response = dashboard(client, data.district)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse(settings.LOGIN_URL) + "?next=")


@pytest.mark.parametrize("code", ["abc", "62010200000", "6201020000000", "620102 00000", "999999999999", "620199000000",
                                  "620102000000'--"])
def test_bad_or_unknown_codes_are_404(data, personas, login, code):
    assert dashboard(login(personas.admin), code).status_code == 404


def test_year_selector(data, personas, login):
    client = login(personas.district_reviewer)
    response = dashboard(client, data.district, year=PREVIOUS)
    payload = embedded(response)
    assert payload["year"] == PREVIOUS
    assert f'<option value="{PREVIOUS}" selected>' in response.content.decode()
    assert f"year={PREVIOUS}" in child_links(response)[0]
    # Nonsense falls back to the current year, like every year selector of the site.
    from django.utils import timezone

    assert embedded(dashboard(client, data.district, year="abc"))["year"] == timezone.localdate().year
    # The form keeps the node when the year changes.
    assert f'<input type="hidden" name="node" value="{data.district.code}">' in response.content.decode()


# ---------------------------------------------------------------------------------------------
# Assets and queries


def test_only_local_assets(data, personas, login):
    response = dashboard(login(personas.district_reviewer), data.district)
    urls = assets(response)
    assert urls, "the page loads scripts and styles"
    for src in urls:
        assert not re.match(r"^(https?:)?//", src), f"external asset {src}"
        assert src.startswith(settings.STATIC_URL) or src.startswith("/" + settings.STATIC_URL.lstrip("/")), src
    assert any(u.endswith("vendor/echarts/echarts.min.js") for u in urls)
    assert any(u.endswith("reports/dashboard.js") for u in urls)
    html = response.content.decode()
    # No inline script but the JSON data islands.
    for attrs, body in re.findall(r"<script([^>]*)>(.*?)</script>", html, re.S):
        assert "src=" in attrs or 'type="application/json"' in attrs, f"inline script: {body[:80]}"
    script = (Path(settings.BASE_DIR) / "static" / "reports" / "dashboard.js").read_text()
    assert not re.search(r"https?://", script)


def test_echarts_is_vendored():
    js = ECHARTS_DIR / "echarts.min.js"
    assert js.exists()
    assert js.stat().st_size > 500_000
    assert 'version="5.' in js.read_text(encoding="utf-8")
    assert "Apache License" in (ECHARTS_DIR / "LICENSE").read_text()
    assert (ECHARTS_DIR / "NOTICE").exists()
    assert "5." in (ECHARTS_DIR / "VERSION").read_text()


def count_queries(client, node) -> int:
    cache.clear()
    with CaptureQueriesContext(connection) as ctx:
        assert dashboard(client, node).status_code == 200
    return len(ctx.captured_queries)


def test_queries_are_bounded_and_do_not_grow_with_children(data, personas, login, django_assert_max_num_queries):
    tree = data
    client = login(personas.district_reviewer)
    refresh_dirty()  # the facts table is current (the background refresh has run)
    # session (read, saved) + user + scope + node + breadcrumbs + the password policy's profile
    # + the second-factor check's device + the menu's 待办 counts (one statement), then the
    # figures' fixed number
    with django_assert_max_num_queries(figures.QUERIES_FOR + 13):
        cache.clear()
        assert dashboard(client, tree.street_a).status_code == 200
    before = count_queries(client, tree.street_a)
    for n in range(3, 9):
        make_node(f"620102001{n:03d}", f"新社区{n}", tree.street_a, households=1000)
    refresh_dirty()
    after = count_queries(client, tree.street_a)
    assert len(embedded(dashboard(client, tree.street_a))["children"]) == 8
    assert after == before
    # From the cache: the figures cost one query (their epoch).
    with CaptureQueriesContext(connection) as ctx:
        dashboard(client, tree.street_a)
    assert len(ctx.captured_queries) <= 13  # the request's own (see above) and the epoch
    assert sum("reports_figuresepoch" in q["sql"] for q in ctx.captured_queries) == 1


# ---------------------------------------------------------------------------------------------
# In a browser


def watch_console(page):  # noqa: F811
    """Console errors and uncaught exceptions of the page (a missing favicon is not ours)."""
    errors = []

    def on_console(message):
        if message.type == "error" and "favicon" not in (message.location or {}).get("url", ""):
            errors.append(message.text + " @ " + str(message.location))

    page.on("console", on_console)
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    page.on("requestfailed", lambda request: errors.append(f"request failed: {request.url}"))
    return errors


def wait_for_charts(page):  # noqa: F811
    page.wait_for_function(
        "() => { const boxes = document.querySelectorAll('.chart');"
        " return boxes.length > 0 && [...boxes].every(b => b.querySelector('canvas')); }"
    )


@pytest.mark.browser
def test_dashboard_in_a_browser(transactional_db, live_server, data, personas, page):  # noqa: F811
    from playwright.sync_api import expect

    tree = data
    errors = watch_console(page)
    requests = []
    page.on("request", lambda request: requests.append(request.url))
    login_as(page, live_server, personas.district_reviewer)
    page.goto(url(live_server, f"{DASHBOARD}?node={tree.district.code}&year={YEAR}"))
    expect(page.locator("#dashboard-title")).to_contain_text("城关区")
    wait_for_charts(page)
    assert page.locator(".chart canvas").count() == page.locator(".chart").count() == 8 * 2 + 3
    page.wait_for_timeout(500)  # the charts' entry animation
    screenshot(page, "dashboard_district")
    assert errors == []
    outside = [r for r in requests if not r.startswith(live_server.url)]
    assert outside == []

    # A phone: nothing wider than the screen (wide tables scroll inside their box).
    page.set_viewport_size({"width": 390, "height": 844})
    page.wait_for_timeout(300)
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    for box in page.locator(".chart").all():
        assert box.bounding_box()["width"] <= 390
    screenshot(page, "dashboard_district_phone")
    page.set_viewport_size({"width": 1366, "height": 900})
    page.wait_for_timeout(300)

    # Drill down by clicking 酒泉路街道's bar in the members chart (3 members registered in 2025).
    chart = page.locator('.chart[data-chart="members-children"]')
    chart.scroll_into_view_if_needed()
    x, y = page.evaluate(
        """el => { const c = echarts.getInstanceByDom(el);
                   const v = c.getOption().series[0].data[0];
                   return c.convertToPixel({seriesIndex: 0}, [v / 2, 0]); }""",
        chart.element_handle(),
    )
    box = chart.bounding_box()
    page.mouse.click(box["x"] + x, box["y"] + y)
    expect(page).to_have_url(re.compile(rf"node={tree.street_a.code}&year={YEAR}"))
    expect(page.locator("#dashboard-title")).to_contain_text("酒泉路街道")
    wait_for_charts(page)
    screenshot(page, "dashboard_street")

    # And on to a community through the table (works without JavaScript too).
    page.locator("#dashboard-children").get_by_role("link", name="南关社区").click()
    expect(page).to_have_url(re.compile(rf"node={tree.community_a1.code}&year={YEAR}"))
    expect(page.locator("#dashboard-title")).to_contain_text("南关社区")
    wait_for_charts(page)
    assert page.locator(".chart-children").count() == 0
    page.wait_for_timeout(500)
    screenshot(page, "dashboard_community")

    # Back up through the breadcrumbs; the year selector keeps the node.
    page.locator("#dashboard-breadcrumbs").get_by_role("link", name="城关区").click()
    expect(page.locator("#dashboard-title")).to_contain_text("城关区")
    page.locator("#dashboard-year-select").select_option(str(PREVIOUS))
    expect(page).to_have_url(re.compile(rf"node={tree.district.code}&year={PREVIOUS}"))
    wait_for_charts(page)
    assert errors == []
