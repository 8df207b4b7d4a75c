from django.utils.translation import gettext as _

from core.panels import Panel
from venues.selectors import venue_figures


def venue_panel(*, request, node, year):
    """有场所议事 figures of a community, street or district for a year: four queries."""
    figures = venue_figures(user=request.user, node=node, year=year)
    if not figures.communities:
        return None
    return Panel(
        title=_("Venues (有场所议事)"),
        template="venues/_panel.html",
        context={"figures": figures, "node": node, "year": year},
        order=30,
    )
