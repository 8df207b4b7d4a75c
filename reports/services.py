"""Writing year-end summaries: start (inline for a small node, a Celery job for a large one),
edit the draft's text, finalise. Every change goes through here (HackSoft services)."""

from __future__ import annotations

import io
import logging
from datetime import timedelta

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.base import ContentFile
from django.db import DatabaseError, IntegrityError, transaction
from django.db.models import Max
from django.utils import formats, timezone, translation
from django.utils.translation import gettext as _

from communities.models import Level, Node
from core import versioning
from core.jobs import queue_after_commit, queue_now
from core.jobs import stall_seconds as job_stall_seconds
from core.scope import Action, node_in_scope
from core.services import scoped_delete, scoped_save
from core.versioning import locked_update
from reports import drafting
from reports.documents import summary_docx
from reports.models import SuggestionText, Summary, SummaryState
from reports.tables import statistics_workbook, table_header, table_rows

log = logging.getLogger(__name__)
STEPS = 4
# Summaries and their suggestion texts are written by the node's clerks (entry) and by its
# organization department (reviewers).
WRITERS = (Action.CHANGE, Action.REVIEW)


def may_write(user, node: Node) -> bool:
    return any(node_in_scope(user, node, action) for action in WRITERS)


def _check_writer(actor, node: Node) -> None:
    if not may_write(actor, node):
        raise PermissionDenied(_("You may read this node's summaries but not write them."))


def summary_start(*, actor, node: Node, year: int, enqueue: bool | None = None) -> Summary:
    """Make a new version of the node's summary for ``year`` and draft it: inline when the node
    is small, else by the Celery job (``enqueue``: force either way)."""
    _check_writer(actor, node)
    if node.level >= Level.COMMUNITY:
        raise ValidationError(_("Summaries are written for a street, a district or a higher level, not a community."))
    this_year = timezone.localdate().year
    if not 2000 <= year <= this_year:
        raise ValidationError(_("Choose a year between 2000 and %(year)s.") % {"year": this_year})
    for _attempt in range(3):
        try:
            with transaction.atomic():
                version = newest_version(node_id=node.pk, year=year) + 1
                summary = Summary(node=node, year=year, version=version, created_by=actor, steps_total=STEPS,
                                  language=translation.get_language() or "")
                summary._history_user = actor
                summary.save()
            break
        except IntegrityError:  # someone else took that version number at the same moment
            continue
    else:  # pragma: no cover
        raise ValidationError(_("Another summary is being started; try again."))
    if enqueue is None:
        communities = Node.objects.filter(code__startswith=node.prefix, level=Level.COMMUNITY).count()
        enqueue = communities > settings.REPORTS_INLINE_COMMUNITIES
    language = translation.get_language()
    if enqueue:
        from reports.tasks import draft_summary_task

        # Queued once the row is committed; a broker that cannot take it withdraws the draft (no
        # "queued" row that nothing drafts) and refuses the start (core.jobs).
        queue_after_commit(lambda: draft_summary_task.delay(summary.pk, language),
                           withdraw=lambda: Summary.objects.filter(pk=summary.pk).delete())
    else:
        draft_summary(summary.pk, language=language)
        summary.refresh_from_db()
    return summary


def _progress(summary: Summary, done: int, **fields) -> None:
    Summary.objects.filter(pk=summary.pk).update(steps_done=done, last_updated=timezone.now(), **fields)


def requeue_stalled_drafts(*, stall_seconds: int | None = None) -> list[int]:
    """The periodic check (Celery beat): queue again every draft still queued or being drafted
    whose job made no progress for ``stall_seconds`` (its message was lost with the broker, its
    worker killed). Drafting a summary again gives the same result. Returns the summaries' ids."""
    from reports.tasks import draft_summary_task

    stall = stall_seconds if stall_seconds is not None else job_stall_seconds()
    cutoff = timezone.now() - timedelta(seconds=stall)
    stalled = Summary.objects.filter(state__in=(SummaryState.QUEUED, SummaryState.RUNNING), last_updated__lt=cutoff)
    requeued = []
    for pk, language in stalled.values_list("pk", "language"):
        try:
            queue_now(lambda pk=pk, language=language: draft_summary_task.delay(pk, language or settings.LANGUAGE_CODE))
        except ValidationError as exc:  # the broker is still down: the next check tries again
            log.warning("could not queue stalled draft %s again: %s", pk, exc.messages[0])
            break
        Summary.objects.filter(pk=pk).update(last_updated=timezone.now())
        log.warning("draft %s made no progress for %ss: queued again", pk, stall)
        requeued.append(pk)
    return requeued


