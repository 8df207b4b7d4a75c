"""Hand edits survive a redraft (the freshly computed text is offered beside them), and the date
a summary bears is the day it is finalised (issue 14)."""


import pytest
from django.utils import formats, timezone

from reports import services
from tests.reports.conftest import YEAR, appoint, cadre

pytestmark = pytest.mark.django_db


def blocks(summary):
    return {b["key"]: b for b in summary.blocks}


def test_a_redraft_keeps_hand_edits_and_offers_the_fresh_text(data, personas):
    clerk = personas.street_clerk
    v1 = services.summary_start(actor=clerk, node=data.street_a, year=YEAR)
    edited = "我们手工改写的队伍建设段落。"
    services.summary_update_text(actor=clerk, summary=v1, texts={"staffing": edited})
    appoint(cadre(data.community_a2, 70, "college"), "party_worker")  # the data change: 6 cadres
    v2 = services.summary_start(actor=clerk, node=data.street_a, year=YEAR)
    b = blocks(v2)
    assert b["staffing"]["text"] == edited  # the hand edit survives
    assert "在岗社区干部6名" in b["staffing"]["fresh"] == b["staffing"]["computed"]  # the new text beside it
    assert "fresh" not in b["funding"] and b["funding"]["text"] == b["funding"]["computed"]  # not edited: redrafted
    # accept it
    v2 = services.summary_take_fresh(actor=clerk, summary=v2, key="staffing", accept=True)
    assert "在岗社区干部6名" in blocks(v2)["staffing"]["text"] and "fresh" not in blocks(v2)["staffing"]
    # a third draft: the block is no longer edited, so it is drafted anew without an offer
    v3 = services.summary_start(actor=clerk, node=data.street_a, year=YEAR)
    assert "fresh" not in blocks(v3)["staffing"]


def test_keeping_the_edit_and_the_page_shows_both(data, personas, login):
    clerk = personas.street_clerk
    v1 = services.summary_start(actor=clerk, node=data.street_a, year=YEAR)
    services.summary_update_text(actor=clerk, summary=v1, texts={"funding": "经费段落（手改）。"})
    appoint(cadre(data.community_a2, 71, "college"), "member")
    v2 = services.summary_start(actor=clerk, node=data.street_a, year=YEAR)
    assert "fresh" not in blocks(v2)["funding"]  # the funds did not change: nothing new to offer
    services.summary_update_text(actor=clerk, summary=v2, texts={"staffing": "队伍段落（手改）。"})
    appoint(cadre(data.community_a2, 72, "college"), "member")
    v3 = services.summary_start(actor=clerk, node=data.street_a, year=YEAR)
    client = login(clerk)
    page = client.get(v3.get_absolute_url()).content.decode()
    assert 'id="fresh-staffing"' in page and "在岗社区干部7名" in page and "队伍段落（手改）。" in page
    texts = {b["key"]: b["text"] for b in v3.blocks}
    response = client.post(v3.get_absolute_url(), {**texts, "_revision": v3.revision, "keep": "staffing"})
    assert response.status_code == 302
    v3.refresh_from_db()
    assert blocks(v3)["staffing"]["text"] == "队伍段落（手改）。" and "fresh" not in blocks(v3)["staffing"]
    assert blocks(v3)["funding"]["text"] == "经费段落（手改）。"  # carried through two redrafts


def test_the_date_is_the_finalising_date(data, personas):
    clerk = personas.street_clerk
    summary = services.summary_start(actor=clerk, node=data.street_a, year=YEAR)
    services.summary_update_text(actor=clerk, summary=summary, texts={"date": "2025年12月1日"})
    final = services.summary_finalise(actor=clerk, summary=summary)
    assert blocks(final)["date"]["text"] == formats.date_format(timezone.localdate(), "DATE_FORMAT")
    assert blocks(final)["date"]["text"] == f"{timezone.localdate():%Y}年{timezone.localdate().month}月{timezone.localdate().day}日"

