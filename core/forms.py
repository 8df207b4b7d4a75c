from dataclasses import dataclass

from django import forms
from django.core import signing
from django.db import models
from django.utils.translation import gettext_lazy as _

from core.masking import can_see_personal_data, mask_field
from core.versioning import Conflict, is_versioned, snapshot_at


class BootstrapFormMixin:
    """Bootstrap classes on every widget, and ``is-invalid`` on fields with errors."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            widget = field.widget
            if isinstance(widget, forms.CheckboxInput):
                css = "form-check-input"
            elif isinstance(widget, forms.Select):
                css = "form-select"
            else:
                css = "form-control"
            widget.attrs["class"] = f"{widget.attrs.get('class', '')} {css}".strip()

    def full_clean(self):
        super().full_clean()
        for name in self.errors:
            if name in self.fields:
                widget = self.fields[name].widget
                widget.attrs["class"] = f"{widget.attrs.get('class', '')} is-invalid".strip()


class CommunityChoiceField(forms.ModelChoiceField):
    """Communities labelled "街道 / 社区", so that a district's ~150 stay findable in one
    dropdown. Give it a queryset with ``select_related("parent")``."""

    def label_from_instance(self, obj):
        return f"{obj.parent.name} / {obj.name}" if obj.parent_id else obj.name


class NodeChoiceField(forms.ModelChoiceField):
    """Nodes of any level, indented by level and labelled with it ("　　酒泉路街道（街道）"), for
    a choice among a user's streets, districts and cities. Give it a queryset ordered by code."""

    def label_from_instance(self, obj):
        indent = "　" * max(obj.level - 1, 0)
        return f"{indent}{obj.name}（{obj.get_level_display()}）"


# ---- optimistic concurrency on pages (core.versioning) ----

VERSION_FIELD = "version"


def add_version_field(form, obj) -> None:
    """Give the edit form of a versioned record the version it was read at (a hidden field)."""
    if not is_versioned(obj) or VERSION_FIELD in form.fields:
        return
    form.fields[VERSION_FIELD] = forms.IntegerField(
        widget=forms.HiddenInput, min_value=0, initial=obj.version,
        error_messages={"required": _("This page does not say which version of the record it shows; open it again.")},
    )
    form.initial[VERSION_FIELD] = obj.version


@dataclass
class ConflictRow:
    name: str
    label: str
    was: str  # when this user opened the page
    theirs: str  # now, after the other person's change
    mine: str  # what this user entered
    mine_changed: bool
    theirs_changed: bool


def _model_value(field, value):
    """A form's cleaned value as the model stores it, for comparison with a record's."""
    if isinstance(value, models.Model):
        return value.pk
    if isinstance(value, (list, tuple, set, models.QuerySet)):
        return frozenset(v.pk if isinstance(v, models.Model) else v for v in value)
    return value


def _text(model_field, value, *, personal: bool, user) -> str:
    if value is None or value == "" or value == frozenset():
        return "—"
    if isinstance(value, frozenset):
        related = model_field.related_model
        return "、".join(sorted(str(o) for o in related._base_manager.filter(pk__in=value)))
    if model_field.is_relation:
        return str(model_field.related_model._base_manager.filter(pk=value).first() or f"#{value}")
    if model_field.choices:
        return str(dict(model_field.flatchoices).get(value, value))
    if isinstance(value, bool):
        return str(_("yes") if value else _("no"))
    text = str(value)
    if personal and not can_see_personal_data(user):
        text = mask_field(model_field.name, text)
    return text


def conflict_rows(form, current, *, user) -> list[ConflictRow]:
    """The fields where the record now differs from what the stale form was read at (the other
    person's changes), or — when that version is no longer known — from what this user entered."""
    was_obj = snapshot_at(current, form.cleaned_data.get(VERSION_FIELD))
    personal = set(getattr(type(current), "personal_fields", ()) or ())
    rows = []
    for name in form._meta.fields:
        if name not in form.cleaned_data:
            continue
        model_field = current._meta.get_field(name)
        if isinstance(model_field, models.FileField):
            continue
        if model_field.many_to_many:
            theirs = frozenset(getattr(current, name).values_list("pk", flat=True))
            was = None
        else:
            theirs = getattr(current, model_field.attname)
            was = getattr(was_obj, model_field.attname) if was_obj is not None else None
        mine = _model_value(model_field, form.cleaned_data[name])
        known = was_obj is not None and not model_field.many_to_many
        if name in getattr(form, "personal_unchanged", ()):
            mine = was if known else theirs  # left as the page showed it
        theirs_changed = theirs != was if known else theirs != mine
        if not theirs_changed:
            continue
        rows.append(ConflictRow(
            name=name, label=str(model_field.verbose_name),
            was=_text(model_field, was, personal=name in personal, user=user) if known else "",
            theirs=_text(model_field, theirs, personal=name in personal, user=user),
            mine=_text(model_field, mine, personal=name in personal, user=user),
            mine_changed=(mine != was) if known else True,
            theirs_changed=True,
        ))
    return rows


