"""Filters of the summary and suggestion-text lists."""

import django_filters
from django.utils.translation import gettext_lazy as _

from communities.filters import district_choices, street_choices
from core.filters import BaseFilterSet, SearchFilter, WithinFilter
from reports.models import ProblemKind, SuggestionText, Summary, SummaryState


class SummaryFilterSet(BaseFilterSet):
    q = SearchFilter()
    district = WithinFilter(queryset=district_choices, label=_("district"))
    street = WithinFilter(queryset=street_choices, label=_("street"))
    year = django_filters.NumberFilter(label=_("year"))
    state = django_filters.ChoiceFilter(choices=SummaryState.choices, label=_("state"))

    class Meta:
        model = Summary
        fields = ["q", "district", "street", "year", "state"]


class SuggestionFilterSet(BaseFilterSet):
    q = SearchFilter()
    kind = django_filters.ChoiceFilter(choices=ProblemKind.choices, label=_("kind of problem"))

    class Meta:
        model = SuggestionText
        fields = ["q", "kind"]
