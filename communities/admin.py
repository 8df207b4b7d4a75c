from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from communities.models import Node


@admin.register(Node)
class NodeAdmin(SimpleHistoryAdmin):
    """The whole tree, for system administrators (clerks use the pages, which apply the scope)."""

    list_display = ["code", "name", "level", "parent"]
    list_filter = ["level", "community_type", "party_org_form"]
    search_fields = ["code", "name"]
    autocomplete_fields = ["parent"]
    readonly_fields = ["level"]
    list_select_related = ["parent"]
    show_full_result_count = False
