"""Marking nodes dirty (figures.models.Dirty) when their data change, and queueing the refresh.

A mark is written in the writer's own transaction, so it commits (or rolls back) with the change
itself; at commit the refresh task is queued once per transaction (``transaction.on_commit``).
If the broker cannot take it, nothing is lost: the marks stay, and the next queued refresh (or a
page that reads a few dirty rows, figures.selectors.catch_up) does them.
"""

from __future__ import annotations

import logging

from django.db import connection, transaction
from django.db.models import F, Q, Value
from django.utils import timezone

from figures.models import Dirty

log = logging.getLogger(__name__)


def _upsert(pairs) -> None:
    pairs = sorted(set(pairs))
    if not pairs:
        return
    now = timezone.now()
    # DO UPDATE (not DO NOTHING): it takes the mark's row lock, so the refresh, which locks marks
    # with SKIP LOCKED, never consumes a mark whose change has not committed yet.
    Dirty.objects.bulk_create(
        [Dirty(node_id=node, year=year, marked_at=now) for node, year in pairs],
        update_conflicts=True, unique_fields=["node_id", "year"], update_fields=["marked_at"],
    )
    _queue_on_commit()


def mark(node_ids, year: int = 0) -> None:
    """The data of these nodes changed (for ``year``; 0: for any year)."""
    _upsert((int(pk), year) for pk in node_ids if pk)


def mark_subtree(prefix: str, year: int = 0) -> int:
    """Everything under a code prefix changed (a standard of ``year``, a node's move)."""
    from communities.models import Node

    return mark_query(Node.objects.filter(code__startswith=prefix), "pk", year)


def mark_query(queryset, node: str, year) -> int:
    """Mark the nodes ``queryset`` yields in ``node`` (a field path) for ``year`` (an int, or a
    field path such as ``"year"``) in one INSERT … SELECT, whatever their number."""
    year_expr = Value(year) if isinstance(year, int) else F(year)
    rows = (
        queryset.order_by()
        .annotate(_figures_node=F(node), _figures_year=year_expr, _figures_at=Value(timezone.now()))
        .values_list("_figures_node", "_figures_year", "_figures_at")
        .distinct()
    )
    sql, params = rows.query.sql_with_params()
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {Dirty._meta.db_table} (node_id, year, marked_at) SELECT * FROM ({sql}) sub "
            "WHERE true ON CONFLICT (node_id, year) DO UPDATE SET marked_at = EXCLUDED.marked_at",
            params,
        )
        count = cursor.rowcount
    if count:
        _queue_on_commit()
    return count


def _queue_on_commit() -> None:
    conn = transaction.get_connection()
    at = getattr(conn, "_sanqi_figures_queued", None)
    if at is not None and at < len(conn.run_on_commit) and conn.run_on_commit[at][1] is _queue:
        return  # already queued for this transaction
    conn._sanqi_figures_queued = len(conn.run_on_commit)
    transaction.on_commit(_queue)  # outside a transaction: at once


def _queue() -> None:
    transaction.get_connection()._sanqi_figures_queued = None
    from figures.tasks import refresh_facts

    try:
        refresh_facts.delay()
    except Exception:  # broker down: the marks wait for the next refresh
        log.warning("figures: could not queue the refresh; the dirty marks wait", exc_info=True)


def pending_q(prefix: str) -> Q:
    """Marks of nodes under a code prefix (a subquery on the node's code)."""
    from communities.models import Node

    return Q(node_id__in=Node.objects.filter(code__startswith=prefix).values("pk"))
