"""一化 — regional party building: resident units, joint conferences and their meetings,
joint-building agreements with their commitments, in-service members, service posts and claims.

Every record belongs to one node of the hierarchy (``scope_path``). Records kept by a street
(a street's conference, a street's agreement, units registered at street level) point at the
street node itself, so a community clerk, whose scope is the community's subtree, does not see
them; the street clerk and everyone above see both levels.
"""

from __future__ import annotations

import datetime
import os
import uuid

from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Case, Exists, OuterRef, Q, Value, When
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from communities.models import Level, PartyOrgForm
from core.scope import ScopedQuerySet
from regional_building.codes import validate_credit_code
from core.fields import PhoneField
from core.versioning import VersionedModel

NODE_MODEL = "communities.Node"


def check_node_level(node, levels, field="node"):
    if node is not None and node.level not in levels:
        names = "、".join(str(Level(level).label) for level in levels)
        raise ValidationError({field: _("Choose a %(levels)s here, not a %(level)s.") % {"levels": names, "level": node.get_level_display()}})


def check_dates(start, end, start_field, end_field, message):
    if start and end and end < start:
        raise ValidationError({end_field: message})


class UnitKind(models.TextChoices):
    AGENCY = "agency", _("government agency")
    INSTITUTION = "institution", _("public institution")
    STATE_ENTERPRISE = "state_enterprise", _("state-owned enterprise")
    PRIVATE_ENTERPRISE = "private_enterprise", _("non-public enterprise")
    SCHOOL = "school", _("school")
    HOSPITAL = "hospital", _("hospital")
    SOCIAL_ORG = "social_org", _("social organization")
    OTHER = "other", _("other kind of unit")


class ResidentUnit(VersionedModel):
    """A unit located in a street or community (驻区单位) with its party organization."""

    name = models.CharField(_("unit name"), max_length=120)
    kind = models.CharField(_("unit kind"), max_length=24, choices=UnitKind.choices)
    credit_code = models.CharField(
        _("unified social credit code"), max_length=18, unique=True, validators=[validate_credit_code],
        error_messages={"unique": _("A unit with this credit code is already registered.")},
    )
    node = models.ForeignKey(NODE_MODEL, on_delete=models.PROTECT, related_name="resident_units", verbose_name=_("located in"))
    party_org_form = models.CharField(_("party organization form"), max_length=20, choices=PartyOrgForm.choices, blank=True)
    party_member_count = models.PositiveIntegerField(_("party member count"), default=0)
    contact_person = models.CharField(_("contact person"), max_length=50, blank=True)
    contact_phone = PhoneField(_("contact phone"), blank=True)
    address = models.CharField(_("unit address"), max_length=200, blank=True)
    created = models.DateTimeField(_("created"), auto_now_add=True)
    last_updated = models.DateTimeField(_("last updated"), auto_now=True)

    search_fields = ("name", "credit_code", "contact_person", "address")
    personal_fields = ("contact_phone",)
    history = HistoricalRecords(excluded_fields=["created", "last_updated"])
    objects = ScopedQuerySet.as_manager()
    scope_path = "node"

    class Meta:
        verbose_name = _("resident unit")
        verbose_name_plural = _("resident units")
        ordering = ["node__code", "name"]

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return reverse("regional_building:residentunit_detail", args=[self.pk])

    def clean(self):
        super().clean()
        if self.credit_code:
            self.credit_code = self.credit_code.strip().upper()
        if self.node_id:
            check_node_level(self.node, (Level.TOWNSHIP, Level.COMMUNITY))


class ConferenceLevel(models.TextChoices):
    DISTRICT = "district", _("district guidance committee")
    STREET = "street", _("street joint conference")
    COMMUNITY = "community", _("community sub-conference")


CONFERENCE_NODE_LEVEL = {
    ConferenceLevel.DISTRICT: Level.COUNTY,
    ConferenceLevel.STREET: Level.TOWNSHIP,
    ConferenceLevel.COMMUNITY: Level.COMMUNITY,
}


