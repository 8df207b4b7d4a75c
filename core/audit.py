"""Reading the audit trail kept by django-simple-history: who changed what, before and after.

django-simple-history was chosen over a home-made log because it records create, update and
delete (including admin and bulk paths) as full snapshots in a table per model, so a history
row keeps the record's node and can be scoped with the same rule as the record itself.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from functools import reduce
from operator import or_

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from core.masking import can_see_personal_data, mask_field
from core.scope import scope_q

CHANGE_TYPES = {
    "+": pgettext_lazy("change type", "created"),
    "~": pgettext_lazy("change type", "changed"),
    "-": pgettext_lazy("change type", "deleted"),
}
# The history_change_reason core.recycle writes on the rows it deletes into the bin and restores.
DELETE_REASON = "recycle-bin:delete"
RESTORE_REASON = "recycle-bin:restore"
REASON_LABELS = {
    DELETE_REASON: pgettext_lazy("change type", "moved to the recycle bin"),
    RESTORE_REASON: pgettext_lazy("change type", "restored from the recycle bin"),
}

# Models whose history the change-log page shows; apps register theirs in AppConfig.ready().
AUDITED_MODELS: list[type[models.Model]] = []


def register_audited(model) -> None:
    if model not in AUDITED_MODELS:
        AUDITED_MODELS.append(model)


@dataclass
class Change:
    label: str
    old: str
    new: str


@dataclass
class Entry:
    date: datetime
    user: object
    type: str
    type_label: str
    object_repr: str
    object_id: int
    model_label: str
    changes: list[Change] = field(default_factory=list)


def _tracked_fields(model):
    excluded = set(getattr(model.history.model, "_history_excluded_fields", []) or [])
    excluded |= {"id", "created", "last_updated"}
    return [f for f in model._meta.concrete_fields if f.name not in excluded]


def _display(field_obj, value, fk_names) -> str:
    if value is None or value == "":
        return "—"
    if field_obj.is_relation:
        return fk_names.get((field_obj.related_model, value), f"#{value}")
    if field_obj.choices:
        return str(dict(field_obj.flatchoices).get(value, value))
    if isinstance(value, bool):
        return str(_("yes") if value else _("no"))
    return str(value)


def entries_from_records(model, records, previous: dict | None = None, *, user=None) -> list[Entry]:
    """Turn historical rows (newest first) into entries with per-field before/after values.

    ``previous`` maps a record id to its history row just before the oldest one given; rows
    without one compare against nothing (a creation). Foreign keys are named with one query
    per related model, whatever the number of rows. Fields the model lists in
    ``personal_fields`` are masked unless ``user`` may see personal data.
    """
    fields = _tracked_fields(model)
    personal = set(getattr(model, "personal_fields", ()) or ())
    if personal and can_see_personal_data(user):
        personal = set()
    ordered = sorted(records, key=lambda r: (r.history_date, r.history_id))
    last_seen: dict = dict(previous or {})
    fk_ids: dict = {}
    for rec in ordered:
        for f in fields:
            if f.is_relation:
                value = getattr(rec, f.attname)
                if value is not None:
                    fk_ids.setdefault(f.related_model, set()).add(value)
    fk_names = {}
    for related, ids in fk_ids.items():
        for obj in related._base_manager.filter(pk__in=ids):
            fk_names[(related, obj.pk)] = str(obj)
    entries = []
    for rec in ordered:
        before = last_seen.get(rec.id)
        if before is not None and before.history_type == "-":
            before = None  # back from the recycle bin: shown like a creation, every value listed
        changes = []
        if rec.history_type != "-":
            for f in fields:
                new = getattr(rec, f.attname)
                old = getattr(before, f.attname) if before is not None else None
                if before is None and (new is None or new == "" or new is False):
                    continue
                if before is None or old != new:
                    shown_old, shown_new = _display(f, old, fk_names), _display(f, new, fk_names)
                    if f.name in personal:
                        shown_old, shown_new = mask_field(f.name, shown_old), mask_field(f.name, shown_new)
                    changes.append(Change(str(f.verbose_name), shown_old, shown_new))
        last_seen[rec.id] = rec
        entries.append(
            Entry(
                date=rec.history_date,
                user=rec.history_user,
                type=rec.history_type,
                type_label=str(
                    REASON_LABELS.get(getattr(rec, "history_change_reason", None))
                    or CHANGE_TYPES.get(rec.history_type, rec.history_type)
                ),
                object_repr=str(getattr(rec, "name", "") or rec.id),
                object_id=rec.id,
                model_label=str(model._meta.verbose_name),
                changes=changes,
            )
        )
    entries.reverse()
    return entries


def history_for(obj, *, user, limit: int = 100) -> list[Entry]:
    """The audit trail of one record as ``user`` may read it, newest first, with before/after
    of each change (personal fields masked for users without the permission)."""
    records = list(obj.history.select_related("history_user").order_by("-history_date", "-history_id")[: limit + 1])
    older = records[limit:]  # one row beyond the limit serves as the "before" of the oldest shown
    shown = records[:limit]
    previous = {older[0].id: older[0]} if older else None
    return entries_from_records(type(obj), shown, previous, user=user)


def recent_changes(user, limit: int = 100, actions: tuple = ("view",)) -> list[Entry]:
    """The latest changes the user may see, across every audited model, newest first.

    ``actions``: the duties whose scope counts (the change-log page adds the auditor's); a
    model may add its own in ``audit_actions`` (accounts: their administrators')."""
    entries: list[Entry] = []
    for model in AUDITED_MODELS:
        history_model = model.history.model
        parts = [scope_q(user, a, model.scope_path) for a in (*actions, *getattr(model, "audit_actions", ()))]
        # An empty Q is "everything" (the superuser); Q() | Q(x) would narrow it to x.
        scope = Q() if any(not p for p in parts) else reduce(or_, parts)
        records = list(
            history_model.objects.filter(scope)
            .select_related("history_user")
            .order_by("-history_date", "-history_id")[:limit]
        )
        if not records:
            continue
        # The row before each shown row of the same record, for the "before" values: one query.
        previous = {}
        oldest = {}
        for rec in records:
            oldest[rec.id] = min(oldest.get(rec.id, rec.history_date), rec.history_date)
        candidates = history_model.objects.filter(id__in=list(oldest)).exclude(
            history_id__in=[r.history_id for r in records]
        ).order_by("id", "-history_date")
        for cand in candidates:
            if cand.history_date < oldest[cand.id] and cand.id not in previous:
                previous[cand.id] = cand
        entries.extend(entries_from_records(model, records, previous, user=user))
    entries.sort(key=lambda e: e.date, reverse=True)
    return entries[:limit]
