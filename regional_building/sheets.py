"""Excel sheets of 一化: every list exports; units, in-service member registrations and claims
also have a template and an all-or-nothing upload with a row-by-row report."""

from __future__ import annotations

import copy
import dataclasses

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from communities.models import Level, Node, PartyOrgForm
from core.excel import Column, Sheet
from core.masking import can_see_personal_data, mask_phone, record_unmasked_views
from core.scope import Action
from core.services import FOREIGN_DUPLICATE
from regional_building import forms as fm
from regional_building import models as m
from regional_building import services as sv


def node_code(node):
    return node.code if node is not None else ""


class RBSheet(Sheet):
    importable = False
    personal: tuple[str, ...] = ()

    def __init__(self, user):
        super().__init__(user)
        self.show_personal = can_see_personal_data(user)
        if not self.show_personal:
            self.columns = [
                dataclasses.replace(c, export=(lambda o, n=c.name: mask_phone(getattr(o, n))))
                if c.name in self.personal else c
                for c in self.columns
            ]

    def export_response(self, queryset):
        if self.personal and self.show_personal:
            record_unmasked_views(user=self.user, objects=queryset, fields=list(self.personal), channel="export")
        return super().export_response(queryset)


class ImportableSheet(RBSheet):
    """Shared import steps: resolve codes to records in the uploader's scope (one query per
    kind for the whole file), validate through the app's form, save through its services."""

    importable = True
    form_class = None
    model = None
    key = "id"
    missing_record_message = gettext_lazy("Record %(id)s does not exist or lies outside the part of the hierarchy you may edit.")

    def lookup_existing(self, keys):
        ids = [int(k) for k in keys if str(k).isdigit()]
        return {str(o.pk): o for o in self.model.objects.filter(pk__in=ids)}

    def check_existing(self, existing):
        if not self.model.objects.restrict(self.user, Action.CHANGE).filter(pk=existing.pk).exists():
            return _("Record %(id)s does not exist or lies outside the part of the hierarchy you may edit.") % {"id": existing.pk}
        return None

    def resolve(self, data) -> tuple[dict, dict]:
        """Turn codes of the row into ids for the form: (form data, errors)."""
        raise NotImplementedError

    def prepare_row(self, data, existing):
        form_data, errors = self.resolve(dict(data))
        form_data = {k: v for k, v in form_data.items() if k != "id"}
        form = self.form_class(data=form_data, instance=copy.copy(existing) if existing else None, user=self.user)
        if not form.is_valid():
            for name, messages in form.errors.items():
                if name not in errors:
                    errors.setdefault(name if name != "__all__" else "", []).extend(messages)
        if errors:
            return None, errors
        return {k: form.cleaned_data[k] for k in self.form_class._meta.fields if k in form.cleaned_data}, {}

    def save_row(self, prepared, existing):
        name = self.model._meta.model_name
        return self.save_record(prepared, existing, create=getattr(sv, f"{name}_create"),
                                update=getattr(sv, f"{name}_update"), **{name: existing})

    # lookups, each one query per file
    def _nodes(self):
        if not hasattr(self, "_node_cache"):
            qs = Node.objects.restrict(self.user, Action.CHANGE).filter(level__in=[Level.TOWNSHIP, Level.COMMUNITY])
            self._node_cache = {n.code: n for n in qs}
        return self._node_cache

    def _units(self):
        if not hasattr(self, "_unit_cache"):
            self._unit_cache = {u.credit_code: u for u in m.ResidentUnit.objects.visible_to(self.user)}
        return self._unit_cache

    def node_id(self, code, field, errors, levels=(Level.TOWNSHIP, Level.COMMUNITY)):
        code = str(code or "")
        if not code:
            return ""
        node = self._nodes().get(code)
        if node is None or node.level not in levels:
            errors[field] = [
                _("%(code)s is not a street or community you may enter data in.") % {"code": code}
                if levels != (Level.COMMUNITY,) else
                _("%(code)s is not a community you may enter data in.") % {"code": code}
            ]
            return ""
        return node.pk

    def unit_id(self, code, field, errors):
        code = str(code or "").strip().upper()
        if not code:
            return ""
        unit = self._units().get(code)
        if unit is None:
            errors[field] = [_("No resident unit with credit code %(code)s in your part of the hierarchy.") % {"code": code}]
            return ""
        return unit.pk


