"""Pages of 一化: for each model a list (with filters and Excel export), detail (with change
history and the records that hang under it), create/edit and delete, all declared from the
base classes in core.views. Minutes are downloaded only through :class:`MeetingMinutesView`."""

from __future__ import annotations

import datetime
import mimetypes
import os
from dataclasses import dataclass
from typing import Any, Callable

from django.db.models import Count, Q
from django.http import FileResponse, Http404
from django.utils.translation import gettext_lazy as _
from django.views import View

from core.masking import can_see_personal_data, mask_phone, record_unmasked_views
from core.views import (
    ObjectDeleteView,
    ObjectDetailView,
    ObjectEditView,
    ObjectImportView,
    ObjectListView,
    ScopedViewMixin,
)
from core.audit import history_for
from core.downloads import content_disposition, download_name
from core.scope import Action, can_view
from regional_building import filters as f
from regional_building import forms as fm
from regional_building import models as m
from regional_building import services as sv
from regional_building import sheets as sh
from regional_building.attachments import ALLOWED


@dataclass
class Col:
    header: Any
    get: Callable[[Any], Any]
    link: bool = False
    personal: bool = False
    css: str = ""


def node_label(node):
    if node is None:
        return ""
    return f"{node.parent.name} / {node.name}" if node.level == 5 and node.parent_id else node.name


TABS = [
    (_("Resident units"), "residentunit"),
    (_("Joint conferences"), "jointconference"),
    (_("Member units"), "conferencemember"),
    (_("Concurrent committee members"), "committeemember"),
    (_("Meetings"), "meeting"),
    (_("Agreements"), "agreement"),
    (_("Commitments"), "commitment"),
    (_("Fulfilment records"), "fulfilment"),
    (_("In-service members"), "memberregistration"),
    (_("Service posts"), "servicepost"),
    (_("Claims"), "claim"),
    (_("Quarterly feedback"), "feedback"),
]


class RBListView(ObjectListView):
    """A list with the app's tabs, declarative columns and masked personal data."""

    tabs_template = "regional_building/_tabs.html"
    above_table_template = "regional_building/_quick_filters.html"
    table_template = "regional_building/_table.html"
    columns: list[Col] = []

    def extra_context(self, request, page):
        show_personal = can_see_personal_data(request.user)
        personal = [c for c in self.columns if c.personal]
        rows = []
        for obj in page.object_list:
            cells = []
            for col in self.columns:
                value = col.get(obj)
                if isinstance(value, datetime.date):
                    value = value.isoformat()
                if col.personal and not show_personal:
                    value = mask_phone(value)
                cells.append((col, "—" if value in (None, "") else value))
            rows.append((obj, cells))
        if personal and show_personal:
            record_unmasked_views(user=request.user, objects=page.object_list, fields=[str(c.header) for c in personal], channel="page")
        return {"rows": rows, "columns": self.columns, "tabs": TABS, "active_tab": self.model._meta.model_name}


class RBDetailView(ObjectDetailView):
    """Every form field of the record (personal data masked unless permitted), its children
    and its change history."""

    template_name = "regional_building/object_detail.html"
    form_class = None
    extras: list[Col] = []

    def children(self, obj) -> list[dict]:
        return []

    def extra_context(self, obj):
        show_personal = can_see_personal_data(self.request.user)
        personal = getattr(self.model, "personal_fields", ())
        rows = []
        for name in self.form_class._meta.fields:
            field = self.model._meta.get_field(name)
            link = None
            if field.many_to_many:
                value = "、".join(str(x) for x in getattr(obj, name).all())
            elif field.is_relation:
                related = getattr(obj, name)
                value = node_label(related) if related is not None and related._meta.model_name == "node" else related
                # Linked only when the reader can open it (a unit of a neighbouring community
                # that signed one of the reader's agreements is named, not linked).
                link = related.get_absolute_url() if related is not None and can_view(self.request.user, related) else None
            elif field.choices:
                value = getattr(obj, f"get_{name}_display")()
            else:
                value = getattr(obj, name)
            if name in personal and not show_personal:  # unmasked: ObjectDetailView records the view
                value = mask_phone(value)
            rows.append((field.verbose_name, value, link))
        for col in self.extras:
            rows.append((col.header, col.get(obj), None))
        can_change = self.model.objects.restrict(self.request.user, Action.CHANGE).filter(pk=obj.pk).exists()
        history = history_for(obj, user=self.request.user)
        return {
            "history": history,
            "rows": rows,
            "children": self.children(obj),
            "model_name": self.model._meta.model_name,
            "verbose_name": self.model._meta.verbose_name,
            "tabs": TABS,
            "active_tab": self.model._meta.model_name,
            "can_change_children": can_change,
        }


def _cell(value):
    if value in (None, ""):
        return "—"
    return value.isoformat() if isinstance(value, datetime.date) else value


