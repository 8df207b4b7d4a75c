"""Celery task of the summary drafting job (reports.services.draft_summary)."""

from __future__ import annotations

from celery import shared_task


@shared_task(name="reports.draft_summary", acks_late=True)
def draft_summary_task(summary_id: int, language: str | None = None) -> None:
    from reports import services

    services.draft_summary(summary_id, language=language)
