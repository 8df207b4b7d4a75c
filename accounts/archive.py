"""Archiving of audit records older than SANQI_AUDIT_RETENTION_DAYS (at least 180 days).

Rows are never dropped silently: each kind's old rows are written to a gzip'd JSON-lines file
in SANQI_AUDIT_ARCHIVE_DIR (fsync'd), an :class:`AuditArchive` row records the file, how many
rows, their time span and the file's SHA-256, and only then are exactly those rows removed,
in the same transaction as the AuditArchive row. A run that dies half way leaves either
nothing removed or a complete file plus its record. Running it again archives nothing more.

The change history of domain records (django-simple-history) is not archived: it is part of
the records themselves (the "before" of each change) and stays as long as they do.
"""

from __future__ import annotations

import gzip
import hashlib
import json
import os
from datetime import timedelta

from django.conf import settings
from django.core.serializers.json import DjangoJSONEncoder
from django.db import transaction
from django.utils import timezone


def _kinds():
    from axes.models import AccessFailureLog, AccessLog

    from accounts.models import AccountEvent, LoginSession
    from core.models import PersonalDataAccess

    # (label, model, time field); LoginSession goes before AccessLog (it points at it).
    return [
        ("login_sessions", LoginSession, "started"),
        ("access_log", AccessLog, "attempt_time"),
        ("access_failure_log", AccessFailureLog, "attempt_time"),
        ("account_events", AccountEvent, "when"),
        ("personal_data_access", PersonalDataAccess, "when"),
    ]


def archive_old_records(now=None, batch: int = 50_000) -> dict:
    from accounts.models import AuditArchive

    now = now or timezone.now()
    cutoff = now - timedelta(days=settings.SANQI_AUDIT_RETENTION_DAYS)
    folder = settings.SANQI_AUDIT_ARCHIVE_DIR
    os.makedirs(folder, exist_ok=True)
    done = {}
    for label, model, time_field in _kinds():
        with transaction.atomic():
            qs = model.objects.filter(**{f"{time_field}__lt": cutoff}).order_by(time_field, "pk")
            rows = list(qs.values()[:batch])
            if not rows:
                continue
            name = f"{label}-{now:%Y%m%d%H%M%S}.jsonl.gz"
            path = os.path.join(folder, name)
            digest = hashlib.sha256()
            with open(path, "wb") as raw:
                with gzip.GzipFile(fileobj=raw, mode="wb") as gz:
                    for row in rows:
                        line = (json.dumps(row, cls=DjangoJSONEncoder, ensure_ascii=False) + "\n").encode()
                        gz.write(line)
                raw.flush()
                os.fsync(raw.fileno())
            with open(path, "rb") as written:
                digest.update(written.read())
            AuditArchive.objects.create(
                kind=label, count=len(rows), oldest=rows[0][time_field], newest=rows[-1][time_field],
                path=str(path), sha256=digest.hexdigest(),
            )
            ids = [row["id"] for row in rows]
            # A bulk QuerySet.delete() does not call the append-only models' delete(): this is
            # the one path that removes audit rows, after they are safely in the archive.
            model.objects.filter(pk__in=ids).delete()
            done[label] = len(rows)
    return done
