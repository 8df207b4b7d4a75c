"""The community sheet: template, export and upload of communities in Excel."""

import copy

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from communities.forms import CommunityForm
from communities.models import CommunityType, Level, Node, PartyOrgForm
from communities.services import node_create, node_update
from core.excel import Column, Sheet
from core.scope import Action, node_in_scope, scope_q


class CommunitySheet(Sheet):
    title = gettext_lazy("communities")
    key = "code"
    model = Node
    columns = [
        Column("code", gettext_lazy("division code"), required=True, width=16, help=gettext_lazy("12 digits")),
        Column("name", gettext_lazy("community name"), required=True, width=20),
        Column(
            "parent", gettext_lazy("street code"), kind="node", levels=(Level.TOWNSHIP,), required=True, width=16,
            export=lambda n: n.parent.code if n.parent_id else "", help=gettext_lazy("the street's 12-digit code"),
        ),
        Column(
            "parent_name", gettext_lazy("street name"), width=18, importable=False,
            export=lambda n: n.parent.name if n.parent_id else "",
        ),
        Column("community_type", gettext_lazy("community type"), kind="choice", choices=CommunityType, required=True),
        Column("is_urban", gettext_lazy("urban community"), kind="bool", width=10),
        Column("resident_population", gettext_lazy("resident population"), kind="int", width=12),
        Column("floating_population", gettext_lazy("floating population"), kind="int", width=12),
        Column("households", gettext_lazy("households"), kind="int", width=10),
        Column("party_members", gettext_lazy("party members"), kind="int", width=10),
        Column("party_org_form", gettext_lazy("party organization form"), kind="choice", choices=PartyOrgForm, required=True),
        Column("address", gettext_lazy("address"), width=30),
        Column("phone", gettext_lazy("office phone"), width=14),
    ]
    instructions = [
        gettext_lazy("One community per row. The first row is the header: keep it as it is."),
        gettext_lazy("A row whose division code already exists updates that community; other rows create new ones."),
        gettext_lazy("If any row has an error, nothing is saved: correct the rows listed in the report and upload again."),
    ]

    def __init__(self, user):
        super().__init__(user)
        self._streets = None

    def streets(self) -> dict[str, Node]:
        """Streets the uploader may enter data in, by code: one query for the whole file."""
        if self._streets is None:
            qs = Node.objects.filter(level=Level.TOWNSHIP).filter(scope_q(self.user, Action.CHANGE))
            self._streets = {n.code: n for n in qs}
        return self._streets

    def lookup_existing(self, keys):
        return {n.code: n for n in Node.objects.filter(code__in=keys).select_related("parent")}

    def check_existing(self, existing):
        if not node_in_scope(self.user, existing, Action.CHANGE):
            return _("A division with this code already exists outside the part of the hierarchy you may edit.")
        if existing.level != Level.COMMUNITY:
            return _("This code belongs to a %(level)s, not a community.") % {"level": existing.get_level_display()}
        return None

    def prepare_row(self, data, existing):
        parent_code = str(data.get("parent") or "")
        parent = self.streets().get(parent_code)
        errors = {}
        if parent_code and parent is None:
            errors["parent"] = [
                _("Street %(code)s does not exist or is outside the part of the hierarchy you may edit.")
                % {"code": parent_code}
            ]
        form_data = {k: v for k, v in data.items() if v != "" or k in ("is_urban",)}
        form_data["parent"] = parent.pk if parent else ""
        if data.get("is_urban") == "":
            form_data["is_urban"] = True
        # The form writes the cleaned values onto its instance; give it a copy so that
        # ``existing`` keeps the stored values that save_row compares against.
        form = CommunityForm(data=form_data, instance=copy.copy(existing), user=self.user)
        form.fields["parent"].queryset = Node.objects.filter(pk__in=[parent.pk] if parent else [])
        if not form.is_valid():
            for name, messages in form.errors.items():
                if name == "parent" and "parent" in errors:
                    continue
                errors.setdefault(name, []).extend(messages)
        return (form.cleaned_data if not errors else None), errors

    def save_row(self, prepared, existing):
        return self.save_record(dict(prepared), existing, create=node_create, update=node_update, node=existing)
