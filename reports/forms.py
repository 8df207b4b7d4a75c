"""Forms of the reports app: start a summary, edit its text, write a suggestion text."""

from django import forms
from django.utils.translation import gettext_lazy as _

from communities.models import Level, Node
from core.forms import BootstrapFormMixin, NodeChoiceField
from core.panels import year_choices
from core.scope import Action, scope_q
from reports.models import SuggestionText


def writable_nodes(user):
    """Streets and higher nodes whose summaries ``user`` may write (clerks and reviewers)."""
    return (
        Node.objects.filter(scope_q(user, Action.CHANGE) | scope_q(user, Action.REVIEW))
        .filter(level__lt=Level.COMMUNITY)
        .select_related("parent")
        .order_by("code")
    )


class SummaryStartForm(BootstrapFormMixin, forms.Form):
    node = NodeChoiceField(queryset=Node.objects.none(), label=_("street or district"), empty_label=None)
    year = forms.TypedChoiceField(coerce=int, label=_("year"))

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["node"].queryset = writable_nodes(user)
        # The summary of a year is written at its end, or early in the next one.
        self.fields["year"].choices = [(y, y) for y in year_choices()]


class SummaryTextForm(BootstrapFormMixin, forms.Form):
    """One field per block of the summary's text, in order."""

    REVISION = "_revision"

    def __init__(self, *args, blocks=(), revision=None, **kwargs):
        super().__init__(*args, **kwargs)
        labels = {
            "title": _("Title"), "h1": _("Heading"), "h2": _("Subheading"), "body": _("Text"),
            "signature": _("Signing body"), "date": _("Date"),
        }
        for block in blocks:
            one_line = block["kind"] in ("h1", "h2", "date")
            rows = 2 if block["kind"] in ("title", "signature") else max(4, block["text"].count("\n") + 3)
            css = "form-control" + (" fw-bold" if block["kind"] in ("title", "h1", "h2") else "")
            widget = forms.TextInput(attrs={"class": css}) if one_line else forms.Textarea(attrs={"rows": rows, "class": css})
            self.fields[block["key"]] = forms.CharField(
                label=labels.get(block["kind"], block["kind"]), initial=block["text"],
                required=block["kind"] in ("title", "h1", "h2"), widget=widget, max_length=20000,
            )
            self.fields[block["key"]].block_kind = block["kind"]
            self.fields[block["key"]].fresh = block.get("fresh", "")  # a redraft's text beside a hand edit
            # The text as read goes with the page, so that a stale save can show whose change is whose.
            self.fields[block["key"]].show_hidden_initial = True
        if revision is not None:  # the text revision the page was read at (core.versioning, like every edit page)
            self.fields[self.REVISION] = forms.IntegerField(
                widget=forms.HiddenInput, initial=revision, min_value=0,
                error_messages={"required": _("This page does not say which version of the record it shows; open it again.")},
            )

    def texts(self) -> dict[str, str]:
        return {k: v for k, v in self.cleaned_data.items() if k != self.REVISION}

    def conflict(self, current) -> list:
        """After a stale save: each part the other person changed (as read / now / yours), and
        the form's data with their text wherever this user had left a part as it was."""
        from core.forms import ConflictRow

        now = {b["key"]: b["text"] for b in current.blocks}
        data = self.data.copy()
        rows = []
        for key, field in self.fields.items():
            if key == self.REVISION or key not in now:
                continue
            mine = (self.data.get(self.add_prefix(key)) or "").replace("\r\n", "\n").strip()
            was = (self.data.get(self.add_initial_prefix(key)) or "").replace("\r\n", "\n").strip()
            if now[key] == was:
                continue
            rows.append(ConflictRow(name=key, label=str(field.label), was=was, theirs=now[key], mine=mine,
                                    mine_changed=mine != was, theirs_changed=True))
            if mine == was:
                data[self.add_prefix(key)] = now[key]
            data[self.add_initial_prefix(key)] = now[key]
        data[self.add_prefix(self.REVISION)] = str(current.revision)
        return rows, data


class SuggestionTextForm(BootstrapFormMixin, forms.ModelForm):
    node = NodeChoiceField(queryset=Node.objects.none(), label=_("set by"))

    class Meta:
        model = SuggestionText
        fields = ["node", "kind", "text"]
        widgets = {"text": forms.Textarea(attrs={"rows": 6})}

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["node"].queryset = writable_nodes(user)
        self.fields["node"].help_text = _("Summaries of this node and of the nodes under it use this text, unless a nearer node writes its own.")
