from django.contrib import admin, messages
from django.contrib.auth import get_user_model
from django.contrib.auth.admin import UserAdmin
from django.utils.translation import gettext as _

from core.models import ApiToken, Assignment, PersonalDataAccess

User = get_user_model()


class AssignmentInline(admin.TabularInline):
    model = Assignment
    extra = 1
    autocomplete_fields = ["node"]


admin.site.unregister(User)


@admin.register(User)
class SanqiUserAdmin(UserAdmin):
    """Users with the nodes they are assigned to and their role on each."""

    inlines = [AssignmentInline]
    list_display = ["username", "last_name", "first_name", "is_active", "is_superuser", "last_login"]

    # Accounts are disabled, never deleted, and a user name is never renamed: so no name is
    # ever used again for another person and the login records keep pointing at one account.
    def has_delete_permission(self, request, obj=None):
        return False

    def get_readonly_fields(self, request, obj=None):
        fields = list(super().get_readonly_fields(request, obj))
        return fields + ["username"] if obj is not None else fields


@admin.register(Assignment)
class AssignmentAdmin(admin.ModelAdmin):
    list_display = ["user", "node", "role"]
    list_filter = ["role"]
    search_fields = ["user__username", "node__name", "node__code"]
    autocomplete_fields = ["user", "node"]


@admin.register(ApiToken)
class ApiTokenAdmin(admin.ModelAdmin):
    list_display = ["name", "user", "key_prefix", "read_only", "created", "expires", "last_used"]
    list_filter = ["read_only"]
    search_fields = ["name", "user__username"]
    autocomplete_fields = ["user"]
    readonly_fields = ["key_prefix", "created", "last_used"]

    def save_model(self, request, obj, form, change):
        if not change:
            key = obj.set_key()
            messages.warning(request, _("The token key is shown only once; copy it now: %(key)s") % {"key": key})
        super().save_model(request, obj, form, change)


@admin.register(PersonalDataAccess)
class PersonalDataAccessAdmin(admin.ModelAdmin):
    """Read-only: the record of unmasked personal data views."""

    list_display = ["when", "user", "object_repr", "fields", "channel"]
    list_filter = ["channel"]
    search_fields = ["user__username", "object_repr"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
