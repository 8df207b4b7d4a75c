"""有人管事: community cadres, their posts, training, welfare, awards and promotions, and the
party-member volunteer teams. 一肩挑 is never stored: it is derived from overlapping
secretary and director appointments (see ``staffing.selectors``)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from core.fields import MoneyField, PhoneField
from core.masking import lookup_hash
from core.scope import ScopedQuerySet
from staffing.idnumber import check_id_number
from core.versioning import VersionedModel

MIN_AGE, MAX_AGE = 18, 75


class Gender(models.TextChoices):
    MALE = "M", _("male")
    FEMALE = "F", _("female")


class Education(models.TextChoices):
    POSTGRADUATE = "postgraduate", _("postgraduate")
    BACHELOR = "bachelor", _("bachelor's degree")
    COLLEGE = "college", _("junior college (dazhuan)")
    SECONDARY = "secondary", _("senior high or technical school")
    JUNIOR = "junior", _("junior high or below")


# 大专以上: junior college and above.
COLLEGE_OR_ABOVE = [Education.POSTGRADUATE, Education.BACHELOR, Education.COLLEGE]


class Post(models.TextChoices):
    SECRETARY = "secretary", _("party organization secretary")
    DIRECTOR = "director", _("residents' committee director")
    DEPUTY_SECRETARY = "deputy_secretary", _("full-time deputy secretary")
    DEPUTY_DIRECTOR = "deputy_director", _("full-time deputy director")
    MEMBER = "member", _("committee member")
    PARTY_WORKER = "party_worker", _("full-time party worker")
    PARTY_ASSISTANT = "party_assistant", _("party-building assistant")
    GRADUATE_ASSISTANT = "graduate_assistant", _("college-graduate assistant")
    CONTRACT = "contract", _("contracted staff")
    PUBLIC_WELFARE = "public_welfare", _("public-welfare post")


class EmploymentForm(models.TextChoices):
    CAREER = "career", _("public institution establishment")
    CONTRACT = "contract", _("contracted")
    PUBLIC_WELFARE = "public_welfare", _("public-welfare post")
    SECONDED = "seconded", _("seconded or temporary assignment")


class RecruitmentChannel(models.TextChoices):
    STREET_SECONDED = "street_seconded", _("seconded from street (township) organs")
    OPEN_RECRUITMENT = "open_recruitment", _("open recruitment from society")
    SELECTED_GRADUATE = "selected_graduate", _("selected graduates or college-graduate village officials")
    ASSISTANT_HIRED = "assistant_hired", _("hired as assistant")
    PUBLIC_WELFARE = "public_welfare", _("public-welfare post supplement")


class SelectionMethod(models.TextChoices):
    TWO_RECOMMEND_ONE_ELECT = "two_recommend", _("two recommendations, one election")
    OPEN_RECOMMEND_DIRECT = "open_direct", _("open recommendation and direct election")
    OPEN_SELECTION = "open_selection", _("open selection")
    GENERAL_ELECTION = "general_election", _("general election")
    APPOINTMENT = "appointment", _("appointed")
    OTHER = "other", _("other method")


class CourseKind(models.TextChoices):
    LEADERS = "leaders", _("secretary and director class")
    CONCENTRATED = "concentrated", _("concentrated training")
    INDUCTION = "induction", _("induction training")
    SITE_VISIT = "site_visit", _("on-site observation")
    REMOTE = "remote", _("remote or online training")
    OTHER = "other", _("other training")


class RecognitionKind(models.TextChoices):
    AWARD = "award", _("award or commendation")
    PROMOTION = "promotion", _("promotion")


class RecognitionLevel(models.TextChoices):
    NATIONAL = "national", _("national level")
    PROVINCE = "province", _("provincial level")
    CITY = "city", _("city level")
    DISTRICT = "district", _("district level")
    STREET = "street", _("street level")


class ServiceType(models.TextChoices):
    PUBLICITY = "publicity", _("publicity and education")
    DISABLED = "disabled", _("helping the disabled and needy")
    MEDICAL = "medical", _("medical and health care")
    HOUSEHOLD = "household", _("household advice")
    CULTURE = "culture", _("culture, sports and hygiene")
    SAFETY = "safety", _("security and mediation")
    OTHER = "other", _("other service")


def age_on(birth: date, on: date) -> int:
    return on.year - birth.year - ((on.month, on.day) < (birth.month, birth.day))


def community_only(node) -> None:
    if node is not None and node.level != 5:
        raise ValidationError({"community": _("Choose a community, not a %(level)s.") % {"level": node.get_level_display()}})


class Cadre(VersionedModel):
    """A community cadre (社区干部): a person attached to one community."""

    community = models.ForeignKey(
        "communities.Node", on_delete=models.PROTECT, related_name="cadres", verbose_name=_("community"),
        limit_choices_to={"level": 5},
    )
    name = models.CharField(_("full name"), max_length=50)
    gender = models.CharField(_("gender"), max_length=1, choices=Gender.choices)
    birth_date = models.DateField(_("birth date"))
    education = models.CharField(_("education"), max_length=20, choices=Education.choices)
    is_party_member = models.BooleanField(_("party member"), default=True)
    party_join_date = models.DateField(_("party join date"), null=True, blank=True)
    phone = PhoneField(_("mobile phone"), max_length=20, blank=True)
    id_number = models.CharField(
        _("ID number"), max_length=18, unique=True,
        error_messages={"unique": _("A cadre with this ID number is already on record.")},
    )
    # Keyed hashes of the full numbers (core.masking.lookup_hash), filled on every save: the
    # list's search finds a cadre by a full ID number or phone through them (an indexed equality),
    # never by reading or unmasking the numbers.
    id_number_hash = models.CharField(max_length=64, blank=True, editable=False, db_index=True)
    phone_hash = models.CharField(max_length=64, blank=True, editable=False, db_index=True)
    created = models.DateTimeField(_("created"), auto_now_add=True)
    last_updated = models.DateTimeField(_("last updated"), auto_now=True)

    search_fields = ("name", "community__name")
    hashed_search_fields = ("id_number_hash", "phone_hash")
    # core.audit masks these in the history (detail pages, the change log) for users without
    # core.view_personal_data, as pages, API and exports do.
    personal_fields = ("id_number", "phone")
    history = HistoricalRecords(excluded_fields=["created", "last_updated", "id_number_hash", "phone_hash"])
    objects = ScopedQuerySet.as_manager()
    scope_path = "community"

    class Meta:
        verbose_name = _("community cadre")
        verbose_name_plural = _("community cadres")
        ordering = ["community__code", "name", "id"]

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return reverse("staffing:cadre_detail", args=[self.pk])

    def fill_lookup_hashes(self) -> None:
        self.id_number_hash = lookup_hash(self.id_number)
        self.phone_hash = lookup_hash(self.phone)

    def save(self, *args, **kwargs):
        self.fill_lookup_hashes()
        if kwargs.get("update_fields") is not None:
            kwargs["update_fields"] = {*kwargs["update_fields"], "id_number_hash", "phone_hash"}
        super().save(*args, **kwargs)

    @property
    def age(self) -> int | None:
        return age_on(self.birth_date, timezone.localdate()) if self.birth_date else None

    def clean(self):
        super().clean()
        errors: dict[str, list] = {}
        if self.community_id:
            try:
                community_only(self.community)
            except ValidationError as exc:
                errors.update(exc.message_dict)
        today = timezone.localdate()
        if self.birth_date:
            if self.birth_date > today:
                errors.setdefault("birth_date", []).append(_("The birth date cannot be in the future."))
            elif not MIN_AGE <= age_on(self.birth_date, today) <= MAX_AGE:
                errors.setdefault("birth_date", []).append(
                    _("A cadre must be between %(min)d and %(max)d years old; this birth date gives %(age)d.")
                    % {"min": MIN_AGE, "max": MAX_AGE, "age": age_on(self.birth_date, today)}
                )
        if self.id_number:
            self.id_number = self.id_number.strip().upper()
            problem = check_id_number(self.id_number, birth_date=self.birth_date, gender=self.gender)
            if problem:
                errors.setdefault("id_number", []).append(problem)
        if self.party_join_date:
            if not self.is_party_member:
                errors.setdefault("party_join_date", []).append(_("Only a party member has a party join date."))
            elif self.party_join_date > today:
                errors.setdefault("party_join_date", []).append(_("The party join date cannot be in the future."))
            elif self.birth_date and age_on(self.birth_date, self.party_join_date) < 18:
                errors.setdefault("party_join_date", []).append(_("One joins the party at 18 at the earliest."))
        if errors:
            raise ValidationError(errors)


class Appointment(VersionedModel):
    """A post held by a cadre from a date to a date (or open). A cadre may hold several."""

    cadre = models.ForeignKey(Cadre, on_delete=models.CASCADE, related_name="appointments", verbose_name=_("cadre"))
    post = models.CharField(_("post"), max_length=24, choices=Post.choices)
    start_date = models.DateField(_("start date"))
    end_date = models.DateField(_("end date"), null=True, blank=True, help_text=_("Leave empty while the post is held."))
    employment_form = models.CharField(_("employment form"), max_length=20, choices=EmploymentForm.choices)
    recruitment_channel = models.CharField(_("recruitment channel"), max_length=24, choices=RecruitmentChannel.choices)
    selection_method = models.CharField(_("selection method"), max_length=24, choices=SelectionMethod.choices)
    appointed_by = models.CharField(_("appointed by"), max_length=100, blank=True)
    note = models.CharField(_("note"), max_length=200, blank=True)
    created = models.DateTimeField(_("created"), auto_now_add=True)
    last_updated = models.DateTimeField(_("last updated"), auto_now=True)

    search_fields = ("cadre__name", "appointed_by")
    history = HistoricalRecords(excluded_fields=["created", "last_updated"])
    objects = ScopedQuerySet.as_manager()
    scope_path = "cadre__community"

    class Meta:
        verbose_name = _("appointment")
        verbose_name_plural = _("appointments")
        ordering = ["cadre__community__code", "cadre__name", "-start_date", "id"]
        indexes = [models.Index(fields=["post", "start_date", "end_date"], name="appointment_post_dates_idx")]

    def __str__(self):
        return f"{self.cadre} · {self.get_post_display()}"

    def get_absolute_url(self):
        return reverse("staffing:appointment_detail", args=[self.pk])

    @property
    def is_active(self) -> bool:
        today = timezone.localdate()
        return self.start_date <= today and (self.end_date is None or self.end_date >= today)

    def clean(self):
        super().clean()
        if self.start_date and self.end_date and self.end_date < self.start_date:
            raise ValidationError({"end_date": _("An appointment cannot end before it starts.")})


class TrainingCourse(VersionedModel):
    """A training course (培训班) organized by a node of any level."""

    name = models.CharField(_("course name"), max_length=100)
    kind = models.CharField(_("course kind"), max_length=20, choices=CourseKind.choices)
    organizer = models.ForeignKey(
        "communities.Node", on_delete=models.PROTECT, related_name="training_courses", verbose_name=_("organizer")
    )
    start_date = models.DateField(_("start date"))
    end_date = models.DateField(_("end date"))
    hours = models.DecimalField(
        _("class hours"), max_digits=6, decimal_places=1,
        validators=[MinValueValidator(Decimal("0.1"), _("Training hours must be greater than 0."))],
    )
    location = models.CharField(_("location"), max_length=100, blank=True)
    created = models.DateTimeField(_("created"), auto_now_add=True)
    last_updated = models.DateTimeField(_("last updated"), auto_now=True)

    search_fields = ("name", "location", "organizer__name")
    history = HistoricalRecords(excluded_fields=["created", "last_updated"])
    objects = ScopedQuerySet.as_manager()
    scope_path = "organizer"

    class Meta:
        verbose_name = _("training course")
        verbose_name_plural = _("training courses")
        ordering = ["-start_date", "name", "id"]

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return reverse("staffing:trainingcourse_detail", args=[self.pk])

    def clean(self):
        super().clean()
        if self.start_date and self.end_date and self.end_date < self.start_date:
            raise ValidationError({"end_date": _("A course cannot end before it starts.")})


class Attendance(VersionedModel):
    """A cadre's attendance at a course; only cadres in the clerk's scope can be registered."""

    course = models.ForeignKey(TrainingCourse, on_delete=models.CASCADE, related_name="attendances", verbose_name=_("training course"))
    cadre = models.ForeignKey(Cadre, on_delete=models.CASCADE, related_name="attendances", verbose_name=_("cadre"))
    completed = models.BooleanField(_("completed"), default=True)
    note = models.CharField(_("note"), max_length=200, blank=True)
    created = models.DateTimeField(_("created"), auto_now_add=True)
    last_updated = models.DateTimeField(_("last updated"), auto_now=True)

    search_fields = ("cadre__name", "course__name")
    history = HistoricalRecords(excluded_fields=["created", "last_updated"])
    objects = ScopedQuerySet.as_manager()
    scope_path = "cadre__community"

    class Meta:
        verbose_name = _("training attendance")
        verbose_name_plural = _("training attendances")
        ordering = ["-course__start_date", "cadre__name", "id"]
        constraints = [models.UniqueConstraint(fields=["course", "cadre"], name="unique_attendance")]

    def __str__(self):
        return f"{self.cadre} · {self.course}"

    def get_absolute_url(self):
        return reverse("staffing:attendance_detail", args=[self.pk])

    def validate_constraints(self, exclude=None):
        try:
            super().validate_constraints(exclude=exclude)
        except ValidationError:
            raise ValidationError({"cadre": _("This cadre is already registered for this course.")})


class Welfare(VersionedModel):
    """A cadre's allowance and insurance for one year (yuan)."""

    cadre = models.ForeignKey(Cadre, on_delete=models.CASCADE, related_name="welfare", verbose_name=_("cadre"))
    year = models.PositiveSmallIntegerField(
        _("year"), validators=[MinValueValidator(2000), MaxValueValidator(2100)]
    )
    allowance = MoneyField(_("allowance or salary"), default=Decimal("0"))
    pension = MoneyField(_("pension insurance"), default=Decimal("0"))
    medical = MoneyField(_("medical insurance"), default=Decimal("0"))
    unemployment = MoneyField(_("unemployment insurance"), default=Decimal("0"))
    created = models.DateTimeField(_("created"), auto_now_add=True)
    last_updated = models.DateTimeField(_("last updated"), auto_now=True)

    search_fields = ("cadre__name",)
    history = HistoricalRecords(excluded_fields=["created", "last_updated"])
    objects = ScopedQuerySet.as_manager()
    scope_path = "cadre__community"

    class Meta:
        verbose_name = _("yearly welfare")
        verbose_name_plural = _("yearly welfare")
        ordering = ["-year", "cadre__community__code", "cadre__name", "id"]
        constraints = [models.UniqueConstraint(fields=["cadre", "year"], name="unique_welfare_year")]

    def __str__(self):
        return f"{self.cadre} · {self.year}"

    def get_absolute_url(self):
        return reverse("staffing:welfare_detail", args=[self.pk])

    @property
    def total(self) -> Decimal:
        return (self.allowance or 0) + (self.pension or 0) + (self.medical or 0) + (self.unemployment or 0)

    def validate_constraints(self, exclude=None):
        try:
            super().validate_constraints(exclude=exclude)
        except ValidationError:
            raise ValidationError({"year": _("This cadre already has a welfare record for this year.")})


