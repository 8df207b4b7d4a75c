"""Base views: every page of a domain app is one of these, given a model, a filterset, a form,
the app's services and, where it has one, its Excel sheet.

The queryset is always narrowed through ``visible_to``: a record outside the user's scope is a
404, the same answer as a record that does not exist. A record the user may see but not change
is a 403 on its edit and delete pages.
"""

from __future__ import annotations

from decimal import Decimal
from urllib.parse import urlencode

from django import forms
from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection
from django.db.models import Model, Sum
from django.http import HttpResponseRedirect, JsonResponse
from django.shortcuts import get_object_or_404, render
from django.urls import NoReverseMatch, reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views import View
from django.views.generic import TemplateView

from core import versioning
from core.audit import history_for, recent_changes
from core.contention import retry_once
from core.excel import ImportResult
from core.fields import MoneyField
from core.forms import BootstrapFormMixin, add_version_field, offer_again
from core.masking import record_if_unmasked
from core.pagination import EstimatedCountPaginator, paginate
from core.recycle import deletion_preview, retention_days
from core.scope import Action, scope_prefixes


def can_change_any(user) -> bool:
    prefixes = scope_prefixes(user, Action.CHANGE)
    return prefixes is None or bool(prefixes)


def querystring_without(request, *keys: str) -> str:
    params = request.GET.copy()
    for key in keys:
        params.pop(key, None)
    return params.urlencode()


class ScopedViewMixin(LoginRequiredMixin):
    model = None
    queryset = None
    # Who writes these records: clerks (entry). An app whose records the organization department
    # writes too (e.g. the suggestion texts of summaries) adds Action.REVIEW.
    change_actions = (Action.CHANGE,)

    def may_change_any(self, user) -> bool:
        return any(
            (prefixes := scope_prefixes(user, action)) is None or bool(prefixes) for action in self.change_actions
        )

    def changeable_queryset(self):
        return self.model.objects.restrict(self.request.user, tuple(self.change_actions))

    def base_queryset(self):
        qs = self.queryset if self.queryset is not None else self.model.objects.all()
        return qs.all()

    def visible_queryset(self):
        return self.base_queryset().visible_to(self.request.user)

    def get_visible_object(self, pk):
        return get_object_or_404(self.visible_queryset(), pk=pk)

    def get_changeable_object(self, pk):
        obj = self.get_visible_object(pk)
        if not self.changeable_queryset().filter(pk=obj.pk).exists():
            raise PermissionDenied(_("You may read this record but not change it."))
        return obj


class ObjectListView(ScopedViewMixin, View):
    """A filtered, paginated list; ``?export=xlsx`` downloads the same filtered rows.

    Apps customise it declaratively: ``tabs_template`` (the app's tabs above the title),
    ``above_table_template`` (quick filters and the like), and :meth:`extra_context` (what those
    templates and the table need, computed from the page's rows without a query per row).
    The upload button shows when the URL ``<url_prefix>_import`` exists.
    """

    filterset_class = None
    template_name = "generic/object_list.html"
    table_template = None
    tabs_template = None
    above_table_template = None
    sheet_class = None
    paginate_by = 50
    title = ""
    url_prefix = ""  # e.g. "communities:community"
    # Money columns summed over the whole filtered list (合计): every MoneyField of the model
    # unless a list names its own (``()`` where a sum means nothing, e.g. per-community standards).
    total_fields = None

    def filtered_queryset(self, request):
        self.filterset = self.filterset_class(request.GET or None, queryset=self.visible_queryset(), request=request)
        return self.filterset.qs

    def extra_context(self, request, page) -> dict:
        return {}

    def list_totals(self, qs) -> list[tuple[str, Decimal]]:
        """(label, sum) of each money column over every filtered row, in one aggregate query."""
        names = self.total_fields
        if names is None:
            names = [f.name for f in self.model._meta.concrete_fields if isinstance(f, MoneyField)]
        if not names:
            return []
        sums = qs.order_by().aggregate(**{name: Sum(name) for name in names})
        zero = Decimal("0.00")
        return [(self.model._meta.get_field(name).verbose_name, sums[name] or zero) for name in names]

    def has_import(self) -> bool:
        try:
            reverse(f"{self.url_prefix}_import")
        except NoReverseMatch:
            return False
        return self.sheet_class is not None

    def get(self, request):
        qs = self.filtered_queryset(request)
        # A filter value that is not valid (out of range, not a choice in scope) is bad input: the
        # page says what is wrong next to the filter and answers 400 (the rows shown ignore that
        # filter, as django-filter does), and exports nothing.
        invalid = self.filterset.is_bound and not self.filterset.is_valid()
        if request.GET.get("export") == "xlsx" and self.sheet_class is not None and not invalid:
            return self.sheet_class(request.user).export_response(qs)
        page = paginate(request, qs, self.paginate_by, EstimatedCountPaginator)
        context = {
            "title": self.title,
            "filterset": self.filterset,
            "page_obj": page,
            "object_list": page.object_list,
            "querystring": querystring_without(request, "page"),
            "export_querystring": querystring_without(request, "page", "export"),
            "table_template": self.table_template,
            "tabs_template": self.tabs_template,
            "above_table_template": self.above_table_template,
            "url_prefix": self.url_prefix,
            "can_add": self.may_change_any(request.user),
            "has_sheet": self.sheet_class is not None,
            "has_import": self.has_import(),
            "totals": self.list_totals(qs),
        }
        context.update(self.extra_context(request, page))
        return render(request, self.template_name, context, status=400 if invalid else 200)


