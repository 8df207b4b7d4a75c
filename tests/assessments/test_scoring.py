"""Schemes (weights, lock, copy) and the scoring job: idempotent, constant queries per chunk,
chunks counted once, adjustments and reviewed results kept on a re-run."""

from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext

from assessments import services
from assessments.models import Chunk, Indicator, Method, Result, Run, RunState, Scheme, Score, State

LEAVES = 19


def test_default_scheme_is_shipped_as_data_and_valid(scheme):
    tree = services.scheme_tree(scheme)
    assert [a["name"] for a in tree] == ["有人管事", "有钱办事", "有场所议事", "一化（区域化党建）"]
    assert sum(Decimal(a["weight"]) for a in tree) == 100
    assert scheme.indicators.count() == 4 + LEAVES
    assert (scheme.excellent_from, scheme.good_from, scheme.pass_from) == (90, 80, 60)
    services.validate_weights(scheme)


def test_weights_are_validated(scheme, personas):
    leaf = scheme.indicators.get(name="专职党务工作者")
    services.indicator_update(actor=personas.district_reviewer, indicator=leaf, weight=Decimal("5"))
    with pytest.raises(ValidationError) as exc:
        services.validate_weights(scheme)
    assert "有人管事" in str(exc.value)
    with pytest.raises(ValidationError):
        services.run_start(actor=personas.district_reviewer, scheme=scheme)


def test_indicator_rules_are_validated(scheme, personas):
    parent = scheme.indicators.get(name="有人管事")
    with pytest.raises(ValidationError):
        services.indicator_create(actor=personas.district_reviewer, scheme=scheme, parent=parent, name="错误",
                                  weight=1, method=Method.AUTO, rule="threshold", params={"fact": "nope.x", "min": 1})


def test_only_the_district_department_manages_schemes(tree, personas, scheme):
    for user in (personas.street_clerk, personas.viewer, personas.community_clerk):
        with pytest.raises(PermissionDenied):
            services.scheme_create(actor=user, district=tree.district, year=2026)
        with pytest.raises(PermissionDenied):
            services.run_start(actor=user, scheme=scheme)
    with pytest.raises(PermissionDenied):  # a reviewer of 城关区 cannot open 七里河区
        services.scheme_create(actor=personas.district_reviewer, district=tree.other_district, year=2025)


def test_scheme_locks_once_scoring_started_and_copies_to_a_new_year(scored, scheme, personas):
    leaf = scheme.indicators.get(name="专职党务工作者")
    for call in (
        lambda: services.indicator_update(actor=personas.district_reviewer, indicator=leaf, weight=Decimal("4")),
        lambda: services.indicator_delete(actor=personas.district_reviewer, indicator=leaf),
        lambda: services.indicator_create(actor=personas.district_reviewer, scheme=scheme, name="新增", weight=1),
    ):
        with pytest.raises(ValidationError):
            call()
    copy = services.scheme_create(actor=personas.district_reviewer, district=scheme.district, year=2026, source=scheme)
    assert not copy.locked and copy.indicators.count() == scheme.indicators.count()
    assert services.scheme_tree(copy)[0]["children"][0]["params"] == services.scheme_tree(scheme)[0]["children"][0]["params"]
    with pytest.raises(ValidationError):
        services.scheme_create(actor=personas.district_reviewer, district=scheme.district, year=2026)


def test_run_scores_every_community_of_the_district_once(scored, facts_data):
    assert (scored.state, scored.total, scored.done) == (RunState.FINISHED, 3, 3)
    assert Result.objects.filter(year=2025).count() == 3  # not 七里河区's 西湖社区
    assert Score.objects.filter(year=2025).count() == 3 * LEAVES


def test_rerun_is_idempotent_and_keeps_adjustments_and_reviewed_results(scored, scheme, facts_data, personas,
                                                                         django_capture_on_commit_callbacks):
    a1, a2 = facts_data.community_a1, facts_data.community_a2
    score = Score.objects.get(community=a1, year=2025, indicator__name="专职党务工作者")
    services.score_adjust(actor=personas.district_reviewer, score=score, final=Decimal("3"), reason="专职党务工作者年中离岗")
    result_a2 = Result.objects.get(community=a2, year=2025)
    services.result_transition(actor=personas.street_clerk, result=result_a2, action="submit")
    before_ids = set(Score.objects.values_list("pk", flat=True))
    before_a2 = list(Score.objects.filter(community=a2).values_list("pk", "computed", "final"))
    # the data change: 北关社区 gets a party worker; its submitted result must not move
    from tests.assessments.conftest import appoint, cadre
    appoint(cadre(a2, 9, "college"), "party_worker")
    with django_capture_on_commit_callbacks(execute=True):
        run = services.run_start(actor=personas.district_reviewer, scheme=scheme, chunk_size=2)
    run.refresh_from_db()
    assert (run.state, run.done) == (RunState.FINISHED, 3)
    assert set(Score.objects.values_list("pk", flat=True)) == before_ids  # same rows, no duplicates
    assert Result.objects.count() == 3
    score.refresh_from_db()
    assert (score.computed, score.final, score.adjust_reason) == (Decimal("4.00"), Decimal("3.00"), "专职党务工作者年中离岗")
    from assessments.selectors import adjustment_history  # the rerun's history rows are no adjustment

    assert [h.adjust_reason for h in adjustment_history(score.result)] == ["专职党务工作者年中离岗"]
    a1_result = Result.objects.get(community=a1)
    assert a1_result.computed_total == Decimal("67.78") and a1_result.final_total == Decimal("66.78")
    assert list(Score.objects.filter(community=a2).values_list("pk", "computed", "final")) == before_a2