class JointConference(VersionedModel):
    """A joint conference of the three-level network (党建联席会 / 联席分会)."""

    name = models.CharField(_("conference name"), max_length=120)
    level = models.CharField(_("conference level"), max_length=12, choices=ConferenceLevel.choices)
    node = models.ForeignKey(NODE_MODEL, on_delete=models.PROTECT, related_name="joint_conferences", verbose_name=_("belongs to"))
    established_on = models.DateField(_("established on"), null=True, blank=True)
    notes = models.TextField(_("notes"), blank=True)
    created = models.DateTimeField(_("created"), auto_now_add=True)
    last_updated = models.DateTimeField(_("last updated"), auto_now=True)

    search_fields = ("name",)
    history = HistoricalRecords(excluded_fields=["created", "last_updated"])
    objects = ScopedQuerySet.as_manager()
    scope_path = "node"

    class Meta:
        verbose_name = _("joint conference")
        verbose_name_plural = _("joint conferences")
        ordering = ["node__code", "name"]

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return reverse("regional_building:jointconference_detail", args=[self.pk])

    def clean(self):
        super().clean()
        if self.node_id and self.level:
            expected = CONFERENCE_NODE_LEVEL[ConferenceLevel(self.level)]
            if self.node.level != expected:
                raise ValidationError(
                    {"node": _("A %(conference)s belongs to a %(level)s.") % {
                        "conference": ConferenceLevel(self.level).label, "level": Level(expected).label}}
                )


def _unit_in_reach(unit, node) -> bool:
    """A unit may serve a node when both lie in the same street (or the node is a district above it)."""
    if unit is None or node is None:
        return True
    if node.level <= Level.COUNTY:
        return unit.node.code.startswith(node.prefix)
    return unit.node.code[:9] == node.code[:9]


class MemberRole(models.TextChoices):
    CHAIR = "chair", _("chair unit")
    VICE_CHAIR = "vice_chair", _("vice-chair unit")
    MEMBER = "member", _("member unit")


class ConferenceMember(VersionedModel):
    """A unit's membership of a joint conference, with its role and term."""

    conference = models.ForeignKey(JointConference, on_delete=models.CASCADE, related_name="members", verbose_name=_("joint conference"))
    unit = models.ForeignKey(ResidentUnit, on_delete=models.PROTECT, related_name="memberships", verbose_name=_("resident unit"))
    role = models.CharField(_("role"), max_length=12, choices=MemberRole.choices, default=MemberRole.MEMBER)
    term_start = models.DateField(_("term starts"))
    term_end = models.DateField(_("term ends"), null=True, blank=True)

    history = HistoricalRecords()
    objects = ScopedQuerySet.as_manager()
    scope_path = "conference__node"

    class Meta:
        verbose_name = _("conference member unit")
        verbose_name_plural = _("conference member units")
        ordering = ["conference", "role", "unit__name"]
        constraints = [
            models.UniqueConstraint(
                fields=["conference", "unit", "term_start"], name="rb_member_unique_term",
                violation_error_message=_("This unit already has a membership of this conference starting that day."),
            )
        ]

    def __str__(self):
        return f"{self.conference} · {self.unit}"

    def get_absolute_url(self):
        return reverse("regional_building:conferencemember_detail", args=[self.pk])

    def clean(self):
        super().clean()
        check_dates(self.term_start, self.term_end, "term_start", "term_end", _("The term cannot end before it starts."))
        if self.conference_id and self.unit_id and not _unit_in_reach(self.unit, self.conference.node):
            raise ValidationError({"unit": _("This unit is not located in the conference's area.")})


