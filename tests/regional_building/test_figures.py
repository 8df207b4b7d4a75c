"""Figures per node and year against a data set worked out by hand (conftest.hand_data)."""

import datetime
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from core.scope import scope_prefixes
from regional_building import models as m
from regional_building.selectors import node_figures
from tests.regional_building import factories as fx

TODAY = datetime.date(2025, 8, 1)


@pytest.mark.django_db
def test_street_figures_by_hand(tree, personas, hand_data):
    f = node_figures(node=tree.street_a, year=2025, user=personas.district_reviewer, today=TODAY)
    assert f.meetings_held == 3  # street 3/1 and 9/1, community 5/1; not 2024-12-01 nor street B
    assert f.agreements_in_force == 3  # A1, A4 (until 3/31), A5 (terminated 5/1); not A2, A3, B1
    assert (f.commitments_due, f.commitments_kept, f.commitments_overdue, f.commitments_pending) == (5, 2, 2, 1)
    assert f.kept_rate == 40.0
    assert (f.members_registered, f.members_active) == (3, 2)
    assert (f.posts_offered, f.posts_claimed, f.claims) == (2, 2, 3)
    assert f.service_hours == Decimal("9.5")


@pytest.mark.django_db
def test_community_figures_by_hand(tree, personas, hand_data):
    f = node_figures(node=tree.community_a1, year=2025, user=personas.district_reviewer, today=TODAY)
    assert f.meetings_held == 1
    assert f.agreements_in_force == 1
    assert (f.commitments_due, f.commitments_kept, f.commitments_overdue) == (1, 0, 1)
    assert (f.members_registered, f.posts_offered, f.posts_claimed) == (2, 1, 2)
    assert f.service_hours == Decimal("9.5")


@pytest.mark.django_db
def test_district_figures_add_up_and_other_years(tree, personas, hand_data):
    f = node_figures(node=tree.district, year=2025, user=personas.district_reviewer, today=TODAY)
    assert f.meetings_held == 4 and f.agreements_in_force == 4 and f.service_hours == Decimal("16.5")
    f2024 = node_figures(node=tree.street_a, year=2024, user=personas.district_reviewer, today=TODAY)
    assert f2024.meetings_held == 1 and f2024.members_registered == 1 and f2024.service_hours == Decimal("10")
    assert f2024.agreements_in_force == 4  # A2, A3 (terminated mid-2024), A4, A5


@pytest.mark.django_db
def test_figures_respect_the_viewers_scope(tree, personas, hand_data):
    """A community clerk asking about their street sees only their community's part."""
    f = node_figures(node=tree.street_a, year=2025, user=personas.community_clerk, today=TODAY)
    assert f.meetings_held == 1 and f.agreements_in_force == 1 and f.members_registered == 2


def _figure_queries(user, node):
    scope_prefixes(user)  # the scope is read once per request, before the panel
    with CaptureQueriesContext(connection) as ctx:
        node_figures(node=node, year=2025, user=user, today=TODAY)
    return len(ctx.captured_queries)


@pytest.mark.django_db
def test_figures_cost_six_queries_whatever_the_size(tree, personas, hand_data):
    user = personas.district_reviewer
    small = _figure_queries(user, tree.district)
    conf = m.JointConference.objects.first()
    agr = hand_data["a1"]
    for i in range(40):
        community = tree.community_a1 if i % 2 else tree.community_a2
        fx.meeting(conf, datetime.date(2025, 1 + i % 12, 1))
        c = fx.commitment(agr, datetime.date(2025, 1 + i % 12, 1))
        if i % 3:
            fx.fulfilment(c, datetime.date(2025, 5, 1))
        reg = fx.registration(community)
        fx.claim(fx.post(community), member=reg)
    large = _figure_queries(user, tree.district)
    assert small == large == 6


@pytest.mark.django_db
def test_panel_on_street_and_community_pages_and_api(login, api, tree, personas, hand_data):
    client = login(personas.district_reviewer)
    page = client.get(reverse("communities:tree_node", args=[tree.street_a.code]) + "?year=2025").content.decode()
    assert "区域化党建" in page and 'data-figure="meetings_held">3<' in page
    page = client.get(reverse("communities:community_detail", args=[tree.community_a1.pk]) + "?year=2025").content.decode()
    assert 'data-figure="meetings_held">1<' in page and 'data-figure="service_hours">9.5<' in page
    data = api(token=personas.read_token).get(
        reverse("regional_building-api:figures-list"), {"node": tree.street_a.pk, "year": 2025}
    ).json()
    assert data["meetings_held"] == 3 and data["agreements_in_force"] == 3 and data["service_hours"] == "9.5"
    assert data["commitments_due"] == 5 and data["members_registered"] == 3
    outside = api(token=personas.read_token).get(reverse("regional_building-api:figures-list"), {"node": tree.street_c.pk})
    assert outside.status_code == 404
    bad = api(token=personas.read_token).get(reverse("regional_building-api:figures-list"))
    assert bad.status_code == 400
