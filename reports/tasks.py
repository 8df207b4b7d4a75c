"""Celery task of the summary drafting job (reports.services.draft_summary)."""

from __future__ import annotations

from celery import shared_task


@shared_task(name="reports.draft_summary", acks_late=True)
def draft_summary_task(summary_id: int, language: str | None = None) -> None:
    from reports import services

    services.draft_summary(summary_id, language=language)


@shared_task(name="reports.requeue_stalled_drafts")
def requeue_stalled_drafts(stall_seconds: int | None = None) -> list[int]:
    """Periodic (Celery beat, sanqi/settings.py): queue again drafts that made no progress."""
    from reports import services

    return services.requeue_stalled_drafts(stall_seconds=stall_seconds)