class CommitteeMember(VersionedModel):
    """A concurrent committee member under the 大党委 system: a unit's party head serving on
    the street's or community's party committee for a term."""

    conference = models.ForeignKey(JointConference, on_delete=models.CASCADE, related_name="committee_members", verbose_name=_("joint conference"))
    person_name = models.CharField(_("full name"), max_length=50)
    unit = models.ForeignKey(ResidentUnit, on_delete=models.PROTECT, related_name="committee_members", verbose_name=_("from unit"))
    post = models.CharField(_("concurrent post"), max_length=60, default="兼职委员")
    unit_post = models.CharField(_("post in own unit"), max_length=60, blank=True)
    term_start = models.DateField(_("term starts"))
    term_end = models.DateField(_("term ends"), null=True, blank=True)

    search_fields = ("person_name", "post")
    history = HistoricalRecords()
    objects = ScopedQuerySet.as_manager()
    scope_path = "conference__node"

    class Meta:
        verbose_name = _("concurrent committee member")
        verbose_name_plural = _("concurrent committee members")
        ordering = ["conference", "term_start", "person_name"]

    def __str__(self):
        return f"{self.person_name}（{self.post}）"

    def get_absolute_url(self):
        return reverse("regional_building:committeemember_detail", args=[self.pk])

    def clean(self):
        super().clean()
        check_dates(self.term_start, self.term_end, "term_start", "term_end", _("The term cannot end before it starts."))
        if self.conference_id and self.unit_id and not _unit_in_reach(self.unit, self.conference.node):
            raise ValidationError({"unit": _("This unit is not located in the conference's area.")})


def minutes_path(instance, filename):
    ext = os.path.splitext(filename)[1].lower()
    return f"regional_building/minutes/{timezone.now():%Y/%m}/{uuid.uuid4().hex}{ext}"


class Meeting(VersionedModel):
    """A meeting of a joint conference. Its minutes are stored privately (MEDIA_ROOT) and
    downloaded only through a scoped view."""

    conference = models.ForeignKey(JointConference, on_delete=models.PROTECT, related_name="meetings", verbose_name=_("joint conference"))
    held_on = models.DateField(_("meeting date"))
    topics = models.TextField(_("topics"))
    resolutions = models.TextField(_("resolutions"), blank=True)
    attendees = models.ManyToManyField(ResidentUnit, blank=True, related_name="meetings_attended", verbose_name=_("units present"))
    minutes = models.FileField(_("minutes"), upload_to=minutes_path, blank=True, max_length=200)
    minutes_name = models.CharField(_("minutes file name"), max_length=200, blank=True, editable=False)
    created = models.DateTimeField(_("created"), auto_now_add=True)
    last_updated = models.DateTimeField(_("last updated"), auto_now=True)

    search_fields = ("topics", "resolutions", "conference__name")
    history = HistoricalRecords(excluded_fields=["created", "last_updated"], m2m_fields=[])
    objects = ScopedQuerySet.as_manager()
    scope_path = "conference__node"

    class Meta:
        verbose_name = _("conference meeting")
        verbose_name_plural = _("conference meetings")
        ordering = ["-held_on", "-id"]

    def __str__(self):
        return f"{self.conference} {self.held_on:%Y-%m-%d}"

    def get_absolute_url(self):
        return reverse("regional_building:meeting_detail", args=[self.pk])


class AgreementStatus(models.TextChoices):
    PENDING = "pending", _("not yet in force")
    IN_FORCE = "in_force", _("in force")
    EXPIRED = "expired", _("expired")
    TERMINATED = "terminated", _("terminated")


class AgreementQuerySet(ScopedQuerySet):
    def with_status(self, today: datetime.date | None = None):
        """Annotate ``status_value``: terminated when a termination date is set, otherwise from
        the validity dates against ``today``."""
        today = today or timezone.localdate()
        return self.annotate(
            status_value=Case(
                When(terminated_on__isnull=False, then=Value(AgreementStatus.TERMINATED.value)),
                When(valid_from__gt=today, then=Value(AgreementStatus.PENDING.value)),
                When(valid_until__lt=today, then=Value(AgreementStatus.EXPIRED.value)),
                default=Value(AgreementStatus.IN_FORCE.value),
                output_field=models.CharField(),
            )
        )


