"""The dashboard figures for REST clients: the figures, the cache and its invalidation, ETags,
scope, and the OpenAPI schema."""

import json

import pytest
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext

from funding.models import Standard
from figures.refresh import refresh_dirty
from reports import cache, figures
from reports.models import Summary
from reports.services import summary_start
from tests.reports.conftest import YEAR, allocate
from tests.reports.conftest import cadre as make_cadre


def cadre_in(community):
    return make_cadre(community, 30, "college")

pytestmark = pytest.mark.django_db


@pytest.fixture
def committed(data):
    """The data set as if its transaction had committed: its on-commit callbacks (the cache
    clearing its saves asked for) have run, so a test sees only its own changes."""
    for _sids, func, _robust in list(connection.run_on_commit):
        func()
    connection.run_on_commit.clear()
    return data


def url(node, year=YEAR):
    return f"/api/v1/reports/dashboard/{node.code}/?year={year}"


def test_figures_of_the_district_and_its_streets(data, api, personas):
    response = api(token=personas.read_token).get(url(data.district))
    assert response.status_code == 200 and response["Content-Type"] == "application/json"
    body = response.json()
    assert body["node"]["code"] == data.district.code and body["years"] == [2021, 2022, 2023, 2024, 2025]
    total = body["totals"]["2025"]
    assert (total["communities"], total["cadres"], total["working_funds"], total["funds_compliance_rate"]) == (
        3, 5, "32000.00", "33.3")  # 中山社区 inherits the standard and received nothing
    assert body["totals"]["2024"]["cadres"] == 4
    assert [c["code"] for c in body["children"]] == [data.street_a.code, data.street_b.code]
    street_a = body["children"][0]["figures"]
    assert (street_a["cadres"], street_a["college_share"], street_a["meetings_held"]) == (5, "80.0", 2)
    assert body["children"][1]["figures"]["meetings_held"] == 1


def test_etag_and_not_modified(data, api, personas):
    client = api(token=personas.read_token)
    first = client.get(url(data.street_a))
    etag = first["ETag"]
    assert first.status_code == 200 and etag.startswith('"') and "no-cache" in first["Cache-Control"]
    for header in (etag, f"W/{etag}", f'"other", {etag}', "*"):
        again = client.get(url(data.street_a), HTTP_IF_NONE_MATCH=header)
        assert again.status_code == 304 and again.content == b"" and again["ETag"] == etag, header
    assert client.get(url(data.street_a), HTTP_IF_NONE_MATCH='"stale"').status_code == 200
    assert client.get(url(data.street_a, 2024))["ETag"] != etag  # another year, other figures


def test_warm_cache_needs_only_the_epoch_query(data):
    """One indexed read of the figures epoch (what keeps figures from going stale after a cache
    outage or a restore, tests/test_outages.py), nothing else."""
    cache.dashboard_json(node=data.street_a, year=YEAR)
    with CaptureQueriesContext(connection) as queries:
        body, etag = cache.dashboard_json(node=data.street_a, year=YEAR)
    assert len(queries) == 1 and "reports_figuresepoch" in queries[0]["sql"]
    assert json.loads(body)["node"]["code"] == data.street_a.code


def test_cold_cost_is_a_fixed_number_of_aggregate_queries(data, tree):
    refresh_dirty()  # the facts table is current (the background refresh has run)
    with CaptureQueriesContext(connection) as district:
        figures.dashboard(node=data.district, year=YEAR)
    with CaptureQueriesContext(connection) as province:
        figures.dashboard(node=data.province, year=YEAR)
    assert len(district) == len(province) == figures.QUERIES_FOR


def _served_from_cache(node) -> bool:
    with CaptureQueriesContext(connection) as queries:
        cache.dashboard_json(node=node, year=YEAR)
    return len(queries) == 1  # the figures epoch only


def test_a_change_clears_the_node_and_its_ancestors_only(committed, django_capture_on_commit_callbacks):
    nodes = [committed.street_a, committed.street_b, committed.district, committed.city, committed.other_district]
    before = {n.code: cache.dashboard_json(node=n, year=YEAR)[1] for n in nodes}
    with django_capture_on_commit_callbacks(execute=True):
        allocate(committed.community_a1, YEAR, "heating", "1000")
    assert not _served_from_cache(committed.street_a) and not _served_from_cache(committed.district)
    assert not _served_from_cache(committed.city)
    assert _served_from_cache(committed.street_b) and _served_from_cache(committed.other_district)
    after = {n.code: cache.dashboard_json(node=n, year=YEAR)[1] for n in nodes}
    assert after[committed.street_a.code] != before[committed.street_a.code]
    assert after[committed.street_b.code] == before[committed.street_b.code]
    street_a = cache.dashboard_data(node=committed.street_a, year=YEAR)
    assert street_a["totals"]["2025"]["working_funds"] == "33000.00"


def test_deleting_and_editing_clear_the_cache_too(committed, django_capture_on_commit_callbacks):
    from funding.models import Allocation

    cache.dashboard_json(node=committed.street_a, year=YEAR)
    row = Allocation.objects.filter(community=committed.community_a1, year=YEAR).first()
    with django_capture_on_commit_callbacks(execute=True):
        row.delete()
    assert not _served_from_cache(committed.street_a)
    with django_capture_on_commit_callbacks(execute=True):
        cadre = cadre_in(committed.community_b1)
    cache.dashboard_json(node=committed.street_b, year=YEAR)
    with django_capture_on_commit_callbacks(execute=True):
        cadre.name = "改名"
        cadre.save()
    assert not _served_from_cache(committed.street_b)


