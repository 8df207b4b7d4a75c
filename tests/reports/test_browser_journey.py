"""A street clerk's year-end summary in a real browser, on the demo district: draft it from the
data, correct a sentence, finalise it and download the Word document, which must hold the
corrected sentence. Screenshots land in var/screenshots/summary-*.png."""

import io
import re

import docx
import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command

from communities.management.commands.load_demo import DEMO_PASSWORD
from reports.models import Summary, SummaryState
from tests.browser import chromium_browser, login_as, page, screenshot, url  # noqa: F401

pytestmark = pytest.mark.browser
EDITED = "街道党工委书记带头为社区干部讲授专题党课，全年开展书记讲党课活动12场。"


@pytest.fixture
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


def test_street_clerk_drafts_edits_finalises_and_downloads(transactional_db, live_server, page, media, settings,  # noqa: F811
                                                           eager_tasks):
    """The draft job runs inline here; the page's answer-at-once and its progress are tested in
    test_summaries.py, the real worker in test_worker.py."""
    from playwright.sync_api import expect

    settings.DEBUG = True  # the demo loads on development and demo servers only
    call_command("load_demo", stdout=io.StringIO())
    clerk = get_user_model().objects.get(username="street_clerk")
    login_as(page, live_server, clerk, password=DEMO_PASSWORD)

    # 统计报表 → 年终工作总结
    nav = page.locator("nav.navbar")
    nav.get_by_role("button", name="统计报表").or_(nav.get_by_role("link", name="统计报表")).first.click()
    nav.get_by_role("link", name="年终工作总结").click()
    expect(page).to_have_url(url(live_server, "/reports/summaries/"))
    form = page.locator("#summary-start")
    street = form.get_by_label("街道或区县")
    expect(street.locator("option")).to_have_count(1)  # the clerk's street only
    expect(street.locator("option").first).to_contain_text("街道")
    form.locator("#id_year").select_option("2025")
    screenshot(page, "summary-1-list")
    form.locator("button[type=submit]").click()

    # The draft, written from the data, in the seeds' shape.
    expect(page).to_have_url(re.compile(r"/reports/summaries/\d+/$"))
    expect(page.locator(".alert-success")).to_contain_text("已根据数据起草")
    title = page.locator("#id_title")
    expect(title).to_have_value(re.compile(r"2025年“三有一化”\s*工作总结"))
    staffing = page.locator("#id_staffing")
    expect(staffing).to_have_value(re.compile(r"截至2025年12月31日.*在岗社区干部\d+名"))
    expect(page.locator("#id_problems_heading")).to_have_value("二、存在的问题")
    screenshot(page, "summary-2-draft")

    # Correct a sentence, save, then finalise (confirming the dialog).
    original = staffing.input_value()
    first_sentence = original.split("。")[0] + "。"
    staffing.fill(original.replace(first_sentence, first_sentence + EDITED, 1))
    page.locator("#save-text").click()
    expect(page.locator(".alert-success")).to_contain_text("正文已保存")
    expect(page.locator("#id_staffing")).to_have_value(re.compile(re.escape(EDITED)))
    page.once("dialog", lambda dialog: dialog.accept())
    page.locator("#finalise").click()
    expect(page.locator(".alert-success")).to_contain_text("已定稿")
    expect(page.locator("#summary-text")).to_contain_text(EDITED)
    expect(page.locator("#summary-form")).to_have_count(0)
    screenshot(page, "summary-3-final")

    # Download the Word document: valid, and it holds the corrected sentence.
    with page.expect_download() as download_info:
        page.locator("#download-docx").click()
    download = download_info.value
    assert download.suggested_filename.endswith(".docx")
    document = docx.Document(download.path())
    text = "\n".join(p.text for p in document.paragraphs)
    assert EDITED in text
    assert "一、“三有一化”工作进展情况" in text and "中共" in text
    summary = Summary.objects.get(created_by=clerk)
    assert summary.state == SummaryState.FINAL and EDITED in str(summary.blocks)