def draft_summary(summary_id: int, *, language: str | None = None) -> None:
    """The drafting job: figures and problems, statistical tables (.xlsx), text. Progress is
    written after each step, so the page's bar moves while it runs."""
    summary = Summary.objects.select_related("node").filter(pk=summary_id).first()
    if summary is None or summary.state not in (SummaryState.QUEUED, SummaryState.RUNNING):
        return  # deleted, or already done (a redelivered task)
    node, year = summary.node, summary.year
    with translation.override(language or settings.LANGUAGE_CODE):
        try:
            _progress(summary, 0, state=SummaryState.RUNNING)
            figures = drafting.summary_figures(node=node, year=year)
            _progress(summary, 1)
            # the rows are read from the facts table as they are written: nothing holds the
            # province's 120,000 rows (reports.tables.table_rows)
            table = {**table_header(node=node, year=year), "rows": table_rows(node=node, year=year)}
            _progress(summary, 2)
            title = _("%(node)s %(year)s statistics of the 三有一化 work") % {"node": node.name, "year": year}
            buffer = io.BytesIO()
            statistics_workbook(table, title=title, problems=figures["problems"]).save(buffer)
            _progress(summary, 3)
            blocks = drafting.compose(
                node=node, year=year, figures=figures, suggestions=drafting.suggestion_texts(node),
                on=timezone.localdate(),
            )
            previous = (
                Summary.objects.filter(node_id=node.pk, year=year, version__lt=summary.version,
                                       state__in=(SummaryState.DRAFT, SummaryState.FINAL, SummaryState.SUPERSEDED))
                .order_by("-version").values_list("blocks", flat=True).first()
            )
            blocks = drafting.carry_edits(previous, blocks)  # hand edits survive a redraft
            summary.refresh_from_db()  # DoesNotExist if it was deleted meanwhile: nothing to save
            summary.statistics.save(f"{node.code}-{year}-v{summary.version}.xlsx", ContentFile(buffer.getvalue()), save=False)
            summary.figures = figures
            summary.blocks = blocks
            summary.title = blocks[0]["text"].replace("\n", "")[:200]
            summary.state = SummaryState.DRAFT
            summary.steps_done = STEPS
            summary._history_user = summary.created_by
            try:
                summary.save(force_update=True)
            except DatabaseError:  # deleted between the refresh and now: leave no orphan file
                summary.statistics.delete(save=False)
                raise
        except Summary.DoesNotExist:
            return
        except Exception as exc:  # the page shows the failure; the log keeps the traceback
            log.exception("drafting summary %s failed", summary_id)
            _progress(summary, summary.steps_done, state=SummaryState.FAILED, error=str(exc)[:2000])


def newest_version(*, node_id: int, year: int) -> int:
    return Summary.objects.filter(node_id=node_id, year=year).aggregate(v=Max("version"))["v"] or 0


def _locked(summary: Summary) -> Summary:
    """The draft, locked for a change: only the newest version of a node's summary of a year may
    be edited or finalised, so that one final text is the official one."""
    current = Summary.objects.select_for_update().select_related("node").get(pk=summary.pk)
    if current.state != SummaryState.DRAFT:
        raise ValidationError(_("Only a draft can be changed; this summary is %(state)s.") % {
            "state": current.get_state_display()})
    newest = newest_version(node_id=current.node_id, year=current.year)
    if current.version != newest:
        raise ValidationError(_("Only the newest version (v%(newest)s) can be changed or finalised; this is "
                                "v%(version)s.") % {"newest": newest, "version": current.version})
    return current


