"""Annual assessment (考核考评): a scheme of indicators per district and year, a scoring job,
one result per community and year with its scores, a review workflow and a ranking."""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils import timezone
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from communities.models import Level
from core.scope import ScopedQuerySet
from core.versioning import VersionedModel

YEAR_VALIDATORS = [MinValueValidator(2000), MaxValueValidator(2100)]
WEIGHT = dict(max_digits=6, decimal_places=2, validators=[MinValueValidator(Decimal("0"))])


class Scheme(VersionedModel):
    """A district's indicator scheme for one year, with its grade thresholds."""

    district = models.ForeignKey(
        "communities.Node", on_delete=models.PROTECT, related_name="assessment_schemes", verbose_name=_("district")
    )
    year = models.PositiveSmallIntegerField(_("assessment year"), validators=YEAR_VALIDATORS)
    name = models.CharField(_("scheme name"), max_length=100)
    excellent_from = models.DecimalField(_("excellent from"), default=Decimal("90"), **WEIGHT)
    good_from = models.DecimalField(_("good from"), default=Decimal("80"), **WEIGHT)
    pass_from = models.DecimalField(_("pass from"), default=Decimal("60"), **WEIGHT)
    created = models.DateTimeField(_("created"), auto_now_add=True)
    last_updated = models.DateTimeField(_("last updated"), auto_now=True)

    history = HistoricalRecords(excluded_fields=["created", "last_updated"])
    objects = ScopedQuerySet.as_manager()
    scope_path = "district"
    search_fields = ("name", "district__name")

    class Meta:
        verbose_name = _("assessment scheme")
        verbose_name_plural = _("assessment schemes")
        ordering = ["-year", "district__code"]
        constraints = [models.UniqueConstraint(fields=["district", "year"], name="unique_scheme_per_district_year")]

    def __str__(self):
        return f"{self.district.name} {self.year} · {self.name}"

    def get_absolute_url(self):
        return reverse("assessments:scheme_detail", args=[self.pk])

    @property
    def locked(self) -> bool:
        """Scoring has started: the indicators may no longer change."""
        return self.runs.exists()

    def grade_for(self, total) -> str:
        if total is None:
            return ""
        if total >= self.excellent_from:
            return Grade.EXCELLENT
        if total >= self.good_from:
            return Grade.GOOD
        if total >= self.pass_from:
            return Grade.PASS
        return Grade.FAIL

    def clean(self):
        if self.district_id and self.district.level != Level.COUNTY:
            raise ValidationError({"district": _("A scheme belongs to a district (county level).")})
        if None not in (self.excellent_from, self.good_from, self.pass_from) and not (
            Decimal("100") >= self.excellent_from > self.good_from > self.pass_from >= 0
        ):
            raise ValidationError(_("Grade thresholds must fall: 100 ≥ excellent > good > pass ≥ 0."))


class Grade(models.TextChoices):
    EXCELLENT = "excellent", _("excellent grade")
    GOOD = "good", _("good grade")
    PASS = "pass", _("pass grade")
    FAIL = "fail", _("fail grade")


class Method(models.TextChoices):
    AUTO = "auto", _("automatic")
    MANUAL = "manual", _("manual")


class ScoredBy(models.TextChoices):
    """Who scores a manual indicator by hand: the street's clerks, or the district's reviewers
    (the organization department). Automatic indicators are computed; only a reviewer adjusts them."""

    STREET = "street", _("scored by the street")
    DISTRICT = "district", _("scored by the district")


