"""Pages of the annual assessment: schemes (editor), scoring jobs (progress), the review queue,
each community's score card, and the ranking (with its Excel export)."""

from __future__ import annotations


import openpyxl
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpResponseRedirect, JsonResponse, QueryDict
from django.shortcuts import get_object_or_404, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from assessments import services
from assessments.filters import ResultFilterSet
from assessments.forms import AdjustForm, CopyForm, IndicatorForm, SchemeCreateForm, ThresholdForm, TransitionForm
from assessments.models import Indicator, Run, Score, State
from assessments.selectors import (
    OUTCOME_LABELS,
    adjustment_history,
    bulk_actions_for,
    queue_default_states,
    queue_label,
    ranking,
    result_list,
    scheme_list,
    scores_of,
)
from core.pagination import paginate
from core.downloads import download_name
from core.excel import neutralise, workbook_response
from core.scope import Action, node_in_scope
from core.forms import add_version_field, offer_again
from core.views import add_validation_error

TABS = "assessments/_tabs.html"


def _may_manage(user, scheme) -> bool:
    return node_in_scope(user, scheme.district, Action.REVIEW)


@login_required
def scheme_list_view(request):
    form = SchemeCreateForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        try:
            scheme = services.scheme_create(actor=request.user, district=d["district"], year=d["year"],
                                            name=d["name"], source=d["source"])
        except ValidationError as exc:
            add_validation_error(form, exc)
        except PermissionDenied as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(request, _("Saved %(obj)s.") % {"obj": scheme})
            return HttpResponseRedirect(scheme.get_absolute_url())
    schemes = scheme_list(user=request.user)
    can_create = form.fields["district"].queryset.exists()
    return render(request, "assessments/scheme_list.html",
                  {"schemes": schemes, "form": form, "can_create": can_create, "tabs_template": TABS, "tab": "schemes"})


@login_required
def scheme_detail_view(request, pk):
    scheme = get_object_or_404(scheme_list(user=request.user), pk=pk)
    manage = _may_manage(request.user, scheme)

    def make_threshold_form(obj, data):
        form = ThresholdForm(data, instance=obj, prefix="t")
        add_version_field(form, obj)
        return form

    locked = scheme.locked
    copy_form = CopyForm(request.POST if "copy" in request.POST else None, prefix="c",
                         initial={"year": scheme.year + 1})
    threshold_form = make_threshold_form(scheme, None if {"copy", "start"} & set(request.POST) else request.POST or None)
    conflict, status = None, 200
    if request.method == "POST":
        if not manage:
            raise PermissionDenied
        if "copy" in request.POST:
            if copy_form.is_valid():
                try:
                    copy = services.scheme_create(actor=request.user, district=scheme.district, source=scheme,
                                                  year=copy_form.cleaned_data["year"], name=copy_form.cleaned_data["name"])
                except ValidationError as exc:
                    add_validation_error(copy_form, exc)
                else:
                    messages.success(request, _("Copied to %(year)s: %(obj)s.") % {"year": copy.year, "obj": copy})
                    return HttpResponseRedirect(copy.get_absolute_url())
            status = 400
        elif "start" in request.POST:
            try:
                run = services.run_start(actor=request.user, scheme=scheme, chunk_size=int(request.POST.get("chunk_size") or 200))
            except (ValidationError, ValueError) as exc:
                messages.error(request, " ".join(getattr(exc, "messages", [str(exc)])))
            else:
                return HttpResponseRedirect(run.get_absolute_url())
        elif threshold_form.is_valid():
            try:
                services.scheme_update(actor=request.user, scheme=scheme, **threshold_form.cleaned_data)
            except services.Conflict:
                scheme = get_object_or_404(scheme_list(user=request.user), pk=pk)
                threshold_form, conflict = offer_again(make_threshold_form, threshold_form, scheme, user=request.user)
                status = 409
            except ValidationError as exc:
                add_validation_error(threshold_form, exc)
            else:
                messages.success(request, _("Saved %(obj)s.") % {"obj": scheme})
                return HttpResponseRedirect(scheme.get_absolute_url())
    weight_errors = []
    try:
        services.validate_weights(scheme)
    except ValidationError as exc:
        weight_errors = exc.messages
    return render(request, "assessments/scheme_detail.html", {
        "object": scheme, "tree": services.scheme_tree(scheme), "manage": manage, "locked": locked,
        "threshold_form": threshold_form, "copy_form": copy_form, "weight_errors": weight_errors, "runs": scheme.runs.all()[:10],
        "tabs_template": TABS, "tab": "schemes", "conflict": conflict,
    }, status=status)