def test_a_chunk_of_only_submitted_results_is_done_and_moves_nothing(scored, scheme, facts_data, personas,
                                                                     django_capture_on_commit_callbacks):
    """A rerun late in the year: every community of a chunk (one street, in code order) already
    submitted or approved. The chunk has nothing to score; it must still finish, not fail and
    leave the run running for ever."""
    a1, a2 = (Result.objects.get(community=c) for c in (facts_data.community_a1, facts_data.community_a2))
    for result in (a1, a2):
        services.result_transition(actor=personas.street_clerk, result=result, action="submit")
    services.result_transition(actor=personas.district_reviewer, result=Result.objects.get(pk=a1.pk), action="approve")
    before = list(Score.objects.filter(result__in=[a1, a2]).order_by("pk").values_list("pk", "computed", "final", "evidence"))
    with django_capture_on_commit_callbacks(execute=True):  # 南关 and 北关 share the first chunk
        run = services.run_start(actor=personas.district_reviewer, scheme=scheme, chunk_size=2)
    run.refresh_from_db()
    assert (run.state, run.done, run.total) == (RunState.FINISHED, 3, 3)
    assert not Chunk.objects.filter(run=run, done=False).exists()
    assert dict(Result.objects.filter(pk__in=[a1.pk, a2.pk]).values_list("pk", "state")) == {
        a1.pk: State.APPROVED, a2.pk: State.SUBMITTED}
    assert list(Score.objects.filter(result__in=[a1, a2]).order_by("pk").values_list(
        "pk", "computed", "final", "evidence")) == before


def test_a_chunk_queued_twice_counts_once(scored):
    chunk = Chunk.objects.filter(run=scored).first()
    assert services.score_chunk(chunk.pk) is False
    scored.refresh_from_db()
    assert scored.done == scored.total == 3


def test_resume_queues_only_unfinished_chunks(scheme, facts_data, personas, django_capture_on_commit_callbacks):
    run = services.run_start(actor=personas.district_reviewer, scheme=scheme, chunk_size=1)  # on_commit not fired
    assert Run.objects.get(pk=run.pk).done == 0
    first = Chunk.objects.filter(run=run).order_by("number").first()
    services.score_chunk(first.pk)
    assert services.run_resume(run_id=run.pk) == 2  # eager: runs the two missing chunks
    run.refresh_from_db()
    assert (run.state, run.done) == (RunState.FINISHED, 3)
    assert Score.objects.count() == 3 * LEAVES


def test_queries_per_chunk_do_not_depend_on_its_size(scheme, facts_data, personas, tree):
    from tests.conftest import community_facts, make_node

    for n in range(3, 9):
        make_node(f"620102002{n:03d}", f"测试{n}社区", tree.street_b, **community_facts())
    run = services.run_start(actor=personas.district_reviewer, scheme=scheme, chunk_size=2)
    small, *_rest = Chunk.objects.filter(run=run).order_by("number")
    big = Chunk.objects.create(run=run, number=99, community_ids=[pk for c in _rest for pk in c.community_ids])
    with CaptureQueriesContext(connection) as q_small:
        services.score_chunk(small.pk)
    with CaptureQueriesContext(connection) as q_big:
        services.score_chunk(big.pk)
    assert len(big.community_ids) >= 6
    assert len(q_small) <= 40

    def shape(ctx):  # SQLite splits a large INSERT at its 999-parameter limit; PostgreSQL does not
        sql = [q["sql"] for q in ctx.captured_queries]
        if connection.vendor == "sqlite":
            sql = [s for s in sql if not s.startswith('INSERT INTO "assessments_score"')]
        return len(sql)

    assert shape(q_small) == shape(q_big)


def test_scheme_thresholds_are_validated(scheme, personas):
    with pytest.raises(ValidationError):
        services.scheme_update(actor=personas.district_reviewer, scheme=scheme, good_from=Decimal("95"))
    assert Scheme.objects.get(pk=scheme.pk).good_from == 80


def test_manual_indicator_has_no_computed_score(scored, facts_data):
    manual = Indicator.objects.get(name="群众满意度（人工评定）")
    assert set(Score.objects.filter(indicator=manual).values_list("computed", "final")) == {(None, None)}
    assert Score.objects.filter(indicator=manual).first().evidence["method"] == "manual"
    assert Result.objects.filter(state=State.DRAFT).count() == 3