class Agreement(VersionedModel):
    """A joint-building agreement (共驻共建协议) between a street or community and a unit."""

    title = models.CharField(_("agreement title"), max_length=150)
    node = models.ForeignKey(NODE_MODEL, on_delete=models.PROTECT, related_name="agreements", verbose_name=_("street or community"))
    unit = models.ForeignKey(ResidentUnit, on_delete=models.PROTECT, related_name="agreements", verbose_name=_("resident unit"))
    signed_on = models.DateField(_("signed on"))
    valid_from = models.DateField(_("valid from"))
    valid_until = models.DateField(_("valid until"))
    terminated_on = models.DateField(_("terminated on"), null=True, blank=True)
    termination_reason = models.CharField(_("reason for termination"), max_length=200, blank=True)
    notes = models.TextField(_("notes"), blank=True)
    created = models.DateTimeField(_("created"), auto_now_add=True)
    last_updated = models.DateTimeField(_("last updated"), auto_now=True)

    search_fields = ("title", "unit__name")
    history = HistoricalRecords(excluded_fields=["created", "last_updated"])
    objects = AgreementQuerySet.as_manager()
    scope_path = "node"

    class Meta:
        verbose_name = _("joint-building agreement")
        verbose_name_plural = _("joint-building agreements")
        ordering = ["-signed_on", "-id"]

    def __str__(self):
        return self.title

    def get_absolute_url(self):
        return reverse("regional_building:agreement_detail", args=[self.pk])

    def status_on(self, today: datetime.date | None = None) -> AgreementStatus:
        today = today or timezone.localdate()
        if self.terminated_on:
            return AgreementStatus.TERMINATED
        if self.valid_from and today < self.valid_from:
            return AgreementStatus.PENDING
        if self.valid_until and today > self.valid_until:
            return AgreementStatus.EXPIRED
        return AgreementStatus.IN_FORCE

    @property
    def status(self) -> AgreementStatus:
        value = getattr(self, "status_value", None)
        return AgreementStatus(value) if value else self.status_on()

    def clean(self):
        super().clean()
        errors = {}
        if self.node_id:
            try:
                check_node_level(self.node, (Level.TOWNSHIP, Level.COMMUNITY))
            except ValidationError as exc:
                errors.update(exc.message_dict)
        if self.valid_from and self.valid_until and self.valid_until < self.valid_from:
            errors["valid_until"] = [_("The validity cannot end before it starts.")]
        if self.signed_on and self.valid_until and self.valid_until < self.signed_on:
            errors.setdefault("valid_until", []).append(_("The validity cannot end before the agreement is signed."))
        if self.terminated_on and self.signed_on and self.terminated_on < self.signed_on:
            errors["terminated_on"] = [_("An agreement cannot be terminated before it is signed.")]
        if self.terminated_on and not self.termination_reason.strip():
            errors["termination_reason"] = [_("Give the reason for terminating the agreement.")]
        if self.node_id and self.unit_id and not _unit_in_reach(self.unit, self.node):
            errors["unit"] = [_("This unit is not located in the same street as the agreement's street or community.")]
        if errors:
            raise ValidationError(errors)


class CommitmentCategory(models.TextChoices):
    PARTY_DAY = "party_day", _("hold one party day activity")
    SOLVE_PROBLEM = "solve_problem", _("solve one problem for the community")
    ADVICE = "advice", _("offer one proposal for community building")
    PRACTICAL_DEED = "practical_deed", _("do one practical thing for residents")
    OTHER = "other", _("other commitment")


FOUR_ONES = [
    CommitmentCategory.PARTY_DAY, CommitmentCategory.SOLVE_PROBLEM, CommitmentCategory.ADVICE,
    CommitmentCategory.PRACTICAL_DEED,
]


class CommitmentStatus(models.TextChoices):
    KEPT = "kept", _("kept")
    DUE = "due", _("due")
    OVERDUE = "overdue", _("overdue")


class CommitmentQuerySet(ScopedQuerySet):
    def with_status(self, today: datetime.date | None = None):
        """Annotate ``status_value``: kept once a fulfilment is recorded; otherwise overdue after
        the due date, due until then."""
        today = today or timezone.localdate()
        fulfilled = Exists(Fulfilment.objects.filter(commitment=OuterRef("pk")))
        return self.annotate(
            is_fulfilled=fulfilled,
            status_value=Case(
                When(is_fulfilled=True, then=Value(CommitmentStatus.KEPT.value)),
                When(due_on__lt=today, then=Value(CommitmentStatus.OVERDUE.value)),
                default=Value(CommitmentStatus.DUE.value),
                output_field=models.CharField(),
            ),
        )


