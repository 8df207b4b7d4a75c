"""What the list tables and the detail pages show of each model: one spec per model."""

from __future__ import annotations

from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from core.templatetags.sanqi import yuan
from staffing.models import Appointment, Attendance, Cadre, Recognition, TrainingCourse, Volunteer, VolunteerTeam, Welfare
from staffing.personal import present
from staffing.selectors import cadre_posts


def link(obj, text=None):
    return format_html('<a href="{}">{}</a>', obj.get_absolute_url(), text if text is not None else obj)


def community(node):
    return f"{node.parent.name} / {node.name}" if node.parent_id else node.name


def dash(value):
    return "—" if value in (None, "") else value


def yesno(value):
    return _("yes") if value else _("no")


def posts_text(appointments):
    return "、".join(a.get_post_display() for a in appointments) or "—"


COLUMNS = {
    Cadre: [
        (_("Full name"), lambda o: link(o)),
        (_("Community"), lambda o: community(o.community)),
        (_("Gender"), lambda o: o.get_gender_display()),
        (_("Age"), lambda o: o.age),
        (_("Education"), lambda o: o.get_education_display()),
        (_("Party member"), lambda o: yesno(o.is_party_member)),
        (_("Current posts"), lambda o: posts_text(o.current_posts)),
        (_("Mobile phone"), lambda o: dash(o.phone_display)),
        (_("ID number"), lambda o: format_html('<span class="font-monospace">{}</span>', o.id_display)),
    ],
    Appointment: [
        (_("Cadre"), lambda o: link(o.cadre)),
        (_("Community"), lambda o: community(o.cadre.community)),
        (_("Post"), lambda o: link(o, o.get_post_display())),
        (_("Start date"), lambda o: o.start_date),
        (_("End date"), lambda o: dash(o.end_date)),
        (_("Status"), lambda o: format_html('<span class="badge {}">{}</span>', "bg-success" if o.is_active else "bg-secondary", _("in post") if o.is_active else _("no longer in post"))),
        (_("Employment form"), lambda o: o.get_employment_form_display()),
        (_("Recruitment channel"), lambda o: o.get_recruitment_channel_display()),
        (_("Selection method"), lambda o: o.get_selection_method_display()),
    ],
    TrainingCourse: [
        (_("Course name"), lambda o: link(o)),
        (_("Course kind"), lambda o: o.get_kind_display()),
        (_("Organizer"), lambda o: o.organizer.name),
        (_("Start date"), lambda o: o.start_date),
        (_("End date"), lambda o: o.end_date),
        (_("Class hours"), lambda o: o.hours),
        (_("Location"), lambda o: dash(o.location)),
    ],
    Attendance: [
        (_("Cadre"), lambda o: link(o.cadre)),
        (_("Community"), lambda o: community(o.cadre.community)),
        (_("Training course"), lambda o: link(o, o.course.name)),
        (_("Start date"), lambda o: o.course.start_date),
        (_("Class hours"), lambda o: o.course.hours),
        (_("Completed"), lambda o: yesno(o.completed)),
    ],
    Welfare: [
        (_("Cadre"), lambda o: link(o.cadre)),
        (_("Community"), lambda o: community(o.cadre.community)),
        (_("Year"), lambda o: link(o, o.year)),
        (_("Allowance or salary"), lambda o: yuan(o.allowance)),
        (_("Pension insurance"), lambda o: yuan(o.pension)),
        (_("Medical insurance"), lambda o: yuan(o.medical)),
        (_("Unemployment insurance"), lambda o: yuan(o.unemployment)),
        (_("Total"), lambda o: yuan(o.total)),
    ],
    Recognition: [
        (_("Cadre"), lambda o: link(o.cadre)),
        (_("Community"), lambda o: community(o.cadre.community)),
        (_("Kind"), lambda o: o.get_kind_display()),
        (_("Award or new post"), lambda o: link(o, o.title)),
        (_("Level"), lambda o: o.get_level_display()),
        (_("Date"), lambda o: o.date),
        (_("Granted by"), lambda o: dash(o.granted_by)),
    ],
    VolunteerTeam: [
        (_("Team name"), lambda o: link(o)),
        (_("Community"), lambda o: community(o.community)),
        (_("Service type"), lambda o: o.get_service_type_display()),
        (_("Founded on"), lambda o: o.founded_on),
        (_("Team leader"), lambda o: dash(o.leader)),
        (_("Members"), lambda o: o.member_count),
    ],
    Volunteer: [
        (_("Full name"), lambda o: link(o)),
        (_("Volunteer team"), lambda o: link(o.team)),
        (_("Community"), lambda o: o.team.community.name),
        (_("Gender"), lambda o: o.get_gender_display()),
        (_("Party member"), lambda o: yesno(o.is_party_member)),
        (_("Joined on"), lambda o: o.joined_on),
        (_("Skills"), lambda o: dash(o.skills)),
    ],
}


def prepare(model, objects, user, *, channel="page"):
    """Per-page extras with a constant number of queries: masked personal data and current posts."""
    objects = list(objects)
    if model is Cadre:
        present(user, objects, channel=channel)
        posts = cadre_posts(objects)
        for cadre in objects:
            cadre.current_posts = posts.get(cadre.pk, [])
    return objects


def table(model, objects, user):
    objects = prepare(model, objects, user)
    columns = COLUMNS[model]
    return {
        "headers": [c[0] for c in columns],
        "rows": [[fn(obj) for _h, fn in columns] for obj in objects],
        "model_name": model._meta.model_name,
        "empty": _("Nothing matches."),
    }


def detail_rows(obj) -> list[tuple]:
    """Label and value of every field of a record, for its detail page."""
    rows = []
    for f in obj._meta.concrete_fields:
        if f.name in ("id", "created", "last_updated"):
            continue
        if f.name == "id_number":
            value = obj.id_display
        elif f.name == "phone":
            value = obj.phone_display
        elif f.choices:
            value = getattr(obj, f"get_{f.name}_display")()
        elif f.is_relation:
            related = getattr(obj, f.name)
            value = community(related) if getattr(related, "level", None) == 5 else (link(related) if hasattr(related, "get_absolute_url") and not hasattr(related, "level") else related)
        elif isinstance(getattr(obj, f.name), bool):
            value = yesno(getattr(obj, f.name))
        elif f.get_internal_type() == "DecimalField" and f.decimal_places == 2:
            value = yuan(getattr(obj, f.name))
        else:
            value = getattr(obj, f.name)
        rows.append((f.verbose_name, dash(value)))
    return rows


def url_for(model, action, *args):
    return reverse(f"staffing:{model._meta.model_name}_{action}", args=args)
