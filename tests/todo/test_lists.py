"""What every list page offers, walked over every list URL Django knows: page size
(``?per_page=``) and go-to-page from the shared pagination (core.pagination.paginate)."""

import pytest
from django.urls import reverse

from core.urlwalk import routes, walked
from tests.world import build_world

pytestmark = pytest.mark.django_db


def list_pages():
    return [r for r in routes() if walked(r) and not r.params and not r.name.startswith(("api", "core:api"))]


@pytest.fixture
def admin_client(client, tree, personas):
    build_world(marker="甲", community=tree.community_a1, street=tree.street_a, district=tree.district, actor=personas.admin)
    client.force_login(personas.admin)
    return client


def paginator_of(response):
    context = response.context or {}
    page = context.get("page_obj") or context.get("page")
    return getattr(page, "paginator", None)


def test_every_paged_list_takes_the_page_size(admin_client):
    paged = []
    for route in list_pages():
        url = reverse(route.name)
        response = admin_client.get(url)
        if response.status_code != 200 or paginator_of(response) is None:
            continue
        paged.append(route.name)
        assert paginator_of(admin_client.get(url, {"per_page": 20})).per_page == 20, route.name
        assert paginator_of(admin_client.get(url, {"per_page": 100})).per_page == 100, route.name
        assert paginator_of(admin_client.get(url, {"per_page": 13})).per_page != 13, route.name
    # the walk found the lists (a route that stopped paging would fail above, not vanish here)
    assert {"staffing:cadre_list", "funding:allocation_list", "assessments:result_list", "core:recycle_bin",
            "accounts:user_list", "funding:compliance", "venues:compliance"} <= set(paged), paged
