"""Large lists (issue 13): above the threshold the count is the planner's estimate ("约"), and
the API pages by keyset with ?cursor=, each row once, in the list's order."""

import datetime

import pytest
from django.db import connection
from django.urls import reverse

from funding.models import Expenditure
from tests.funding.conftest import spend

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.skipif(connection.vendor != "postgresql", reason="the planner's estimate is PostgreSQL's"),
]


def _spend_many(tree, n):
    for i in range(n):
        spend(tree.community_a1, "10.00", spent_on=datetime.date(2025, 1, 1) + datetime.timedelta(days=i % 300))


def test_above_the_threshold_the_count_is_an_estimate(tree, personas, login, api, settings):
    _spend_many(tree, 5)
    client = login(personas.district_reviewer)
    page = client.get(reverse("funding:expenditure_list"))
    assert "约" not in page.content.decode() and "5 条" in page.content.decode()
    body = api(personas.district_reviewer).get("/api/v1/funding/expenditures/").json()
    assert body["count"] == 5 and body["count_is_estimate"] is False
    settings.LIST_ESTIMATE_ABOVE = 0  # every list is "large"
    page = client.get(reverse("funding:expenditure_list"))
    assert "约" in page.content.decode()
    body = api(personas.district_reviewer).get("/api/v1/funding/expenditures/").json()
    assert body["count_is_estimate"] is True and len(body["results"]) == 5


def test_cursor_pages_every_row_once_in_order(tree, personas, api):
    _spend_many(tree, 7)
    client = api(personas.district_reviewer)
    url, seen = "/api/v1/funding/expenditures/?cursor=&page_size=3", []
    while url:
        body = client.get(url).json()
        assert "count" not in body  # no COUNT(*)
        seen += [row["id"] for row in body["results"]]
        url = body["next"]
    expected = list(Expenditure.objects.order_by("-spent_on", "-id").values_list("id", flat=True))
    assert seen == expected


def test_a_filter_that_selects_nothing_counts_zero(tree, personas, login, api):
    """?within= a division out of scope (or no such id) filters with ``.none()``: there is no SQL to
    ask the planner about, and the list shows no rows instead of a 500."""
    _spend_many(tree, 1)
    foreign = tree.community_c1.pk  # another district's community
    page = login(personas.street_clerk).get(reverse("venues:venue_list"), {"within": foreign})
    assert page.status_code == 200 and "0 条" in page.content.decode()
    for within in (foreign, 620102010000):
        response = api(personas.street_clerk).get("/api/v1/venues/", {"within": within})
        assert response.status_code == 200 and response.json()["count"] == 0