class ObjectDetailView(ScopedViewMixin, View):
    template_name = None

    def extra_context(self, obj) -> dict:
        return {}

    def get(self, request, pk):
        obj = self.get_visible_object(pk)
        can_change = self.changeable_queryset().filter(pk=obj.pk).exists()
        context = {"object": obj, "history": history_for(obj, user=request.user), "can_change": can_change}
        context.update(self.extra_context(obj))
        record_if_unmasked(user=request.user, objects=[obj], channel="page")
        return render(request, self.template_name, context)


ADD_ANOTHER = "_addanother"  # the name of the 保存并继续新增 button


class ObjectEditView(ScopedViewMixin, View):
    """Create (no pk) or edit a record through the app's services."""

    form_class = None
    template_name = "generic/object_edit.html"
    object_name = None  # what the page calls the record; the model's verbose name by default
    create_service = None
    update_service = None
    list_url = ""

    def get_form(self, obj=None, data=None):
        """The form, with uploaded files when posted; a new record takes starting values from
        the URL for its choice fields (``?commitment=12`` from a commitment's page)."""
        initial = {}
        if obj is None and data is None:
            for name in self.form_class._meta.fields:
                value = self.request.GET.get(name)
                if value and value.isdigit():
                    initial[name] = value
        form = self.form_class(
            data=data,
            files=self.request.FILES if data is not None else None,
            instance=obj,
            user=self.request.user,
            initial=initial,
        )
        if obj is not None:
            add_version_field(form, obj)
        return form

    def render_form(self, request, form, obj, *, conflict=None, status=200):
        return render(
            request,
            self.template_name,
            {
                "form": form,
                "object": obj,
                "model_name": self.object_name or self.model._meta.verbose_name,
                "list_url": self.list_url,
                "conflict": conflict,
                **self.edit_context(),
            },
            status=status,
        )

    def edit_context(self) -> dict:
        """What an app's own edit template needs besides the form (field groups and the like)."""
        return {}

    def render_conflict(self, request, form, obj):
        """A stale save: nothing was written. The page shows what the other person changed
        beside what this user entered, and offers the form again at the current version with
        their changes taken over wherever this user left a field as it was."""
        current = self.get_visible_object(obj.pk)
        merged, rows = offer_again(lambda o, data: self.get_form(o, data=data), form, current, user=request.user)
        return self.render_form(request, merged, current, conflict=rows, status=409)

    def get(self, request, pk=None):
        obj = self.get_changeable_object(pk) if pk else None
        if obj is None and not self.may_change_any(request.user):
            raise PermissionDenied(_("You have no part of the hierarchy to enter data in."))
        response = self.render_form(request, self.get_form(obj), obj)
        record_if_unmasked(user=request.user, objects=[obj], channel="page")  # the form shows the stored values
        return response

    def post(self, request, pk=None):
        obj = self.get_changeable_object(pk) if pk else None
        if obj is None and not self.may_change_any(request.user):
            raise PermissionDenied(_("You have no part of the hierarchy to enter data in."))
        form = self.get_form(obj, data=request.POST)
        if not form.is_valid():
            hide_foreign_duplicates(form, request.user)
        else:
            fields = {name: form.cleaned_data[name] for name in form._meta.fields if name in form.cleaned_data}
            if obj is not None and form.cleaned_data.get("version") is not None:
                fields["version"] = form.cleaned_data["version"]
            try:
                if obj is None:
                    saved = retry_once(type(self).create_service, actor=request.user, **fields)
                else:
                    saved = retry_once(
                        type(self).update_service, actor=request.user, **{self.model._meta.model_name: obj}, **fields,
                        refresh=(obj,),
                    )
            except versioning.Conflict:
                return self.render_conflict(request, form, obj)
            except ValidationError as exc:
                add_validation_error(form, exc)
            except PermissionDenied as exc:
                form.add_error(None, str(exc))
            else:
                messages.success(request, _("Saved %(obj)s.") % {"obj": saved})
                if obj is None and ADD_ANOTHER in request.POST:
                    return HttpResponseRedirect(self.add_another_url(request, form))
                return HttpResponseRedirect(saved.get_absolute_url())
        return self.render_form(request, form, obj)

    @staticmethod
    def add_another_url(request, form) -> str:
        """保存并继续新增: the empty add form again, its choices of records (the community, the
        course…) preset to the ones just used, which is how a clerk enters a batch."""
        keep = {
            name: value.pk
            for name, value in form.cleaned_data.items()
            if name in form._meta.fields and isinstance(value, Model)
        }
        return f"{request.path}?{urlencode(keep)}" if keep else request.path


