"""Scoring and drafting jobs never get stuck (issue 11, item 5).

- The queue lost mid-run (the broker's database flushed, on a real worker): the periodic check
  that Celery beat runs (a real beat process here) queues the unfinished chunks again and the run
  finishes without anyone pressing resume. A draft whose message was lost is drafted the same way.
- A start while the broker is down is refused cleanly: a Chinese message (a 503 in the API), and
  no "running" run or "queued" draft left behind to block the next start.
"""

from __future__ import annotations

import os
import subprocess
import sys
from datetime import timedelta

import pytest
from django.conf import settings
from django.db import connection
from django.urls import reverse
from django.utils import timezone

from assessments import services as assessment_services
from assessments.models import Chunk, Result, Run, RunState, Score
from communities.models import Level, Node
from reports import services as report_services
from reports.models import Summary, SummaryState
from tests.conftest import require_service, wait_until

YEAR = 2025
LEAVES = 19
DEAD_BROKER = "redis://127.0.0.1:6392/0"  # nothing listens there (ports 6390–6399 are the tests')


@pytest.fixture
def beat(tmp_path, celery_worker_process):
    """``beat()`` starts a real Celery beat process sending the periodic checks every second,
    with a stall threshold of two seconds (production: every minute, three minutes)."""
    db = connection.settings_dict
    env = dict(os.environ, SANQI_JOB_CHECK_SECONDS="1", SANQI_JOB_STALL_SECONDS="2",
               DATABASE_URL=f"postgres://{db['USER'] or 'postgres'}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}")
    processes = []

    def start():
        processes.append(subprocess.Popen(
            [sys.executable, "-m", "celery", "-A", "sanqi", "beat", "--loglevel=WARNING", "-s", str(tmp_path / "beat-schedule")],
            env=env, cwd=str(settings.BASE_DIR),
        ))

    try:
        yield start
    finally:
        for process in processes:
            process.terminate()
            try:
                process.wait(20)
            except subprocess.TimeoutExpired:
                process.kill()


def flush_broker():
    """Lose every queued message: FLUSHDB on the broker's own database number (never FLUSHALL)."""
    import redis

    redis.Redis.from_url(settings.CELERY_BROKER_URL).flushdb()


def many_communities(tree, n=240):
    Node.objects.bulk_create([
        Node(code=f"620102{1 + i // 60:03d}{100 + i % 60:03d}", name=f"压测社区{i}", level=Level.COMMUNITY,
             parent=tree.street_a if i < 120 else tree.street_b, households=2000 + i)
        for i in range(n)
    ])
    return n + 3


@pytest.mark.services
def test_broker_flushed_mid_run_the_periodic_check_finishes_it(transactional_db, celery_worker_process, beat, tree, personas):
    total = many_communities(tree)
    scheme = assessment_services.scheme_create(actor=personas.district_reviewer, district=tree.district, year=YEAR)
    run = assessment_services.run_start(actor=personas.district_reviewer, scheme=scheme, chunk_size=3)
    assert wait_until(lambda: Run.objects.get(pk=run.pk).done >= 24, 120), "the worker did not start scoring"
    flush_broker()
    # Stuck: no progress for three seconds once the chunk in hand is done (what the issue saw).
    seen = []
    assert wait_until(lambda: seen.append(Run.objects.get(pk=run.pk).done) or seen[-30:].count(seen[-1]) == 30, 60, 0.1)
    cut = Run.objects.get(pk=run.pk)
    assert cut.state == RunState.RUNNING and cut.done < total, "the run must be cut off in the middle"
    beat()  # the periodic check, as docker-compose runs it
    assert wait_until(lambda: Run.objects.get(pk=run.pk).state == RunState.FINISHED, 180, 0.2), Run.objects.get(pk=run.pk).done
    run.refresh_from_db()
    assert run.done == run.total == total
    assert not Chunk.objects.filter(run=run, done=False).exists()
    assert Result.objects.filter(scheme=scheme).count() == total
    assert Score.objects.filter(year=YEAR).count() == total * LEAVES


@pytest.mark.services
def test_a_draft_whose_message_was_lost_is_drafted_by_the_periodic_check(
    transactional_db, celery_worker_process, beat, tree, personas, monkeypatch
):
    from reports.tasks import draft_summary_task

    monkeypatch.setattr(draft_summary_task, "delay", lambda *args, **kwargs: None)  # queued, then lost
    summary = report_services.summary_start(actor=personas.district_reviewer, node=tree.district, year=YEAR, enqueue=True)
    assert Summary.objects.get(pk=summary.pk).state == SummaryState.QUEUED
    beat()
    assert wait_until(lambda: Summary.objects.get(pk=summary.pk).state in (SummaryState.DRAFT, SummaryState.FAILED), 120, 0.2)
    summary.refresh_from_db()
    try:
        assert summary.state == SummaryState.DRAFT, summary.error
        assert summary.steps_done == summary.steps_total and summary.blocks
    finally:
        for f in (summary.statistics, summary.document):
            if f:
                f.delete(save=False)


