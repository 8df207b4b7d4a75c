"""Excel: the cadre roster (template with dropdowns, all-or-nothing upload, masked export of
the filtered roster) and training attendance (import and export)."""

from __future__ import annotations

import copy
from itertools import islice

from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from communities.models import Level, Node
from core.excel import Column, Sheet
from core.scope import Action, node_in_scope, scope_q
from core.services import FOREIGN_DUPLICATE
from staffing import services
from staffing.forms import CadreForm
from staffing.models import (
    Attendance,
    Cadre,
    Education,
    EmploymentForm,
    Gender,
    Post,
    RecruitmentChannel,
    SelectionMethod,
)
from staffing.personal import present
from staffing.selectors import cadre_posts, courses_open_to

APPOINTMENT_FIELDS = ["post", "start_date", "employment_form", "recruitment_channel", "selection_method", "appointed_by"]


class _Prepared:
    """A queryset seen through ``prepare`` chunk by chunk: masking and posts at constant queries per chunk."""

    def __init__(self, queryset, prepare):
        self.queryset, self.prepare = queryset, prepare

    def iterator(self, chunk_size=2000):
        rows = self.queryset.iterator(chunk_size=chunk_size)
        while chunk := list(islice(rows, chunk_size)):
            yield from self.prepare(chunk)


def _first_post(cadre, attr):
    posts = getattr(cadre, "current_posts", [])
    if not posts:
        return ""
    value = getattr(posts[0], attr)
    if attr in ("post", "employment_form", "recruitment_channel", "selection_method"):
        return getattr(posts[0], f"get_{attr}_display")()
    return value


