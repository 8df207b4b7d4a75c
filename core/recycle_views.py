"""Pages of the recycle bin (回收站): the list, one entry with what it holds, and the restore.

Reviewers and system administrators only (others get a 403); an entry outside the reviewer's
subtrees is a 404, like any record outside the scope.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied, ValidationError
from core.pagination import paginate
from django.http import HttpResponseRedirect
from django.shortcuts import get_object_or_404, render
from django.urls import NoReverseMatch, reverse
from django.utils.translation import gettext as _
from django.views import View

from core.contention import retry_once
from core.recycle import entry_kinds, expires_at, may_restore, recycle_entry_restore, restorable_entries, retention_days


class RecycleBinMixin(LoginRequiredMixin):
    def dispatch(self, request, *args, **kwargs):
        if request.user.is_authenticated and not may_restore(request.user):
            raise PermissionDenied(_("Only a reviewer or a system administrator can restore deleted records."))
        return super().dispatch(request, *args, **kwargs)

    def get_entry(self, pk):
        return get_object_or_404(restorable_entries(self.request.user).select_related("content_type", "deleted_by"), pk=pk)


def _describe(entry, *, names=False):
    entry.kinds = entry_kinds(entry, names=names)
    entry.kind_label = entry.content_type.model_class()._meta.verbose_name if entry.content_type.model_class() else ""
    entry.expires = expires_at(entry)
    return entry


class RecycleBinView(RecycleBinMixin, View):
    template_name = "core/recycle_bin.html"
    paginate_by = 50

    def get(self, request):
        qs = restorable_entries(request.user).select_related("content_type", "deleted_by").defer("data")
        kind = request.GET.get("kind", "")
        if kind.isdigit():
            qs = qs.filter(content_type_id=int(kind))
        query = request.GET.get("q", "").strip()
        if query:
            qs = qs.filter(object_repr__icontains=query)
        page = paginate(request, qs, self.paginate_by)
        for entry in page.object_list:
            _describe(entry)
        kinds = ContentType.objects.filter(
            pk__in=restorable_entries(request.user).order_by().values("content_type").distinct()
        )
        kind_choices = sorted(
            ((ct.pk, str(ct.model_class()._meta.verbose_name)) for ct in kinds if ct.model_class()), key=lambda c: c[1]
        )
        params = request.GET.copy()
        params.pop("page", None)
        return render(
            request,
            self.template_name,
            {
                "page_obj": page,
                "entries": page.object_list,
                "kind_choices": kind_choices,
                "kind": kind,
                "q": query,
                "querystring": params.urlencode(),
                "retention_days": retention_days(),
            },
        )


class RecycleEntryView(RecycleBinMixin, View):
    template_name = "core/recycle_entry.html"

    def get(self, request, pk):
        entry = _describe(self.get_entry(pk), names=True)
        return render(request, self.template_name, {"entry": entry, "retention_days": retention_days()})


class RecycleEntryRestoreView(RecycleBinMixin, View):
    """POST only: restore the entry whole, or say in one message why nothing was restored."""

    def post(self, request, pk):
        entry = self.get_entry(pk)
        try:
            restored = retry_once(recycle_entry_restore, actor=request.user, entry=entry)
        except ValidationError as exc:
            entry = _describe(entry, names=True)
            return render(
                request,
                RecycleEntryView.template_name,
                {"entry": entry, "retention_days": retention_days(), "errors": exc.messages},
                status=409,
            )
        messages.success(request, _("Restored %(obj)s with everything deleted with it.") % {"obj": restored})
        try:
            return HttpResponseRedirect(restored.get_absolute_url())
        except (AttributeError, NoReverseMatch):
            return HttpResponseRedirect(reverse("core:recycle_bin"))