ID_COLUMN = Column("id", gettext_lazy("record number"), kind="int", width=10,
                   help=gettext_lazy("leave empty for a new record; keep it to update the record"))


class ResidentUnitSheet(ImportableSheet):
    title = gettext_lazy("resident units")
    import_title = gettext_lazy("Upload resident units")
    model = m.ResidentUnit
    form_class = fm.ResidentUnitForm
    key = "credit_code"
    personal = ("contact_phone",)
    columns = [
        Column("name", gettext_lazy("unit name"), required=True, width=28),
        Column("kind", gettext_lazy("unit kind"), kind="choice", choices=m.UnitKind, required=True, width=14),
        Column("credit_code", gettext_lazy("unified social credit code"), required=True, width=22,
               help=gettext_lazy("18 characters; the last one is a check character")),
        Column("node", gettext_lazy("division code of the street or community"), kind="node",
               levels=(Level.TOWNSHIP, Level.COMMUNITY), required=True, width=18,
               export=lambda o: node_code(o.node)),
        Column("node_name", gettext_lazy("located in"), importable=False, width=16, export=lambda o: o.node.name),
        Column("party_org_form", gettext_lazy("party organization form"), kind="choice", choices=PartyOrgForm, width=14),
        Column("party_member_count", gettext_lazy("party member count"), kind="int", width=10),
        Column("contact_person", gettext_lazy("contact person"), width=12),
        Column("contact_phone", gettext_lazy("contact phone"), width=16),
        Column("address", gettext_lazy("unit address"), width=30),
    ]
    instructions = [
        gettext_lazy("One unit per row. The first row is the header: keep it as it is."),
        gettext_lazy("A row whose credit code already exists updates that unit; other rows create new ones."),
        gettext_lazy("If any row has an error, nothing is saved: correct the rows listed in the report and upload again."),
    ]

    def lookup_existing(self, keys):
        return {u.credit_code: u for u in m.ResidentUnit.objects.filter(credit_code__in=[str(k).upper() for k in keys]).select_related("node")}

    def check_existing(self, existing):
        if not m.ResidentUnit.objects.visible_to(self.user).filter(pk=existing.pk).exists():
            return str(FOREIGN_DUPLICATE)
        if not m.ResidentUnit.objects.restrict(self.user, Action.CHANGE).filter(pk=existing.pk).exists():
            return _("A unit with this credit code exists outside the part of the hierarchy you may edit.")
        return None

    def resolve(self, data):
        errors = {}
        data["node"] = self.node_id(data.get("node"), "node", errors)
        if data.get("party_member_count") == "":
            data["party_member_count"] = 0
        return data, errors


class MemberRegistrationSheet(ImportableSheet):
    title = gettext_lazy("in-service members")
    import_title = gettext_lazy("Upload in-service member registrations")
    model = m.MemberRegistration
    form_class = fm.MemberRegistrationForm
    personal = ("phone",)
    columns = [
        ID_COLUMN,
        Column("name", gettext_lazy("member name"), required=True, width=12),
        Column("phone", gettext_lazy("contact phone"), required=True, width=16),
        Column("work_unit", gettext_lazy("credit code of the work unit"), width=22, identifier="code",
               export=lambda o: o.work_unit.credit_code if o.work_unit_id else "",
               help=gettext_lazy("when the work unit is a registered resident unit")),
        Column("work_unit_name", gettext_lazy("work unit (other)"), width=24, export=lambda o: o.work_unit_display),
        Column("community", gettext_lazy("division code of the home community"), kind="node", levels=(Level.COMMUNITY,),
               required=True, width=18,
               export=lambda o: node_code(o.community)),
        Column("community_name", gettext_lazy("home community"), importable=False, width=14, export=lambda o: o.community.name),
        Column("registered_on", gettext_lazy("registered on"), kind="date", required=True, width=12),
        Column("status", gettext_lazy("registration status"), kind="choice", choices=m.RegistrationStatus, width=10),
        Column("revoked_on", gettext_lazy("revoked on"), kind="date", width=12),
        Column("revoke_reason", gettext_lazy("reason for revoking"), width=24),
    ]
    instructions = [
        gettext_lazy("One registration per row. Leave the record number empty for new registrations."),
        gettext_lazy("The same member (name and phone) cannot be registered twice in one community while active."),
        gettext_lazy("If any row has an error, nothing is saved: correct the rows listed in the report and upload again."),
    ]

    def resolve(self, data):
        errors = {}
        data["community"] = self.node_id(data.get("community"), "community", errors, levels=(Level.COMMUNITY,))
        data["work_unit"] = self.unit_id(data.get("work_unit"), "work_unit", errors)
        if data.get("work_unit") and data.get("work_unit_name"):
            data["work_unit_name"] = ""  # the export writes the unit's name here too
        data["status"] = data.get("status") or m.RegistrationStatus.REGISTERED
        return data, errors


