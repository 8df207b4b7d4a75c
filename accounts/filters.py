import django_filters
from django.contrib.auth import get_user_model
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from accounts.forms import administered_nodes
from core.filters import BaseFilterSet, YesNoFilter
from core.models import Role

User = get_user_model()


def _nodes(request):
    return administered_nodes(request.user) if request is not None else User.objects.none()


class AccountFilterSet(BaseFilterSet):
    q = django_filters.CharFilter(label=_("Search"), method="search")
    node = django_filters.ModelChoiceFilter(label=_("home division"), queryset=_nodes, method="within")
    role = django_filters.ChoiceFilter(label=_("role"), choices=Role.choices, method="with_role")
    is_active = YesNoFilter(label=_("enabled"))

    class Meta:
        model = User
        fields = ["q", "node", "role", "is_active"]

    def search(self, qs, name, value):
        value = value.strip()
        if not value:
            return qs
        return qs.filter(Q(username__icontains=value) | Q(first_name__icontains=value) | Q(last_name__icontains=value))

    def within(self, qs, name, value):
        return qs.filter(profile__node__code__startswith=value.prefix) if value else qs

    def with_role(self, qs, name, value):
        return qs.filter(assignments__role=value).distinct() if value else qs


class _LoginFilterMixin(django_filters.FilterSet):
    username = django_filters.CharFilter(label=_("user name"), lookup_expr="icontains")
    ip_address = django_filters.CharFilter(label=_("IP address"), lookup_expr="startswith")
    since = django_filters.DateFilter(label=_("from"), field_name="attempt_time", lookup_expr="date__gte")
    until = django_filters.DateFilter(label=_("to"), field_name="attempt_time", lookup_expr="date__lte")


class LoginFilterSet(_LoginFilterMixin, BaseFilterSet):
    class Meta:
        from axes.models import AccessLog

        model = AccessLog
        fields = ["username", "ip_address", "since", "until"]


class FailureFilterSet(_LoginFilterMixin, BaseFilterSet):
    locked_out = YesNoFilter(label=_("locked out"))

    class Meta:
        from axes.models import AccessFailureLog

        model = AccessFailureLog
        fields = ["username", "ip_address", "since", "until", "locked_out"]