class Commitment(VersionedModel):
    """One commitment of an agreement (the 四个一 or other), with a due date."""

    agreement = models.ForeignKey(Agreement, on_delete=models.CASCADE, related_name="commitments", verbose_name=_("joint-building agreement"))
    category = models.CharField(_("commitment category"), max_length=20, choices=CommitmentCategory.choices)
    description = models.CharField(_("commitment"), max_length=200)
    due_on = models.DateField(_("due date"))

    search_fields = ("description", "agreement__title")
    history = HistoricalRecords()
    objects = CommitmentQuerySet.as_manager()
    scope_path = "agreement__node"

    class Meta:
        verbose_name = _("commitment")
        verbose_name_plural = _("commitments")
        ordering = ["due_on", "id"]

    def __str__(self):
        return f"{self.get_category_display()}：{self.description}"

    def get_absolute_url(self):
        return reverse("regional_building:commitment_detail", args=[self.pk])

    def status_on(self, today: datetime.date | None = None) -> CommitmentStatus:
        today = today or timezone.localdate()
        if self.fulfilments.exists():
            return CommitmentStatus.KEPT
        return CommitmentStatus.OVERDUE if self.due_on < today else CommitmentStatus.DUE

    @property
    def status(self) -> CommitmentStatus:
        value = getattr(self, "status_value", None)
        return CommitmentStatus(value) if value else self.status_on()


class Fulfilment(VersionedModel):
    """A record that (part of) a commitment was carried out: date, what was done, evidence."""

    commitment = models.ForeignKey(Commitment, on_delete=models.CASCADE, related_name="fulfilments", verbose_name=_("commitment"))
    done_on = models.DateField(_("date carried out"))
    what_was_done = models.TextField(_("what was done"))
    evidence = models.CharField(_("evidence"), max_length=200, blank=True, help_text=_("e.g. photos filed, minutes, residents' signatures"))

    search_fields = ("what_was_done", "evidence")
    history = HistoricalRecords()
    objects = ScopedQuerySet.as_manager()
    scope_path = "commitment__agreement__node"

    class Meta:
        verbose_name = _("fulfilment record")
        verbose_name_plural = _("fulfilment records")
        ordering = ["-done_on", "-id"]

    def __str__(self):
        return f"{self.commitment.get_category_display()} {self.done_on:%Y-%m-%d}"

    def get_absolute_url(self):
        return reverse("regional_building:fulfilment_detail", args=[self.pk])

    def clean(self):
        super().clean()
        if self.commitment_id and self.done_on:
            signed = self.commitment.agreement.signed_on
            if self.done_on < signed:
                raise ValidationError(
                    {"done_on": _("A fulfilment cannot be dated before the agreement was signed (%(date)s).") % {"date": signed.isoformat()}}
                )
            if self.done_on > timezone.localdate():
                raise ValidationError({"done_on": _("A fulfilment cannot be dated in the future.")})


class RegistrationStatus(models.TextChoices):
    REGISTERED = "registered", _("registered")
    REVOKED = "revoked", _("revoked")