class CadreSheet(Sheet):
    title = gettext_lazy("cadre roster")
    upload_title = gettext_lazy("Upload the cadre roster")
    key = "id"
    natural_key = "id_number"
    model = Cadre
    missing_record_message = gettext_lazy("Cadre %(n)s does not exist or is outside the part of the hierarchy you may edit.")
    columns = [
        Column("id", gettext_lazy("cadre number"), kind="int", width=10, export=lambda c: c.pk,
               help=gettext_lazy("leave empty for a new cadre; keep the number of an exported cadre to change it")),
        Column("community", gettext_lazy("community code"), kind="node", levels=(Level.COMMUNITY,), required=True, width=16,
               export=lambda c: c.community.code, help=gettext_lazy("the community's 12-digit division code")),
        Column("community_name", gettext_lazy("community name"), importable=False, width=16, export=lambda c: c.community.name),
        Column("name", gettext_lazy("full name"), required=True, width=10),
        Column("gender", gettext_lazy("gender"), kind="choice", choices=Gender, required=True, width=8),
        Column("birth_date", gettext_lazy("birth date"), kind="date", required=True, width=12),
        Column("education", gettext_lazy("education"), kind="choice", choices=Education, required=True, width=14),
        Column("is_party_member", gettext_lazy("party member"), kind="bool", width=8),
        Column("party_join_date", gettext_lazy("party join date"), kind="date", width=12),
        Column("phone", gettext_lazy("mobile phone"), width=14, export=lambda c: c.phone_display),
        Column("id_number", gettext_lazy("ID number"), required=True, width=22, export=lambda c: c.id_display,
               help=gettext_lazy("18 characters, checked against the birth date and gender")),
        Column("post", gettext_lazy("post"), kind="choice", choices=Post, width=16, export=lambda c: _first_post(c, "post"),
               help=gettext_lazy("optional: a post to record; other posts are added on the cadre's page")),
        Column("start_date", gettext_lazy("post held since"), kind="date", width=12, export=lambda c: _first_post(c, "start_date")),
        Column("employment_form", gettext_lazy("employment form"), kind="choice", choices=EmploymentForm, width=14,
               export=lambda c: _first_post(c, "employment_form")),
        Column("recruitment_channel", gettext_lazy("recruitment channel"), kind="choice", choices=RecruitmentChannel,
               width=22, export=lambda c: _first_post(c, "recruitment_channel")),
        Column("selection_method", gettext_lazy("selection method"), kind="choice", choices=SelectionMethod, width=14,
               export=lambda c: _first_post(c, "selection_method")),
        Column("appointed_by", gettext_lazy("appointed by"), width=14, export=lambda c: _first_post(c, "appointed_by")),
        Column("all_posts", gettext_lazy("all current posts"), importable=False, width=24,
               export=lambda c: "、".join(a.get_post_display() for a in getattr(c, "current_posts", []))),
    ]
    instructions = [
        gettext_lazy("One cadre per row. The first row is the header: keep it as it is."),
        gettext_lazy("A row with a cadre number updates that cadre (masked ID numbers and phones left as exported stay as they are); a row without one whose ID number is already on record updates that cadre; other rows add new cadres."),
        gettext_lazy("When a post is filled in, the date, employment form, recruitment channel and selection method are required, and the post is added unless the cadre already holds it."),
        gettext_lazy("If any row has an error, nothing is saved: correct the rows listed in the report and upload again."),
    ]

    def __init__(self, user):
        super().__init__(user)
        self._communities = None

    def export_response(self, queryset):
        def prepare(chunk):
            present(self.user, chunk, channel="export")
            posts = cadre_posts(chunk)
            for cadre in chunk:
                cadre.current_posts = posts.get(cadre.pk, [])
            return chunk

        return super().export_response(_Prepared(queryset.select_related("community"), prepare))

    def communities(self) -> dict[str, Node]:
        if self._communities is None:
            qs = Node.objects.filter(level=Level.COMMUNITY).filter(scope_q(self.user, Action.CHANGE))
            self._communities = {n.code: n for n in qs}
        return self._communities

    def lookup_existing(self, keys):
        ids = [int(k) for k in keys if str(k).isdigit()]
        return {str(c.pk): c for c in Cadre.objects.filter(pk__in=ids).select_related("community")}

    def lookup_natural(self, values):
        numbers = [v.upper() for v in values if "*" not in v]
        found = {c.id_number: c for c in Cadre.objects.filter(id_number__in=numbers).select_related("community")}
        self._by_id_number = {c.pk for c in found.values()}
        return found

    def check_existing(self, existing):
        by_number = existing.pk not in getattr(self, "_by_id_number", ())
        if by_number and not node_in_scope(self.user, existing.community, Action.CHANGE):
            return str(self.missing_record_message) % {"n": existing.pk}
        if not node_in_scope(self.user, existing.community, Action.VIEW):
            return str(FOREIGN_DUPLICATE)
        if not node_in_scope(self.user, existing.community, Action.CHANGE):
            return _("A cadre with this ID number is already on record outside the part of the hierarchy you may edit.")
        return None

    def prepare_row(self, data, existing):
        errors: dict[str, list] = {}
        code = str(data.get("community") or "")
        community = self.communities().get(code)
        if code and community is None:
            errors["community"] = [_("Community %(code)s does not exist or is outside the part of the hierarchy you may edit.") % {"code": code}]
        cadre_data = {k: data.get(k, "") for k in CadreForm._meta.fields}
        cadre_data["community"] = community.pk if community else ""
        if data.get("is_party_member") == "":
            cadre_data["is_party_member"] = True
        cadre_data = {k: v for k, v in cadre_data.items() if v != "" or k == "is_party_member"}
        form = CadreForm(data=cadre_data, instance=copy.copy(existing), user=self.user)
        form.fields["community"].queryset = Node.objects.filter(pk__in=[community.pk] if community else [])
        if not form.is_valid():
            for name, messages in form.errors.items():
                if name == "community" and "community" in errors:
                    continue
                errors.setdefault(name if name != "__all__" else "", []).extend(messages)
        appointment = None
        if data.get("post"):
            appointment = {k: data.get(k, "") for k in APPOINTMENT_FIELDS}
            for name in ("start_date", "employment_form", "recruitment_channel", "selection_method"):
                if appointment[name] == "":
                    errors.setdefault(name, []).append(_("Required when a post is filled in."))
            if appointment["start_date"] and appointment["start_date"] > timezone.localdate():
                errors.setdefault("start_date", []).append(_("The date cannot be in the future."))
        if errors:
            return None, errors
        fields = {k: form.cleaned_data[k] for k in CadreForm._meta.fields}
        return {"cadre": fields, "appointment": appointment}, {}

    def save_row(self, prepared, existing):
        fields = prepared["cadre"]
        outcome = "unchanged"
        if existing is None:
            cadre = services.cadre_create(actor=self.user, **fields)
            outcome = "created"
        elif any(getattr(existing, k) != v for k, v in fields.items()):
            cadre = services.cadre_update(actor=self.user, cadre=existing, **self.versioned(fields))
            outcome = "updated"
        else:
            cadre = existing
        appointment = prepared["appointment"]
        if appointment and not cadre.appointments.filter(post=appointment["post"], end_date__isnull=True).exists():
            services.appointment_create(actor=self.user, cadre=cadre, **appointment)
            if outcome == "unchanged":
                outcome = "updated"
        return outcome


