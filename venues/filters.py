import django_filters
from django.utils.translation import gettext_lazy as _

from communities.filters import district_choices, street_choices
from core.filters import BaseFilterSet, SearchFilter, WithinFilter, YesNoFilter
from core.panels import selected_year
from venues.models import ROOM_TYPES, Acquisition, AreaStandard, Venue, VenueStatus


def year_of(request) -> int:
    from django.utils import timezone

    return selected_year(request) if request is not None else timezone.localdate().year


def year_choices():
    from core.panels import year_choices as years

    return [(y, str(y)) for y in years(None)]


class VenueFilterSet(BaseFilterSet):
    """Filters of the venue list: the page, the API and the Excel export share it."""

    q = SearchFilter()
    district = WithinFilter(queryset=district_choices, label=_("district"))
    street = WithinFilter(queryset=street_choices, label=_("street"))
    status = django_filters.ChoiceFilter(choices=VenueStatus.choices, label=_("construction status"))
    acquisition = django_filters.ChoiceFilter(choices=Acquisition.choices, label=_("how obtained"))
    has_service_hall = YesNoFilter(label=_("one-stop service hall"))
    below_standard = YesNoFilter(method="filter_below_standard", label=_("community below standard"))
    year = django_filters.ChoiceFilter(choices=year_choices, method="filter_nothing", label=_("standard year"),
                                       empty_label=_("this year"))
    within = django_filters.NumberFilter(method="filter_within", label=_("within"))
    room = django_filters.ChoiceFilter(choices=ROOM_TYPES, method="filter_room", label=_("has the room"))
    community = django_filters.NumberFilter(field_name="community_id", label=_("community"))
    name = django_filters.CharFilter(lookup_expr="icontains", label=_("venue name"))
    address = django_filters.CharFilter(lookup_expr="icontains", label=_("venue address"))
    usable_area__gte = django_filters.NumberFilter(field_name="usable_area", lookup_expr="gte", label=_("usable area at least"))
    usable_area__lte = django_filters.NumberFilter(field_name="usable_area", lookup_expr="lte", label=_("usable area at most"))
    completion_year = django_filters.NumberFilter(field_name="completion_date", lookup_expr="year", label=_("completion year"))
    completed_after = django_filters.DateFilter(field_name="completion_date", lookup_expr="gte", label=_("completed on or after"))
    completed_before = django_filters.DateFilter(field_name="completion_date", lookup_expr="lte", label=_("completed on or before"))
    investment__gte = django_filters.NumberFilter(field_name="investment", lookup_expr="gte", label=_("investment at least"))

    class Meta:
        model = Venue
        fields = ["q", "district", "street", "status", "acquisition", "has_service_hall", "room", "below_standard", "year"]

    def filter_within(self, queryset, name, value):
        """Venues anywhere under a division given by id (the node panels link here); a division
        outside the viewer's scope gives nothing, as a record outside it would."""
        from communities.models import Node

        node = Node.objects.visible_to(self.request.user).filter(pk=value).only("code", "level").first()
        return queryset.filter(community__code__startswith=node.prefix) if node else queryset.none()

    def filter_room(self, queryset, name, value):
        return queryset.filter(**{value: True}) if value in dict(ROOM_TYPES) else queryset

    def filter_nothing(self, queryset, name, value: int):
        return queryset  # ``year`` only tells ``below_standard`` which year's standard to use

    def filter_below_standard(self, queryset, name, value):
        if value is None:
            return queryset
        from venues.selectors import below_standard

        ids = below_standard(user=self.request.user, year=year_of(self.request))
        return queryset.filter(community_id__in=ids) if value else queryset.exclude(community_id__in=ids)


class AreaStandardFilterSet(BaseFilterSet):
    q = SearchFilter()
    year = django_filters.NumberFilter(label=_("year"))
    node = WithinFilter(queryset=district_choices, label=_("within"))
    set_on = django_filters.NumberFilter(field_name="node_id", label=_("set by"))
    depends_on_households = django_filters.BooleanFilter(
        field_name="area_per_100_households", lookup_expr="isnull", exclude=True, label=_("depends on households")
    )
    minimum_area__gte = django_filters.NumberFilter(field_name="minimum_area", lookup_expr="gte", label=_("minimum area at least"))
    document = django_filters.CharFilter(lookup_expr="icontains", label=_("document"))

    class Meta:
        model = AreaStandard
        fields = ["q", "year", "node"]