class Indicator(VersionedModel):
    """One indicator of a scheme; areas have children, leaves are scored."""

    scheme = models.ForeignKey(Scheme, on_delete=models.CASCADE, related_name="indicators", verbose_name=_("assessment scheme"))
    parent = models.ForeignKey(
        "self", on_delete=models.CASCADE, null=True, blank=True, related_name="children", verbose_name=_("parent indicator")
    )
    position = models.PositiveSmallIntegerField(_("position"), default=0)
    name = models.CharField(_("indicator name"), max_length=100)
    weight = models.DecimalField(_("maximum score"), **WEIGHT)
    method = models.CharField(_("scoring method"), max_length=8, choices=Method.choices, default=Method.AUTO)
    rule = models.CharField(_("rule"), max_length=16, blank=True)
    params = models.JSONField(_("rule parameters"), default=dict, blank=True)
    scored_by = models.CharField(
        _("scored by"), max_length=8, choices=ScoredBy.choices, blank=True,
        help_text=_("Manual indicators only: who scores it by hand. Automatic scores can be changed only by a reviewer."),
    )
    description = models.CharField(_("scoring criteria"), max_length=300, blank=True)

    history = HistoricalRecords()
    objects = ScopedQuerySet.as_manager()
    scope_path = "scheme__district"
    search_fields = ("name",)

    class Meta:
        verbose_name = _("indicator")
        verbose_name_plural = _("indicators")
        ordering = ["scheme", "parent_id", "position", "id"]

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return reverse("assessments:scheme_detail", args=[self.scheme_id])

    def clean(self):
        from assessments.rules import validate_rule

        if self.parent_id and self.parent.scheme_id != self.scheme_id:
            raise ValidationError({"parent": _("The parent indicator belongs to another scheme.")})
        if self.method == Method.AUTO and self.parent_id is not None:
            validate_rule(self.rule, self.params)
        if self.method == Method.MANUAL:
            self.rule, self.params = "", {}
            if self.parent_id is not None and not self.scored_by:
                raise ValidationError({"scored_by": _("Say who scores this manual indicator: the street or the district.")})
        else:
            self.scored_by = ""


class RunState(models.TextChoices):
    RUNNING = "running", _("running")
    FINISHED = "finished", _("finished")


class Run(models.Model):
    """One scoring job: every community of the scheme's district, in chunks."""

    scheme = models.ForeignKey(Scheme, on_delete=models.PROTECT, related_name="runs", verbose_name=_("assessment scheme"))
    state = models.CharField(_("job state"), max_length=10, choices=RunState.choices, default=RunState.RUNNING)
    total = models.PositiveIntegerField(_("communities to score"), default=0)
    done = models.PositiveIntegerField(_("communities scored"), default=0)
    chunk_size = models.PositiveIntegerField(_("chunk size"), default=200)
    started_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("started by")
    )
    started = models.DateTimeField(_("started at"), auto_now_add=True)
    finished = models.DateTimeField(_("finished at"), null=True, blank=True)
    # When a chunk was last scored or the unfinished chunks last queued: a running job whose
    # progress is older than SANQI_JOB_STALL_SECONDS is queued again (core.jobs).
    progressed = models.DateTimeField(_("last progress"), default=timezone.now, db_index=True)

    objects = ScopedQuerySet.as_manager()
    scope_path = "scheme__district"

    class Meta:
        verbose_name = _("scoring job")
        verbose_name_plural = _("scoring jobs")
        ordering = ["-started"]

    def __str__(self):
        return f"{self.scheme} #{self.pk}"

    def get_absolute_url(self):
        return reverse("assessments:run_detail", args=[self.pk])

    @property
    def percent(self) -> int:
        return int(self.done * 100 / self.total) if self.total else 100


class Chunk(models.Model):
    """A slice of a run's communities; ``done`` is set in the transaction that writes its scores."""

    run = models.ForeignKey(Run, on_delete=models.CASCADE, related_name="chunks")
    number = models.PositiveIntegerField()
    community_ids = models.JSONField()
    done = models.BooleanField(default=False)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["run", "number"], name="unique_chunk_number")]
        ordering = ["run", "number"]


class State(models.TextChoices):
    DRAFT = "draft", _("draft")
    SUBMITTED = "submitted", _("submitted")
    RETURNED = "returned", _("returned")
    APPROVED = "approved", _("approved")