@transaction.atomic
def summary_update_text(*, actor, summary: Summary, texts: dict[str, str], revision: int | None = None) -> Summary:
    """Replace the text of the draft's blocks named in ``texts`` (block key → text). ``revision``:
    the text revision the editor read; another saved edit since then is a ``Conflict``."""
    _check_writer(actor, summary.node)
    current = _locked(summary)
    if revision is not None and current.revision != revision:
        raise versioning.Conflict(current=current)
    known = {b["key"] for b in current.blocks}
    unknown = set(texts) - known
    if unknown:
        raise ValidationError(_("Unknown parts of the text: %(keys)s.") % {"keys": "、".join(sorted(unknown))})
    for block in current.blocks:
        if block["key"] in texts:
            text = str(texts[block["key"]]).replace("\r\n", "\n").replace("\r", "\n").strip()
            if block["kind"] in ("title", "h1", "h2") and not text:
                raise ValidationError(_("The title and the headings cannot be empty."))
            block["text"] = text
    current.title = next((b["text"] for b in current.blocks if b["kind"] == "title"), current.title).replace("\n", "")[:200]
    current.revision += 1
    current._history_user = actor
    current.save()
    return current


@transaction.atomic
def summary_take_fresh(*, actor, summary: Summary, key: str, accept: bool) -> Summary:
    """Settle a hand-edited block that a redraft computed anew: take the fresh text
    (``accept``) or keep the edited one; either way the offer is gone."""
    _check_writer(actor, summary.node)
    current = _locked(summary)
    block = next((b for b in current.blocks if b["key"] == key and "fresh" in b), None)
    if block is None:
        raise ValidationError(_("Nothing to accept or keep in this part of the text."))
    fresh = block.pop("fresh")
    if accept:
        block["text"] = fresh
    current.revision += 1
    current._history_user = actor
    current.save()
    return current


@transaction.atomic
def summary_finalise(*, actor, summary: Summary) -> Summary:
    """Freeze the draft: its text, its figures and its tables stay as they are from now on;
    the Word document is written once and kept."""
    _check_writer(actor, summary.node)
    current = _locked(summary)
    on = timezone.localdate()
    for block in current.blocks:
        if block["kind"] == "date":  # the date a summary bears is the day it is finalised
            block["text"] = formats.date_format(on, "DATE_FORMAT")
    current.document.save(
        f"{current.node.code}-{current.year}-v{current.version}.docx", ContentFile(summary_docx(current.blocks)), save=False
    )
    current.state = SummaryState.FINAL
    current.finalised_by = actor
    current.finalised_at = timezone.now()
    current._history_user = actor
    current.save()
    for older in Summary.objects.filter(node_id=current.node_id, year=current.year, state=SummaryState.FINAL).exclude(
        pk=current.pk
    ):
        older.state = SummaryState.SUPERSEDED  # the newest final version is the official one
        older._history_user = actor
        older.save(update_fields=["state", "last_updated"])
    return current


@transaction.atomic
def summary_delete(*, actor, summary: Summary) -> None:
    """Delete a draft (or a failed or stuck one); a final summary is kept for good."""
    _check_writer(actor, summary.node)
    current = Summary.objects.select_for_update().get(pk=summary.pk)
    if current.is_final:
        raise ValidationError(_("A final summary cannot be deleted; draft a new version instead."))
    if current.state in (SummaryState.QUEUED, SummaryState.RUNNING):
        raise ValidationError(_("The summary is still being drafted; delete it when it is done."))
    files = [f for f in (current.statistics, current.document) if f]
    current._history_user = actor
    current.delete()
    transaction.on_commit(lambda: [f.delete(save=False) for f in files])


def document_bytes(summary: Summary) -> bytes:
    """The Word document: the kept file of a final summary, else written from the draft's text."""
    if summary.is_final and summary.document:
        with summary.document.open("rb") as f:
            return f.read()
    return summary_docx(summary.blocks)


# ---- suggestion texts --------------------------------------------------------------------

def suggestion_create(*, actor, **fields) -> SuggestionText:
    return scoped_save(actor=actor, instance=SuggestionText(**fields), actions=WRITERS)


@transaction.atomic
def suggestion_update(*, actor, suggestiontext: SuggestionText, **fields) -> SuggestionText:
    return scoped_save(actor=actor, instance=locked_update(suggestiontext, fields), actions=WRITERS)


def suggestion_delete(*, actor, suggestiontext: SuggestionText) -> None:
    scoped_delete(actor=actor, instance=suggestiontext, actions=WRITERS)
