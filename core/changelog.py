"""The change log page's filters and its Excel export (the reading itself is core.audit)."""

from __future__ import annotations

from functools import reduce
from operator import or_

from django import forms
from django.contrib.auth import get_user_model
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from core.audit import ACTION_LABELS, LogFilter, app_choices, entries_for_rows, kind_choices, person_name
from core.downloads import export_name
from core.excel import neutralise, streaming_download, xlsx_stream
from core.forms import BootstrapFormMixin
from core.scope import Action, scope_prefixes

SYSTEM_CHOICE = "system"
# The export holds at most this many changes (newest first); narrow the filters for older ones.
EXPORT_LIMIT = 20_000
EXPORT_CHUNK = 500


def people_in_scope(user):
    """The people whose changes the viewer may filter on: those assigned within the viewer's
    scope (as reader or auditor), and the viewer."""
    User = get_user_model()
    prefixes = set()
    unlimited = False
    for action in (Action.VIEW, Action.AUDIT):
        found = scope_prefixes(user, action)
        if found is None:
            unlimited = True
        else:
            prefixes.update(found)
    if unlimited:
        return User.objects.order_by("last_name", "first_name", "username")
    wanted = reduce(or_, (Q(assignments__node__code__startswith=p) for p in sorted(prefixes)), Q(pk=user.pk))
    return User.objects.filter(pk__in=User.objects.filter(wanted).values("pk")).order_by("last_name", "first_name", "username")


class ChangeLogFilterForm(BootstrapFormMixin, forms.Form):
    person = forms.ChoiceField(label=gettext_lazy("User"), required=False)
    date_from = forms.DateField(label=gettext_lazy("From date"), required=False, widget=forms.DateInput(attrs={"type": "date"}))
    date_to = forms.DateField(label=gettext_lazy("To date"), required=False, widget=forms.DateInput(attrs={"type": "date"}))
    app = forms.ChoiceField(label=gettext_lazy("Module"), required=False)
    action = forms.ChoiceField(label=gettext_lazy("Action"), required=False)
    kind = forms.ChoiceField(label=gettext_lazy("Kind"), required=False)

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        blank = [("", "---------")]
        self.fields["person"].choices = blank + [(SYSTEM_CHOICE, _("system"))] + [
            (str(u.pk), person_name(u)) for u in people_in_scope(user)
        ]
        self.fields["app"].choices = blank + app_choices()
        self.fields["action"].choices = blank + [(k, str(v)) for k, v in ACTION_LABELS.items()]
        app = self.data.get("app", "") if self.is_bound else ""
        self.fields["kind"].choices = blank + kind_choices(app if app in dict(app_choices()) else "")

    def clean(self):
        data = super().clean()
        start, end = data.get("date_from"), data.get("date_to")
        if start and end and start > end:
            raise forms.ValidationError(_("The start date must not be after the end date."))
        return data

    def log_filter(self) -> LogFilter:
        if not self.is_bound or not self.is_valid():
            return LogFilter()
        d = self.cleaned_data
        person = d.get("person") or ""
        return LogFilter(
            person=0 if person == SYSTEM_CHOICE else (int(person) if person else None),
            date_from=d.get("date_from"),
            date_to=d.get("date_to"),
            app=d.get("app") or "",
            action=d.get("action") or "",
            kind=d.get("kind") or "",
        )


def changes_text(entry) -> str:
    lines = []
    for c in entry.changes:
        lines.append(f"{c.label}：{c.old} → {c.new}" if c.old else f"{c.label}：{c.new}")
    return "\n".join(lines)


def changelog_rows(log, *, user):
    """The export's rows, read a page at a time (a page's constant number of queries). Past
    ``EXPORT_LIMIT`` changes the last row says the workbook stops there: an auditor must not
    take a cut log for the whole one."""
    taken, more = 0, False
    # one change beyond the limit tells whether the log goes on
    for chunk in log.iterate(chunk=EXPORT_CHUNK, limit=EXPORT_LIMIT + 1):
        if taken + len(chunk) > EXPORT_LIMIT:
            chunk, more = chunk[: EXPORT_LIMIT - taken], True
        taken += len(chunk)
        for entry in entries_for_rows(chunk, user=user, channel="export"):
            action = entry.type_label + (f"（{entry.via}）" if entry.via else "")
            yield [
                timezone.localtime(entry.date).strftime("%Y-%m-%d %H:%M:%S"),
                neutralise(entry.actor),
                action,
                entry.model_label,
                neutralise(entry.object_repr),
                neutralise(changes_text(entry)),
            ]
    if more:
        note = _("Only the newest %(limit)s changes are exported; narrow the filters (dates) to export older ones.")
        yield [None, None, None, None, None, note % {"limit": f"{EXPORT_LIMIT:,}"}]


def changelog_workbook(log, *, user):
    """The filtered change log as .xlsx, newest first, streamed by the shared export helper."""
    headers = [_("Time"), _("User"), _("Action"), _("Kind"), _("Record"), _("Changes (before → after)")]
    chunks = xlsx_stream(_("Change log"), headers, [18, 18, 14, 16, 36, 80], changelog_rows(log, user=user))
    return streaming_download(chunks, export_name(user, _("Change log")))
