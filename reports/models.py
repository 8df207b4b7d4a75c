"""Year-end 三有一化 summaries (年终工作总结) and the suggestion texts they draw on."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from communities.models import Level
from core.scope import ScopedQuerySet
from core.versioning import VersionedModel



class ProblemKind(models.TextChoices):
    """Kinds of problem the drafting finds in the data; each has its suggestion text. ``GUIDING``
    is no problem: the guiding clause of the summary's opening, set once by a district."""

    GUIDING = "guiding", _("guiding clause of the opening")
    DATA_MISSING = "data_missing", _("data not reported")
    FUNDS_BELOW = "funds_below", _("funds below the standard")
    AREA_BELOW = "area_below", _("venue area below the standard")
    LOW_COLLEGE = "low_college", _("low share of cadres with junior college or above")
    NO_ONE_SHOULDER = "no_one_shoulder", _("secretary and director not one person")
    NO_PARTY_WORKER = "no_party_worker", _("no full-time party worker")
    CONFERENCE_IDLE = "conference_idle", _("joint conferences that did not meet")
    COMMITMENTS_OVERDUE = "commitments_overdue", _("overdue joint-building commitments")
    WEAK_ASSESSMENT = "weak_assessment", _("weak assessment results")


class SuggestionText(VersionedModel):
    """The 意见和建议 paragraph a node writes for one kind of problem. A summary takes, for each
    kind of problem it found, the text of the node itself or of its nearest ancestor, else the
    built-in text (reports.drafting.DEFAULT_SUGGESTIONS)."""

    node = models.ForeignKey(
        "communities.Node", on_delete=models.PROTECT, related_name="suggestion_texts", verbose_name=_("set by"),
        limit_choices_to={"level__lt": Level.COMMUNITY},
    )
    kind = models.CharField(_("kind of problem"), max_length=24, choices=ProblemKind.choices)
    text = models.TextField(_("suggestion text"))
    created = models.DateTimeField(_("created"), auto_now_add=True)
    last_updated = models.DateTimeField(_("last updated"), auto_now=True)

    history = HistoricalRecords(excluded_fields=["created", "last_updated"])
    objects = ScopedQuerySet.as_manager()
    scope_path = "node"
    search_fields = ("node__name", "node__code", "text")

    class Meta:
        verbose_name = _("suggestion text")
        verbose_name_plural = _("suggestion texts")
        ordering = ["node__code", "kind"]
        constraints = [models.UniqueConstraint(fields=["node", "kind"], name="reports_one_suggestion_per_node_kind")]

    def __str__(self):
        return f"{self.node.name} · {self.get_kind_display()}"

    @property
    def name(self):
        return str(self)

    def get_absolute_url(self):
        return reverse("reports:suggestion_edit", args=[self.pk])


class SummaryState(models.TextChoices):
    QUEUED = "queued", _("queued")
    RUNNING = "running", _("being drafted")
    DRAFT = "draft", _("draft")
    FINAL = "final", _("final")
    SUPERSEDED = "superseded", _("superseded by a newer final version")
    FAILED = "failed", _("failed")


class Summary(models.Model):
    """One version of a node's year-end summary.

    Drafting (reports.services) writes the text ``blocks`` from the data, keeps the figures it
    used (``figures``) and writes the statistical tables (``statistics``, .xlsx). The text is
    edited in the browser while a draft; finalising freezes it and writes the Word document
    (``document``). Nothing here reads live data again: a final summary does not change when
    the data do. Drafting again makes a new version.
    """

    node = models.ForeignKey(
        "communities.Node", on_delete=models.PROTECT, related_name="summaries", verbose_name=_("street or district")
    )
    year = models.PositiveSmallIntegerField(_("year"))
    version = models.PositiveIntegerField(_("version"), default=1)
    state = models.CharField(_("state"), max_length=10, choices=SummaryState.choices, default=SummaryState.QUEUED)
    title = models.CharField(_("title"), max_length=200, blank=True)
    blocks = models.JSONField(_("text"), default=list, blank=True)
    figures = models.JSONField(_("figures used"), default=dict, blank=True)
    statistics = models.FileField(_("statistical tables"), upload_to="reports/statistics/", blank=True, max_length=200)
    document = models.FileField(_("Word document"), upload_to="reports/documents/", blank=True, max_length=200)
    revision = models.PositiveIntegerField(_("text revisions"), default=0, help_text=_("saved edits of the text"))
    steps_done = models.PositiveSmallIntegerField(_("steps done"), default=0)
    steps_total = models.PositiveSmallIntegerField(_("steps"), default=1)
    error = models.TextField(_("error"), blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("drafted by")
    )
    created = models.DateTimeField(_("drafted at"), auto_now_add=True)
    # Also the drafting job's last progress: a queued or running draft older than
    # SANQI_JOB_STALL_SECONDS is queued again (reports.services.requeue_stalled_drafts).
    last_updated = models.DateTimeField(_("last updated"), auto_now=True, db_index=True)
    language = models.CharField(_("language"), max_length=10, blank=True, help_text=_("the language it is drafted in"))
    finalised_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+",
        verbose_name=_("finalised by"),
    )
    finalised_at = models.DateTimeField(_("finalised at"), null=True, blank=True)

    # The trail records who drafted, edited (each save of the text counts one revision) and
    # finalised; the text itself and the files are not copied into it (versions keep drafts apart).
    history = HistoricalRecords(excluded_fields=[
        "blocks", "figures", "last_updated", "steps_done", "steps_total", "error", "statistics", "document",
        "finalised_at", "language",
    ])
    objects = ScopedQuerySet.as_manager()
    scope_path = "node"
    search_fields = ("node__name", "node__code", "title")

    class Meta:
        verbose_name = _("year-end summary")
        verbose_name_plural = _("year-end summaries")
        ordering = ["-year", "node__code", "-version"]
        constraints = [models.UniqueConstraint(fields=["node", "year", "version"], name="reports_summary_version")]

    def __str__(self):
        return self.title or f"{self.node.name} {self.year}"

    @property
    def name(self):
        return str(self)

    def get_absolute_url(self):
        return reverse("reports:summary_detail", args=[self.pk])

    @property
    def percent(self) -> int:
        if self.state in (SummaryState.DRAFT, SummaryState.FINAL, SummaryState.SUPERSEDED):
            return 100
        return int(100 * self.steps_done / max(self.steps_total, 1))

    @property
    def is_ready(self) -> bool:
        return self.state in (SummaryState.DRAFT, SummaryState.FINAL, SummaryState.SUPERSEDED)

    @property
    def is_final(self) -> bool:
        """Frozen: final, or final and since superseded by a newer final version."""
        return self.state in (SummaryState.FINAL, SummaryState.SUPERSEDED)


class FiguresEpoch(models.Model):
    """A token that is part of every cached dashboard's key (reports.cache).

    Changed when a change could not be announced to the cache (Redis unreachable at commit) and by
    ``manage.py clear_figures_cache`` (after a database restore): figures cached before are then
    never served again, whatever the cache itself kept. One row."""

    token = models.CharField(max_length=32)
    changed = models.DateTimeField(auto_now=True)
    reason = models.CharField(max_length=200, blank=True)

    class Meta:
        verbose_name = _("figures cache epoch")
        verbose_name_plural = _("figures cache epochs")

    def __str__(self):
        return self.token
