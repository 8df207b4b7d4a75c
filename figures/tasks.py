"""The refresh of the facts table, in the background. Single flight: marks are taken with
``FOR UPDATE SKIP LOCKED``, so tasks queued by many commits share the work instead of repeating it;
a task that finds nothing to do ends at once."""

from __future__ import annotations

from celery import shared_task


@shared_task(name="figures.refresh_facts", acks_late=True)
def refresh_facts() -> int:
    from figures.refresh import expire, refresh_dirty

    expire()
    return refresh_dirty()