def hide_foreign_duplicates(form, user) -> None:
    """A form's "already on record" for a record the user may not see reads like any invalid
    value (see :func:`core.services.foreign_duplicates`)."""
    from core.services import FOREIGN_DUPLICATE, foreign_duplicates

    instance = getattr(form, "instance", None)
    if instance is None:
        return
    for name in foreign_duplicates(user, instance, form.errors.as_data()):
        form.errors[name] = form.error_class([str(FOREIGN_DUPLICATE)])


def refusal_text(exc: ValidationError | PermissionDenied) -> str:
    """What a refused service call tells the user, in one line."""
    return "；".join(exc.messages) if isinstance(exc, ValidationError) else str(exc)


def add_validation_error(form, exc: ValidationError) -> None:
    if hasattr(exc, "error_dict"):
        for field, errors in exc.message_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, exc.messages)


class ObjectDeleteView(ScopedViewMixin, View):
    template_name = "generic/object_delete.html"
    delete_service = None
    list_url = ""

    def render_confirmation(self, request, obj, error=None):
        """The confirmation page names everything the delete takes with it, per kind."""
        return render(
            request,
            self.template_name,
            {
                "object": obj,
                "list_url": self.list_url,
                "error": error,
                "preview": deletion_preview(obj),
                "retention_days": retention_days(),
            },
        )

    def get(self, request, pk):
        return self.render_confirmation(request, self.get_changeable_object(pk))

    def post(self, request, pk):
        obj = self.get_changeable_object(pk)
        try:
            retry_once(type(self).delete_service, actor=request.user, **{self.model._meta.model_name: obj}, refresh=(obj,))
        except (ValidationError, PermissionDenied) as exc:
            return self.render_confirmation(request, obj, error=refusal_text(exc))
        messages.success(
            request,
            _("Deleted %(obj)s; it stays in the recycle bin for %(days)d days.") % {"obj": obj, "days": retention_days()},
        )
        return HttpResponseRedirect(reverse(self.list_url))


class UploadForm(BootstrapFormMixin, forms.Form):
    file = forms.FileField(label=gettext_lazy("Excel file (.xlsx)"))


class ObjectImportView(LoginRequiredMixin, View):
    """Upload an Excel sheet: all rows are checked; either all are saved or none."""

    sheet_class = None
    template_name = "generic/object_import.html"
    list_url = ""
    title = ""

    def dispatch(self, request, *args, **kwargs):
        if request.user.is_authenticated and not can_change_any(request.user):
            raise PermissionDenied(_("You have no part of the hierarchy to enter data in."))
        return super().dispatch(request, *args, **kwargs)

    def get(self, request):
        if request.GET.get("template"):
            return self.sheet_class(request.user).template_response()
        return render(request, self.template_name, {"form": UploadForm(), "title": self.title, "list_url": self.list_url})

    def post(self, request):
        form = UploadForm(request.POST, request.FILES)
        result = None
        if form.is_valid():
            result: ImportResult = self.sheet_class(request.user).import_file(form.cleaned_data["file"])
            if result.ok:
                messages.success(
                    request,
                    _("Upload saved: %(created)d created, %(updated)d updated, %(unchanged)d unchanged.")
                    % {"created": result.created, "updated": result.updated, "unchanged": result.unchanged},
                )
                return HttpResponseRedirect(reverse(self.list_url))
        status = 400 if result is not None else 200
        return render(
            request,
            self.template_name,
            {"form": form, "result": result, "title": self.title, "list_url": self.list_url},
            status=status,
        )


