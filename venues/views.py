from core.pagination import paginate
from django.shortcuts import get_object_or_404, render
from django.utils.translation import gettext_lazy as _
from django.views import View

from communities.filters import street_choices
from communities.models import Node
from core.filters import BaseFilterSet, WithinFilter, YesNoFilter
from core.panels import selected_year
from core.panels import year_choices
from core.views import (
    ObjectDeleteView,
    ObjectDetailView,
    ObjectEditView,
    ObjectImportView,
    ObjectListView,
    ScopedViewMixin,
    querystring_without,
)
from venues.filters import AreaStandardFilterSet, VenueFilterSet
from venues.forms import AreaStandardForm, VenueForm
from venues.models import EQUIPMENT_TYPES, ROOM_TYPES, AreaStandard, Venue
from venues.selectors import compliance_rows, standard_for, venue_figures
from venues.services import (
    areastandard_create,
    areastandard_delete,
    areastandard_update,
    venue_create,
    venue_delete,
    venue_update,
)
from venues.sheets import AreaStandardSheet, VenueSheet

BASIC_FIELDS = ["community", "name", "address", "usable_area", "acquisition", "status", "completion_date", "investment"]
VENUES = Venue.objects.select_related("community", "community__parent")
STANDARDS = AreaStandard.objects.select_related("node", "node__parent")


class VenueListView(ObjectListView):
    model = Venue
    queryset = VENUES
    filterset_class = VenueFilterSet
    tabs_template = "venues/_tabs.html"
    table_template = "venues/_venue_table.html"
    sheet_class = VenueSheet
    title = _("Venues")
    url_prefix = "venues:venue"


class VenueDetailView(ObjectDetailView):
    model = Venue
    queryset = VENUES
    template_name = "venues/venue_detail.html"

    def extra_context(self, obj):
        year = selected_year(self.request)
        standard = standard_for(community=obj.community, year=year)
        rows = compliance_rows(user=self.request.user, node=obj.community, year=year)
        return {"year": year, "standard": standard, "compliance": rows[0] if rows else None}


class VenueEditView(ObjectEditView):
    model = Venue
    queryset = VENUES
    form_class = VenueForm
    template_name = "venues/venue_form.html"
    create_service = venue_create
    update_service = venue_update
    list_url = "venues:venue_list"

    def edit_context(self):
        # The generic edit page with the fields grouped: the venue, its hall and rooms, its equipment.
        return {
            "basic_fields": BASIC_FIELDS,
            "room_fields": ["has_service_hall", *[name for name, _label in ROOM_TYPES]],
            "equipment_fields": [name for name, _label in EQUIPMENT_TYPES],
        }

    def get_form(self, obj=None, data=None):
        form = super().get_form(obj, data)
        community = self.request.GET.get("community")
        if obj is None and data is None and community and community.isdigit():
            form.initial["community"] = int(community)
        return form


class VenueDeleteView(ObjectDeleteView):
    model = Venue
    queryset = VENUES
    delete_service = venue_delete
    list_url = "venues:venue_list"


class VenueImportView(ObjectImportView):
    sheet_class = VenueSheet
    list_url = "venues:venue_list"
    title = _("Upload venues")


class AreaStandardListView(ObjectListView):
    model = AreaStandard
    queryset = STANDARDS
    filterset_class = AreaStandardFilterSet
    tabs_template = "venues/_tabs.html"
    table_template = "venues/_standard_table.html"
    sheet_class = AreaStandardSheet
    title = _("Area standards")
    url_prefix = "venues:areastandard"


class AreaStandardImportView(ObjectImportView):
    sheet_class = AreaStandardSheet
    list_url = "venues:areastandard_list"
    title = _("Upload area standards")


class AreaStandardDetailView(ObjectDetailView):
    model = AreaStandard
    queryset = STANDARDS
    template_name = "venues/standard_detail.html"

    def extra_context(self, obj):
        rows = compliance_rows(user=self.request.user, node=obj.node, year=obj.year)
        held = [r for r in rows if r.standard is not None and r.standard.pk == obj.pk]
        return {
            "held_count": len(held),
            "held_compliant": sum(1 for r in held if r.complies),
            "overridden": len(rows) - len(held),
        }


class AreaStandardEditView(ObjectEditView):
    model = AreaStandard
    queryset = STANDARDS
    form_class = AreaStandardForm
    create_service = areastandard_create
    update_service = areastandard_update
    list_url = "venues:areastandard_list"


class AreaStandardDeleteView(ObjectDeleteView):
    model = AreaStandard
    queryset = STANDARDS
    delete_service = areastandard_delete
    list_url = "venues:areastandard_list"


class ComplianceFilterSet(BaseFilterSet):
    """Only its form is used: the compliance rows are computed, not a queryset."""

    street = WithinFilter(queryset=street_choices, label=_("street"))
    below_standard = YesNoFilter(label=_("below standard"))

    class Meta:
        model = Node
        fields = ["street", "below_standard"]


class ComplianceView(ScopedViewMixin, View):
    """Which area standard each community is held to in a year, where it is set, and whether the
    community's completed venues reach it. A constant number of queries."""

    model = Node
    paginate_by = 50

    def get(self, request):
        year = selected_year(request)
        filterset = ComplianceFilterSet(request.GET or None, queryset=Node.objects.none(), request=request)
        form = filterset.form
        node = None
        below = None
        if form.is_valid():
            node = form.cleaned_data.get("street")
            below = form.cleaned_data.get("below_standard")
        if node is None and request.GET.get("node", "").isdigit():
            node = get_object_or_404(Node.objects.visible_to(request.user), pk=request.GET["node"])
        rows = compliance_rows(user=request.user, node=node, year=year)
        figures = venue_figures(user=request.user, node=node, year=year, rows=rows) if rows else None
        if below is not None:
            rows = [r for r in rows if r.complies is False] if below else [r for r in rows if r.complies is not False]
        page = paginate(request, rows, self.paginate_by)
        return render(
            request,
            "venues/compliance.html",
            {
                "year": year,
                "year_choices": year_choices(None),
                "filterset": filterset,
                "node": node,
                "page_obj": page,
                "figures": figures,
                "querystring": querystring_without(request, "page"),
            },
        )
