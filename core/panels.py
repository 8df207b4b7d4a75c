"""Panels that domain apps add to a node's pages (the community page, the street or district
page in the tree): figures for that node and a year.

An app lists dotted paths of panel functions in ``AppConfig.sanqi_node_panels``. Each is called
as ``panel(request=..., node=..., year=...)`` and returns ``None`` (nothing to show) or a
:class:`Panel`. A panel must cost a constant number of queries whatever the size of the node.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django.apps import apps
from django.utils import timezone
from django.utils.module_loading import import_string


@dataclass
class Panel:
    title: str
    template: str
    context: dict = field(default_factory=dict)
    order: int = 100


def selected_year(request) -> int:
    """The year a page shows: ``?year=`` when it is a sane year, else the current one."""
    value = request.GET.get("year", "")
    if value.isdigit() and 2000 <= int(value) <= 2100:
        return int(value)
    return timezone.localdate().year


# The models whose ``year`` says which year of the programme a record belongs to.
YEAR_MODELS = ("funding.Standard", "funding.Allocation", "funding.Expenditure", "venues.AreaStandard",
               "staffing.Welfare", "assessments.Scheme", "reports.Summary", "regional_building.Feedback")


def data_first_year() -> int:
    """The first year any record bears (one query of per-table minimums, each an index or a
    small scan), or the programme's first year (``SANQI_FIRST_YEAR``) when nothing is entered."""
    from django.conf import settings
    from django.db import connection

    qn = connection.ops.quote_name
    parts = [f"(SELECT MIN({qn('year')}) FROM {qn(apps.get_model(label)._meta.db_table)})" for label in YEAR_MODELS]
    with connection.cursor() as cursor:
        cursor.execute("SELECT " + ", ".join(parts))
        found = [year for year in cursor.fetchone() if year]
    return min(found) if found else settings.SANQI_FIRST_YEAR


def year_choices(years_back: int | None = 6) -> list[int]:
    """The years a year selector offers: this year first, back to the first year of the data
    (not an arbitrary 2000), and at most ``years_back`` years (pages whose figures come from the
    facts table, which holds ten years) — None: every year of the data."""
    this_year = timezone.localdate().year
    first = min(data_first_year(), this_year)
    if years_back is not None:
        first = max(first, this_year - years_back + 1)
    return list(range(this_year, first - 1, -1))


def node_panels(request, node, year: int) -> list[Panel]:
    """Every app's panel for ``node`` and ``year``. The panels that read the facts table share
    one roll-up of the node (figures.selectors.shared_totals)."""
    from figures.selectors import shared_totals

    panels = []
    with shared_totals():
        for config in apps.get_app_configs():
            for path in getattr(config, "sanqi_node_panels", None) or []:
                panel = import_string(path)(request=request, node=node, year=year)
                if panel is not None:
                    panels.append(panel)
    return sorted(panels, key=lambda p: p.order)
