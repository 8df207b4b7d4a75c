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


def year_choices(years_back: int = 6) -> list[int]:
    """The years a year selector offers: this year first, then ``years_back - 1`` before it."""
    this_year = timezone.localdate().year
    return list(range(this_year, this_year - years_back, -1))


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
