"""``manage.py bench_tree`` in a cheap form: it measures, checks the answers, and leaves nothing.

The command itself fails (CommandError) when a page needs a different number of queries at the
two sizes or answers wrongly (a filter silently dropped, an API 400), so running it here is also
a regression test of "the same number of queries whatever the size of the tree".
"""

from io import StringIO

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.db.models import Q

from communities import filters
from communities.models import Level, Node

SYNTHETIC = Q(code__startswith="98") | Q(code__startswith="99")


def run_bench(**options) -> str:
    out = StringIO()
    call_command("bench_tree", communities=300, small=30, repeat=2, warmup=1, stdout=out, **options)
    return out.getvalue()


def assert_nothing_left():
    assert not Node.objects.filter(SYNTHETIC).exists()
    assert not Node.history.filter(SYNTHETIC).exists()
    assert not get_user_model().objects.filter(username__startswith="bench_tree_").exists()


@pytest.mark.django_db
def test_bench_measures_both_sizes_and_cleans_up(tree):
    Node.objects.create(code="980000000000", name="leftover of an interrupted run", level=Level.PROVINCE)

    output = run_bench()

    assert "Removed leftovers of an earlier run" in output
    assert "30 communities" in output and "300 communities" in output
    for row in ("list page", "API list", "tree page (province)"):
        assert row in output
    assert "Query counts: equal at both sizes on every row." in output
    assert "WRONG ANSWER" not in output
    assert_nothing_left()
    assert Node.objects.filter(code__startswith="62").count() == 11  # real data untouched


@pytest.mark.django_db
def test_bench_with_more_streets_in_scope_than_the_dropdown_offers(monkeypatch):
    """The large province has 20 streets: over this limit, the street dropdown is empty, and
    ?street= must still filter (it was refused, or silently ignored, before)."""
    monkeypatch.setattr(filters, "STREET_CHOICES_MAX", 5)

    output = run_bench()

    assert "Query counts: equal at both sizes on every row." in output
    assert_nothing_left()


@pytest.mark.django_db
def test_bench_keep_leaves_the_tree_for_the_next_run_to_remove():
    run_bench(keep=True, verbosity=0)
    assert Node.objects.filter(code__startswith="99", level=Level.COMMUNITY).count() == 300
    assert Node.objects.filter(code__startswith="98", level=Level.COMMUNITY).count() == 30
    assert not Node.history.filter(SYNTHETIC).exists()  # bulk_create writes no history

    run_bench(verbosity=0)
    assert_nothing_left()