def _indicator_form_page(request, scheme, indicator=None):
    if not _may_manage(request.user, scheme):
        raise PermissionDenied(_("Only the district's organization department may manage its assessment."))
    if scheme.locked:  # the service refuses the save too; the page does not offer a form that cannot be saved
        messages.error(request, _("Scoring has started: this scheme can no longer be edited. Copy it to a new year instead."))
        return HttpResponseRedirect(scheme.get_absolute_url())

    def make_form(obj, data):
        form = IndicatorForm(data, instance=obj, scheme=scheme, user=request.user)
        if obj is not None:
            add_version_field(form, obj)
        return form

    form = make_form(indicator, request.POST or None)
    conflict, status = None, 200
    if request.method == "POST" and form.is_valid():
        fields = {k: form.cleaned_data[k] for k in form._meta.fields}
        try:
            if indicator is None:
                services.indicator_create(actor=request.user, scheme=scheme, **fields)
            else:
                services.indicator_update(actor=request.user, indicator=indicator, version=form.cleaned_data["version"], **fields)
        except services.Conflict:
            indicator = Indicator.objects.get(pk=indicator.pk)
            form, conflict = offer_again(make_form, form, indicator, user=request.user)
            status = 409
        except ValidationError as exc:
            add_validation_error(form, exc)
        else:
            messages.success(request, _("Saved %(obj)s.") % {"obj": fields["name"]})
            return HttpResponseRedirect(scheme.get_absolute_url())
    return render(request, "assessments/indicator_edit.html",
                  {"form": form, "object": indicator, "scheme": scheme, "conflict": conflict}, status=status)


@login_required
def indicator_add_view(request, scheme_pk):
    scheme = get_object_or_404(scheme_list(user=request.user), pk=scheme_pk)
    return _indicator_form_page(request, scheme)


@login_required
def indicator_edit_view(request, pk):
    indicator = get_object_or_404(Indicator.objects.visible_to(request.user).select_related("scheme__district"), pk=pk)
    return _indicator_form_page(request, indicator.scheme, indicator)


@login_required
@require_POST
def indicator_delete_view(request, pk):
    indicator = get_object_or_404(Indicator.objects.visible_to(request.user).select_related("scheme__district"), pk=pk)
    try:
        services.indicator_delete(actor=request.user, indicator=indicator)
    except (ValidationError, PermissionDenied) as exc:
        messages.error(request, " ".join(getattr(exc, "messages", [str(exc)])))
    return HttpResponseRedirect(indicator.scheme.get_absolute_url())


@login_required
def run_detail_view(request, pk):
    run = get_object_or_404(Run.objects.visible_to(request.user).select_related("scheme__district"), pk=pk)
    if request.method == "POST" and _may_manage(request.user, run.scheme):
        try:
            queued = services.run_resume(run_id=run.pk)
        except ValidationError as exc:  # the broker is down
            messages.error(request, " ".join(exc.messages))
        else:
            messages.success(request, _("Queued %(n)s unfinished chunks again.") % {"n": queued})
        return HttpResponseRedirect(run.get_absolute_url())
    return render(request, "assessments/run_detail.html", {"object": run, "manage": _may_manage(request.user, run.scheme),
                                                           "tabs_template": TABS, "tab": "schemes"})


@login_required
def run_progress_view(request, pk):
    run = get_object_or_404(Run.objects.visible_to(request.user), pk=pk)
    return JsonResponse({"id": run.pk, "state": run.state, "state_label": run.get_state_display(),
                         "done": run.done, "total": run.total, "percent": run.percent})


BULK_ACTIONS = {"submit": services.SUBMIT, "approve": services.APPROVE, "return": services.RETURN}
BULK_REPORT = "assessments_bulk_report"


def _queue_data(request):
    """The queue's filters: what the request asks for, else what this person has to act on
    (:func:`assessments.selectors.queue_default_states`)."""
    if request.GET:
        return request.GET
    data = QueryDict(mutable=True)
    data.setlist("state", queue_default_states(request.user))
    return data


def _picked_rows(request) -> list[tuple[int, int | None]]:
    """The ticked rows, each "id:version" (the version the page showed)."""
    rows = []
    for value in request.POST.getlist("pick"):
        pk, _sep, version = value.partition(":")
        if not pk.isdigit() or (version and not version.isdigit()):
            raise ValidationError(_("The form was incomplete; reload the page and try again."))
        rows.append((int(pk), int(version) if version else None))
    return rows


@login_required
def result_list_view(request):
    if request.method == "POST":  # 批量提交 / 批量通过 / 批量退回 on the ticked rows
        back = request.get_full_path()
        action = BULK_ACTIONS.get(request.POST.get("bulk", ""))
        try:
            if action is None:
                raise ValidationError(_("Unknown action."))
            outcomes = services.results_bulk_transition(
                actor=request.user, action=action, rows=_picked_rows(request), comment=request.POST.get("comment", ""),
                visible=result_list(user=request.user))
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
            return HttpResponseRedirect(back)
        done = sum(1 for o in outcomes if o.ok)
        (messages.success if done == len(outcomes) else messages.warning)(
            request, _("%(done)s of %(total)s results done; see each row below.") % {"done": done, "total": len(outcomes)})
        request.session[BULK_REPORT] = [
            {"id": o.id, "ok": o.ok, "status": o.status, "status_label": str(OUTCOME_LABELS[o.status]),
             "community": o.community, "message": o.message} for o in outcomes]
        return HttpResponseRedirect(back)
    filterset = ResultFilterSet(_queue_data(request), queryset=result_list(user=request.user).order_by("-year", "community__code"),
                                request=request)
    qs = filterset.qs if filterset.is_valid() else filterset.queryset
    page = paginate(request, qs)
    query = request.GET.copy()
    query.pop("page", None)
    return render(request, "assessments/result_list.html", {
        "filter": filterset, "page": page, "query": query.urlencode(), "report": request.session.pop(BULK_REPORT, None),
        "bulk": bulk_actions_for(request.user), "tabs_template": TABS, "tab": "queue",
        "queue_title": queue_label(request.user),
    })


