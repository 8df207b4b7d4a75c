"""Writes of 一化. Each takes the acting user; business rules live here and in the models'
``clean``; every write goes through core.services.scoped_save/scoped_delete (scope + audit)."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F
from django.utils.translation import gettext as _

from core.services import scoped_delete, scoped_save
from core.versioning import locked_update
from regional_building.attachments import check_attachment
from regional_building.models import (
    Agreement,
    Claim,
    CommitteeMember,
    Commitment,
    ConferenceMember,
    Feedback,
    Fulfilment,
    JointConference,
    Meeting,
    MemberRegistration,
    RegistrationStatus,
    ResidentUnit,
    ServicePost,
)


@transaction.atomic
def _update(model, *, actor, instance, fields):
    return scoped_save(actor=actor, instance=locked_update(instance, fields))


# ---- resident units ----

def residentunit_create(*, actor, **fields) -> ResidentUnit:
    return scoped_save(actor=actor, instance=ResidentUnit(**fields))


def residentunit_update(*, actor, residentunit: ResidentUnit, **fields) -> ResidentUnit:
    return _update(ResidentUnit, actor=actor, instance=residentunit, fields=fields)


def residentunit_delete(*, actor, residentunit: ResidentUnit) -> None:
    scoped_delete(actor=actor, instance=residentunit)


# ---- joint conferences, members, committee members ----

def jointconference_create(*, actor, **fields) -> JointConference:
    return scoped_save(actor=actor, instance=JointConference(**fields))


def jointconference_update(*, actor, jointconference: JointConference, **fields) -> JointConference:
    return _update(JointConference, actor=actor, instance=jointconference, fields=fields)


def jointconference_delete(*, actor, jointconference: JointConference) -> None:
    scoped_delete(actor=actor, instance=jointconference)


def conferencemember_create(*, actor, **fields) -> ConferenceMember:
    return scoped_save(actor=actor, instance=ConferenceMember(**fields))


def conferencemember_update(*, actor, conferencemember: ConferenceMember, **fields) -> ConferenceMember:
    return _update(ConferenceMember, actor=actor, instance=conferencemember, fields=fields)


def conferencemember_delete(*, actor, conferencemember: ConferenceMember) -> None:
    scoped_delete(actor=actor, instance=conferencemember)


def committeemember_create(*, actor, **fields) -> CommitteeMember:
    return scoped_save(actor=actor, instance=CommitteeMember(**fields))


def committeemember_update(*, actor, committeemember: CommitteeMember, **fields) -> CommitteeMember:
    return _update(CommitteeMember, actor=actor, instance=committeemember, fields=fields)


def committeemember_delete(*, actor, committeemember: CommitteeMember) -> None:
    scoped_delete(actor=actor, instance=committeemember)


# ---- meetings ----

def _check_attendees(meeting: Meeting, attendees) -> None:
    if attendees is None:
        return
    member_units = set(meeting.conference.members.values_list("unit_id", flat=True))
    strangers = [u.name for u in attendees if u.pk not in member_units]
    if strangers:
        raise ValidationError(
            {"attendees": _("Only member units of the conference can be recorded as present: %(units)s is not a member.")
             % {"units": "、".join(strangers)}}
        )


def _save_meeting(*, actor, meeting: Meeting, attendees, minutes) -> Meeting:
    if minutes:  # a newly uploaded file (an UploadedFile); refused before anything is stored
        check_attachment(minutes)
        meeting.minutes_name = minutes.name[-200:]
        meeting.minutes = minutes
    _check_attendees(meeting, attendees)
    existing = meeting.pk is not None
    meeting = scoped_save(actor=actor, instance=meeting)
    if attendees is not None:
        before = set(meeting.attendees.values_list("pk", flat=True)) if existing else set()
        meeting.attendees.set(attendees)
        if existing and before != {u.pk for u in attendees}:
            # The attendance is part of what was edited: its change raises the version too.
            Meeting.objects.filter(pk=meeting.pk).update(version=F("version") + 1)
            meeting.refresh_from_db(fields=["version"])
    return meeting


@transaction.atomic
def meeting_create(*, actor, attendees=None, minutes=None, **fields) -> Meeting:
    return _save_meeting(actor=actor, meeting=Meeting(**fields), attendees=attendees, minutes=minutes)


@transaction.atomic
def meeting_update(*, actor, meeting: Meeting, attendees=None, minutes=None, **fields) -> Meeting:
    locked = locked_update(meeting, fields)
    previous = locked.minutes.name if locked.minutes else ""
    if minutes is False:  # the form's "clear" box
        locked.minutes, locked.minutes_name = "", ""
        minutes = None
    saved = _save_meeting(actor=actor, meeting=locked, attendees=attendees, minutes=minutes)
    if previous and previous != (saved.minutes.name if saved.minutes else ""):
        storage = saved.minutes.storage
        transaction.on_commit(lambda: storage.delete(previous))  # the replaced or cleared file
    return saved


def meeting_delete(*, actor, meeting: Meeting) -> None:
    stored = meeting.minutes.name if meeting.minutes else ""
    scoped_delete(actor=actor, instance=meeting)
    if stored:
        transaction.on_commit(lambda: meeting.minutes.storage.delete(stored))


# ---- agreements, commitments, fulfilments ----

def agreement_create(*, actor, **fields) -> Agreement:
    return scoped_save(actor=actor, instance=Agreement(**fields))


def agreement_update(*, actor, agreement: Agreement, **fields) -> Agreement:
    return _update(Agreement, actor=actor, instance=agreement, fields=fields)


def agreement_delete(*, actor, agreement: Agreement) -> None:
    scoped_delete(actor=actor, instance=agreement)


def _check_commitment_dates(commitment: Commitment) -> None:
    agreement = commitment.agreement
    if commitment.due_on and agreement and commitment.due_on < agreement.signed_on:
        raise ValidationError({"due_on": _("A commitment cannot fall due before the agreement is signed.")})


def commitment_create(*, actor, **fields) -> Commitment:
    commitment = Commitment(**fields)
    _check_commitment_dates(commitment)
    return scoped_save(actor=actor, instance=commitment)


@transaction.atomic
def commitment_update(*, actor, commitment: Commitment, **fields) -> Commitment:
    locked = locked_update(commitment, fields)
    _check_commitment_dates(locked)
    return scoped_save(actor=actor, instance=locked)


def commitment_delete(*, actor, commitment: Commitment) -> None:
    scoped_delete(actor=actor, instance=commitment)


def fulfilment_create(*, actor, **fields) -> Fulfilment:
    return scoped_save(actor=actor, instance=Fulfilment(**fields))


def fulfilment_update(*, actor, fulfilment: Fulfilment, **fields) -> Fulfilment:
    return _update(Fulfilment, actor=actor, instance=fulfilment, fields=fields)


def fulfilment_delete(*, actor, fulfilment: Fulfilment) -> None:
    scoped_delete(actor=actor, instance=fulfilment)


# ---- in-service members ----

def _refuse_duplicate(registration: MemberRegistration) -> None:
    """The same member (name and phone) registered twice in one community while active is
    refused with a clear message; the partial unique constraint backs this in the database."""
    if registration.status != RegistrationStatus.REGISTERED or not registration.community_id:
        return
    twin = (
        MemberRegistration.objects.filter(
            community_id=registration.community_id, name=registration.name.strip(), phone=registration.phone.strip(),
            status=RegistrationStatus.REGISTERED,
        )
        .exclude(pk=registration.pk)
        .first()
    )
    if twin is not None:
        raise ValidationError(
            {"name": _("%(name)s is already registered in this community (since %(date)s); revoke that registration first.")
             % {"name": twin.name, "date": twin.registered_on.isoformat()}}
        )


@transaction.atomic
def memberregistration_create(*, actor, **fields) -> MemberRegistration:
    registration = MemberRegistration(**fields)
    registration.name = registration.name.strip()
    registration.phone = registration.phone.strip()
    _refuse_duplicate(registration)
    return scoped_save(actor=actor, instance=registration)


@transaction.atomic
def memberregistration_update(*, actor, memberregistration: MemberRegistration, **fields) -> MemberRegistration:
    locked = locked_update(memberregistration, fields)
    _refuse_duplicate(locked)
    return scoped_save(actor=actor, instance=locked)


def memberregistration_revoke(*, actor, memberregistration: MemberRegistration, revoked_on, reason: str) -> MemberRegistration:
    return memberregistration_update(
        actor=actor, memberregistration=memberregistration, status=RegistrationStatus.REVOKED,
        revoked_on=revoked_on, revoke_reason=reason,
    )


def memberregistration_delete(*, actor, memberregistration: MemberRegistration) -> None:
    scoped_delete(actor=actor, instance=memberregistration)


# ---- service posts and claims ----

def servicepost_create(*, actor, **fields) -> ServicePost:
    return scoped_save(actor=actor, instance=ServicePost(**fields))


@transaction.atomic
def servicepost_update(*, actor, servicepost: ServicePost, **fields) -> ServicePost:
    locked = locked_update(servicepost, fields)
    claimed = locked.claims.count()
    if locked.capacity is not None and locked.capacity < claimed:
        raise ValidationError(
            {"capacity": _("The post already has %(n)d claims; its capacity cannot be lower.") % {"n": claimed}}
        )
    return scoped_save(actor=actor, instance=locked)


def servicepost_delete(*, actor, servicepost: ServicePost) -> None:
    scoped_delete(actor=actor, instance=servicepost)


def _check_capacity(post_id, exclude_pk=None) -> None:
    """Lock the post's row, then count its claims: two clerks claiming the last place at the
    same moment are serialised here, and the second is refused."""
    post = ServicePost.objects.select_for_update().get(pk=post_id)
    taken = post.claims.exclude(pk=exclude_pk).count() if exclude_pk else post.claims.count()
    if taken >= post.capacity:
        raise ValidationError(
            {"post": _("“%(post)s” is full: its capacity is %(capacity)d and it already has %(taken)d claims.")
             % {"post": post.title, "capacity": post.capacity, "taken": taken}}
        )


@transaction.atomic
def claim_create(*, actor, **fields) -> Claim:
    claim = Claim(**fields)
    if claim.post_id:
        _check_capacity(claim.post_id)
    return scoped_save(actor=actor, instance=claim)


@transaction.atomic
def claim_update(*, actor, claim: Claim, **fields) -> Claim:
    locked = locked_update(claim, fields)
    if locked.post_id != claim.post_id:
        _check_capacity(locked.post_id, exclude_pk=locked.pk)
    return scoped_save(actor=actor, instance=locked)


def claim_delete(*, actor, claim: Claim) -> None:
    scoped_delete(actor=actor, instance=claim)


# ---- quarterly feedback ----

def feedback_create(*, actor, **fields) -> Feedback:
    return scoped_save(actor=actor, instance=Feedback(**fields))


def feedback_update(*, actor, feedback: Feedback, **fields) -> Feedback:
    return _update(Feedback, actor=actor, instance=feedback, fields=fields)


def feedback_delete(*, actor, feedback: Feedback) -> None:
    scoped_delete(actor=actor, instance=feedback)