class ClaimSheet(ImportableSheet):
    title = gettext_lazy("post claims")
    import_title = gettext_lazy("Upload post claims")
    model = m.Claim
    form_class = fm.ClaimForm
    columns = [
        ID_COLUMN,
        Column("post", gettext_lazy("service post number"), kind="int", required=True, width=12, export=lambda o: o.post_id,
               help=gettext_lazy("the number shown in the service post list")),
        Column("post_title", gettext_lazy("service post"), importable=False, width=20, export=lambda o: o.post.title),
        Column("member", gettext_lazy("member registration number"), kind="int", width=12, export=lambda o: o.member_id or "",
               help=gettext_lazy("fill either this or the unit's credit code")),
        Column("unit", gettext_lazy("credit code of the claiming unit"), width=22, identifier="code",
               export=lambda o: o.unit.credit_code if o.unit_id else ""),
        Column("claimant", gettext_lazy("claimed by"), importable=False, width=16, export=lambda o: o.claimant),
        Column("claimed_on", gettext_lazy("claimed on"), kind="date", required=True, width=12),
        Column("hours", gettext_lazy("hours served"), kind="decimal", width=10),
        Column("notes", gettext_lazy("notes"), width=24),
    ]
    instructions = [
        gettext_lazy("One claim per row: a post claimed by a registered member (their registration number) or by a unit (its credit code)."),
        gettext_lazy("Claims beyond a post's capacity are refused."),
        gettext_lazy("If any row has an error, nothing is saved: correct the rows listed in the report and upload again."),
    ]

    def resolve(self, data):
        errors = {}
        data["unit"] = self.unit_id(data.get("unit"), "unit", errors)
        if data.get("hours") == "":
            data["hours"] = 0
        return data, errors


def export_sheet(model, title, columns):
    return type(f"{model.__name__}Sheet", (RBSheet,), {"title": title, "columns": columns, "key": "id"})


