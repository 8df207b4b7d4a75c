"""Filter machinery shared by every list (web page, API and Excel export use one FilterSet)."""

import django_filters
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from core.scope import Action, scope_q


def user_of(request):
    return getattr(request, "user", None)


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


class WithinFilter(django_filters.ModelChoiceFilter):
    """Records under a chosen node (its whole subtree), through the model's ``scope_path``."""

    def filter(self, qs, value):
        if not value:
            return qs
        path = qs.model.scope_path
        lookup = f"{path}__code__startswith" if path else "code__startswith"
        return qs.filter(**{lookup: value.prefix})
