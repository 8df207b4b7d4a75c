"""Celery tasks of the scoring job. They take ids and re-read everything from the database, so
a chunk redelivered after a crash (acks_late) or queued again by :func:`resume_unfinished`
scores the same rows again and counts once."""

from __future__ import annotations

from celery import shared_task
from celery.signals import worker_ready


@shared_task(name="assessments.score_chunk", acks_late=True)
def score_chunk(chunk_id: int) -> bool:
    from assessments import services
    from core.audit import SCORING_JOB, audited_as

    with audited_as(SCORING_JOB, system=True):
        return services.score_chunk(chunk_id)


@shared_task(name="assessments.resume_run")
def resume_run(run_id: int) -> int:
    from assessments import services

    return services.run_resume(run_id=run_id)


@shared_task(name="assessments.requeue_stalled_runs")
def requeue_stalled_runs(stall_seconds: int | None = None) -> list[int]:
    """Periodic (Celery beat, sanqi/settings.py): queue again the chunks of runs that made no
    progress for a few minutes: their queue was lost or their worker killed."""
    from assessments import services

    return services.requeue_stalled_runs(stall_seconds=stall_seconds)


def resume_unfinished() -> int:
    """Queue the missing chunks of every run still running (a worker restarted after a crash)."""
    from assessments.models import Run, RunState
    from assessments.services import run_resume

    return sum(run_resume(run_id=pk) for pk in Run.objects.filter(state=RunState.RUNNING).values_list("pk", flat=True))


@worker_ready.connect
def _resume_on_worker_start(sender=None, **kwargs):  # pragma: no cover - runs inside a worker
    from django.db import close_old_connections

    try:
        resume_unfinished()
    finally:
        close_old_connections()