class Result(VersionedModel):
    """A community's assessment for one year: its totals and where it stands in the workflow."""

    scheme = models.ForeignKey(Scheme, on_delete=models.PROTECT, related_name="results", verbose_name=_("assessment scheme"))
    community = models.ForeignKey(
        "communities.Node", on_delete=models.PROTECT, related_name="assessment_results", verbose_name=_("community")
    )
    year = models.PositiveSmallIntegerField(_("assessment year"))
    state = models.CharField(_("review state"), max_length=10, choices=State.choices, default=State.DRAFT)
    computed_total = models.DecimalField(_("computed total"), max_digits=6, decimal_places=2, default=Decimal("0"))
    final_total = models.DecimalField(_("final total"), max_digits=6, decimal_places=2, default=Decimal("0"))
    comment = models.CharField(_("review comment"), max_length=500, blank=True)
    scored = models.DateTimeField(_("scored at"), null=True, blank=True)

    history = HistoricalRecords(excluded_fields=["scored"])
    objects = ScopedQuerySet.as_manager()
    scope_path = "community"
    search_fields = ("community__name", "community__code")

    class Meta:
        verbose_name = _("assessment result")
        verbose_name_plural = _("assessment results")
        ordering = ["year", "community__code"]
        constraints = [models.UniqueConstraint(fields=["community", "year"], name="unique_result_per_community_year")]

    def __str__(self):
        return f"{self.community.name} {self.year}"

    def change_log_name(self) -> str:
        return _("%(year)s %(community)s assessment result") % {"year": self.year, "community": self.community.name}

    def get_absolute_url(self):
        return reverse("assessments:result_detail", args=[self.pk])

    @property
    def grade(self) -> str:
        return self.scheme.grade_for(self.final_total)

    def get_grade_display(self) -> str:
        return Grade(self.grade).label if self.grade else ""


class Score(models.Model):
    """The score of one leaf indicator for one community and year, with its evidence."""

    result = models.ForeignKey(Result, on_delete=models.CASCADE, related_name="scores", verbose_name=_("assessment result"))
    community = models.ForeignKey("communities.Node", on_delete=models.PROTECT, related_name="+", verbose_name=_("community"))
    year = models.PositiveSmallIntegerField(_("assessment year"))
    indicator = models.ForeignKey(Indicator, on_delete=models.PROTECT, related_name="scores", verbose_name=_("indicator"))
    computed = models.DecimalField(_("computed score"), max_digits=6, decimal_places=2, null=True, blank=True)
    final = models.DecimalField(_("final score"), max_digits=6, decimal_places=2, null=True, blank=True)
    evidence = models.JSONField(_("scoring evidence"), default=dict, blank=True)
    adjusted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("adjusted by")
    )
    adjusted_at = models.DateTimeField(_("adjusted at"), null=True, blank=True)
    adjust_reason = models.CharField(_("reason for adjustment"), max_length=300, blank=True)

    history = HistoricalRecords()
    objects = ScopedQuerySet.as_manager()
    scope_path = "community"

    class Meta:
        verbose_name = _("indicator score")
        verbose_name_plural = _("indicator scores")
        ordering = ["indicator__parent__position", "indicator__position", "indicator_id"]
        constraints = [
            models.UniqueConstraint(fields=["community", "year", "indicator"], name="unique_score_per_community_year_indicator")
        ]

    # the result it belongs to is named by the score itself (community and year)
    audit_hidden_fields = ("result",)

    def __str__(self):
        return f"{self.community_id} {self.year} {self.indicator}"

    def change_log_name(self) -> str:
        return f"{self.indicator.name} — {self.community.name} {self.year}"

    def get_absolute_url(self):
        return reverse("assessments:result_detail", args=[self.result_id])


class Event(models.Model):
    """One step of a result's workflow: who moved it, when, from where to where, and why."""

    result = models.ForeignKey(Result, on_delete=models.CASCADE, related_name="events", verbose_name=_("assessment result"))
    action = models.CharField(_("action"), max_length=12)
    from_state = models.CharField(_("from state"), max_length=10, choices=State.choices)
    to_state = models.CharField(_("to state"), max_length=10, choices=State.choices)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("by"))
    when = models.DateTimeField(_("time"), auto_now_add=True)
    comment = models.CharField(_("comment or reason"), max_length=500, blank=True)

    objects = ScopedQuerySet.as_manager()
    scope_path = "result__community"

    class Meta:
        verbose_name = _("workflow step")
        verbose_name_plural = _("workflow steps")
        ordering = ["when", "id"]

    def __str__(self):
        return f"{self.result} {self.action}"