JointConferenceSheet = export_sheet(m.JointConference, gettext_lazy("joint conferences"), [
    Column("name", gettext_lazy("conference name"), width=30),
    Column("level", gettext_lazy("conference level"), kind="choice", choices=m.ConferenceLevel, width=16),
    Column("node", gettext_lazy("belongs to"), width=16, export=lambda o: o.node.name),
    Column("established_on", gettext_lazy("established on"), kind="date", width=12),
    Column("n_members", gettext_lazy("member units"), kind="int", export=lambda o: getattr(o, "n_members", "")),
    Column("n_meetings", gettext_lazy("meetings"), kind="int", export=lambda o: getattr(o, "n_meetings", "")),
])
ConferenceMemberSheet = export_sheet(m.ConferenceMember, gettext_lazy("conference member units"), [
    Column("conference", gettext_lazy("joint conference"), width=30, export=lambda o: o.conference.name),
    Column("unit", gettext_lazy("resident unit"), width=28, export=lambda o: o.unit.name),
    Column("role", gettext_lazy("role"), kind="choice", choices=m.MemberRole),
    Column("term_start", gettext_lazy("term starts"), kind="date"),
    Column("term_end", gettext_lazy("term ends"), kind="date"),
])
CommitteeMemberSheet = export_sheet(m.CommitteeMember, gettext_lazy("concurrent committee members"), [
    Column("conference", gettext_lazy("joint conference"), width=30, export=lambda o: o.conference.name),
    Column("person_name", gettext_lazy("full name")),
    Column("post", gettext_lazy("concurrent post")),
    Column("unit", gettext_lazy("from unit"), width=28, export=lambda o: o.unit.name),
    Column("unit_post", gettext_lazy("post in own unit")),
    Column("term_start", gettext_lazy("term starts"), kind="date"),
    Column("term_end", gettext_lazy("term ends"), kind="date"),
])
MeetingSheet = export_sheet(m.Meeting, gettext_lazy("conference meetings"), [
    Column("conference", gettext_lazy("joint conference"), width=30, export=lambda o: o.conference.name),
    Column("held_on", gettext_lazy("meeting date"), kind="date"),
    Column("topics", gettext_lazy("topics"), width=40),
    Column("resolutions", gettext_lazy("resolutions"), width=40),
    Column("attendees", gettext_lazy("units present"), width=40, export=lambda o: "、".join(u.name for u in o.attendees.all())),
    Column("minutes_name", gettext_lazy("minutes file name"), width=20),
])
AgreementSheet = export_sheet(m.Agreement, gettext_lazy("joint-building agreements"), [
    Column("title", gettext_lazy("agreement title"), width=30),
    Column("node", gettext_lazy("street or community"), width=16, export=lambda o: o.node.name),
    Column("unit", gettext_lazy("resident unit"), width=28, export=lambda o: o.unit.name),
    Column("signed_on", gettext_lazy("signed on"), kind="date"),
    Column("valid_from", gettext_lazy("valid from"), kind="date"),
    Column("valid_until", gettext_lazy("valid until"), kind="date"),
    Column("status", gettext_lazy("agreement status"), export=lambda o: str(o.status.label)),
    Column("terminated_on", gettext_lazy("terminated on"), kind="date"),
    Column("termination_reason", gettext_lazy("reason for termination"), width=24),
])
CommitmentSheet = export_sheet(m.Commitment, gettext_lazy("commitments"), [
    Column("agreement", gettext_lazy("joint-building agreement"), width=30, export=lambda o: o.agreement.title),
    Column("category", gettext_lazy("commitment category"), kind="choice", choices=m.CommitmentCategory, width=20),
    Column("description", gettext_lazy("commitment"), width=36),
    Column("due_on", gettext_lazy("due date"), kind="date"),
    Column("status", gettext_lazy("fulfilment status"), export=lambda o: str(o.status.label)),
])
FulfilmentSheet = export_sheet(m.Fulfilment, gettext_lazy("fulfilment records"), [
    Column("agreement", gettext_lazy("joint-building agreement"), width=30, export=lambda o: o.commitment.agreement.title),
    Column("commitment", gettext_lazy("commitment"), width=36, export=lambda o: o.commitment.description),
    Column("done_on", gettext_lazy("date carried out"), kind="date"),
    Column("what_was_done", gettext_lazy("what was done"), width=40),
    Column("evidence", gettext_lazy("evidence"), width=24),
])
ServicePostSheet = export_sheet(m.ServicePost, gettext_lazy("service posts"), [
    Column("id", gettext_lazy("service post number"), kind="int", width=10),
    Column("community", gettext_lazy("community"), width=16, export=lambda o: o.community.name),
    Column("title", gettext_lazy("post title"), width=24),
    Column("category", gettext_lazy("service category"), kind="choice", choices=m.PostCategory, width=18),
    Column("capacity", gettext_lazy("capacity"), kind="int"),
    Column("n_claims", gettext_lazy("claims"), kind="int", export=lambda o: getattr(o, "n_claims", "")),
    Column("offered_on", gettext_lazy("offered on"), kind="date"),
])
FeedbackSheet = export_sheet(m.Feedback, gettext_lazy("quarterly feedback"), [
    Column("registration", gettext_lazy("in-service member"), export=lambda o: o.registration.name),
    Column("work_unit", gettext_lazy("work unit"), width=28, export=lambda o: o.work_unit_display),
    Column("year", gettext_lazy("year"), kind="int"),
    Column("quarter", gettext_lazy("quarter"), kind="int"),
    Column("assessment", gettext_lazy("service assessment"), width=40),
    Column("sent_on", gettext_lazy("sent to work unit on"), kind="date"),
])
