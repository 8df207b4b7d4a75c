"""Issue 12, finding 6: pages link only to what the reader may open, and a standard that
applies to someone is readable by them. A standard set on an ancestor node (the district's)
is read, not changed, by every clerk below it: its detail page and API record answer, its
edit page and API writes refuse; the communities it lists are the reader's own."""

import re
from datetime import date
from decimal import Decimal
from urllib.parse import urljoin

import pytest
from django.urls import reverse

from funding.models import Standard
from regional_building import models as rb
from tests.regional_building import factories as fx
from venues.models import AreaStandard

HREF = re.compile(r'href="(/[^"#]*)"')
SKIP = ("/logout/", "/static/", "/admin/", "/i18n/", "export=", "template=", "/api/docs", "/accounts/")


@pytest.fixture
def standards(tree):
    year = date.today().year
    return {
        "funding": Standard.objects.create(node=tree.district, year=year, office_amount=Decimal("15000"),
                                           party_amount=Decimal("5000"), basis="城关区委组织部文件"),
        "funding_neighbour": Standard.objects.create(node=tree.street_b, year=year, office_amount=Decimal("16000"),
                                                     party_amount=Decimal("6000")),
        "venues": AreaStandard.objects.create(node=tree.district, year=year, minimum_area=Decimal("300")),
        "venues_neighbour": AreaStandard.objects.create(node=tree.street_b, year=year, minimum_area=Decimal("320")),
    }


@pytest.mark.django_db
@pytest.mark.parametrize("persona", ["street_clerk", "community_clerk"])
def test_an_inherited_standard_is_readable_by_everyone_it_applies_to(login, api, tree, personas, standards, persona):
    user = getattr(personas, persona)
    client, api_client = login(user), api(user)
    for kind, detail, api_detail, edit in (
        ("funding", "funding:standard_detail", "funding-api:standard-detail", "funding:standard_edit"),
        ("venues", "venues:areastandard_detail", "venues-api:areastandard-detail", "venues:areastandard_edit"),
    ):
        own, neighbours = standards[kind], standards[f"{kind}_neighbour"]
        page = client.get(reverse(detail, args=[own.pk]))
        assert page.status_code == 200, kind
        body = page.content.decode()
        assert reverse(edit, args=[own.pk]) not in body  # read-only: no edit button
        for foreign in (tree.community_b1, tree.street_b):
            assert foreign.name not in body and foreign.code not in body, (kind, foreign)
        assert api_client.get(reverse(api_detail, args=[own.pk])).status_code == 200, kind
        assert api_client.patch(reverse(api_detail, args=[own.pk]), {"year": own.year}, format="json").status_code == 403
        assert client.get(reverse(edit, args=[own.pk])).status_code == 403
        # A standard of the neighbouring street applies to nobody here: still a 404.
        assert client.get(reverse(detail, args=[neighbours.pk])).status_code == 404
        assert api_client.get(reverse(api_detail, args=[neighbours.pk])).status_code == 404


@pytest.mark.django_db
def test_standard_lists_show_the_inherited_standards(login, tree, personas, standards):
    client = login(personas.community_clerk)
    body = client.get(reverse("funding:standard_list")).content.decode()
    assert reverse("funding:standard_detail", args=[standards["funding"].pk]) in body
    assert reverse("funding:standard_detail", args=[standards["funding_neighbour"].pk]) not in body


def crawl(client, start: list[str], limit: int = 250) -> dict[str, list[str]]:
    """Follow every link of the pages reachable from ``start`` (two steps); ``{url: [pages linking it]}``
    for each link that answers 403 or 404."""
    seen, dead = set(), {}
    frontier = [(url, None) for url in start]
    for _depth in range(3):
        following = []
        for url, source in frontier:
            if url in seen or len(seen) >= limit:
                continue
            seen.add(url)
            response = client.get(url)
            if response.status_code in (403, 404):
                dead.setdefault(url, []).append(source)
                continue
            if response.status_code != 200 or "text/html" not in response.get("Content-Type", ""):
                continue
            for href in HREF.findall(response.content.decode()):
                href = urljoin(url, href.replace("&amp;", "&"))
                if not any(s in href for s in SKIP):
                    following.append((href, url))
        frontier = following
    return dead


@pytest.mark.django_db
def test_pages_of_a_community_clerk_link_only_to_what_the_clerk_may_open(login, tree, personas, standards):
    neighbour_unit = fx.unit(tree.community_a2, name="北关医院")
    own_unit = fx.unit(tree.community_a1, name="南关小学")
    fx.agreement(tree.community_a1, neighbour_unit, title="南关与北关医院共建")
    fx.agreement(tree.community_a1, own_unit, title="南关小学共建")
    client = login(personas.community_clerk)
    start = [
        reverse("core:home"),
        reverse("funding:compliance"),
        reverse("funding:standard_list"),
        reverse("venues:compliance"),
        reverse("venues:areastandard_list"),
        reverse("communities:community_detail", args=[tree.community_a1.pk]),
        reverse("regional_building:agreement_list"),
        reverse("regional_building:residentunit_list"),
    ]
    dead = crawl(client, start)
    assert not dead, dead


@pytest.mark.django_db
@pytest.mark.parametrize("persona", ["street_clerk", "community_clerk"])
def test_view_standard_on_allocation_expenditure_compliance_and_community_pages_opens(login, tree, personas, standards, persona):
    """Issue 15: "查看标准" on these pages was a 404 for clerks. Every page that shows a
    community's funds links its (district) standard, and the link opens."""
    from funding.models import Allocation, Expenditure

    year = standards["funding"].year
    allocation = Allocation.objects.create(community=tree.community_a1, year=year, category="office", source="district",
                                           amount=Decimal("12000"), received_on=date(year, 1, 1))
    expenditure = Expenditure.objects.create(community=tree.community_a1, year=year, spent_on=date(year, 1, 2),
                                             category="utilities", amount=Decimal("300"), purpose="水电")
    client = login(getattr(personas, persona))
    standard_url = reverse("funding:standard_detail", args=[standards["funding"].pk])
    pages = [
        reverse("funding:allocation_detail", args=[allocation.pk]),
        reverse("funding:expenditure_detail", args=[expenditure.pk]),
        f"{reverse('funding:compliance')}?year={year}",
        f"{reverse('communities:community_detail', args=[tree.community_a1.pk])}?year={year}",
    ]
    for url in pages:
        page = client.get(url)
        assert page.status_code == 200, url
        assert standard_url in page.content.decode(), url
    assert client.get(standard_url).status_code == 200
    assert not crawl(client, pages)
