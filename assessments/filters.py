"""One FilterSet per listed model: the review queue's filters (street, state, grade) feed the
page and the API alike."""

import django_filters
from django import forms
from django.utils.translation import gettext_lazy as _

from assessments.models import Grade, Result, Scheme, State
from assessments.selectors import grade_q
from communities.models import Level, Node
from core.filters import BaseFilterSet


def _streets(request):
    if request is None:
        return Node.objects.filter(level=Level.TOWNSHIP)
    return Node.objects.visible_to(request.user).filter(level=Level.TOWNSHIP).order_by("code")


def _schemes(request):
    if request is None:
        return Scheme.objects.all()
    return Scheme.objects.visible_to(request.user).select_related("district")


class ResultFilterSet(BaseFilterSet):
    scheme = django_filters.ModelChoiceFilter(label=_("assessment scheme"), queryset=_schemes)
    street = django_filters.ModelChoiceFilter(label=_("street"), queryset=_streets, field_name="community__parent")
    # several states at once: the queue opens on 待提交 + 已退回 for clerks (?state=draft&state=returned)
    state = django_filters.MultipleChoiceFilter(label=_("review state"), choices=State.choices,
                                                widget=forms.SelectMultiple(attrs={"size": 4}))
    grade = django_filters.ChoiceFilter(label=_("grade"), choices=Grade.choices, method="filter_grade")

    class Meta:
        model = Result
        fields = ["scheme", "street", "state", "grade"]

    def filter_grade(self, queryset, name, value):
        scheme = self.form.cleaned_data.get("scheme")
        if scheme is None:
            # without a scheme, grade by each result's own scheme thresholds
            from django.db.models import Q

            condition = Q(pk__in=[])
            for s in Scheme.objects.filter(pk__in=queryset.values("scheme")):
                condition |= Q(scheme=s) & grade_q(s, value)
            return queryset.filter(condition)
        return queryset.filter(grade_q(scheme, value))
