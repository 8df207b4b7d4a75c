"""Excel sheets of allocations and expenditures: template with dropdowns, export of the
filtered list, all-or-nothing upload with a row report.

A row is identified by its record number (exported with every record): a row with a number
updates that record, a row without one creates a new record. Rows are saved through the
services in one transaction, in file order, so an upload of spending that would overdraw a
community at any row is refused as a whole, with that row's balance in the report.
"""

import copy

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from communities.models import Level, Node
from core.excel import Column, Sheet
from core.scope import Action, scope_q
from funding.forms import AllocationForm, ExpenditureForm, StandardForm
from funding.models import Allocation, AllocationCategory, Expenditure, ExpenditureCategory, Source, Standard
from funding.services import (
    allocation_create,
    allocation_update,
    expenditure_create,
    expenditure_update,
    standard_create,
    standard_update,
)

ID_HELP = gettext_lazy("leave empty for a new record; keep the number of an exported record to change it")


class NodeRecordSheet(Sheet):
    """A sheet of records attached to a node, named in the file by its division code."""

    key = "id"
    model = None
    form_class = None
    create_service = None
    update_service = None
    node_field = "community"
    node_levels = (Level.COMMUNITY,)
    unknown_node_message = gettext_lazy(
        "Community %(code)s does not exist or is outside the part of the hierarchy you may edit."
    )

    def __init__(self, user):
        super().__init__(user)
        self._nodes = None

    def nodes(self) -> dict[str, Node]:
        """Nodes the uploader may enter data in, by code: one query for the whole file."""
        if self._nodes is None:
            qs = Node.objects.filter(level__in=self.node_levels).filter(scope_q(self.user, Action.CHANGE))
            self._nodes = {n.code: n for n in qs}
        return self._nodes

    def lookup_existing(self, keys):
        ids = [int(k) for k in keys if str(k).isdigit()]
        return {str(obj.pk): obj for obj in self.model.objects.filter(pk__in=ids).select_related(self.node_field)}

    def check_existing(self, existing):
        if not self.model.objects.restrict(self.user, Action.CHANGE).filter(pk=existing.pk).exists():
            return _("Record %(id)s does not exist or is outside the part of the hierarchy you may edit.") % {"id": existing.pk}
        return None

    def prepare_row(self, data, existing):
        errors = {}
        field = self.node_field
        code = str(data.get(field) or "")
        node = self.nodes().get(code)
        if code and node is None:
            errors[field] = [str(self.unknown_node_message) % {"code": code}]
        form_data = {k: v for k, v in data.items() if k != "id" and v != ""}
        form_data[field] = node.pk if node else ""
        form = self.form_class(data=form_data, instance=copy.copy(existing), user=self.user)
        form.fields[field].queryset = Node.objects.filter(pk__in=[node.pk] if node else [])
        if not form.is_valid():
            for name, messages in form.errors.items():
                if name == field and field in errors:
                    continue
                errors.setdefault(name if name != "__all__" else "", []).extend(messages)
        if errors:
            return None, errors
        return {name: form.cleaned_data[name] for name in form._meta.fields}, errors

    def save_row(self, prepared, existing):
        return self.save_record(prepared, existing, create=type(self).create_service, update=type(self).update_service,
                                **{self.model._meta.model_name: existing})


def _community_columns():
    return [
        Column("community", gettext_lazy("community code"), kind="node", levels=(Level.COMMUNITY,), required=True, width=16,
               export=lambda o: o.community.code, help=gettext_lazy("the community's 12-digit division code")),
        Column("community_name", gettext_lazy("community name"), importable=False, width=18,
               export=lambda o: o.community.name),
        Column("street_name", gettext_lazy("street name"), importable=False, width=16,
               export=lambda o: o.community.parent.name if o.community.parent_id else ""),
    ]


