"""`make run` loads the demo in bulk (no save signals): its figures must still be counted, so the
demo district's dashboard shows data the moment the server starts."""

import io

import pytest
from django.core.management import call_command
from django.db.models import Sum

from communities.models import Node
from figures.models import Facts
from staffing.models import Cadre


@pytest.mark.django_db
def test_the_demo_district_has_current_facts_after_loading(settings):
    settings.DEBUG = True  # the demo loads on development and demo servers only
    call_command("load_demo", stdout=io.StringIO())
    communities = Node.objects.filter(code__startswith="620102", level=Node.objects.filter(parent__code="620102017000").values("level")[:1])
    rows = Facts.objects.filter(node__code__startswith="620102", year=2025)
    assert rows.filter(node__in=communities).count() == communities.count() > 100
    # The counted cadres are the cadres on file (as the dashboard will show them).
    on_file = Cadre.objects.filter(community__code__startswith="620102").count()
    assert on_file > 0
    assert rows.aggregate(n=Sum("cadre_records"))["n"] == on_file