def test_standards_clear_every_dashboard(committed, django_capture_on_commit_callbacks):
    cache.dashboard_json(node=committed.street_b, year=YEAR)
    with django_capture_on_commit_callbacks(execute=True):
        Standard.objects.filter(node=committed.district, year=YEAR).update(office_amount=0)  # no signal: not seen
    assert _served_from_cache(committed.street_b)
    with django_capture_on_commit_callbacks(execute=True):
        standard = Standard.objects.get(node=committed.district, year=YEAR)
        standard.save()  # a standard set on the district applies to every community under it
    assert not _served_from_cache(committed.street_b)


def test_a_rolled_back_change_clears_nothing(committed, django_capture_on_commit_callbacks):
    cache.dashboard_json(node=committed.street_a, year=YEAR)
    with django_capture_on_commit_callbacks(execute=True):
        with pytest.raises(RuntimeError):
            with transaction.atomic():
                allocate(committed.community_a1, YEAR, "heating", "1000")
                raise RuntimeError("rolled back")
    assert _served_from_cache(committed.street_a)


def test_many_saves_in_one_transaction_clear_with_one_query(committed, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        with transaction.atomic():
            for n in range(5):
                allocate(committed.community_a1, YEAR, "heating", str(100 + n))
                allocate(committed.community_b1, YEAR, "heating", str(100 + n))
    flushes = [c for c in callbacks if getattr(c, "__name__", "") == "_flush"]
    assert len(flushes) == 1
    cache.dashboard_json(node=committed.street_b, year=YEAR)
    cache.dashboard_json(node=committed.street_a, year=YEAR)
    with CaptureQueriesContext(connection) as queries:
        flushes[0]()
    assert len(queries) == 1
    assert not _served_from_cache(committed.street_a) and not _served_from_cache(committed.street_b)


def test_scope_a_street_clerk_gets_404_for_the_district(data, api, personas):
    clerk = api(token=personas.write_token)  # the street clerk's token
    assert clerk.get(url(data.street_a)).status_code == 200
    for node in (data.district, data.street_b, data.other_district):
        assert clerk.get(url(node)).status_code == 404
    assert api().get(url(data.street_a)).status_code == 401
    missing = api(token=personas.read_token).get("/api/v1/reports/dashboard/999999999999/")
    assert missing.status_code == 404 and "Node" not in missing.content.decode()  # no model name, in Chinese
    assert missing.json()["detail"] == clerk.get(url(data.district)).json()["detail"]
    bad = api(token=personas.read_token).get(url(data.district, "abc"))
    assert bad.status_code == 400 and "year" in bad.json()


def test_summaries_api_lists_only_what_the_caller_sees(data, api, personas):
    summary_start(actor=personas.district_reviewer, node=data.district, year=YEAR)
    summary_start(actor=personas.street_clerk, node=data.street_a, year=YEAR)
    mine = api(token=personas.write_token).get("/api/v1/reports/summaries/").json()
    assert [r["node_code"] for r in mine["results"]] == [data.street_a.code]
    theirs = api(token=personas.read_token).get("/api/v1/reports/summaries/").json()
    assert sorted(r["node_code"] for r in theirs["results"]) == sorted([data.district.code, data.street_a.code])
    district = Summary.objects.get(node=data.district)
    assert api(token=personas.write_token).get(f"/api/v1/reports/summaries/{district.pk}/").status_code == 404


def test_the_endpoint_is_in_the_openapi_schema(api, personas):
    schema = api(user=personas.admin).get("/api/schema/", HTTP_ACCEPT="application/json")
    if schema.status_code != 200:
        schema = api(user=personas.admin).get("/api/schema/?format=json")
    text = schema.content.decode()
    assert "/api/v1/reports/dashboard/{code}/" in text
    assert "If-None-Match" in text and "DashboardFigures" in text and "304" in text
    assert "child_level_label" in text and "level_label" in text


def test_a_change_after_a_rolled_back_savepoint_still_clears(committed, django_capture_on_commit_callbacks):
    cache.dashboard_json(node=committed.street_a, year=YEAR)
    with django_capture_on_commit_callbacks(execute=True):
        with transaction.atomic():
            try:
                with transaction.atomic():  # registers the flush, then rolls back with it
                    allocate(committed.community_b1, YEAR, "heating", "1")
                    raise RuntimeError
            except RuntimeError:
                pass
            allocate(committed.community_a1, YEAR, "heating", "1")  # must register it again
    assert not _served_from_cache(committed.street_a)


def test_many_hierarchy_changes_register_one_flush(committed, django_capture_on_commit_callbacks):
    cache.dashboard_json(node=committed.street_b, year=YEAR)
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        with transaction.atomic():
            for n in range(20):
                committed.community_a1.name = f"南关社区{n}"
                committed.community_a1.save()
    assert len(callbacks) == 1
    assert not _served_from_cache(committed.street_b)  # a node change clears every dashboard
