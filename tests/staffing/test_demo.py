"""The demo roster looks like the seeds' figures, and loading it twice changes nothing."""

import pytest
from django.db.models import Count

from communities.demo import load_tree
from communities.models import Node
from staffing import demo
from staffing.models import Appointment, Cadre
from staffing.selectors import staffing_figures


@pytest.mark.django_db
def test_demo_resembles_the_seeds_and_is_idempotent():
    load_tree()
    first = demo.load()
    assert "148 个社区" in first
    district = Node.objects.get(code="620102000000")
    f = staffing_figures(node=district, year=district.created.year)
    assert 39 <= f.average_age <= 43
    assert 78 <= f.college_share <= 84
    assert f.one_shoulder > f.communities / 2  # most communities
    assert f.party_workers == f.communities  # at least one full-time party worker each
    assert f.teams >= 50 and f.volunteers >= 450
    per_community = Appointment.objects.filter(post__in=["secretary", "director"], end_date__isnull=True).values(
        "cadre__community", "post").annotate(n=Count("id"))
    assert max(row["n"] for row in per_community) == 1  # the demo obeys the one-secretary rule
    counts = (Cadre.objects.count(), Appointment.objects.count())
    assert "保持不变" in demo.load()
    assert (Cadre.objects.count(), Appointment.objects.count()) == counts
