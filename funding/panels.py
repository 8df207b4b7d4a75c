"""The funding panel on community, street and district pages. A street's or a district's (or a
province's) totals are read from the facts table: three queries whatever the size, no object per
community; a community's own page shows its standard and shortfalls, computed from its rows."""

from django.utils.translation import gettext as _

from core.panels import Panel
from funding.selectors import node_funds, node_totals


def funding_panel(*, request, node, year):
    if node.is_community:
        funds = node_funds(user=request.user, node=node, year=year)
        if not funds.communities:
            return None
        context = {"funds": funds, "node": node, "year": year, "single": True, "c": funds.communities[0]}
    else:
        funds = node_totals(user=request.user, node=node, year=year)
        if not funds.community_count:
            return None
        context = {"funds": funds, "node": node, "year": year, "single": False}
    return Panel(title=_("Funds (有钱办事)"), template="funding/_panel.html", context=context, order=20)
