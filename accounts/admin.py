"""Django admin: audit records are read-only there too (no add, change or delete), for the
superuser as for anyone (等保 8.1.4.3)."""

from axes.models import AccessFailureLog, AccessLog
from django.contrib import admin

from accounts.models import AccountEvent, AuditArchive


class ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(AccountEvent)
class AccountEventAdmin(ReadOnlyAdmin):
    list_display = ["when", "kind", "target", "actor", "node", "ip_address"]
    list_filter = ["kind"]
    search_fields = ["target__username", "actor__username", "detail"]


@admin.register(AuditArchive)
class AuditArchiveAdmin(ReadOnlyAdmin):
    list_display = ["created", "kind", "count", "oldest", "newest", "path", "sha256"]


# django-axes registers its logs with change and delete allowed; the login records are audit
# records, so they are registered again read-only. (AccessAttempt, the lockout counter, keeps
# axes' admin: deleting one clears a lockout, which the failure log still records.)
for model in (AccessLog, AccessFailureLog):
    base = type(admin.site._registry[model]) if model in admin.site._registry else admin.ModelAdmin
    if model in admin.site._registry:
        admin.site.unregister(model)
    admin.site.register(model, type(f"ReadOnly{model.__name__}Admin", (ReadOnlyAdmin, base), {"actions": None}))