@pytest.fixture
def broker_down(monkeypatch):
    """The broker cannot be reached (celery reads CELERY_BROKER_URL from the environment first)."""
    from sanqi.celery import app

    def fresh_pools():  # pools are kept per broker URL (kombu.pools): look them up again
        app._pool = None
        app.amqp._producer_pool = None

    monkeypatch.setenv("CELERY_BROKER_URL", DEAD_BROKER)
    eager, app.conf.task_always_eager = app.conf.task_always_eager, False
    fresh_pools()
    yield
    monkeypatch.undo()
    app.conf.task_always_eager = eager
    fresh_pools()


@pytest.mark.django_db(transaction=True)
def test_a_run_started_while_the_broker_is_down_is_refused_and_leaves_nothing(broker_down, tree, personas, login, api):
    scheme = assessment_services.scheme_create(actor=personas.district_reviewer, district=tree.district, year=YEAR)
    page = login(personas.district_reviewer).post(scheme.get_absolute_url(), {"start": "1", "chunk_size": "200"}, follow=True)
    assert page.status_code == 200
    assert "任务队列" in page.content.decode() and "未能启动" in page.content.decode()
    assert not Run.objects.exists() and not Chunk.objects.exists()
    response = api(personas.district_reviewer).post(
        reverse("assessments-api:scheme-start", args=[scheme.pk]), {"chunk_size": 200}, format="json")
    assert response.status_code == 503 and response["Retry-After"], response.content
    assert "任务队列" in response.json()["detail"]
    assert not Run.objects.exists()
    scheme.refresh_from_db()
    assert not scheme.locked  # its indicators can still be edited; the next start is not blocked


@pytest.mark.django_db(transaction=True)
def test_a_summary_started_while_the_broker_is_down_is_refused_and_leaves_nothing(broker_down, tree, personas, login, settings):
    settings.REPORTS_INLINE_COMMUNITIES = 0  # every summary is drafted by the job
    client = login(personas.district_reviewer)
    page = client.post(reverse("reports:summary_start"), {"node": tree.district.pk, "year": YEAR}, follow=True)
    assert page.status_code == 200 and "任务队列" in page.content.decode()
    with pytest.raises(Exception) as refused:
        report_services.summary_start(actor=personas.district_reviewer, node=tree.district, year=YEAR, enqueue=True)
    assert "任务队列" in " ".join(refused.value.messages)
    assert not Summary.objects.exists()


@pytest.mark.django_db
def test_the_check_requeues_only_runs_without_recent_progress(tree, personas, eager_tasks):
    scheme = assessment_services.scheme_create(actor=personas.district_reviewer, district=tree.district, year=YEAR)
    stalled = assessment_services.run_start(actor=personas.district_reviewer, scheme=scheme, chunk_size=1)  # not queued: no commit
    Run.objects.filter(pk=stalled.pk).update(progressed=timezone.now() - timedelta(minutes=5))
    assert assessment_services.requeue_stalled_runs(stall_seconds=180) == [stalled.pk]
    stalled.refresh_from_db()
    assert (stalled.state, stalled.done) == (RunState.FINISHED, stalled.total)
    other = assessment_services.scheme_create(actor=personas.admin, district=tree.other_district, year=YEAR)
    fresh = assessment_services.run_start(actor=personas.admin, scheme=other, chunk_size=1)
    assert assessment_services.requeue_stalled_runs(stall_seconds=180) == []  # progress is recent: left alone
    assert Run.objects.get(pk=fresh.pk).state == RunState.RUNNING


@pytest.mark.django_db
def test_the_check_requeues_only_drafts_without_recent_progress(tree, personas, eager_tasks, monkeypatch):
    from reports.tasks import draft_summary_task

    sent = []
    monkeypatch.setattr(draft_summary_task, "delay", lambda *args: sent.append(args))
    old = report_services.summary_start(actor=personas.district_reviewer, node=tree.street_a, year=YEAR, enqueue=True)
    new = report_services.summary_start(actor=personas.district_reviewer, node=tree.street_b, year=YEAR, enqueue=True)
    Summary.objects.filter(pk=old.pk).update(last_updated=timezone.now() - timedelta(minutes=5))
    assert report_services.requeue_stalled_drafts(stall_seconds=180) == [old.pk]
    assert sent == [(old.pk, "zh-hans")]
    assert report_services.requeue_stalled_drafts(stall_seconds=180) == []  # queued again just now
    assert Summary.objects.get(pk=new.pk).state == SummaryState.QUEUED


def test_beat_runs_both_checks_every_minute():
    import assessments.tasks  # noqa: F401 - registered as the worker does
    import reports.tasks  # noqa: F401
    from sanqi.celery import app

    schedule = app.conf.beat_schedule
    for task in ("assessments.requeue_stalled_runs", "reports.requeue_stalled_drafts"):
        assert schedule[task]["task"] == task and schedule[task]["schedule"] <= 60
        assert schedule[task]["kwargs"]["stall_seconds"] == settings.SANQI_JOB_STALL_SECONDS
    assert app.tasks["assessments.requeue_stalled_runs"] and app.tasks["reports.requeue_stalled_drafts"]
