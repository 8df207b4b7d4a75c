"""The home page's 待办: each persona's items, counts that equal the rows of the list each item
links to, counts that follow the work as it is done, and one counting query whatever the data."""

import datetime
import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from assessments import services
from assessments.models import Result, Run, RunState, State
from core.todo import todo_items
from reports.models import Summary, SummaryState
from tests.regional_building import factories as rb

YEAR = 2025


@pytest.fixture
def work(tree, personas):
    scheme = services.scheme_create(actor=personas.district_reviewer, district=tree.district, year=YEAR)
    results = {
        c: Result.objects.create(scheme=scheme, community=c, year=YEAR)
        for c in (tree.community_a1, tree.community_a2, tree.community_b1)
    }
    today = timezone.localdate()
    unit = rb.unit(tree.street_a)
    agreement = rb.agreement(tree.community_a1, unit, signed_on=today - datetime.timedelta(days=400),
                             valid_from=today - datetime.timedelta(days=400), valid_until=today + datetime.timedelta(days=30))
    rb.agreement(tree.community_b1, rb.unit(tree.street_b), signed_on=today - datetime.timedelta(days=10),
                 valid_from=today - datetime.timedelta(days=10), valid_until=today + datetime.timedelta(days=800))
    overdue = rb.commitment(agreement, due_on=today - datetime.timedelta(days=3))
    kept = rb.commitment(agreement, due_on=today - datetime.timedelta(days=3))
    rb.fulfilment(kept, done_on=today - datetime.timedelta(days=5))
    rb.commitment(agreement, due_on=today + datetime.timedelta(days=20))  # due, not overdue
    Summary.objects.create(node=tree.street_a, year=YEAR, state=SummaryState.DRAFT, version=1, created_by=personas.street_clerk)
    Summary.objects.create(node=tree.street_b, year=YEAR, state=SummaryState.FINAL, version=1, created_by=personas.neighbour_clerk)
    Run.objects.create(scheme=scheme, state=RunState.RUNNING, total=3)
    return {"scheme": scheme, "results": results, "overdue": overdue, "agreement": agreement}


def counts(user):
    return {item.key: item.count for item in todo_items(user)}


def test_each_persona_sees_the_work_of_their_role_and_part(work, personas):
    assert counts(personas.street_clerk) == {
        "results_to_submit": 2, "results_returned": 0,  # 南关, 北关 of 酒泉路街道
        "commitments_overdue": 1, "agreements_expiring": 1, "summaries_draft": 1,
    }
    assert counts(personas.neighbour_clerk) == {
        "results_to_submit": 1, "results_returned": 0, "commitments_overdue": 0, "agreements_expiring": 0,
        "summaries_draft": 0,
    }
    # a community's clerk submits nothing (its street does) but keeps its agreements
    assert counts(personas.community_clerk) == {"commitments_overdue": 1, "agreements_expiring": 1, "summaries_draft": 0}
    assert counts(personas.district_reviewer) == {"results_to_review": 0, "runs_running": 1, "summaries_draft": 1}
    assert counts(personas.viewer) == {}
    assert counts(personas.other_reviewer) == {"results_to_review": 0, "runs_running": 0, "summaries_draft": 0}


def test_counts_follow_the_work(work, personas):
    a1 = work["results"][next(iter(work["results"]))]
    clerk, reviewer = personas.street_clerk, personas.district_reviewer
    a1 = services.result_transition(actor=clerk, result=a1, action="submit")
    assert counts(clerk)["results_to_submit"] == 1 and counts(reviewer)["results_to_review"] == 1
    a1 = services.result_transition(actor=reviewer, result=a1, action="return", comment="材料不全")
    assert counts(clerk)["results_returned"] == 1 and counts(reviewer)["results_to_review"] == 0
    a1 = services.result_transition(actor=clerk, result=a1, action="submit")
    services.result_transition(actor=reviewer, result=a1, action="approve")
    assert counts(clerk)["results_returned"] == 0 and counts(reviewer)["results_to_review"] == 0
    rb.fulfilment(work["overdue"], done_on=timezone.localdate())
    assert counts(clerk)["commitments_overdue"] == 0
    Run.objects.update(state=RunState.FINISHED)
    assert counts(reviewer)["runs_running"] == 0


def rows_on(client, url):
    """The number of records a list page says it holds (its header "N 条记录")."""
    html = client.get(url).content.decode()
    found = re.search(r"(\d+) 条记录|共 (\d+) 条|(\d+) records?", html)
    return found and int(next(g for g in found.groups() if g))


@pytest.mark.parametrize("persona", ["street_clerk", "district_reviewer", "community_clerk", "neighbour_clerk"])
def test_every_item_links_to_a_list_of_exactly_its_records(work, personas, login, persona):
    user = getattr(personas, persona)
    Result.objects.filter(community=work["agreement"].node).update(state=State.SUBMITTED)
    client = login(user)
    for item in todo_items(user):
        if item.key == "runs_running":
            continue  # no list of jobs: the item opens the schemes, whose pages list their jobs
        response = client.get(item.url)
        assert response.status_code == 200, item.url
        listed = response.context["page_obj"].paginator.count if "page_obj" in response.context else response.context["page"].paginator.count
        assert listed == item.count, (item.key, item.url)


def test_home_shows_the_items_and_the_menu_carries_the_counts(work, personas, login):
    client = login(personas.street_clerk)
    html = client.get("/").content.decode()
    assert 'id="todo-results_to_submit"' in html and "待提交的考核结果" in html
    assert re.search(r'id="nav-todo-total"[^>]*>5<', html)  # 2 results + 1 commitment + 1 agreement + 1 summary
    queue = re.search(r'href="/assessments/results/"[^>]*>[^<]*<span class="badge[^"]*">(\d+)<', html)
    assert queue and queue.group(1) == "2"


@pytest.mark.parametrize("extra", [0, 30])
def test_counting_is_one_query_whatever_the_data(work, personas, tree, extra):
    scheme = work["scheme"]
    from tests.conftest import community_facts, make_node

    for n in range(extra):
        c = make_node(f"620102001{100 + n:03d}", f"新社区{n}", tree.street_a, **community_facts())
        Result.objects.create(scheme=scheme, community=c, year=YEAR)
        rb.commitment(work["agreement"], due_on=timezone.localdate() - datetime.timedelta(days=1))
    user = personas.street_clerk
    todo_items(user)  # the scope, read once per user object
    with CaptureQueriesContext(connection) as queries:
        found = counts(user)
    assert len(queries) == 1
    assert found["results_to_submit"] == 2 + extra and found["commitments_overdue"] == 1 + extra