def child_table(title, model, queryset, columns, add_param=None, parent=None):
    return {
        "title": title,
        "model_name": model._meta.model_name,
        "rows": [(o, [(c, _cell(c.get(o))) for c in columns]) for o in queryset],
        "columns": columns,
        "add_query": f"?{add_param}={parent.pk}" if add_param and parent is not None else None,
    }


# ---- declarations, model by model ----

UNIT_COLS = [
    Col(_("unit name"), lambda o: o.name, link=True),
    Col(_("unit kind"), lambda o: o.get_kind_display()),
    Col(_("unified social credit code"), lambda o: o.credit_code, css="font-monospace"),
    Col(_("located in"), lambda o: node_label(o.node)),
    Col(_("party organization form"), lambda o: o.get_party_org_form_display()),
    Col(_("party member count"), lambda o: o.party_member_count, css="text-end"),
    Col(_("contact person"), lambda o: o.contact_person),
    Col(_("contact phone"), lambda o: o.contact_phone, personal=True),
]
CONFERENCE_COLS = [
    Col(_("conference name"), lambda o: o.name, link=True),
    Col(_("conference level"), lambda o: o.get_level_display()),
    Col(_("belongs to"), lambda o: node_label(o.node)),
    Col(_("member units"), lambda o: getattr(o, "n_members", ""), css="text-end"),
    Col(_("meetings"), lambda o: getattr(o, "n_meetings", ""), css="text-end"),
]
MEMBER_COLS = [
    Col(_("resident unit"), lambda o: o.unit.name, link=True),
    Col(_("joint conference"), lambda o: o.conference.name),
    Col(_("role"), lambda o: o.get_role_display()),
    Col(_("term starts"), lambda o: o.term_start),
    Col(_("term ends"), lambda o: o.term_end),
]
COMMITTEE_COLS = [
    Col(_("full name"), lambda o: o.person_name, link=True),
    Col(_("concurrent post"), lambda o: o.post),
    Col(_("from unit"), lambda o: o.unit.name),
    Col(_("post in own unit"), lambda o: o.unit_post),
    Col(_("joint conference"), lambda o: o.conference.name),
    Col(_("term starts"), lambda o: o.term_start),
    Col(_("term ends"), lambda o: o.term_end),
]
MEETING_COLS = [
    Col(_("meeting date"), lambda o: o.held_on, link=True),
    Col(_("joint conference"), lambda o: o.conference.name),
    Col(_("topics"), lambda o: o.topics[:60]),
    Col(_("units present"), lambda o: len(o.attendees.all()), css="text-end"),
    Col(_("minutes"), lambda o: _("attached") if o.minutes else _("none")),
]
AGREEMENT_COLS = [
    Col(_("agreement title"), lambda o: o.title, link=True),
    Col(_("street or community"), lambda o: node_label(o.node)),
    Col(_("resident unit"), lambda o: o.unit.name),
    Col(_("signed on"), lambda o: o.signed_on),
    Col(_("valid until"), lambda o: o.valid_until),
    Col(_("agreement status"), lambda o: o.status, css="status"),
    Col(_("commitments kept"), lambda o: f"{o.n_kept} / {o.n_commitments}", css="text-end"),
]
COMMITMENT_COLS = [
    Col(_("commitment"), lambda o: o.description, link=True),
    Col(_("commitment category"), lambda o: o.get_category_display()),
    Col(_("joint-building agreement"), lambda o: o.agreement.title),
    Col(_("due date"), lambda o: o.due_on),
    Col(_("fulfilment status"), lambda o: o.status, css="status"),
]
FULFILMENT_COLS = [
    Col(_("date carried out"), lambda o: o.done_on, link=True),
    Col(_("commitment"), lambda o: o.commitment.description),
    Col(_("what was done"), lambda o: o.what_was_done[:60]),
    Col(_("evidence"), lambda o: o.evidence),
]
REGISTRATION_COLS = [
    Col(_("member name"), lambda o: o.name, link=True),
    Col(_("contact phone"), lambda o: o.phone, personal=True),
    Col(_("work unit"), lambda o: o.work_unit_display),
    Col(_("home community"), lambda o: node_label(o.community)),
    Col(_("registered on"), lambda o: o.registered_on),
    Col(_("registration status"), lambda o: o.get_status_display()),
]
POST_COLS = [
    Col(_("post title"), lambda o: o.title, link=True),
    Col(_("community"), lambda o: node_label(o.community)),
    Col(_("service category"), lambda o: o.get_category_display()),
    Col(_("claimed / capacity"), lambda o: f"{getattr(o, 'n_claims', '')} / {o.capacity}", css="text-end"),
    Col(_("offered on"), lambda o: o.offered_on),
]
CLAIM_COLS = [
    Col(_("service post"), lambda o: o.post.title, link=True),
    Col(_("claimed by"), lambda o: o.claimant),
    Col(_("claimed on"), lambda o: o.claimed_on),
    Col(_("hours served"), lambda o: o.hours, css="text-end"),
    Col(_("community"), lambda o: o.post.community.name),
]
FEEDBACK_COLS = [
    Col(_("in-service member"), lambda o: o.registration.name, link=True),
    Col(_("work unit"), lambda o: o.work_unit_display),
    Col(_("year"), lambda o: o.year),
    Col(_("quarter"), lambda o: o.get_quarter_display()),
    Col(_("sent to work unit on"), lambda o: o.sent_on),
]

