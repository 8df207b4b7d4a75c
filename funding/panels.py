"""The funding panel on community, street and district pages: five queries whatever the size."""

from django.utils.translation import gettext as _

from core.panels import Panel
from funding.selectors import node_funds


def funding_panel(*, request, node, year):
    funds = node_funds(user=request.user, node=node, year=year)
    if not funds.communities:
        return None
    context = {"funds": funds, "node": node, "year": year, "single": node.is_community}
    if node.is_community:
        context["c"] = funds.communities[0]
    return Panel(title=_("Funds (有钱办事)"), template="funding/_panel.html", context=context, order=20)
