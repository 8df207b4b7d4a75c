"""Filter machinery shared by every list (web page, API and Excel export use one FilterSet)."""

import django_filters
from django import forms
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field

from core.forms import BootstrapFormMixin
from core.scope import Action, scope_q


def scoped_nodes(request, *levels: int):
    """Nodes at ``levels`` that the requesting user may see: a filter's choices."""
    from communities.models import Node

    qs = Node.objects.filter(level__in=levels) if levels else Node.objects.all()
    if request is None:
        return qs.none()
    return qs.filter(scope_q(request.user, Action.VIEW)).select_related("parent").order_by("code")


class SearchFilter(django_filters.CharFilter):
    """Free-text search over several fields (``q``)."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("label", _("Search"))
        kwargs.setdefault("method", self.search)
        super().__init__(*args, **kwargs)

    @staticmethod
    def search(queryset, name, value):
        value = (value or "").strip()
        if not value:
            return queryset
        fields = getattr(queryset.model, "search_fields", ())
        query = Q()
        for field in fields:
            query |= Q(**{f"{field}__icontains": value})
        return queryset.filter(query)


@extend_schema_field(OpenApiTypes.INT)
class WithinFilter(django_filters.ModelChoiceFilter):
    """Records under a chosen node (its whole subtree), through the model's ``scope_path``."""

    def filter(self, qs, value):
        if not value:
            return qs
        path = qs.model.scope_path
        lookup = f"{path}__code__startswith" if path else "code__startswith"
        return qs.filter(**{lookup: value.prefix})


class YesNoFilter(django_filters.BooleanFilter):
    """A yes/no filter whose empty choice reads "all" rather than "unknown"."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault(
            "widget", forms.Select(choices=[("", _("All")), ("true", _("yes")), ("false", _("no"))])
        )
        super().__init__(*args, **kwargs)


class BaseFilterSet(django_filters.FilterSet):
    """Every list's FilterSet: its form is styled like the other forms."""

    def get_form_class(self):
        return type("FilterForm", (BootstrapFormMixin, super().get_form_class()), {})
