"""No page regresses to per-row queries (issue 15): ``manage.py bench_pages --scale`` opens every page
of the site (core.urlwalk) as the reviewer and the street clerk on a small district with one of every
record, counts each page's SQL statements, then multiplies the communities (each with rows in every
app, the builder of bench_assessment) and counts again. A page whose count changed issues a query per
row; the command fails and names it."""

import io

import pytest
from django.core.management import CommandError, call_command

from tests.world import build_world

pytestmark = pytest.mark.django_db


def test_no_page_issues_more_queries_with_more_data(tree, personas, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    build_world(marker="甲", community=tree.community_a1, street=tree.street_a, district=tree.district, actor=personas.admin)
    out = io.StringIO()
    try:
        call_command("bench_pages", personas="district_reviewer,street_clerk", repeat=0, warmup=2, scale=3, stdout=out,
                     stderr=io.StringIO())
    except CommandError as exc:
        regressions = [line for line in out.getvalue().splitlines() if line.endswith("✗ |")]
        pytest.fail(f"{exc}\n" + "\n".join(regressions))
    table = out.getvalue()
    rows = [line for line in table.splitlines() if line.startswith("| `/")]
    assert len(rows) > 150, table  # every page, both personas
    for page in ("`/` | district_reviewer", "`/staffing/cadres/` | district_reviewer", "`/tree/620102000000/` | district_reviewer",
                 "`/changelog/` | street_clerk", "`/funding/compliance/` | district_reviewer"):
        assert any(line.startswith(f"| {page} | 200 |") for line in rows), page