def merged_data(form, fresh, rows):
    """The stale form's data, with the other person's value taken wherever this user had left
    the field as it was, and the hidden fields (version, what was shown) of ``fresh``, a form
    on the current record."""
    data = form.data.copy()
    take_theirs = {row.name for row in rows if not row.mine_changed}
    names = take_theirs | {bf.name for bf in fresh.hidden_fields()}
    for name in names:
        bound = fresh[name]
        key = fresh.add_prefix(name)
        value = bound.value()
        widget = bound.field.widget
        if isinstance(widget, forms.CheckboxInput):
            if value:
                data[key] = "on"
            else:
                data.pop(key, None)
        elif isinstance(value, (list, tuple)):
            data.setlist(key, [str(v) for v in value])
        else:
            data[key] = "" if value is None else str(value)
    return data


def offer_again(make_form, form, current, *, user):
    """After a stale save (``core.versioning.Conflict``): the rows of :func:`conflict_rows` and
    the form to show again — on the current record, at its version, with the other person's
    values wherever this user had left a field as it was. ``make_form(obj, data)`` builds the
    page's form (with its version field)."""
    rows = conflict_rows(form, current, user=user)
    merged = make_form(current, merged_data(form, make_form(current, None), rows))
    merged.is_valid()
    merged.add_error(None, str(Conflict()))
    return merged, rows


# ---- personal data on pages (core.masking) ----

SHOWN_FIELD = "personal_shown"


class PersonalFieldsFormMixin:
    """Personal fields (the model's ``personal_fields``) appear masked to users who may not see
    them. The form carries what it showed (signed, hidden), and a masked value coming back is
    recognised against that — not against the value stored now — and keeps the stored value;
    any other value with ``*`` is refused by the field's format check (core.fields.PhoneField,
    the ID number check). An upload has no such field: there the masked copy of the stored
    value counts as unchanged. Call :meth:`mask_personal_fields` at the end of ``__init__``."""

    def _shown_salt(self) -> str:
        return f"personal-shown:{self._meta.model._meta.label_lower}:{self.instance.pk}"

    def mask_personal_fields(self, user) -> None:
        self.personal_masked = bool(self.instance.pk) and not can_see_personal_data(user)
        if not self.personal_masked:
            return
        shown = {}
        for name in getattr(self._meta.model, "personal_fields", ()):
            if name in self.fields:
                shown[name] = mask_field(name, getattr(self.instance, name)) or ""
                self.initial[name] = shown[name]
                self.fields[name].help_text = _("Shown masked; leave it as it is to keep the stored value.")
        if shown:
            self.fields[SHOWN_FIELD] = forms.CharField(
                widget=forms.HiddenInput, required=False, initial=signing.dumps(shown, salt=self._shown_salt())
            )

    def shown_personal_values(self) -> dict | None:
        """What the page showed of each personal field, or ``None`` (no page: an upload)."""
        token = self.data.get(self.add_prefix(SHOWN_FIELD)) if self.is_bound else None
        if not token:
            return None
        try:
            return signing.loads(token, salt=self._shown_salt())
        except signing.BadSignature:
            return {}

    def clean(self):
        cleaned = super().clean()
        self.personal_unchanged = set()
        if getattr(self, "personal_masked", False):
            shown = self.shown_personal_values()
            for name in getattr(self._meta.model, "personal_fields", ()):
                value = cleaned.get(name)
                if not value or "*" not in str(value):
                    continue
                stored = getattr(self.instance, name)
                reference = shown.get(name) if shown is not None else mask_field(name, stored)
                if value == reference:
                    cleaned[name] = stored  # left as shown: keep what is stored
                    self.personal_unchanged.add(name)
        return cleaned
