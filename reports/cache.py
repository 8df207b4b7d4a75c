"""Cached dashboards, cleared when data under their node changes.

Each node has a version number in the cache; a change to a record kept by a node (a community's
cadre, a street's agreement, …) bumps the versions of that node and of every ancestor
(:func:`touch`), so the cached figures of exactly those nodes are no longer found. Standards and
assessment schemes apply to whole subtrees, and a node's move renames codes, so changes to them
bump one global version that every cached dashboard depends on (:func:`touch_all`). Bumps happen
when the transaction commits, so a rolled-back change clears nothing and a reader never caches
figures from before a commit under the new version.

The key also holds the date (commitments become overdue as days pass), the language (the
names of levels are in it) and the epoch kept in the database (:class:`reports.models.FiguresEpoch`,
one indexed read). The cache is an optimisation, never a dependency: with Redis unreachable the
figures are computed (core.cache.FailSafeRedisCache), and a bump that cannot reach Redis at commit
changes the epoch instead, so figures cached before the outage are never served after it, even if
Redis comes back with them. ``manage.py clear_figures_cache`` changes it too (after a restore).
"""

from __future__ import annotations

import hashlib
import json
import logging
import uuid

from django.core.cache import cache
from django.core.serializers.json import DjangoJSONEncoder
from django.db import transaction
from django.utils import timezone, translation

from communities.models import Node, ancestor_codes, level_of_code
from core.cache import CacheUnavailable, errors_raised
from reports import figures

log = logging.getLogger(__name__)

TIMEOUT = 24 * 3600
GLOBAL = "reports:v:all"


def _version_key(code: str) -> str:
    return f"reports:v:{code}"


def _bump(keys) -> None:
    for key in keys:
        if not cache.add(key, 1, timeout=None):
            try:
                cache.incr(key)
            except ValueError:  # evicted between add and incr
                cache.add(key, 1, timeout=None)


def _keys_of(codes) -> set[str]:
    keys = set()
    for code in codes:
        keys.add(_version_key(code))
        keys.update(_version_key(c) for c in ancestor_codes(code, level_of_code(code)))
    return keys


def _pending(connection) -> dict:
    """What the current transaction has changed so far, and whether :func:`_flush` is still
    registered to run at its commit. A savepoint rolled back with our callback in it removes the
    callback, which moves or shortens ``run_on_commit``: the recorded index no longer points at
    ``_flush`` and the next change registers it again (checking one index, not scanning the list,
    keeps an import of many rows linear)."""
    state = getattr(connection, "_sanqi_reports_pending", None)
    at = state["at"] if state else None
    registered = (
        at is not None and at < len(connection.run_on_commit) and connection.run_on_commit[at][1] is _flush
    )
    if not registered:
        state = connection._sanqi_reports_pending = {"ids": set(), "all": False, "at": None}
    return state


def _schedule(connection, state: dict) -> None:
    if state["at"] is None:
        state["at"] = len(connection.run_on_commit)
        transaction.on_commit(_flush, robust=True)  # outside a transaction this runs at once; never raises


def touch_ids(node_ids) -> None:
    """Data kept by these nodes changed: forget their dashboards and their ancestors' when the
    transaction commits. The ids of one transaction are looked up in one query at its commit, so
    an import of many rows costs one query more, not one a row."""
    connection = transaction.get_connection()
    state = _pending(connection)
    state["ids"].update(pk for pk in node_ids if pk)
    _schedule(connection, state)


def touch_all() -> None:
    """Something every dashboard may depend on changed (a standard, a scheme, the hierarchy)."""
    connection = transaction.get_connection()
    state = _pending(connection)
    state["all"] = True
    _schedule(connection, state)


def _flush() -> None:
    connection = transaction.get_connection()
    state = getattr(connection, "_sanqi_reports_pending", None) or {"ids": set(), "all": False}
    connection._sanqi_reports_pending = None
    keys = {GLOBAL} if state["all"] else set()
    if state["ids"]:
        keys |= _keys_of(Node.objects.filter(pk__in=state["ids"]).values_list("code", flat=True))
    try:
        with errors_raised():
            _bump(sorted(keys))
    except CacheUnavailable as exc:
        new_epoch(f"change not announced to the cache: {exc}")


def epoch() -> str:
    from reports.models import FiguresEpoch

    return FiguresEpoch.objects.filter(pk=1).values_list("token", flat=True).first() or "0"


def new_epoch(reason: str = "") -> str:
    """Make every cached dashboard unreachable, whether or not the cache answers: a new token in
    the database (and the global version bumped when the cache answers)."""
    from reports.models import FiguresEpoch

    token = uuid.uuid4().hex
    FiguresEpoch.objects.update_or_create(pk=1, defaults={"token": token, "reason": reason[:200]})
    log.warning("figures cache epoch changed: %s", reason or "on request")
    _bump([GLOBAL])  # best effort: the cache may be down, the new epoch is enough
    return token


def _key(node: Node, year: int) -> str:
    versions = cache.get_many([_version_key(node.code), GLOBAL])
    return "reports:dash:{}:{}:{}:{}:{}:{}:{}".format(
        node.code, year, timezone.localdate().isoformat(), translation.get_language(),
        versions.get(_version_key(node.code), 0), versions.get(GLOBAL, 0), epoch(),
    )


def dashboard_json(*, node: Node, year: int) -> tuple[bytes, str]:
    """The node's dashboard figures as JSON bytes and their ETag; from the cache when they are
    there (two cache reads), computed otherwise (:func:`reports.figures.dashboard`)."""
    key = _key(node, year)
    hit = cache.get(key)
    if hit is not None:
        return hit
    data = figures.as_json(figures.dashboard(node=node, year=year))
    body = json.dumps(data, ensure_ascii=False, cls=DjangoJSONEncoder, separators=(",", ":")).encode()
    value = (body, '"' + hashlib.md5(body, usedforsecurity=False).hexdigest() + '"')
    cache.set(key, value, TIMEOUT)
    return value


def dashboard_data(*, node: Node, year: int) -> dict:
    return json.loads(dashboard_json(node=node, year=year)[0])