class Recognition(VersionedModel):
    """An award (表彰) or a promotion to a street/district post."""

    cadre = models.ForeignKey(Cadre, on_delete=models.CASCADE, related_name="recognitions", verbose_name=_("cadre"))
    kind = models.CharField(_("kind"), max_length=12, choices=RecognitionKind.choices)
    title = models.CharField(_("award or new post"), max_length=100)
    level = models.CharField(_("level"), max_length=12, choices=RecognitionLevel.choices)
    date = models.DateField(_("date"))
    granted_by = models.CharField(_("granted by"), max_length=100, blank=True)
    created = models.DateTimeField(_("created"), auto_now_add=True)
    last_updated = models.DateTimeField(_("last updated"), auto_now=True)

    search_fields = ("cadre__name", "title", "granted_by")
    history = HistoricalRecords(excluded_fields=["created", "last_updated"])
    objects = ScopedQuerySet.as_manager()
    scope_path = "cadre__community"

    class Meta:
        verbose_name = _("award or promotion")
        verbose_name_plural = _("awards and promotions")
        ordering = ["-date", "id"]

    def __str__(self):
        return f"{self.cadre} · {self.title}"

    def get_absolute_url(self):
        return reverse("staffing:recognition_detail", args=[self.pk])

    def clean(self):
        super().clean()
        if self.date and self.date > timezone.localdate():
            raise ValidationError({"date": _("The date cannot be in the future.")})


