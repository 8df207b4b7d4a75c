"""Pages of the year-end summaries and of the suggestion texts (the dashboard page is in
reports.dashboard_views)."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpResponseRedirect, JsonResponse
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext
from django.views.decorators.http import require_POST

from core.audit import history_for
from core.downloads import download_name, download_response
from core.excel import XLSX_CONTENT_TYPE
from core.versioning import Conflict
from core.views import ObjectDeleteView, ObjectEditView, ObjectListView, add_validation_error, refusal_text
from reports import services
from reports.documents import DOCX_CONTENT_TYPE
from reports.filters import SuggestionFilterSet, SummaryFilterSet
from reports.forms import SummaryStartForm, SummaryTextForm, SuggestionTextForm
from reports.models import ProblemKind, SuggestionText, Summary, SummaryState

SUMMARIES = Summary.objects.select_related("node", "node__parent", "created_by", "finalised_by")


class SummaryListView(ObjectListView):
    model = Summary
    queryset = SUMMARIES.defer("blocks", "figures")
    filterset_class = SummaryFilterSet
    table_template = "reports/_summary_table.html"
    above_table_template = "reports/_summary_start.html"
    title = gettext_lazy("Year-end summaries")
    url_prefix = "reports:summary"

    def extra_context(self, request, page):
        return {"start_form": SummaryStartForm(user=request.user), "can_add": False}


def _visible_summary(request, pk) -> Summary:
    return get_object_or_404(Summary.objects.visible_to(request.user).select_related(
        "node", "node__parent", "created_by", "finalised_by"), pk=pk)


# A page never drafts in its own request: even a street of six communities takes 1.5–3 s on the
# demo (figures, problems, the workbook), so the browser gets the progress page at once and the
# job drafts (docs/benchmarks.md). ``summary_start``'s size threshold is for other callers.
@login_required
@require_POST
def summary_start_view(request):
    form = SummaryStartForm(request.POST, user=request.user)
    if not form.is_valid():
        for errors in form.errors.values():
            for error in errors:
                messages.error(request, error)
        return HttpResponseRedirect(reverse("reports:summary_list"))
    try:
        summary = services.summary_start(actor=request.user, node=form.cleaned_data["node"], year=form.cleaned_data["year"],
                                         enqueue=True)
    except (ValidationError, PermissionDenied) as exc:
        messages.error(request, refusal_text(exc))
        return HttpResponseRedirect(reverse("reports:summary_list"))
    summary.refresh_from_db(fields=["state"])  # without a broker the job ran inline, at commit
    if summary.state == SummaryState.DRAFT:
        messages.success(request, _("Drafted %(summary)s from the data. Read it, correct it and finalise it.") % {
            "summary": summary})
    return HttpResponseRedirect(summary.get_absolute_url())


@login_required
def summary_detail_view(request, pk):
    summary = _visible_summary(request, pk)
    can_write = services.may_write(request.user, summary.node)
    versions = list(Summary.objects.filter(node=summary.node, year=summary.year).only(
        "pk", "version", "state", "created").order_by("-version"))
    newest = versions[0].version  # the newest version; only it may be edited
    editing = can_write and summary.state == SummaryState.DRAFT and summary.version == newest
    form = SummaryTextForm(blocks=summary.blocks, revision=summary.revision) if editing else None
    conflict, status = None, 200
    if request.method == "POST":
        if not editing:
            raise PermissionDenied(_("This summary cannot be changed."))
        form = SummaryTextForm(request.POST, blocks=summary.blocks, revision=summary.revision)
        if form.is_valid():
            try:
                summary = services.summary_update_text(actor=request.user, summary=summary, texts=form.texts(),
                                                       revision=form.cleaned_data[SummaryTextForm.REVISION])
                choice = next((name for name in ("accept", "keep") if request.POST.get(name)), None)
                if choice:
                    summary = services.summary_take_fresh(actor=request.user, summary=summary,
                                                          key=request.POST[choice], accept=choice == "accept")
                    messages.success(request, _("Took the text drafted from the data.") if choice == "accept"
                                     else _("Kept your text."))
                elif "finalise" in request.POST:
                    summary = services.summary_finalise(actor=request.user, summary=summary)
                    messages.success(request, _("Finalised %(summary)s. Its text and figures will not change any more.")
                                     % {"summary": summary})
                else:
                    messages.success(request, _("Saved the text."))
                return HttpResponseRedirect(summary.get_absolute_url())
            except Conflict as exc:
                summary = exc.current
                conflict, data = form.conflict(summary)
                form = SummaryTextForm(data, blocks=summary.blocks, revision=summary.revision)
                form.is_valid()
                form.add_error(None, str(Conflict()))
                status = 409
            except ValidationError as exc:
                add_validation_error(form, exc)
    return render(request, "reports/summary_detail.html", {
        "object": summary,
        "form": form,
        "can_write": can_write,
        "newest": newest,
        "versions": versions,
        "problems": summary.figures.get("problems", []),
        "history": history_for(summary, user=request.user),
        "conflict": conflict,
    }, status=status)


@login_required
@require_POST
def summary_regenerate_view(request, pk):
    summary = _visible_summary(request, pk)
    try:
        new = services.summary_start(actor=request.user, node=summary.node, year=summary.year, enqueue=True)
    except (ValidationError, PermissionDenied) as exc:
        messages.error(request, refusal_text(exc))
        return HttpResponseRedirect(summary.get_absolute_url())
    new.refresh_from_db(fields=["state"])
    if new.state == SummaryState.DRAFT:  # drafted already (no broker: the job ran inline)
        messages.success(request, _("Drafted version %(version)s from today's data.") % {"version": new.version})
    return HttpResponseRedirect(new.get_absolute_url())


@login_required
@require_POST
def summary_delete_view(request, pk):
    summary = _visible_summary(request, pk)
    try:
        services.summary_delete(actor=request.user, summary=summary)
    except ValidationError as exc:
        messages.error(request, refusal_text(exc))
        return HttpResponseRedirect(summary.get_absolute_url())
    messages.success(request, _("Deleted %(summary)s v%(version)s.") % {"summary": summary, "version": summary.version})
    return HttpResponseRedirect(reverse("reports:summary_list"))


@login_required
def summary_progress_view(request, pk):
    summary = _visible_summary(request, pk)
    return JsonResponse({
        "state": summary.state, "state_label": summary.get_state_display(), "percent": summary.percent,
        "done": summary.steps_done, "total": summary.steps_total, "error": summary.error,
        "url": summary.get_absolute_url(),
    })


def _filename(summary: Summary, what: str, ext: str) -> str:
    year = pgettext("year column of a statistics table", "%(year)s") % {"year": summary.year}
    return download_name(_("%(node)s%(year)s %(what)s (version %(version)s)") % {
        "node": summary.node.name, "year": year, "what": what, "version": summary.version}, ext)


@login_required
def summary_docx_view(request, pk):
    summary = _visible_summary(request, pk)
    if not summary.is_ready:
        raise PermissionDenied(_("The summary is still being drafted."))
    return download_response(services.document_bytes(summary), _filename(summary, _("summary"), "docx"), DOCX_CONTENT_TYPE)


@login_required
def summary_xlsx_view(request, pk):
    summary = _visible_summary(request, pk)
    if not summary.is_ready or not summary.statistics:
        raise PermissionDenied(_("The summary is still being drafted."))
    with summary.statistics.open("rb") as f:
        content = f.read()
    return download_response(content, _filename(summary, _("statistics"), "xlsx"), XLSX_CONTENT_TYPE)


# ---- suggestion texts --------------------------------------------------------------------

SUGGESTIONS = SuggestionText.objects.select_related("node", "node__parent")


class SuggestionListView(ObjectListView):
    change_actions = services.WRITERS
    model = SuggestionText
    queryset = SUGGESTIONS
    filterset_class = SuggestionFilterSet
    table_template = "reports/_suggestion_table.html"
    above_table_template = "reports/_suggestion_defaults.html"
    title = gettext_lazy("Suggestion texts")
    url_prefix = "reports:suggestion"

    def extra_context(self, request, page):
        from reports.drafting import default_suggestions

        defaults = default_suggestions()
        return {"defaults": [(kind.label, defaults[kind]) for kind in ProblemKind]}


class SuggestionEditView(ObjectEditView):
    """Written by clerks and by the organization department (reviewers) of the node."""

    change_actions = services.WRITERS
    model = SuggestionText
    queryset = SUGGESTIONS
    form_class = SuggestionTextForm
    create_service = services.suggestion_create
    update_service = services.suggestion_update
    list_url = "reports:suggestion_list"


class SuggestionDeleteView(ObjectDeleteView):
    change_actions = services.WRITERS
    model = SuggestionText
    queryset = SUGGESTIONS
    delete_service = services.suggestion_delete
    list_url = "reports:suggestion_list"


