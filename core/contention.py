"""Ordinary contention between writers, answered in Chinese and never with a 500
(docs/concurrency.md, "Failure model").

- :func:`lock_nodes`: every writer that must serialise with others on a part of the hierarchy
  locks the nodes' rows first, always in id order, so two writers cannot wait on each other
  (an Excel upload locks every node its rows touch before saving the first row).
- :func:`duplicates_refused`: a unique constraint that a concurrent writer won between our
  validation and our INSERT becomes the same ``ValidationError`` validation would have given a
  moment later (the other row is committed by then), not an ``IntegrityError``.
- :func:`retry_once`: a deadlock or serialization failure rolls the whole transaction back and
  runs it once more; a second failure raises :class:`Busy` ("请稍后重试"), nothing saved.
- :class:`ContentionMiddleware`: whatever still escapes a view (a custom view without the above)
  is a 400 (a duplicate) or a 503 with ``Retry-After`` (busy), never a 500.
"""

from __future__ import annotations

import logging
from contextlib import contextmanager

from django.core.exceptions import ValidationError
from django.db import DatabaseError, IntegrityError, connection, transaction
from django.http import JsonResponse
from django.shortcuts import render
from django.utils.translation import gettext as _

log = logging.getLogger(__name__)

# SQLSTATEs of the failures another transaction causes and a retry cures.
DEADLOCK_DETECTED = "40P01"
SERIALIZATION_FAILURE = "40001"
CONTENTION_STATES = {DEADLOCK_DETECTED, SERIALIZATION_FAILURE}
RETRY_AFTER_SECONDS = 2


def busy_message() -> str:
    return _("Other people were saving the same records at this moment, so nothing was saved. Please try again.")


def duplicate_message() -> str:
    return _(
        "This record could not be saved: someone else saved a conflicting record at the same moment. "
        "Reload the page and check."
    )


class Busy(ValidationError):
    """Contention that outlived one retry. A ``ValidationError``, so every form, the API and the
    upload report already show it; the API answers it with 503 and ``Retry-After``."""

    def __init__(self, message=None):
        super().__init__(message or busy_message(), code="busy")


def is_contention(exc: BaseException) -> bool:
    """A deadlock or serialization failure (PostgreSQL), or SQLite's busy database."""
    seen = exc
    while seen is not None:
        if getattr(seen, "pgcode", None) in CONTENTION_STATES or getattr(seen, "sqlstate", None) in CONTENTION_STATES:
            return True
        if connection.vendor == "sqlite" and "database is locked" in str(seen):
            return True
        seen = seen.__cause__
    return False


def lock_nodes(*node_ids) -> None:
    """Lock these hierarchy nodes' rows until the transaction ends, in id order.

    ``FOR NO KEY UPDATE``: writers taking this lock wait for each other, while a plain insert of a
    record pointing at the node (which takes ``FOR KEY SHARE``) is not held up."""
    ids = sorted({pk for pk in node_ids if pk})
    if not ids:
        return
    from communities.models import Node

    list(Node.objects.select_for_update(no_key=True).filter(pk__in=ids).order_by("pk").values_list("pk", flat=True))


def duplicate_error(instance) -> ValidationError:
    """Why ``instance`` could not be inserted: the unique check run again now that the other
    writer's row is committed (READ COMMITTED sees it), else a general message."""
    try:
        instance.validate_unique()
        instance.validate_constraints()
    except ValidationError as exc:
        return exc
    return ValidationError(duplicate_message(), code="conflict")


@contextmanager
def duplicates_refused(instance):
    """Around ``instance.save()``: an ``IntegrityError`` becomes a ``ValidationError`` explaining
    it. A savepoint keeps an enclosing transaction (an upload) usable for reporting."""
    try:
        with transaction.atomic():
            yield
    except IntegrityError as exc:
        raise duplicate_error(instance) from exc


def retry_once(fn, *args, refresh=(), **kwargs):
    """``fn(*args, **kwargs)`` in a transaction, run again once after a deadlock or serialization
    failure (``refresh``: instances to re-read from the database before the second run, as a
    service may have changed them in memory); then :class:`Busy`. Inside an enclosing
    transaction it only calls ``fn``: the outermost transaction is the one to retry."""
    if connection.in_atomic_block:
        return fn(*args, **kwargs)
    for attempt in (1, 2):
        try:
            with transaction.atomic():
                return fn(*args, **kwargs)
        except DatabaseError as exc:
            if not is_contention(exc):
                raise
            if attempt == 2:
                log.warning("contention persisted after a retry: %s", exc)
                raise Busy() from exc
            log.info("contention, retrying once: %s", exc)
            for instance in refresh:
                if instance is not None and instance.pk is not None:
                    instance.refresh_from_db()


def _wants_json(request) -> bool:
    return request.path.startswith("/api/") or "application/json" in request.headers.get("Accept", "")


class ContentionMiddleware:
    """The last line: a duplicate (``IntegrityError``) escaping a view is a 400, contention (a
    deadlock, a serialization failure, :class:`Busy`) a 503 with ``Retry-After``."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_exception(self, request, exception):
        if isinstance(exception, Busy) or (isinstance(exception, DatabaseError) and is_contention(exception)):
            status, message = 503, busy_message()
        elif isinstance(exception, IntegrityError):
            status, message = 400, duplicate_message()
        else:
            return None
        log.warning("%s %s answered %s: %s", request.method, request.path, status, exception)
        if _wants_json(request):
            response = JsonResponse({"detail": message}, status=status)
        else:
            response = render(request, "contention.html", {"message": message}, status=status)
        if status == 503:
            response["Retry-After"] = str(RETRY_AFTER_SECONDS)
        return response
