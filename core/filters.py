"""Filter machinery shared by every list (web page, API and Excel export use one FilterSet)."""

import django_filters
from django import forms
from django.core.exceptions import FieldDoesNotExist
from django.db import connection
from django.db.models import DecimalField, Q
from django_filters.fields import ChoiceIteratorMixin
from django_filters.utils import get_model_field
from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field

from core.forms import BootstrapFormMixin
from core.masking import lookup_hash
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
        # A full personal number (ID, phone) finds its record by the keyed hash; a partial one
        # has another hash and finds nothing there (core.masking.lookup_hash).
        hashed = getattr(queryset.model, "hashed_search_fields", ())
        if hashed and (digest := lookup_hash(value)):
            for field in hashed:
                query |= Q(**{field: digest})
        return queryset.filter(query)


@extend_schema_field(OpenApiTypes.INT)
class WithinFilter(django_filters.ModelChoiceFilter):
    """Records under a chosen node (its whole subtree), through the model's ``scope_path``.

    A record always has its node: there is no "none" choice (``?street=null`` is an invalid
    choice, a 400, like any other value that is not a node in scope: :class:`BaseFilterSet`)."""

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


# What a date part can be; a year beyond 9999 cannot be a date (Python refuses it: a 500).
DATE_PART_BOUNDS = {
    "year": (1, 9999), "iso_year": (1, 9999), "quarter": (1, 4), "month": (1, 12), "week": (1, 53),
    "week_day": (1, 7), "iso_week_day": (1, 7), "day": (1, 31), "hour": (0, 23), "minute": (0, 59), "second": (0, 59),
}
BIGINT_BOUNDS = (-(2**63), 2**63 - 1)


def number_bounds(model, number_filter) -> tuple[int, int]:
    """The values a number filter can meaningfully take: a date part's range, the range of the
    integer column it compares with (a related id: its target's), a decimal column's digits, or
    else the database's widest integer. Anything outside is refused as bad input (a 400 in
    Chinese) before it reaches the database, where it would be an error (a 500)."""
    lookup = number_filter.lookup_expr.split("__")[-1] if number_filter.lookup_expr else "exact"
    if lookup in DATE_PART_BOUNDS:
        return DATE_PART_BOUNDS[lookup]
    field = None
    if model is not None and not number_filter.method:
        try:
            field = get_model_field(model, number_filter.field_name)
        except FieldDoesNotExist:  # pragma: no cover - django-filter refuses unknown fields earlier
            field = None
    if field is not None and field.is_relation and field.target_field is not None:
        field = field.target_field
    if isinstance(field, DecimalField):
        limit = 10 ** (field.max_digits - field.decimal_places)
        return (-limit + 1, limit - 1)
    if field is not None and field.get_internal_type() in connection.ops.integer_field_ranges:
        return connection.ops.integer_field_range(field.get_internal_type())
    return BIGINT_BOUNDS


class BaseFilterSet(django_filters.FilterSet):
    """Every list's FilterSet: its form is styled like the other forms, and every number filter
    accepts only the values its column can hold (:func:`number_bounds`)."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for f in self.filters.values():  # a per-instance copy of the declared filters
            # A form field built earlier on the class's filter (drf-spectacular builds some while
            # writing the OpenAPI document) would be copied along and ignore what is set here.
            f.__dict__.pop("_field", None)
            if isinstance(f, django_filters.NumberFilter):
                low, high = number_bounds(self._meta.model, f)
                f.extra.setdefault("min_value", low)
                f.extra.setdefault("max_value", high)
            elif (
                isinstance(f, django_filters.ChoiceFilter)
                and issubclass(f.field_class, ChoiceIteratorMixin)  # a field that offers "none"
                and not self._may_be_empty(f)
            ):
                # FILTERS_NULL_CHOICE_LABEL offers "none" (?x=null) on every choice filter; it only
                # means something for a column that can be empty. Elsewhere "null" is an invalid
                # choice (a 400), not a value handed to code that expects a real choice (a 500).
                f.extra.setdefault("null_label", None)

    def _may_be_empty(self, f) -> bool:
        if f.method or self._meta.model is None:
            return False
        try:
            field = get_model_field(self._meta.model, f.field_name)
        except FieldDoesNotExist:  # pragma: no cover
            return False
        return bool(field is not None and field.null)

    def get_form_class(self):
        return type("FilterForm", (BootstrapFormMixin, super().get_form_class()), {})