QUERYSETS = {
    m.ResidentUnit: m.ResidentUnit.objects.select_related("node__parent"),
    m.JointConference: m.JointConference.objects.select_related("node__parent").annotate(
        n_members=Count("members", distinct=True), n_meetings=Count("meetings", distinct=True)
    ).order_by("node__code", "name"),
    m.ConferenceMember: m.ConferenceMember.objects.select_related("unit", "conference__node"),
    m.CommitteeMember: m.CommitteeMember.objects.select_related("unit", "conference__node"),
    m.Meeting: m.Meeting.objects.select_related("conference__node").prefetch_related("attendees"),
    m.Agreement: m.Agreement.objects.select_related("node__parent", "unit__node").with_status().annotate(
        n_commitments=Count("commitments", distinct=True),
        n_kept=Count("commitments", filter=Q(commitments__fulfilments__isnull=False), distinct=True),
    ).order_by("-signed_on", "-id"),
    m.Commitment: m.Commitment.objects.select_related("agreement__node").with_status(),
    m.Fulfilment: m.Fulfilment.objects.select_related("commitment__agreement__node"),
    m.MemberRegistration: m.MemberRegistration.objects.select_related("community__parent", "work_unit"),
    m.ServicePost: m.ServicePost.objects.select_related("community__parent").annotate(n_claims=Count("claims")).order_by("-offered_on", "-id"),
    m.Claim: m.Claim.objects.select_related("post__community", "member", "unit"),
    m.Feedback: m.Feedback.objects.select_related("registration__work_unit", "registration__community"),
}

SPECS = [
    # model, columns, form, filterset, sheet, list title
    (m.ResidentUnit, UNIT_COLS, fm.ResidentUnitForm, f.ResidentUnitFilterSet, sh.ResidentUnitSheet, _("Resident units")),
    (m.JointConference, CONFERENCE_COLS, fm.JointConferenceForm, f.JointConferenceFilterSet, sh.JointConferenceSheet, _("Joint conferences")),
    (m.ConferenceMember, MEMBER_COLS, fm.ConferenceMemberForm, f.ConferenceMemberFilterSet, sh.ConferenceMemberSheet, _("Conference member units")),
    (m.CommitteeMember, COMMITTEE_COLS, fm.CommitteeMemberForm, f.CommitteeMemberFilterSet, sh.CommitteeMemberSheet, _("Concurrent committee members")),
    (m.Meeting, MEETING_COLS, fm.MeetingForm, f.MeetingFilterSet, sh.MeetingSheet, _("Conference meetings")),
    (m.Agreement, AGREEMENT_COLS, fm.AgreementForm, f.AgreementFilterSet, sh.AgreementSheet, _("Joint-building agreements")),
    (m.Commitment, COMMITMENT_COLS, fm.CommitmentForm, f.CommitmentFilterSet, sh.CommitmentSheet, _("Commitments")),
    (m.Fulfilment, FULFILMENT_COLS, fm.FulfilmentForm, f.FulfilmentFilterSet, sh.FulfilmentSheet, _("Fulfilment records")),
    (m.MemberRegistration, REGISTRATION_COLS, fm.MemberRegistrationForm, f.MemberRegistrationFilterSet, sh.MemberRegistrationSheet, _("In-service member registrations")),
    (m.ServicePost, POST_COLS, fm.ServicePostForm, f.ServicePostFilterSet, sh.ServicePostSheet, _("Service posts")),
    (m.Claim, CLAIM_COLS, fm.ClaimForm, f.ClaimFilterSet, sh.ClaimSheet, _("Post claims")),
    (m.Feedback, FEEDBACK_COLS, fm.FeedbackForm, f.FeedbackFilterSet, sh.FeedbackSheet, _("Quarterly feedback")),
]