class MemberRegistration(VersionedModel):
    """An in-service party member reporting to their home community (在职党员到社区报到)."""

    name = models.CharField(_("member name"), max_length=50)
    phone = PhoneField(_("contact phone"))
    work_unit = models.ForeignKey(
        ResidentUnit, on_delete=models.PROTECT, null=True, blank=True, related_name="registered_members", verbose_name=_("work unit (registered)")
    )
    work_unit_name = models.CharField(_("work unit (other)"), max_length=120, blank=True, help_text=_("when the work unit is not a registered resident unit"))
    community = models.ForeignKey(NODE_MODEL, on_delete=models.PROTECT, related_name="member_registrations", verbose_name=_("home community"))
    registered_on = models.DateField(_("registered on"))
    status = models.CharField(_("registration status"), max_length=12, choices=RegistrationStatus.choices, default=RegistrationStatus.REGISTERED)
    revoked_on = models.DateField(_("revoked on"), null=True, blank=True)
    revoke_reason = models.CharField(_("reason for revoking"), max_length=200, blank=True)
    created = models.DateTimeField(_("created"), auto_now_add=True)
    last_updated = models.DateTimeField(_("last updated"), auto_now=True)

    search_fields = ("name", "work_unit_name", "work_unit__name")
    personal_fields = ("phone",)
    history = HistoricalRecords(excluded_fields=["created", "last_updated"])
    objects = ScopedQuerySet.as_manager()
    scope_path = "community"

    class Meta:
        verbose_name = _("in-service member registration")
        verbose_name_plural = _("in-service member registrations")
        ordering = ["-registered_on", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["community", "name", "phone"], condition=Q(status="registered"), name="rb_one_active_registration",
                violation_error_message=_("This member (same name and phone) is already registered in this community."),
            )
        ]

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return reverse("regional_building:memberregistration_detail", args=[self.pk])

    @property
    def work_unit_display(self) -> str:
        return self.work_unit.name if self.work_unit_id else self.work_unit_name

    def clean(self):
        super().clean()
        errors = {}
        if self.community_id:
            try:
                check_node_level(self.community, (Level.COMMUNITY,), "community")
            except ValidationError as exc:
                errors.update(exc.message_dict)
        if not self.work_unit_id and not self.work_unit_name.strip():
            errors["work_unit_name"] = [_("Choose the work unit or type its name.")]
        if self.status == RegistrationStatus.REVOKED:
            if not self.revoke_reason.strip():
                errors["revoke_reason"] = [_("Give the reason for revoking the registration.")]
            if not self.revoked_on:
                errors["revoked_on"] = [_("Give the date the registration was revoked.")]
        if self.revoked_on and self.registered_on and self.revoked_on < self.registered_on:
            errors["revoked_on"] = [_("A registration cannot be revoked before it was made.")]
        if errors:
            raise ValidationError(errors)


class PostCategory(models.TextChoices):
    SCIENCE = "science", _("science into the community")
    CULTURE = "culture", _("culture and sports into the community")
    EDUCATION = "education", _("education into the community")
    HEALTH = "health", _("health into the community")
    LAW = "law", _("rule of law into the community")
    SAFETY = "safety", _("safety into the community")
    VULNERABLE = "vulnerable", _("serving vulnerable groups")
    RESIDENTS = "residents", _("serving community residents")
    UNITS = "units", _("serving community units")
    LAID_OFF = "laid_off", _("serving laid-off workers")
    OTHER = "other", _("other service")


class ServicePost(VersionedModel):
    """A service post (服务岗位) offered by a community for members or units to claim."""

    community = models.ForeignKey(NODE_MODEL, on_delete=models.PROTECT, related_name="service_posts", verbose_name=_("community"))
    title = models.CharField(_("post title"), max_length=120)
    category = models.CharField(_("service category"), max_length=16, choices=PostCategory.choices)
    capacity = models.PositiveIntegerField(_("capacity"), validators=[MinValueValidator(1)], help_text=_("how many claims the post takes"))
    offered_on = models.DateField(_("offered on"))
    description = models.TextField(_("description"), blank=True)
    created = models.DateTimeField(_("created"), auto_now_add=True)
    last_updated = models.DateTimeField(_("last updated"), auto_now=True)

    search_fields = ("title", "description")
    history = HistoricalRecords(excluded_fields=["created", "last_updated"])
    objects = ScopedQuerySet.as_manager()
    scope_path = "community"

    class Meta:
        verbose_name = _("service post")
        verbose_name_plural = _("service posts")
        ordering = ["-offered_on", "-id"]

    def __str__(self):
        return self.title

    def get_absolute_url(self):
        return reverse("regional_building:servicepost_detail", args=[self.pk])

    def clean(self):
        super().clean()
        if self.community_id:
            check_node_level(self.community, (Level.COMMUNITY,), "community")


