from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from funding.models import Allocation, Expenditure, Standard


@admin.register(Standard)
class StandardAdmin(SimpleHistoryAdmin):
    list_display = ["node", "year", "office_amount", "party_amount", "total_amount"]
    list_filter = ["year"]
    search_fields = ["node__name", "node__code", "basis"]
    autocomplete_fields = ["node"]
    list_select_related = ["node"]


@admin.register(Allocation)
class AllocationAdmin(SimpleHistoryAdmin):
    """For system administrators only: writes here bypass the balance rule of the services."""

    list_display = ["community", "year", "category", "source", "amount", "received_on", "document_number"]
    list_filter = ["year", "category", "source"]
    search_fields = ["community__name", "community__code", "document_number"]
    autocomplete_fields = ["community"]
    list_select_related = ["community"]
    show_full_result_count = False


@admin.register(Expenditure)
class ExpenditureAdmin(SimpleHistoryAdmin):
    """For system administrators only: writes here bypass the balance rule of the services."""

    list_display = ["community", "spent_on", "category", "amount", "purpose", "voucher_number"]
    list_filter = ["year", "category"]
    search_fields = ["community__name", "community__code", "purpose", "voucher_number"]
    autocomplete_fields = ["community"]
    list_select_related = ["community"]
    show_full_result_count = False
