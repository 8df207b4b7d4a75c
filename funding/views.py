from django import forms
from core.pagination import paginate
from django.shortcuts import render
from django.utils.translation import gettext_lazy as _
from django.views import View

from communities.filters import CommunityFilterSet
from communities.models import Level, Node
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
from funding.filters import AllocationFilterSet, ExpenditureFilterSet, StandardFilterSet
from funding.forms import AllocationForm, ExpenditureForm, StandardForm
from funding.models import Allocation, Expenditure, Standard
from funding.selectors import community_funds, funds_for, visible_communities
from funding.services import (
    allocation_create,
    allocation_delete,
    allocation_update,
    expenditure_create,
    expenditure_delete,
    expenditure_update,
    standard_create,
    standard_delete,
    standard_update,
)
from funding.sheets import AllocationSheet, ExpenditureSheet, StandardSheet

STANDARDS = Standard.objects.select_related("node", "node__parent")
ALLOCATIONS = Allocation.objects.select_related("community", "community__parent")
EXPENDITURES = Expenditure.objects.select_related("community", "community__parent")


# ---- standards ----

class StandardListView(ObjectListView):
    model = Standard
    queryset = STANDARDS
    filterset_class = StandardFilterSet
    table_template = "funding/_standard_table.html"
    sheet_class = StandardSheet
    title = _("Funding standards")
    url_prefix = "funding:standard"
    total_fields = ()  # amounts per community: their sum is nobody's money


class StandardDetailView(ObjectDetailView):
    model = Standard
    queryset = STANDARDS
    template_name = "funding/standard_detail.html"

    def extra_context(self, obj):
        """Communities held to this standard: under its node and without a nearer standard."""
        funds = funds_for(
            user=self.request.user, year=obj.year,
            communities=visible_communities(user=self.request.user, node=obj.node), root=obj.node,
        )
        governed = [c for c in funds.communities if c.standard is not None and c.standard.pk == obj.pk]
        return {"governed": governed, "overridden": funds.community_count - len(governed)}


class StandardEditView(ObjectEditView):
    model = Standard
    queryset = STANDARDS
    form_class = StandardForm
    create_service = standard_create
    update_service = standard_update
    list_url = "funding:standard_list"


class StandardDeleteView(ObjectDeleteView):
    model = Standard
    queryset = STANDARDS
    delete_service = standard_delete
    list_url = "funding:standard_list"


class StandardImportView(ObjectImportView):
    sheet_class = StandardSheet
    list_url = "funding:standard_list"
    title = _("Upload funding standards")


# ---- allocations ----

class AllocationListView(ObjectListView):
    model = Allocation
    queryset = ALLOCATIONS
    filterset_class = AllocationFilterSet
    table_template = "funding/_allocation_table.html"
    sheet_class = AllocationSheet
    title = _("Allocations")
    url_prefix = "funding:allocation"


class CommunityRecordDetailView(ObjectDetailView):
    heading = ""
    url_prefix = ""

    def extra_context(self, obj):
        return {
            "funds": community_funds(user=self.request.user, community=obj.community, year=obj.year),
            "heading": self.heading,
            "edit_url": f"{self.url_prefix}_edit",
            "delete_url": f"{self.url_prefix}_delete",
        }


class AllocationDetailView(CommunityRecordDetailView):
    model = Allocation
    queryset = ALLOCATIONS
    template_name = "funding/allocation_detail.html"
    heading = _("Allocation")
    url_prefix = "funding:allocation"


class InitialFromQueryMixin:
    """``?community=<id>`` on the add page preselects the community (links from its pages)."""

    def get_form(self, obj=None, data=None):
        form = super().get_form(obj, data)
        if obj is None and data is None:
            community = self.request.GET.get("community", "")
            if community.isdigit():
                form.initial["community"] = int(community)
        return form


class AllocationEditView(InitialFromQueryMixin, ObjectEditView):
    model = Allocation
    queryset = ALLOCATIONS
    form_class = AllocationForm
    create_service = allocation_create
    update_service = allocation_update
    list_url = "funding:allocation_list"


class AllocationDeleteView(ObjectDeleteView):
    model = Allocation
    queryset = ALLOCATIONS
    delete_service = allocation_delete
    list_url = "funding:allocation_list"


class AllocationImportView(ObjectImportView):
    sheet_class = AllocationSheet
    list_url = "funding:allocation_list"
    title = _("Upload allocations")


# ---- expenditures ----

class ExpenditureListView(ObjectListView):
    model = Expenditure
    queryset = EXPENDITURES
    filterset_class = ExpenditureFilterSet
    table_template = "funding/_expenditure_table.html"
    sheet_class = ExpenditureSheet
    title = _("Expenditures")
    url_prefix = "funding:expenditure"


class ExpenditureDetailView(CommunityRecordDetailView):
    model = Expenditure
    queryset = EXPENDITURES
    template_name = "funding/expenditure_detail.html"
    heading = _("Expenditure")
    url_prefix = "funding:expenditure"


class ExpenditureEditView(InitialFromQueryMixin, ObjectEditView):
    model = Expenditure
    queryset = EXPENDITURES
    form_class = ExpenditureForm
    create_service = expenditure_create
    update_service = expenditure_update
    list_url = "funding:expenditure_list"


class ExpenditureDeleteView(ObjectDeleteView):
    model = Expenditure
    queryset = EXPENDITURES
    delete_service = expenditure_delete
    list_url = "funding:expenditure_list"


class ExpenditureImportView(ObjectImportView):
    sheet_class = ExpenditureSheet
    list_url = "funding:expenditure_list"
    title = _("Upload expenditures")


# ---- compliance ----

class ComplianceFilterSet(CommunityFilterSet):
    """The communities of the compliance page (the community list's filters, fewer shown)."""

    class Meta(CommunityFilterSet.Meta):
        fields = ["q", "district", "street"]


STATUS_CHOICES = [
    ("", _("All")),
    ("below", _("below standard")),
    ("meets", _("meets the standard")),
    ("none", _("no standard set")),
]


class ComplianceView(ScopedViewMixin, View):
    """Every visible community's funds for a year against the standard that applies to it, and
    where that standard comes from; "below standard" narrows it to those falling short."""

    model = Node
    paginate_by = 50

    def get(self, request):
        year = selected_year(request)
        communities = Node.objects.filter(level=Level.COMMUNITY).visible_to(request.user)
        filterset = ComplianceFilterSet(request.GET or None, queryset=communities, request=request)
        funds = funds_for(user=request.user, year=year, communities=filterset.qs)
        status = request.GET.get("status", "")
        rows = {
            "below": funds.below,
            "meets": [c for c in funds.communities if c.meets_standard],
            "none": [c for c in funds.communities if c.standard is None],
        }.get(status, funds.communities)
        if request.GET.get("export") == "xlsx":
            from core.downloads import scope_name
            from funding.exports import compliance_response

            funds.communities = rows
            return compliance_response(funds, scope=scope_name(request.user))
        page = paginate(request, rows, self.paginate_by)
        status_field = forms.ChoiceField(choices=STATUS_CHOICES, label=_("compliance"), required=False)
        context = {
            "year": year,
            "year_choices": year_choices(None),
            "filterset": filterset,
            "status": status,
            "status_choices": status_field.choices,
            "funds": funds,
            "page_obj": page,
            "querystring": querystring_without(request, "page"),
            "export_querystring": querystring_without(request, "page", "export"),
        }
        return render(request, "funding/compliance.html", context)
