"""The refresh of the facts table, in the background. Single flight: marks are taken with
``FOR UPDATE SKIP LOCKED``, so tasks queued by many commits share the work instead of repeating it;
a task that finds nothing to do ends at once."""

from __future__ import annotations

from celery import shared_task


@shared_task(name="figures.refresh_facts", acks_late=True)
def refresh_facts() -> int:
    from core.audit import FACTS_JOB, audited_as
    from figures.refresh import expire, refresh_dirty

    # The facts table keeps no history; should the refresh ever write an audited record, the
    # change log shows it as the job's, not as the person whose request queued it.
    with audited_as(FACTS_JOB, system=True):
        expire()
        return refresh_dirty()