class VolunteerTeam(VersionedModel):
    """A party-member volunteer service team (党员志愿服务队) of one community."""

    name = models.CharField(_("team name"), max_length=100)
    community = models.ForeignKey(
        "communities.Node", on_delete=models.PROTECT, related_name="volunteer_teams", verbose_name=_("community"),
        limit_choices_to={"level": 5},
    )
    service_type = models.CharField(_("service type"), max_length=20, choices=ServiceType.choices)
    founded_on = models.DateField(_("founded on"))
    leader = models.CharField(_("team leader"), max_length=50, blank=True)
    created = models.DateTimeField(_("created"), auto_now_add=True)
    last_updated = models.DateTimeField(_("last updated"), auto_now=True)

    search_fields = ("name", "community__name", "leader")
    history = HistoricalRecords(excluded_fields=["created", "last_updated"])
    objects = ScopedQuerySet.as_manager()
    scope_path = "community"

    class Meta:
        verbose_name = _("volunteer team")
        verbose_name_plural = _("volunteer teams")
        ordering = ["community__code", "name", "id"]

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return reverse("staffing:volunteerteam_detail", args=[self.pk])

    def clean(self):
        super().clean()
        community_only(self.community if self.community_id else None)
        if self.founded_on and self.founded_on > timezone.localdate():
            raise ValidationError({"founded_on": _("The founding date cannot be in the future.")})