class HomeView(LoginRequiredMixin, TemplateView):
    template_name = "core/home.html"

    def get_context_data(self, **kwargs):
        from communities.selectors import scope_summary

        context = super().get_context_data(**kwargs)
        context.update(scope_summary(user=self.request.user))
        context["recent"] = recent_changes(self.request.user, limit=10)
        return context


class ChangeLogView(LoginRequiredMixin, View):
    """The change log of the viewer's part of the hierarchy: filtered, paged by keyset (newer /
    older, no count), exported to Excel with the same filters."""

    template_name = "core/changelog.html"
    paginate_by = 50

    def get(self, request):
        from core.audit import Cursor, LogQuery, entries_for_rows
        from core.changelog import ChangeLogFilterForm, changelog_workbook

        form = ChangeLogFilterForm(request.GET or None, user=request.user)
        # The auditor (审计员) reads the change log of their part and nothing else.
        log = LogQuery(request.user, form.log_filter(), actions=(Action.VIEW, Action.AUDIT))
        if request.GET.get("format") == "xlsx":
            return changelog_workbook(log, user=request.user)
        after, before = Cursor.parse(request.GET.get("after")), Cursor.parse(request.GET.get("before"))
        # one row more than the page tells whether there is a page beyond it
        rows = log.rows(after=after, before=before if after is None else None, limit=self.paginate_by + 1)
        if before is not None and after is None:
            more_newer, rows = len(rows) > self.paginate_by, rows[-self.paginate_by:]
            more_older = True
        else:
            more_older, rows = len(rows) > self.paginate_by, rows[: self.paginate_by]
            more_newer = after is not None
        entries = entries_for_rows(rows, user=request.user)
        params = request.GET.copy()
        for name in ("after", "before", "format"):
            params.pop(name, None)
        querystring = params.urlencode()
        link = f"?{querystring}&" if querystring else "?"
        cursor = lambda row: Cursor(row[0], row[2], row[1]).token()  # noqa: E731
        return render(request, self.template_name, {
            "form": form,
            "entries": entries,
            "querystring": querystring,
            "first_url": f"?{querystring}" if (after or before) else "",
            "newer_url": f"{link}before={cursor(rows[0])}" if rows and more_newer else "",
            "older_url": f"{link}after={cursor(rows[-1])}" if rows and more_older else "",
        })


def broker_state() -> str:
    """'ok' when the Celery broker accepts a connection now, 'inline' without one, else
    'unavailable' (at most about a second)."""
    from sanqi.celery import app

    if app.conf.task_always_eager:
        return "inline"
    try:
        with app.connection_for_write(connect_timeout=1) as conn:
            conn.ensure_connection(max_retries=1, interval_start=0, interval_step=0, timeout=2)
        return "ok"
    except Exception:  # noqa: BLE001 - any failure is "unavailable"
        return "unavailable"


def healthz(request):
    """Health for load balancers and docker-compose (docs/deploy.md, docs/concurrency.md):

    - 200 ``ok``: the database, the cache and the broker answer;
    - 207 ``degraded``: the database answers but the cache or the broker does not. Pages and
      writes work (figures are computed without the cache), background jobs wait and are queued
      again when the broker is back: keep the instance in rotation and alert;
    - 503 ``error``: the database does not answer (or, with ``?deep=1``, no worker does).
    """
    from core.cache import probe

    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
    except Exception:  # pragma: no cover - exercised by an outage only
        return JsonResponse({"status": "error", "database": "unavailable"}, status=503)
    body = {"status": "ok", "database": "ok", "cache": probe(), "broker": broker_state()}
    degraded = "unavailable" in (body["cache"], body["broker"])
    if degraded:
        body["status"] = "degraded"
    if request.GET.get("deep"):
        from core.tasks import ping

        try:
            body["worker"] = ping.delay().get(timeout=5) == "pong" and "ok"
        except Exception:
            body.update(status="error", worker="unavailable")
            return JsonResponse(body, status=503)
    return JsonResponse(body, status=207 if degraded else 200)
