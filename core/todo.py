"""The to-do list (待办) of the home page and the counts in the menu.

An app lists dotted paths of functions in ``AppConfig.sanqi_todo``. Each is called as
``items(user)`` and returns the :class:`TodoItem` s that concern the user's roles: a queryset of
exactly the records the user has to act on, and the URL of the filtered list that shows those
records. Counting is one SQL statement for every item of every app (scalar subqueries), so the
cost does not depend on the data nor on the number of items, and nothing is cached: a count
changes the moment the work is done.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from urllib.parse import urlencode

from django.apps import apps
from django.core.exceptions import EmptyResultSet
from django.db import connections
from django.http import QueryDict
from django.urls import reverse
from django.utils.module_loading import import_string


@dataclass
class TodoItem:
    key: str  # stable identifier (tests, HTML ids)
    label: str
    queryset: object  # the records to act on, scoped to the user
    url_name: str  # the list page
    params: dict = field(default_factory=dict)  # its filter that shows exactly these records
    nav: str = ""  # URL name of the menu entry that carries this count as a badge
    count: int = 0

    @property
    def url(self) -> str:
        base = reverse(self.url_name)
        return f"{base}?{urlencode(self.params, doseq=True)}" if self.params else base


def count_all(querysets) -> list[int]:
    """The row count of each queryset, in one statement (all on the default database)."""
    parts, params = [], []
    for qs in querysets:
        try:
            sql, p = qs.order_by().values("pk").query.sql_with_params()
        except EmptyResultSet:  # ``.none()`` or ``pk__in=[]``: nothing to count
            parts.append("0")
            continue
        parts.append(f"(SELECT COUNT(*) FROM ({sql}) AS todo_{len(parts)})")
        params.extend(p)
    if not parts:
        return []
    with connections["default"].cursor() as cursor:
        cursor.execute("SELECT " + ", ".join(parts), params)
        return [int(n) for n in cursor.fetchone()]


def todo_items(user) -> list[TodoItem]:
    """The user's to-do items with their counts (one query, plus the user's scope once)."""
    if user is None or not user.is_authenticated:
        return []
    items: list[TodoItem] = []
    for config in apps.get_app_configs():
        for path in getattr(config, "sanqi_todo", None) or []:
            items.extend(import_string(path)(user))
    for item, n in zip(items, count_all(item.queryset for item in items)):
        item.count = n
    return items


def nav_badges(items: list[TodoItem]) -> dict[str, int]:
    """Counts per menu entry (URL name)."""
    badges: dict[str, int] = {}
    for item in items:
        if item.nav and item.count:
            badges[item.nav] = badges.get(item.nav, 0) + item.count
    return badges


def filtered(filterset_class, queryset, params: dict):
    """The rows a list page shows for ``params``: the list's own FilterSet applied to its
    scoped queryset, so a to-do count is the length of the list its link opens."""
    data = QueryDict(mutable=True)  # as a request's GET: a multiple-choice filter reads a list
    for key, value in params.items():
        data.setlist(key, value if isinstance(value, (list, tuple)) else [value])
    filterset = filterset_class(data, queryset=queryset, request=None)
    if not filterset.is_valid():  # pragma: no cover - the params are the app's own constants
        raise ValueError(filterset.errors)
    return filterset.qs
