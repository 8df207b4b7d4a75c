"""The reports panel on a node's page (区划树, community page): links to its dashboard and to its
year-end summaries. One query (the latest summary of the node and year)."""

from django.utils.translation import gettext as _

from communities.models import Level
from core.panels import Panel
from reports.models import Summary
from reports.services import may_write


def reports_panel(*, request, node, year):
    latest = None
    if node.level < Level.COMMUNITY:
        latest = (
            Summary.objects.visible_to(request.user).filter(node=node, year=year)
            .only("pk", "version", "state", "title", "node_id").order_by("-version").first()
        )
    context = {
        "node": node, "year": year, "latest": latest,
        "can_write": node.level < Level.COMMUNITY and may_write(request.user, node),
    }
    return Panel(title=_("Dashboard and year-end summary"), template="reports/_panel.html", context=context, order=100)