class AttendanceSheet(Sheet):
    """Attendance at courses. A cadre is named by their number in the portal (as exported) or,
    in a clerk's own sheet, by the full ID number."""

    title = gettext_lazy("training attendance")
    upload_title = gettext_lazy("Upload training attendance")
    # The pair (course, cadre) identifies a row; duplicates and existing rows are found in
    # prepare_row, so the key is an export-only column the generic reader leaves empty.
    key = "cadre_name"
    columns = [
        Column("course", gettext_lazy("course number"), kind="int", required=True, width=10, export=lambda a: a.course_id,
               help=gettext_lazy("the number shown on the course's page")),
        Column("course_name", gettext_lazy("course name"), importable=False, width=24, export=lambda a: a.course.name),
        Column("cadre", gettext_lazy("cadre number"), kind="int", width=10, export=lambda a: a.cadre_id,
               help=gettext_lazy("the cadre's number in the portal; or leave empty and give the ID number")),
        Column("id_number", gettext_lazy("ID number"), width=22, export=lambda a: a.cadre.id_display),
        Column("cadre_name", gettext_lazy("full name"), importable=False, width=10, export=lambda a: a.cadre.name),
        Column("completed", gettext_lazy("completed"), kind="bool", width=8),
        Column("note", gettext_lazy("note"), width=24),
    ]
    instructions = [
        gettext_lazy("One attendance per row: the course number and the cadre (number or full ID number)."),
        gettext_lazy("Only cadres of the part of the hierarchy you may edit, at courses open to it, can be registered."),
        gettext_lazy("If any row has an error, nothing is saved: correct the rows listed in the report and upload again."),
    ]

    def __init__(self, user):
        super().__init__(user)
        self.seen: dict[tuple, int] = {}
        self._courses = None

    def export_response(self, queryset):
        def prepare(chunk):
            present(self.user, [a.cadre for a in chunk], channel="export")
            return chunk

        return super().export_response(_Prepared(queryset.select_related("course", "cadre"), prepare))

    def lookup_existing(self, keys):
        return {}

    def courses(self):
        if self._courses is None:
            self._courses = {c.pk: c for c in courses_open_to(self.user)}
        return self._courses

    def prepare_row(self, data, existing):
        errors: dict[str, list] = {}
        course = self.courses().get(data.get("course")) if data.get("course") != "" else None
        if data.get("course") != "" and course is None:
            errors["course"] = [_("Course %(n)s does not exist or is not open to the part of the hierarchy you may edit.") % {"n": data.get("course")}]
        editable = Cadre.objects.editable_by(self.user)
        cadre = None
        number = str(data.get("id_number") or "").upper()
        if data.get("cadre") != "":
            cadre = editable.filter(pk=data["cadre"]).first()
            if cadre is None:
                errors["cadre"] = [_("Cadre %(n)s does not exist or is outside the part of the hierarchy you may edit.") % {"n": data["cadre"]}]
        elif number and "*" not in number:
            cadre = editable.filter(id_number=number).first()
            if cadre is None:
                errors["id_number"] = [_("No cadre with this ID number in the part of the hierarchy you may edit.")]
        else:
            errors["cadre"] = [_("Give the cadre number or the full ID number.")]
        if errors:
            return None, errors
        pair = (course.pk, cadre.pk)
        if pair in self.seen:
            return None, {"cadre": [_("This cadre appears twice for this course in the file.")]}
        self.seen[pair] = 1
        found = Attendance.objects.filter(course=course, cadre=cadre).first()
        completed = data.get("completed")
        return {
            "course": course, "cadre": cadre, "completed": True if completed == "" else completed,
            "note": data.get("note") or "", "existing": found,
        }, {}

    def save_row(self, prepared, existing):
        found = prepared.pop("existing")
        if found is None:
            services.attendance_create(actor=self.user, **prepared)
            return "created"
        if found.completed == prepared["completed"] and found.note == prepared["note"]:
            return "unchanged"
        services.attendance_update(actor=self.user, attendance=found, completed=prepared["completed"], note=prepared["note"])
        return "updated"
