"""Writes of the staffing app. Each takes the acting user and goes through
core.services.scoped_save/scoped_delete (validation, scope before and inside the transaction,
audit). Business rules live here."""

from __future__ import annotations

from dataclasses import dataclass

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils.translation import gettext as _

from core.contention import lock_nodes
from core.services import scoped_delete, scoped_save
from core.versioning import locked_update
from staffing.models import (
    Appointment,
    Attendance,
    Cadre,
    Post,
    Recognition,
    TrainingCourse,
    Volunteer,
    VolunteerTeam,
    Welfare,
)

# Posts a community has only one of at a time.
SINGLE_POSTS = (Post.SECRETARY, Post.DIRECTOR)


def _update(model, *, actor, instance, fields):
    return scoped_save(actor=actor, instance=locked_update(instance, fields))


# ---- cadres ----

def cadre_create(*, actor, **fields) -> Cadre:
    return scoped_save(actor=actor, instance=Cadre(**fields))


@transaction.atomic
def cadre_update(*, actor, cadre: Cadre, **fields) -> Cadre:
    """Moving a cadre to another community needs the change scope over both (scoped_save checks
    the old record and the new community); a single-holder post they hold moves with them, so the
    new community's secretary/director rule is checked again."""
    moved = "community" in fields and fields["community"] is not None and fields["community"].pk != cadre.community_id
    if moved:  # nodes before records, in id order (docs/concurrency.md)
        _lock_communities(cadre.community_id, fields["community"].pk)
    cadre = _update(Cadre, actor=actor, instance=cadre, fields=fields)
    if moved:
        for appointment in cadre.appointments.filter(post__in=SINGLE_POSTS):
            _check_single_holder(appointment)
    return cadre


def cadre_delete(*, actor, cadre: Cadre) -> None:
    scoped_delete(actor=actor, instance=cadre)


# ---- appointments ----

def _lock_communities(*community_ids) -> None:
    """Serialise writers of these communities' posts: lock the community rows, then their
    appointments, each in id order, so that moves A→B and B→A at once cannot deadlock."""
    lock_nodes(*community_ids)
    list(
        Appointment.objects.select_for_update().filter(cadre__community_id__in=[pk for pk in community_ids if pk])
        .order_by("pk").values_list("pk", flat=True)
    )


def _check_single_holder(appointment: Appointment) -> None:
    if appointment.post not in SINGLE_POSTS or not appointment.start_date:
        return
    overlapping = Appointment.objects.filter(
        cadre__community_id=appointment.cadre.community_id, post=appointment.post
    ).filter(Q(end_date__isnull=True) | Q(end_date__gte=appointment.start_date))
    if appointment.end_date:
        overlapping = overlapping.filter(start_date__lte=appointment.end_date)
    if appointment.pk:
        overlapping = overlapping.exclude(pk=appointment.pk)
    other = overlapping.select_related("cadre").first()
    if other is not None:
        raise ValidationError(
            {
                "post": _(
                    "%(community)s already has a %(post)s in this period: %(name)s (from %(start)s%(end)s). "
                    "End that appointment first."
                )
                % {
                    "community": appointment.cadre.community.name,
                    "post": appointment.get_post_display(),
                    "name": other.cadre.name,
                    "start": other.start_date.isoformat(),
                    "end": _(" to %(date)s") % {"date": other.end_date.isoformat()} if other.end_date else "",
                }
            }
        )


@transaction.atomic
def appointment_create(*, actor, **fields) -> Appointment:
    appointment = Appointment(**fields)
    if appointment.cadre_id:
        _lock_communities(appointment.cadre.community_id)
        appointment.full_clean()
        _check_single_holder(appointment)
    return scoped_save(actor=actor, instance=appointment)


@transaction.atomic
def appointment_update(*, actor, appointment: Appointment, **fields) -> Appointment:
    cadre = fields.get("cadre") or appointment.cadre
    _lock_communities(cadre.community_id, appointment.cadre.community_id)  # both, in id order
    appointment = locked_update(appointment, fields)
    appointment.full_clean()
    _check_single_holder(appointment)
    return scoped_save(actor=actor, instance=appointment)


def appointment_delete(*, actor, appointment: Appointment) -> None:
    scoped_delete(actor=actor, instance=appointment)


# ---- training ----

def trainingcourse_create(*, actor, **fields) -> TrainingCourse:
    return scoped_save(actor=actor, instance=TrainingCourse(**fields))


@transaction.atomic
def trainingcourse_update(*, actor, trainingcourse: TrainingCourse, **fields) -> TrainingCourse:
    return _update(TrainingCourse, actor=actor, instance=trainingcourse, fields=fields)


def trainingcourse_delete(*, actor, trainingcourse: TrainingCourse) -> None:
    scoped_delete(actor=actor, instance=trainingcourse)


