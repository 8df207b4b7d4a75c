from django.shortcuts import get_object_or_404, render

from communities.filters import CommunityFilterSet
from communities.forms import CommunityForm
from communities.models import Level, Node
from communities.selectors import breadcrumbs, children_with_counts
from communities.services import node_create, node_delete, node_update
from communities.sheets import CommunitySheet
from core.panels import node_panels, selected_year, year_choices
from core.views import (
    ObjectDeleteView,
    ObjectDetailView,
    ObjectEditView,
    ObjectImportView,
    ObjectListView,
    ScopedViewMixin,
)
from django.utils.translation import gettext_lazy as _
from django.views import View

def panels_context(request, node) -> dict:
    year = selected_year(request)
    return {
        "year": year,
        "year_choices": year_choices(),
        "panels": node_panels(request, node, year),
    }


COMMUNITIES = Node.objects.filter(level=Level.COMMUNITY).select_related("parent", "parent__parent")


class CommunityListView(ObjectListView):
    model = Node
    queryset = COMMUNITIES
    filterset_class = CommunityFilterSet
    table_template = "communities/_community_table.html"
    sheet_class = CommunitySheet
    title = _("Communities")
    url_prefix = "communities:community"


class CommunityDetailView(ObjectDetailView):
    model = Node
    queryset = COMMUNITIES
    template_name = "communities/community_detail.html"

    def extra_context(self, obj):
        return {"breadcrumbs": breadcrumbs(node=obj, user=self.request.user), **panels_context(self.request, obj)}


class CommunityEditView(ObjectEditView):
    model = Node
    queryset = COMMUNITIES
    form_class = CommunityForm
    object_name = _("community")
    create_service = node_create
    update_service = node_update
    list_url = "communities:community_list"


class CommunityDeleteView(ObjectDeleteView):
    model = Node
    queryset = COMMUNITIES
    delete_service = node_delete
    list_url = "communities:community_list"


class CommunityImportView(ObjectImportView):
    sheet_class = CommunitySheet
    list_url = "communities:community_list"
    title = _("Upload communities")


class TreeView(ScopedViewMixin, View):
    """The hierarchy one level at a time, with breadcrumbs and community counts."""

    model = Node

    def get(self, request, code=None):
        node = get_object_or_404(self.visible_queryset(), code=code) if code else None
        context = {
            "node": node,
            "breadcrumbs": breadcrumbs(node=node, user=request.user) if node else [],
            "children": children_with_counts(node=node, user=request.user),
            **(panels_context(request, node) if node else {}),
        }
        return render(request, "communities/tree.html", context)