class Volunteer(VersionedModel):
    """A member of a volunteer team."""

    team = models.ForeignKey(VolunteerTeam, on_delete=models.CASCADE, related_name="members", verbose_name=_("volunteer team"))
    name = models.CharField(_("full name"), max_length=50)
    gender = models.CharField(_("gender"), max_length=1, choices=Gender.choices)
    is_party_member = models.BooleanField(_("party member"), default=True)
    joined_on = models.DateField(_("joined on"))
    skills = models.CharField(_("skills"), max_length=100, blank=True)
    created = models.DateTimeField(_("created"), auto_now_add=True)
    last_updated = models.DateTimeField(_("last updated"), auto_now=True)

    search_fields = ("name", "team__name", "skills")
    history = HistoricalRecords(excluded_fields=["created", "last_updated"])
    objects = ScopedQuerySet.as_manager()
    scope_path = "team__community"

    class Meta:
        verbose_name = _("volunteer")
        verbose_name_plural = _("volunteers")
        ordering = ["team__community__code", "team__name", "name", "id"]

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return reverse("staffing:volunteer_detail", args=[self.pk])

    def clean(self):
        super().clean()
        if self.joined_on and self.joined_on > timezone.localdate():
            raise ValidationError({"joined_on": _("The joining date cannot be in the future.")})
