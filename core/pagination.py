"""Counting and paging large lists (issue 13): an exact COUNT(*) of 2,000,000 joined rows costs
about a second on every page, so above :data:`ESTIMATE_ABOVE` rows the count shown is
PostgreSQL's planner estimate ("约 1,200,000 条"), and the API offers keyset pagination
(``?cursor=``) whose cost does not depend on how deep the page is."""

from __future__ import annotations

import json

from django.conf import settings
from django.core.exceptions import EmptyResultSet
from django.core.paginator import Paginator
from django.db import connections
from django.utils.functional import cached_property
from rest_framework.pagination import CursorPagination

ESTIMATE_ABOVE = 100_000
# What every list offers as its page size (``?per_page=``); anything else is the list's default.
PAGE_SIZES = (20, 50, 100, 200)


def page_size(request, default: int = 50) -> int:
    value = request.GET.get("per_page", "")
    return int(value) if value.isdigit() and int(value) in PAGE_SIZES else default


def paginate(request, rows, default: int = 50, paginator_class=None):
    """The page of ``rows`` a list shows: ``?page=`` (a number past the end shows the last
    page, anything else the first) of ``?per_page=`` rows. Every list pages through here, so
    the shared ``generic/_pagination.html`` (page size, go to page) works on all of them."""
    return (paginator_class or Paginator)(rows, page_size(request, default)).get_page(request.GET.get("page"))


def estimated_count(queryset) -> int | None:
    """The planner's estimate of the rows of ``queryset`` (PostgreSQL), or None."""
    connection = connections[queryset.db]
    if connection.vendor != "postgresql":
        return None
    try:
        sql, params = queryset.order_by().query.sql_with_params()
    except EmptyResultSet:  # ``.none()`` (a filter naming a division out of scope): no SQL to explain
        return 0
    with connection.cursor() as cursor:
        cursor.execute(f"EXPLAIN (FORMAT JSON) {sql}", params)
        plan = cursor.fetchone()[0]
    if isinstance(plan, str):
        plan = json.loads(plan)
    return int(plan[0]["Plan"]["Plan Rows"])


class EstimatedCountPaginator(Paginator):
    """Exact count up to ``ESTIMATE_ABOVE`` rows (as the planner sees it), the estimate above:
    ``estimated`` tells which, so pages can say "约"."""

    estimated = False

    @cached_property
    def count(self):
        threshold = getattr(settings, "LIST_ESTIMATE_ABOVE", ESTIMATE_ABOVE)
        if hasattr(self.object_list, "query"):
            guess = estimated_count(self.object_list)
            if guess is not None and guess > threshold:
                self.estimated = True
                return guess
        return super().count

    def page(self, number):
        self.count  # noqa: B018  (decides whether it is an estimate)
        if not self.estimated:
            return super().page(number)
        # an estimate may be short: a page holds its full slice, not one cut at the estimate
        number = self.validate_number(number)
        bottom = (number - 1) * self.per_page
        return self._get_page(self.object_list[bottom : bottom + self.per_page], number, self)


class KeysetPagination(CursorPagination):
    """``?cursor=``: the queryset's own ordering (model Meta ordering, ending with a unique
    field such as ``-id``) as the keyset; no COUNT, no OFFSET."""

    page_size_query_param = "page_size"
    max_page_size = 500

    def get_ordering(self, request, queryset, view):
        ordering = tuple(queryset.query.order_by or queryset.model._meta.ordering or ("-pk",))
        return ordering
