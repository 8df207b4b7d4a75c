from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from venues.models import AreaStandard, Venue


@admin.register(Venue)
class VenueAdmin(SimpleHistoryAdmin):
    """All venues, for system administrators (clerks use the pages, which apply the scope)."""

    list_display = ["name", "community", "usable_area", "acquisition", "status", "completion_date"]
    list_filter = ["status", "acquisition", "has_service_hall"]
    search_fields = ["name", "community__name", "community__code"]
    autocomplete_fields = ["community"]
    list_select_related = ["community"]
    show_full_result_count = False


@admin.register(AreaStandard)
class AreaStandardAdmin(SimpleHistoryAdmin):
    list_display = ["node", "year", "minimum_area", "area_per_100_households"]
    list_filter = ["year"]
    search_fields = ["node__name", "node__code"]
    autocomplete_fields = ["node"]
    list_select_related = ["node"]
