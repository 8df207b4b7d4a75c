"""The dashboard page (数据看板): a node's 三有一化 figures for a year, per child and over the
last years, drawn with the vendored ECharts (static/reports/dashboard.js).

The figures come from the cache (reports.cache), which holds them for every viewer; scope is
enforced here, before anything is read: a node outside the user's part of the hierarchy is a 404,
like a code that does not exist.
"""

from __future__ import annotations

from decimal import Decimal
from urllib.parse import urlencode

from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _

from communities.models import CODE_RE, Level, Node
from communities.selectors import breadcrumbs, scope_roots
from core.panels import selected_year, year_choices
from reports.cache import dashboard_data
from reports.figures import labels

COUNT, PERCENT, MONEY = "count", "percent", "money"

# The headline figures: KPI cards, and the columns of the children's table.
KPIS = [
    ("communities", COUNT),
    ("cadres", COUNT),
    ("college_share", PERCENT),
    ("one_shoulder_share", PERCENT),
    ("funds_compliance_rate", PERCENT),
    ("area_compliance_rate", PERCENT),
    ("funds_per_community", MONEY),
    ("agreements_in_force", COUNT),
    ("commitments_kept_rate", PERCENT),
    ("members_registered", COUNT),
]
# Figures whose values carry cents or square metres; every other number in labels() is a count
# unless it is a share (a key ending in _share / _rate) or the average age.
DECIMALS = {"working_funds": MONEY, "funds_per_community": MONEY, "built_area": MONEY, "average_age": "one"}


def _kind(key: str) -> str:
    if key.endswith(("_share", "_rate")):
        return PERCENT
    return DECIMALS.get(key, COUNT)


def _number(value) -> Decimal | None:
    return None if value is None or value == "" else Decimal(str(value))


def _format(value, kind: str) -> str:
    number = _number(value)
    if number is None:
        return "—"
    if kind == PERCENT:
        return f"{number:,.1f}%"
    if kind == MONEY:
        return f"{number:,.2f}"
    if kind == "one":
        return f"{number:,.1f}"
    return f"{int(number):,}"


def _change(current, previous, kind: str) -> dict | None:
    """The change against the previous year: arrow, absolute difference, direction."""
    now, before = _number(current), _number(previous)
    if now is None or before is None:
        return None
    diff = now - before
    if kind == PERCENT:
        text = f"{abs(diff):,.1f}"
    elif kind == MONEY:
        text = f"{abs(diff):,.2f}"
    elif kind == "one":
        text = f"{abs(diff):,.1f}"
    else:
        text = f"{abs(int(diff)):,}"
    direction = "up" if diff > 0 else "down" if diff < 0 else "flat"
    return {
        "arrow": {"up": "▲", "down": "▼", "flat": "—"}[direction],
        "text": text,
        "unit": _("percentage points") if kind == PERCENT else "",
        "direction": direction,
    }


def _group_columns() -> list[list[dict]]:
    """The chart cards in two columns that stack on narrow screens (so the page reads in this
    order on a phone); each column's cards keep their own heights, leaving no holes when a card
    has little to show. ``structure``: the card also has a pie of the node's own figures for the
    year. dashboard.js knows what each card draws, by its id."""
    return [
        [
            {"id": "compliance", "title": _("Funding and area standards met"), "structure": False},
            {"id": "one_shoulder", "title": _("Secretary also serving as director"), "structure": False},
            {"id": "funds", "title": _("Working funds per community"), "structure": False},
            {"id": "members", "title": _("In-service party members registered"), "structure": False},
        ],
        [
            {"id": "agreements", "title": _("Joint-building agreements and commitments"), "structure": False},
            {"id": "age", "title": _("Age structure of community cadres"), "structure": True},
            {"id": "education", "title": _("Education of community cadres"), "structure": True},
            {"id": "grades", "title": _("Assessment grades"), "structure": True},
        ],
    ]


def _url(code: str, year: int) -> str:
    return reverse("reports:dashboard") + "?" + urlencode({"node": code, "year": year})


def _node(request) -> Node:
    code = request.GET.get("node", "")
    if not code:
        roots = scope_roots(user=request.user)
        if not roots:
            raise Http404(_("You are not assigned to any part of the hierarchy."))
        return roots[0]
    if not CODE_RE.match(code):
        raise Http404(_("No such node."))
    node = Node.objects.visible_to(request.user).filter(code=code).first()
    if node is None:
        raise Http404(_("No such node."))
    return node


def _js_text() -> dict:
    """The words dashboard.js writes itself (everything else comes from labels())."""
    return {
        "yuan": _("yuan"),
        "total": _("Total"),
        "no_data": _("No data for this year."),
        "no_data_years": _("No data for these years."),
    }


def _freshness(data: dict) -> dict:
    """When the figures were computed ("数据更新于 10:42"; the date too when not today), and
    whether changes under the node still wait for the background refresh."""
    from figures.selectors import freshness_text

    fresh = data.get("freshness") or {}
    return {"updated": freshness_text(fresh.get("updated")), "pending": bool(fresh.get("pending"))}


@login_required
def dashboard_view(request):
    node = _node(request)
    year = selected_year(request)
    data = dashboard_data(node=node, year=year)
    names = labels()
    current = data["totals"].get(str(year), {})
    previous = data["totals"].get(str(year - 1))

    kpis = [
        {
            "key": key,
            "label": names[key],
            "value": _format(current.get(key), kind),
            "change": _change(current.get(key), previous.get(key), kind) if previous else None,
        }
        for key, kind in KPIS
        if not (key == "communities" and node.level == Level.COMMUNITY)  # "1 community" says nothing
    ]
    # Every child of a street is one community: no column for that.
    columns = [(key, kind) for key, kind in KPIS if not (key == "communities" and node.level == Level.TOWNSHIP)]
    rows = [
        {
            "code": child["code"],
            "name": child["name"],
            "url": "" if child.get("own") else _url(child["code"], year),
            "cells": [_format(child["figures"].get(key), kind) for key, kind in columns],
        }
        for child in data["children"]
    ]
    figures = [
        {
            "key": key,
            "label": label,
            "value": _format(current.get(key), _kind(key)),
            "previous": _format(previous.get(key), _kind(key)) if previous else "—",
        }
        for key, label in names.items()
        if key in current
    ]
    half = (len(figures) + 1) // 2
    choices = year_choices()
    if year not in choices:
        choices = sorted([*choices, year], reverse=True)
    context = {
        "node": node,
        "year": year,
        "previous_year": year - 1,
        "year_choices": choices,
        "crumbs": [
            {"name": crumb.name, "url": _url(crumb.code, year) if reachable else ""}
            for crumb, reachable in breadcrumbs(node=node, user=request.user)
        ],
        # Not the labels inside ``data``: it is cached for every language.
        "level_label": Level(node.level).label,
        "child_level_label": Level(node.level + 1).label if node.level < Level.COMMUNITY else "",
        "has_children": bool(data["children"]),
        "kpis": kpis,
        "columns": [names[key] for key, _unused in columns],
        "rows": rows,
        "figure_halves": [figures[:half], figures[half:]],
        "group_columns": _group_columns(),
        "data": data,
        "labels": names,
        "js_text": _js_text(),
        "first_year": data["years"][0],
        **_freshness(data),
    }
    return render(request, "reports/dashboard.html", context)
