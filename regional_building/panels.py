from django.utils.translation import gettext as _

from core.panels import Panel
from regional_building.selectors import node_totals


def figures_panel(*, request, node, year):
    """一化 figures of the node and the year, read from the facts table: two queries whatever
    the node's size."""
    figures = node_totals(node=node, year=year, user=request.user)
    return Panel(
        title=_("Regional party building"),
        template="regional_building/_figures_panel.html",
        context={"figures": figures, "node": node},
        order=40,
    )
