from django.urls import reverse
from django.utils.translation import gettext as _

from core.panels import Panel
from staffing.selectors import staffing_figures


def staffing_panel(*, request, node, year):
    """有人管事 figures of the node and year, read from the facts table (three queries)."""
    figures = staffing_figures(node=node, year=year)
    within = "community" if node.level == 5 else "street"
    link = reverse("staffing:cadre_list") + (f"?{within}={node.pk}" if node.level >= 4 else "")
    return Panel(
        title=_("Staffing (有人管事)"),
        template="staffing/_panel.html",
        context={"f": figures, "node": node, "roster_url": link, "is_community": node.level == 5},
        order=10,
    )