# Children shown on a detail page: (title, child model, related name, columns, parent field)
CHILDREN = {
    m.ResidentUnit: [
        (_("Joint-building agreements"), m.Agreement, lambda o: o.agreements.with_status().annotate(n_commitments=Count("commitments", distinct=True), n_kept=Count("commitments", filter=Q(commitments__fulfilments__isnull=False), distinct=True)).select_related("node__parent", "unit"), AGREEMENT_COLS, None),
    ],
    m.JointConference: [
        (_("Member units"), m.ConferenceMember, lambda o: o.members.select_related("unit", "conference"), MEMBER_COLS, "conference"),
        (_("Concurrent committee members"), m.CommitteeMember, lambda o: o.committee_members.select_related("unit", "conference"), COMMITTEE_COLS, "conference"),
        (_("Meetings"), m.Meeting, lambda o: o.meetings.select_related("conference").prefetch_related("attendees"), MEETING_COLS, "conference"),
    ],
    m.Agreement: [
        (_("Commitments"), m.Commitment, lambda o: o.commitments.select_related("agreement").with_status(), COMMITMENT_COLS, "agreement"),
    ],
    m.Commitment: [
        (_("Fulfilment records"), m.Fulfilment, lambda o: o.fulfilments.select_related("commitment"), FULFILMENT_COLS, "commitment"),
    ],
    m.MemberRegistration: [
        (_("Claims"), m.Claim, lambda o: o.claims.select_related("post__community", "member", "unit"), CLAIM_COLS, None),
        (_("Quarterly feedback"), m.Feedback, lambda o: o.feedbacks.select_related("registration__work_unit"), FEEDBACK_COLS, "registration"),
    ],
    m.ServicePost: [
        (_("Claims"), m.Claim, lambda o: o.claims.select_related("post__community", "member", "unit"), CLAIM_COLS, "post"),
    ],
}

EXTRAS = {
    m.Agreement: [Col(_("agreement status"), lambda o: o.status)],
    m.Commitment: [Col(_("fulfilment status"), lambda o: o.status)],
    m.Feedback: [Col(_("work unit"), lambda o: o.work_unit_display),
                 Col(_("hours served in the quarter"), lambda o: o.quarter_hours())],
}

views = {}
for model, cols, form, filterset, sheet, title in SPECS:
    name = model._meta.model_name
    qs = QUERYSETS[model]
    url_prefix = f"regional_building:{name}"
    list_url = f"{url_prefix}_list"
    children_spec = CHILDREN.get(model, [])

    def make_children(spec):
        def children(self, obj):
            # A child may lie outside the reader's scope (a street's unit has agreements with
            # each of its communities): list only those the reader may see.
            user = self.request.user
            return [child_table(t, cm, get(obj).visible_to(user), c, add, obj) for t, cm, get, c, add in spec]

        return children

    views[name] = {
        "list": type(f"{model.__name__}ListView", (RBListView,), {
            "model": model, "queryset": qs, "filterset_class": filterset, "sheet_class": sheet, "title": title,
            "url_prefix": url_prefix, "columns": cols,
        }),
        "detail": type(f"{model.__name__}DetailView", (RBDetailView,), {
            "model": model, "queryset": qs, "form_class": form, "extras": EXTRAS.get(model, []),
            "children": make_children(children_spec),
        }),
        "edit": type(f"{model.__name__}EditView", (ObjectEditView,), {
            "model": model, "queryset": qs, "form_class": form, "list_url": list_url,
            "create_service": getattr(sv, f"{name}_create"), "update_service": getattr(sv, f"{name}_update"),
        }),
        "delete": type(f"{model.__name__}DeleteView", (ObjectDeleteView,), {
            "model": model, "queryset": qs, "list_url": list_url, "delete_service": getattr(sv, f"{name}_delete"),
        }),
    }
    if getattr(sheet, "importable", False):
        views[name]["import"] = type(f"{model.__name__}ImportView", (ObjectImportView,), {
            "sheet_class": sheet, "list_url": list_url,
            "title": sheet.import_title,
        })


class MeetingMinutesView(ScopedViewMixin, View):
    """The minutes of a meeting the user may see, as a download: never through a public URL."""

    model = m.Meeting

    def get(self, request, pk):
        meeting = self.get_visible_object(pk)
        if not meeting.minutes:
            raise Http404
        ext = os.path.splitext(meeting.minutes.name)[1].lower()
        try:
            handle = meeting.minutes.open("rb")
        except FileNotFoundError:
            raise Http404
        response = FileResponse(
            handle, as_attachment=True, filename=meeting.minutes_name or os.path.basename(meeting.minutes.name),
            content_type=ALLOWED.get(ext) or mimetypes.guess_type(meeting.minutes.name)[0] or "application/octet-stream",
        )
        response["Content-Disposition"] = content_disposition(download_name(
            _("%(conference)s minutes of %(date)s") % {"conference": meeting.conference.name, "date": meeting.held_on.isoformat()},
            ext.lstrip(".") or "bin"))
        response["X-Content-Type-Options"] = "nosniff"
        response["Cache-Control"] = "private, no-store"
        return response