@login_required
def result_detail_view(request, pk):
    result = get_object_or_404(result_list(user=request.user), pk=pk)
    if request.method == "POST":
        form_kind = request.POST.get("form")
        try:
            if form_kind == "adjust":
                form = AdjustForm(request.POST)
                if not form.is_valid():
                    raise ValidationError([f"{form.fields[k].label}: {' '.join(v)}" if k in form.fields else " ".join(v)
                                           for k, v in form.errors.items()])
                score = get_object_or_404(Score.objects.filter(result=result), pk=form.cleaned_data["score"])
                services.score_adjust(actor=request.user, score=score, final=form.cleaned_data["final"],
                                      reason=form.cleaned_data["reason"], version=form.cleaned_data["version"])
                messages.success(request, _("The score was adjusted."))
            else:
                form = TransitionForm(request.POST)
                if not form.is_valid():
                    raise ValidationError(_("The form was incomplete; reload the page and try again."))
                services.result_transition(actor=request.user, result=result, action=form.cleaned_data["action"],
                                           comment=form.cleaned_data["comment"], version=form.cleaned_data["version"])
                messages.success(request, _("Done."))
        except services.Conflict as exc:
            messages.error(request, str(exc))
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
        except PermissionDenied as exc:
            messages.error(request, str(exc) or _("You may not do this."))
        return HttpResponseRedirect(result.get_absolute_url())
    scores = list(scores_of(result))
    reviewer, clerk = services.is_reviewer(request.user, result), services.is_street_clerk(request.user, result)
    rows = []
    for s in scores:
        refusal = services.adjust_refusal(s.indicator, result.state, reviewer=reviewer, clerk=clerk)
        rows.append({"score": s, "evidence": _evidence_lines(s), "can_adjust": refusal is None,
                     "refusal": refusal if result.state != State.APPROVED else ""})
    history = list(result.events.select_related("actor"))
    return render(request, "assessments/result_detail.html", {
        "object": result, "rows": rows, "actions": services.allowed_actions(request.user, result),
        "can_adjust": any(r["can_adjust"] for r in rows), "events": history,
        "adjustments": list(adjustment_history(result)),
        "grade": result.get_grade_display(), "tabs_template": TABS, "tab": "queue",
    })


def _evidence_lines(score: Score) -> list[str]:
    ev = score.evidence or {}
    if ev.get("method") == "manual":
        return [_("scored by hand")]
    from assessments.rules import fact_labels, rule_choices

    labels, names = dict(rule_choices()), fact_labels()
    lines = [f"{_('rule')}：{labels.get(ev.get('rule'), ev.get('rule', ''))}"
             + (f"（{score.indicator.description}）" if score.indicator.description else "")]
    for name, value in (ev.get("facts") or {}).items():
        if isinstance(value, bool):
            value = _("yes") if value else _("no")
        lines.append(f"{names.get(name, name)}：{value}")
    return lines


GRADE_CSS = {"excellent": "success", "good": "primary", "pass": "warning", "fail": "danger"}


@login_required
def ranking_view(request, pk):
    scheme = get_object_or_404(scheme_list(user=request.user), pk=pk)
    rows = ranking(user=request.user, scheme=scheme)
    if request.GET.get("format") == "xlsx":
        return _ranking_workbook(scheme, rows)
    streets: dict = {}
    for r in rows:
        streets.setdefault(r.result.community.parent.name, []).append(r)
    for street_rows in streets.values():
        street_rows.sort(key=lambda r: (r.street_rank, r.result.community.code))
    counts = {}
    for r in rows:
        counts[r.grade_label] = counts.get(r.grade_label, 0) + 1
    return render(request, "assessments/ranking.html", {"object": scheme, "rows": rows, "streets": streets,
                                                        "counts": counts, "grade_css": GRADE_CSS,
                                                        "tabs_template": TABS, "tab": "schemes"})


def _ranking_workbook(scheme, rows):
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = _("ranking")[:31]
    ws.append([str(x) for x in [_("district rank"), _("street rank"), _("street"), _("community"), _("computed total"), _("final total"),
               _("grade"), _("review state")]])
    for r in rows:
        ws.append([r.district_rank, r.street_rank, neutralise(r.result.community.parent.name), neutralise(r.result.community.name),
                   float(r.result.computed_total), float(r.result.final_total), str(r.grade_label), str(r.result.get_state_display())])
    for column, width in zip("ABCDEFGH", (10, 10, 18, 18, 12, 12, 10, 10)):
        ws.column_dimensions[column].width = width
    return workbook_response(wb, download_name(_("%(node)s %(year)s assessment ranking") % {
        "node": scheme.district.name, "year": scheme.year}, "xlsx"))