def _check_course_open(actor, course) -> None:
    """A clerk registers their cadres at courses organized within their scope or above it
    (a district course is open to every street's cadres)."""
    from staffing.selectors import courses_open_to

    if course is not None and not courses_open_to(actor).filter(pk=course.pk).exists():
        raise PermissionDenied(_("This training course is not open to the part of the hierarchy you may edit."))


def attendance_create(*, actor, **fields) -> Attendance:
    attendance = Attendance(**fields)
    _check_course_open(actor, attendance.course if attendance.course_id else None)
    return scoped_save(actor=actor, instance=attendance)


@dataclass
class BatchAttendance:
    created: list[Attendance]
    already: list[Cadre]  # registered before: reported, not registered twice


@transaction.atomic
def attendance_create_many(*, actor, course: TrainingCourse, cadres, completed: bool = True, note: str = "") -> BatchAttendance:
    """Register many cadres at one course at once (批量登记).

    All or nothing for refusals: a course not open to the actor, or any chosen cadre the actor
    may not edit (or that does not exist), refuses the whole batch and nothing is saved.
    Duplicates are not refusals: cadres already registered at the course are skipped and
    reported, so sending the same batch twice registers each cadre once. A fixed number of
    queries whatever the batch size (one bulk insert, its history rows, the figures marks)."""
    from simple_history.utils import bulk_create_with_history

    from figures import marking
    from reports import cache

    _check_course_open(actor, course)
    ids = sorted({c.pk for c in cadres})
    if not ids:
        raise ValidationError({"cadres": _("Choose at least one cadre.")})
    if len(note) > 200:
        raise ValidationError({"note": _("A note has at most 200 characters.")})
    chosen = list(Cadre.objects.editable_by(actor).filter(pk__in=ids).select_related("community").order_by("name", "pk"))
    if len(chosen) != len(ids):
        raise PermissionDenied(_("Some of the chosen cadres lie outside the part of the hierarchy you may edit; nothing was registered."))
    # Lock the course row: two clerks registering the same cadres at once queue up, and the
    # second sees the first one's registrations as duplicates instead of failing on the constraint.
    TrainingCourse.objects.select_for_update().filter(pk=course.pk).exists()
    registered = set(Attendance.objects.filter(course=course, cadre_id__in=ids).values_list("cadre_id", flat=True))
    new = [Attendance(course=course, cadre=c, completed=completed, note=note) for c in chosen if c.pk not in registered]
    created = bulk_create_with_history(new, Attendance, default_user=actor) if new else []
    # bulk_create sends no signals: mark the figures and the cached dashboards of these communities.
    communities = {c.community_id for c in chosen if c.pk not in registered}
    marking.mark(communities)
    cache.touch_ids(communities)
    return BatchAttendance(created=list(created), already=[c for c in chosen if c.pk in registered])


@transaction.atomic
def attendance_update(*, actor, attendance: Attendance, **fields) -> Attendance:
    if "course" in fields and fields["course"].pk != attendance.course_id:
        _check_course_open(actor, fields["course"])
    return _update(Attendance, actor=actor, instance=attendance, fields=fields)


def attendance_delete(*, actor, attendance: Attendance) -> None:
    scoped_delete(actor=actor, instance=attendance)


# ---- welfare, awards and promotions ----

def welfare_create(*, actor, **fields) -> Welfare:
    return scoped_save(actor=actor, instance=Welfare(**fields))


@transaction.atomic
def welfare_update(*, actor, welfare: Welfare, **fields) -> Welfare:
    return _update(Welfare, actor=actor, instance=welfare, fields=fields)


def welfare_delete(*, actor, welfare: Welfare) -> None:
    scoped_delete(actor=actor, instance=welfare)


def recognition_create(*, actor, **fields) -> Recognition:
    return scoped_save(actor=actor, instance=Recognition(**fields))


@transaction.atomic
def recognition_update(*, actor, recognition: Recognition, **fields) -> Recognition:
    return _update(Recognition, actor=actor, instance=recognition, fields=fields)


def recognition_delete(*, actor, recognition: Recognition) -> None:
    scoped_delete(actor=actor, instance=recognition)


# ---- volunteer teams ----

def volunteerteam_create(*, actor, **fields) -> VolunteerTeam:
    return scoped_save(actor=actor, instance=VolunteerTeam(**fields))


@transaction.atomic
def volunteerteam_update(*, actor, volunteerteam: VolunteerTeam, **fields) -> VolunteerTeam:
    return _update(VolunteerTeam, actor=actor, instance=volunteerteam, fields=fields)


def volunteerteam_delete(*, actor, volunteerteam: VolunteerTeam) -> None:
    scoped_delete(actor=actor, instance=volunteerteam)


def volunteer_create(*, actor, **fields) -> Volunteer:
    return scoped_save(actor=actor, instance=Volunteer(**fields))


@transaction.atomic
def volunteer_update(*, actor, volunteer: Volunteer, **fields) -> Volunteer:
    return _update(Volunteer, actor=actor, instance=volunteer, fields=fields)


def volunteer_delete(*, actor, volunteer: Volunteer) -> None:
    scoped_delete(actor=actor, instance=volunteer)

