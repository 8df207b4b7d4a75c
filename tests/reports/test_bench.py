"""``manage.py bench_dashboard`` in a cheap form (200 communities): it measures every level,
answers through the API with an ETag and a 304, and leaves nothing behind."""

from io import StringIO

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command

from communities.models import Node
from reports import figures


@pytest.mark.django_db
def test_bench_dashboard_measures_and_cleans_up(tree):
    out = StringIO()
    call_command("bench_dashboard", communities=200, repeat=1, warm_repeat=4, stdout=out)
    text = out.getvalue()
    assert "built 200 communities" in text
    rows = [line.split() for line in text.splitlines() if line.startswith("97")]
    assert [r[1] for r in rows] == ["province", "city", "county", "township"]
    assert [r[2] for r in rows] == ["200", "200", "100", "20"]
    assert all(r[3] == str(figures.QUERIES_FOR) for r in rows)  # the same queries at every size
    assert all(r[-1] == "304" for r in rows)
    assert not Node.objects.filter(code__startswith="97").exists()
    assert not get_user_model().objects.filter(username="bench_dashboard").exists()
    assert Node.objects.filter(code=tree.district.code).exists()