class AllocationSheet(NodeRecordSheet):
    title = gettext_lazy("allocations")
    model = Allocation
    form_class = AllocationForm
    create_service = allocation_create
    update_service = allocation_update
    columns = [
        Column("id", gettext_lazy("record number"), kind="int", width=10, export=lambda o: o.pk, help=ID_HELP),
        *_community_columns(),
        Column("year", gettext_lazy("budget year"), kind="int", required=True, width=10),
        Column("category", gettext_lazy("fund category"), kind="choice", choices=AllocationCategory, required=True),
        Column("source", gettext_lazy("source of funds"), kind="choice", choices=Source, required=True, width=22),
        Column("amount", gettext_lazy("amount (yuan)"), kind="decimal", required=True, width=14,
               help=gettext_lazy("at most two decimal places")),
        Column("received_on", gettext_lazy("date received"), kind="date", required=True, width=12,
               help=gettext_lazy("YYYY-MM-DD")),
        Column("document_number", gettext_lazy("document number"), width=20),
        Column("note", gettext_lazy("note"), width=24),
    ]
    instructions = [
        gettext_lazy("One allocation per row. The first row is the header: keep it as it is."),
        gettext_lazy("If any row has an error, nothing is saved: correct the rows listed in the report and upload again."),
    ]


class ExpenditureSheet(NodeRecordSheet):
    title = gettext_lazy("expenditures")
    model = Expenditure
    form_class = ExpenditureForm
    create_service = expenditure_create
    update_service = expenditure_update
    columns = [
        Column("id", gettext_lazy("record number"), kind="int", width=10, export=lambda o: o.pk, help=ID_HELP),
        *_community_columns(),
        Column("spent_on", gettext_lazy("date spent"), kind="date", required=True, width=12,
               help=gettext_lazy("YYYY-MM-DD")),
        Column("category", gettext_lazy("spending category"), kind="choice", choices=ExpenditureCategory, required=True),
        Column("amount", gettext_lazy("amount (yuan)"), kind="decimal", required=True, width=14,
               help=gettext_lazy("at most two decimal places")),
        Column("purpose", gettext_lazy("purpose"), required=True, width=28),
        Column("voucher_number", gettext_lazy("voucher number"), width=16),
    ]
    instructions = [
        gettext_lazy("One payment per row. The first row is the header: keep it as it is."),
        gettext_lazy("Spending counts against the funds the community received for the year it was spent in; "
                     "if any row would spend more than the balance, nothing is saved."),
        gettext_lazy("If any row has an error, nothing is saved: correct the rows listed in the report and upload again."),
    ]


class StandardSheet(NodeRecordSheet):
    title = gettext_lazy("funding standards")
    model = Standard
    form_class = StandardForm
    create_service = standard_create
    update_service = standard_update
    node_field = "node"
    node_levels = tuple(Level)
    unknown_node_message = gettext_lazy(
        "Division %(code)s does not exist or is outside the part of the hierarchy you may edit."
    )
    columns = [
        Column("id", gettext_lazy("record number"), kind="int", width=10, export=lambda o: o.pk, help=ID_HELP),
        Column("node", gettext_lazy("division code"), kind="node", required=True, width=16, export=lambda o: o.node.code,
               help=gettext_lazy("the 12-digit code of the district, street or community that sets the standard")),
        Column("node_name", gettext_lazy("set on"), importable=False, width=18, export=lambda o: o.node.name),
        Column("year", gettext_lazy("year"), kind="int", required=True, width=10),
        Column("office_amount", gettext_lazy("office funds per community"), kind="decimal", width=16),
        Column("party_amount", gettext_lazy("party-building funds per community"), kind="decimal", width=16),
        Column("total_amount", gettext_lazy("total working funds per community"), kind="decimal", width=16,
               help=gettext_lazy("optional; empty means office plus party-building")),
        Column("basis", gettext_lazy("basis (document)"), width=30),
    ]
    instructions = [
        gettext_lazy("One standard per row: the division that sets it, the year and the amounts per community."),
        gettext_lazy("If any row has an error, nothing is saved: correct the rows listed in the report and upload again."),
    ]
