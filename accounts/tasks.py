"""Periodic jobs (Celery beat): close idle sessions on the record, archive old audit records."""

from celery import shared_task


@shared_task
def end_idle_sessions() -> int:
    from accounts.services import end_idle_sessions as run

    return run()


@shared_task
def archive_audit_records() -> dict:
    from accounts.archive import archive_old_records

    return archive_old_records()
