"""Background jobs that never get stuck (docs/concurrency.md, "Background jobs").

- :func:`queue_after_commit`: a job's messages are sent only once its row is committed; if they
  cannot be sent (the broker is down) the row is withdrawn and the start refused with a Chinese
  message, so no "running" row is left that nothing will ever run.
- Each app with a job has a periodic task (Celery beat, ``CELERY_BEAT_SCHEDULE``) that queues
  again the work of jobs that made no progress for ``SANQI_JOB_STALL_SECONDS``: a lost queue (a
  flushed or restarted broker), a killed worker. Job tasks are idempotent, so a piece queued
  twice is done once.
"""

from __future__ import annotations

import logging

from django.conf import settings
from django.db import connection, transaction
from django.utils.translation import gettext as _

from core.contention import Busy

log = logging.getLogger(__name__)


def stall_seconds() -> int:
    return settings.SANQI_JOB_STALL_SECONDS


class QueueUnavailable(Busy):
    """The broker cannot take the job: a ``ValidationError`` for pages, a 503 with
    ``Retry-After`` in the API (like :class:`core.contention.Busy`)."""

    def __init__(self):
        super().__init__(_("The task queue cannot be reached, so the job was not started. Please try again in a few minutes."))


def _eager() -> bool:
    from sanqi.celery import app

    return bool(app.conf.task_always_eager)


def _send(send, withdraw) -> None:
    if _eager():  # no broker (development, tests): the job runs inline, its errors are its own
        send()
        return
    try:
        send()
    except Exception as exc:  # noqa: BLE001 - a broker down raises many kinds (kombu, redis, OSError)
        log.warning("queueing failed, the job is withdrawn: %s", exc)
        if withdraw is not None:
            withdraw()
        raise QueueUnavailable() from exc


def queue_after_commit(send, *, withdraw=None) -> None:
    """Call ``send()`` (which queues the job's messages) after the current transaction commits.

    Outside a transaction, the row is committed already: send now, and on failure call
    ``withdraw()`` (remove or close the job's row) and raise :class:`QueueUnavailable`, a
    ``ValidationError`` the page or API shows. Inside a transaction, send at its commit; a
    failure then withdraws the row and is logged (nothing may raise after commit), and the
    caller sees the job gone."""
    if connection.in_atomic_block:
        transaction.on_commit(lambda: _send(send, withdraw), robust=True)
    else:
        _send(send, withdraw)


def queue_now(send) -> None:
    """Queue more work of a committed job (resume): :class:`QueueUnavailable` when the broker
    cannot be reached; the job stays as it was, for the periodic check to queue again."""
    _send(send, None)
