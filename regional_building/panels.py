from django.utils.translation import gettext as _

from core.panels import Panel
from regional_building.selectors import node_figures


def figures_panel(*, request, node, year):
    """一化 figures of the node and the year: six aggregate queries whatever the node's size."""
    figures = node_figures(node=node, year=year, user=request.user)
    return Panel(
        title=_("Regional party building"),
        template="regional_building/_figures_panel.html",
        context={"figures": figures, "node": node},
        order=40,
    )
