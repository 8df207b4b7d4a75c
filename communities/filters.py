import django_filters
from django.db.models import Exists, Q
from django.utils.translation import gettext_lazy as _

from communities.models import CommunityType, Level, Node, PartyOrgForm
from core.filters import BaseFilterSet, SearchFilter, WithinFilter, YesNoFilter, scoped_nodes


def lean_choices(qs):
    """A dropdown needs the name (label), the id (value) and the code and level (to filter by):
    no parent joined, no other columns. Building ~100 full nodes and parents per request was a
    third of what the district dropdown of a province-wide user cost."""
    return qs.select_related(None).only("id", "code", "name", "level")


def district_choices(request):
    return lean_choices(scoped_nodes(request, Level.CITY, Level.COUNTY))


STREET_CHOICES_MAX = 300


def street_choices(request):
    """Streets to offer: those under the chosen district, or all in scope when few enough.

    A province-wide user would otherwise get a dropdown of thousands of streets on every list
    page; they pick a district first. A street chosen elsewhere (the tree page links to
    ``?street=<id>``) is accepted and offered whenever it is in scope, however many streets
    that is. The same number of queries whatever the size of the scope.
    """
    qs = lean_choices(scoped_nodes(request, Level.TOWNSHIP))
    if request is None:
        return qs
    district = request.GET.get("district")
    if district and district.isdigit():
        parent = Node.objects.filter(pk=district).only("code", "level").first()
        if parent is not None:
            return qs.filter(code__startswith=parent.prefix)
    # In the same query as the streets: is there a 301st one?
    few_enough = ~Exists(qs.order_by().values("pk")[STREET_CHOICES_MAX : STREET_CHOICES_MAX + 1])
    street = request.GET.get("street")
    if street and street.isdigit():
        return qs.filter(Q(pk=street) | few_enough)
    return qs.filter(few_enough)


class NodeFilterSet(BaseFilterSet):
    q = SearchFilter()
    code_prefix = django_filters.CharFilter(field_name="code", lookup_expr="startswith", label=_("code prefix"))
    level = django_filters.ChoiceFilter(choices=Level.choices, label=_("level"))
    parent = django_filters.ModelChoiceFilter(
        queryset=lambda request: scoped_nodes(request, Level.PROVINCE, Level.CITY, Level.COUNTY, Level.TOWNSHIP),
        label=_("parent"),
    )
    within = WithinFilter(queryset=lambda request: scoped_nodes(request), label=_("within"))
    community_type = django_filters.ChoiceFilter(choices=CommunityType.choices, label=_("community type"))

    class Meta:
        model = Node
        fields = ["q", "code", "code_prefix", "name", "level", "parent", "within", "community_type"]


class CommunityFilterSet(BaseFilterSet):
    """Filters of the community list: the page, the API and the Excel export share it."""

    q = SearchFilter()
    district = WithinFilter(queryset=district_choices, label=_("district"))
    street = WithinFilter(queryset=street_choices, label=_("street"))
    community_type = django_filters.ChoiceFilter(choices=CommunityType.choices, label=_("community type"))
    party_org_form = django_filters.ChoiceFilter(choices=PartyOrgForm.choices, label=_("party organization form"))
    is_urban = YesNoFilter(label=_("urban community"))
    code = django_filters.CharFilter(label=_("division code"))
    code_prefix = django_filters.CharFilter(field_name="code", lookup_expr="startswith", label=_("code prefix"))
    name = django_filters.CharFilter(lookup_expr="icontains", label=_("name"))
    parent = django_filters.NumberFilter(field_name="parent_id", label=_("parent"))
    resident_population__gte = django_filters.NumberFilter(
        field_name="resident_population", lookup_expr="gte", label=_("resident population at least")
    )
    resident_population__lte = django_filters.NumberFilter(
        field_name="resident_population", lookup_expr="lte", label=_("resident population at most")
    )
    households__gte = django_filters.NumberFilter(field_name="households", lookup_expr="gte", label=_("households at least"))
    party_members__gte = django_filters.NumberFilter(
        field_name="party_members", lookup_expr="gte", label=_("party members at least")
    )
    floating_population__gte = django_filters.NumberFilter(
        field_name="floating_population", lookup_expr="gte", label=_("floating population at least")
    )
    address = django_filters.CharFilter(lookup_expr="icontains", label=_("address"))
    phone = django_filters.CharFilter(lookup_expr="icontains", label=_("office phone"))

    class Meta:
        model = Node
        fields = ["q", "district", "street", "community_type", "party_org_form", "is_urban"]
