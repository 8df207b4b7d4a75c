"""The demo loader gives the seeds' figures for 城关区 and changes nothing when run again."""

from decimal import Decimal

import pytest
from django.contrib.auth import get_user_model

from communities.demo import load_tree
from communities.models import Node
from venues.demo import load
from venues.models import Venue
from venues.selectors import compliance_rows, standard_for, venue_figures


@pytest.mark.django_db
def test_demo_matches_the_seeds_and_is_idempotent():
    load_tree()
    first = load()
    assert "新建 166 处场所" in first
    admin = get_user_model().objects.create_user("demo_admin", is_superuser=True)
    district = Node.objects.get(code="620102000000")
    urban = set(Node.objects.filter(code__startswith="620102", level=5, is_urban=True).values_list("id", flat=True))
    rows = compliance_rows(user=admin, node=district, year=2010)
    urban_compliant = sum(1 for r in rows if r.community.id in urban and r.complies)
    # The seeds: all urban communities but the two whose rebuilding is still under way 达标
    # (124 of 126 there; the demo tree has len(urban) urban communities).
    assert urban_compliant == len(urban) - 2
    below = [r for r in rows if r.complies is False]
    assert len(below) == 2 and all(r.community.code.startswith("620102017") for r in below)
    figures = venue_figures(user=admin, node=district, year=2010)
    assert figures.halls == 72 and figures.new_area > Decimal("5000")
    assert venue_figures(user=admin, node=district, year=2009).compliant < figures.compliant
    # 2009: only the city's 100 ㎡ floor; from 2010 the district's own standard.
    community = rows[0].community
    assert standard_for(community=community, year=2009).node.code == "620100000000"
    assert standard_for(community=community, year=2010).node.code == "620102000000"
    named = dict(Venue.objects.filter(name__in=["南环社区服务中心", "向阳社区活动中心（扩建）"]).values_list("name", "usable_area"))
    assert named == {"南环社区服务中心": Decimal("600.00"), "向阳社区活动中心（扩建）": Decimal("400.00")}
    count = Venue.objects.count()
    assert "新建 0 处场所、0 条面积标准" in load()
    assert Venue.objects.count() == count
