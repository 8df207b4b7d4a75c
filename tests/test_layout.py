"""Layout in a real browser (issue 15): the menu bar is one line at 1366 and 1920 px in Chinese and
in English with the language and user menus on screen; the language menu names each language in
its own name; at 390 px the tables of home, review queue, ranking and change log scroll inside their
box instead of widening the page. Screenshots: var/screenshots/layout-*.png."""

import pytest

from assessments import services
from tests.browser import chromium_browser, login_as, page, screenshot, url  # noqa: F401

pytestmark = pytest.mark.browser

BAR = """() => {
  const nav = document.querySelector('nav.navbar');
  const items = [...nav.querySelectorAll('.navbar-brand, .navbar-nav > .nav-item, select[name=language], .nav-user')];
  const boxes = items.map(e => e.getBoundingClientRect());
  return {
    height: nav.getBoundingClientRect().height,
    tops: boxes.map(b => Math.round(b.top + b.height / 2)),
    right: Math.max(...boxes.map(b => b.right)),
    hidden: boxes.filter(b => b.width === 0).length,
    width: window.innerWidth,
    page: document.documentElement.scrollWidth,
    options: [...document.querySelectorAll('select[name=language] option')].map(o => o.textContent.trim()),
  };
}"""

TABLES = """() => [...document.querySelectorAll('main table')].map(t => {
  const box = t.closest('.table-responsive');
  return {id: t.id, boxed: !!box, scrolls: !!box && box.scrollWidth > box.clientWidth,
          inside: !!box && box.getBoundingClientRect().right <= window.innerWidth + 0.5};
})"""


def choose_language(page, code):  # noqa: F811
    with page.expect_navigation():
        page.select_option("select[name=language]", code)


@pytest.fixture
def scored(tree, personas, eager_tasks):
    scheme = services.scheme_create(actor=personas.district_reviewer, district=tree.district, year=2025)
    services.run_start(actor=personas.district_reviewer, scheme=scheme, chunk_size=200)
    return scheme


def test_the_menu_bar_is_one_line_in_both_languages(transactional_db, live_server, tree, personas, page):  # noqa: F811
    login_as(page, live_server, personas.district_reviewer)
    for code, name in (("zh-hans", "zh"), ("en", "en")):
        if code == "en":
            choose_language(page, "en")
        for width in (1366, 1920):
            page.set_viewport_size({"width": width, "height": 800})
            page.goto(url(live_server, "/"))
            bar = page.evaluate(BAR)
            screenshot(page, f"layout-menu-{name}-{width}")
            assert bar["hidden"] == 0, bar  # not collapsed behind the toggler
            assert max(bar["tops"]) - min(bar["tops"]) <= 4 and bar["height"] < 70, (name, width, bar)  # one line
            assert bar["right"] <= bar["width"] and bar["page"] <= bar["width"], (name, width, bar)  # all on screen
            assert bar["options"] == ["简体中文", "English"], bar  # each language in its own name
    choose_language(page, "zh-hans")


def test_tables_scroll_inside_their_box_on_a_phone(transactional_db, live_server, tree, personas, page, scored):  # noqa: F811
    page.set_viewport_size({"width": 390, "height": 844})
    login_as(page, live_server, personas.district_reviewer)
    for path, name in (("/", "home"), ("/assessments/results/", "results"),
                       (f"/assessments/schemes/{scored.pk}/ranking/", "ranking"), ("/changelog/", "changelog")):
        page.goto(url(live_server, path))
        tables = page.evaluate(TABLES)
        screenshot(page, f"layout-390-{name}")
        assert tables, name
        assert all(t["boxed"] and t["inside"] for t in tables), (name, tables)
        assert any(t["scrolls"] for t in tables), (name, tables)  # too wide for the phone: the box scrolls
        assert page.evaluate("document.documentElement.scrollWidth") <= 390, name  # the page itself does not
