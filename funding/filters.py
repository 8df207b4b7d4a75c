"""One FilterSet per model: the list page, the API and the Excel export share it."""

import django_filters
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from communities.filters import district_choices, lean_choices, street_choices
from communities.models import Level
from core.filters import BaseFilterSet, SearchFilter, WithinFilter, YesNoFilter, scoped_nodes
from funding.models import Allocation, AllocationCategory, Expenditure, ExpenditureCategory, Source, Standard


def community_choices(request):
    return lean_choices(scoped_nodes(request, Level.COMMUNITY))


class BelowStandardFilter(YesNoFilter):
    """Records of communities that fall below their applicable standard in the chosen year
    (the ``year`` filter, else the current year), by the facts table's flags: a subquery, no
    figure computed per community."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("label", _("below standard"))
        kwargs.setdefault("method", "filter_below_standard")
        super().__init__(*args, **kwargs)


class FundingFilterSet(BaseFilterSet):
    q = SearchFilter()
    district = WithinFilter(queryset=district_choices, label=_("district"))
    street = WithinFilter(queryset=street_choices, label=_("street"))
    community = django_filters.ModelChoiceFilter(queryset=community_choices, label=_("community"))
    year = django_filters.NumberFilter(label=_("year"))
    amount__gte = django_filters.NumberFilter(field_name="amount", lookup_expr="gte", label=_("amount at least"))
    amount__lte = django_filters.NumberFilter(field_name="amount", lookup_expr="lte", label=_("amount at most"))
    below_standard = BelowStandardFilter()

    def filter_below_standard(self, queryset, name, value):
        if value is None:
            return queryset
        from funding.selectors import below_standard

        user = getattr(self.request, "user", None)
        year = self.form.cleaned_data.get("year") or timezone.localdate().year
        ids = below_standard(user=user, year=int(year))
        return queryset.filter(community_id__in=ids) if value else queryset.exclude(community_id__in=ids)


class AllocationFilterSet(FundingFilterSet):
    category = django_filters.ChoiceFilter(choices=AllocationCategory.choices, label=_("fund category"))
    source = django_filters.ChoiceFilter(choices=Source.choices, label=_("source of funds"))
    received_on__gte = django_filters.DateFilter(field_name="received_on", lookup_expr="gte", label=_("received from"))
    received_on__lte = django_filters.DateFilter(field_name="received_on", lookup_expr="lte", label=_("received until"))
    document_number = django_filters.CharFilter(lookup_expr="icontains", label=_("document number"))
    note = django_filters.CharFilter(lookup_expr="icontains", label=_("note"))

    class Meta:
        model = Allocation
        fields = ["q", "district", "street", "year", "category", "source", "below_standard"]


class ExpenditureFilterSet(FundingFilterSet):
    category = django_filters.ChoiceFilter(choices=ExpenditureCategory.choices, label=_("spending category"))
    spent_on__gte = django_filters.DateFilter(field_name="spent_on", lookup_expr="gte", label=_("spent from"))
    spent_on__lte = django_filters.DateFilter(field_name="spent_on", lookup_expr="lte", label=_("spent until"))
    purpose = django_filters.CharFilter(lookup_expr="icontains", label=_("purpose"))
    voucher_number = django_filters.CharFilter(lookup_expr="icontains", label=_("voucher number"))

    class Meta:
        model = Expenditure
        fields = ["q", "district", "street", "year", "category", "below_standard"]


class StandardFilterSet(BaseFilterSet):
    q = SearchFilter()
    year = django_filters.NumberFilter(label=_("year"))
    within = WithinFilter(queryset=lambda request: lean_choices(scoped_nodes(request, Level.PROVINCE, Level.CITY, Level.COUNTY, Level.TOWNSHIP)), label=_("within"))
    level = django_filters.ChoiceFilter(field_name="node__level", choices=Level.choices, label=_("level"))
    node = django_filters.NumberFilter(field_name="node_id", label=_("set on"))
    basis = django_filters.CharFilter(lookup_expr="icontains", label=_("basis (document)"))
    office_amount__gte = django_filters.NumberFilter(field_name="office_amount", lookup_expr="gte", label=_("office funds at least"))
    party_amount__gte = django_filters.NumberFilter(field_name="party_amount", lookup_expr="gte", label=_("party-building funds at least"))
    total_amount__gte = django_filters.NumberFilter(field_name="total_amount", lookup_expr="gte", label=_("total at least"))

    class Meta:
        model = Standard
        fields = ["q", "year", "within", "level"]