class Claim(VersionedModel):
    """A service post claimed (认领) by a registered member or by a unit, with hours served."""

    post = models.ForeignKey(ServicePost, on_delete=models.PROTECT, related_name="claims", verbose_name=_("service post"))
    member = models.ForeignKey(MemberRegistration, on_delete=models.PROTECT, null=True, blank=True, related_name="claims", verbose_name=_("claimed by member"))
    unit = models.ForeignKey(ResidentUnit, on_delete=models.PROTECT, null=True, blank=True, related_name="claims", verbose_name=_("claimed by unit"))
    claimed_on = models.DateField(_("claimed on"))
    hours = models.DecimalField(
        _("hours served"), max_digits=7, decimal_places=1, default=0,
        validators=[MinValueValidator(0, _("Hours cannot be negative.")), MaxValueValidator(10000)],
    )
    notes = models.CharField(_("notes"), max_length=200, blank=True)

    search_fields = ("post__title", "member__name", "unit__name", "notes")
    history = HistoricalRecords()
    objects = ScopedQuerySet.as_manager()
    scope_path = "post__community"

    class Meta:
        verbose_name = _("post claim")
        verbose_name_plural = _("post claims")
        ordering = ["-claimed_on", "-id"]

    def __str__(self):
        who = self.member.name if self.member_id else (self.unit.name if self.unit_id else "")
        return f"{self.post} · {who}"

    def get_absolute_url(self):
        return reverse("regional_building:claim_detail", args=[self.pk])

    @property
    def claimant(self) -> str:
        return self.member.name if self.member_id else (self.unit.name if self.unit_id else "")

    def clean(self):
        super().clean()
        if bool(self.member_id) == bool(self.unit_id):
            raise ValidationError({"member": _("A post is claimed either by a registered member or by a unit: choose exactly one.")})
        if self.member_id and self.post_id:
            if self.member.community_id != self.post.community_id:
                raise ValidationError({"member": _("The member is registered in another community than the post's.")})
            if self.member.status != RegistrationStatus.REGISTERED:
                raise ValidationError({"member": _("The member's registration has been revoked.")})
        if self.unit_id and self.post_id and not _unit_in_reach(self.unit, self.post.community):
            raise ValidationError({"unit": _("This unit is not located in the post's street.")})
        if self.claimed_on and self.post_id and self.claimed_on < self.post.offered_on:
            raise ValidationError({"claimed_on": _("A post cannot be claimed before it is offered.")})


class Feedback(VersionedModel):
    """Quarterly feedback to a member's work unit on their service in the community."""

    registration = models.ForeignKey(MemberRegistration, on_delete=models.CASCADE, related_name="feedbacks", verbose_name=_("in-service member"))
    year = models.PositiveIntegerField(_("year"), validators=[MinValueValidator(2000), MaxValueValidator(2100)])
    quarter = models.PositiveSmallIntegerField(_("quarter"), choices=[(1, _("Q1")), (2, _("Q2")), (3, _("Q3")), (4, _("Q4"))])
    assessment = models.TextField(_("service assessment"))
    sent_on = models.DateField(_("sent to work unit on"), null=True, blank=True)

    search_fields = ("registration__name", "assessment")
    history = HistoricalRecords()
    objects = ScopedQuerySet.as_manager()
    scope_path = "registration__community"

    class Meta:
        verbose_name = _("quarterly feedback")
        verbose_name_plural = _("quarterly feedback")
        ordering = ["-year", "-quarter", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["registration", "year", "quarter"], name="rb_feedback_once_per_quarter",
                violation_error_message=_("Feedback for this member and quarter already exists."),
            )
        ]

    def __str__(self):
        return _("%(name)s, %(year)d Q%(quarter)d") % {"name": self.registration, "year": self.year, "quarter": self.quarter}

    def get_absolute_url(self):
        return reverse("regional_building:feedback_detail", args=[self.pk])

    @property
    def work_unit_display(self) -> str:
        return self.registration.work_unit_display

    def quarter_hours(self):
        """Hours the member served in claimed posts during this quarter (one query)."""
        first_month = 3 * (self.quarter - 1) + 1
        total = self.registration.claims.filter(
            claimed_on__year=self.year, claimed_on__month__gte=first_month, claimed_on__month__lte=first_month + 2
        ).aggregate(total=models.Sum("hours"))["total"]
        return total or 0
