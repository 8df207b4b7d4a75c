"""The recycle bin (回收站): deletes say what goes with them and can be undone.

Every delete goes through :func:`core.services.scoped_delete`, which calls
:func:`recycle_and_delete`: Django's deletion ``Collector`` (what ``Model.delete()`` uses)
gathers the record and everything that cascades from it; every collected row is serialized
with Django's "python" serializer into one :class:`~core.models.RecycleEntry`, in restore order
(parents first), together with the code of the record's node (the entry's scope) and the counts
per kind; then the same collector deletes them, in the same transaction.

:func:`deletion_preview` shows the same collection before anything is deleted (the admin's
``NestedObjects``), for the confirmation page.

:func:`recycle_entry_restore` puts every row back with its original id and values (raw saves:
no ``auto_now``, no business rule re-run on old data) inside one transaction, after checking
that nothing conflicts (a unique value reused meanwhile, a parent that is gone); a conflict is
refused with a message and nothing is restored. The restore is written to the audit history of
each row with the change reason :data:`RESTORE_REASON`, which the change log shows as
"restored".

Entries older than ``SANQI_RECYCLE_BIN_DAYS`` are purged by the Celery beat task
``core.purge_recycle_bin`` (:func:`recycle_bin_purge`).
"""

from __future__ import annotations

import datetime as dt
import decimal
import uuid
from collections import defaultdict
from dataclasses import dataclass, field
from functools import reduce
from operator import or_

from django.apps import apps
from django.conf import settings
from django.contrib.admin.utils import NestedObjects
from django.contrib.contenttypes.models import ContentType
from django.core import serializers
from django.core.serializers.base import DeserializationError
from django.core.exceptions import ObjectDoesNotExist, PermissionDenied, ValidationError
from django.db import DEFAULT_DB_ALIAS, IntegrityError, router, transaction
from django.db.models import Q, UniqueConstraint
from django.db.models.deletion import Collector
from django.utils import timezone
from django.utils.translation import gettext as _

from core.audit import DELETE_REASON, RESTORE_REASON
from core.models import RecycleEntry

# How many records of each kind the confirmation page names (the counts are always complete).
PREVIEW_NAMES_PER_KIND = 20


def retention_days() -> int:
    return int(getattr(settings, "SANQI_RECYCLE_BIN_DAYS", 30))


def expires_at(entry: RecycleEntry) -> dt.datetime:
    return entry.deleted_at + dt.timedelta(days=retention_days())


# ---- what a delete takes with it ----

@dataclass
class Kind:
    label: str
    count: int
    names: list[str] = field(default_factory=list)

    @property
    def more(self) -> int:
        return self.count - len(self.names)


@dataclass
class DeletionPreview:
    dependents: list[Kind]  # every kind removed with the record, the record itself excluded
    protected: list[str]  # records that forbid the delete (PROTECT / RESTRICT)

    @property
    def total(self) -> int:
        return sum(kind.count for kind in self.dependents)


def _shown(model) -> bool:
    # Rows of an automatic many-to-many table are links, not records; they are restored with the rest.
    return not model._meta.auto_created


def deletion_preview(instance) -> DeletionPreview:
    """What deleting ``instance`` removes with it, per kind, and what would forbid it."""
    using = router.db_for_write(type(instance))
    collector = NestedObjects(using=using, origin=instance)
    collector.collect([instance])
    dependents = []
    for model, objs in collector.model_objs.items():
        if not _shown(model):
            continue
        others = [obj for obj in objs if not (type(obj) is type(instance) and obj.pk == instance.pk)]
        if not others:
            continue
        others.sort(key=lambda obj: obj.pk)
        label = model._meta.verbose_name_plural if len(others) > 1 else model._meta.verbose_name
        dependents.append(Kind(str(label), len(others), [str(obj) for obj in others[:PREVIEW_NAMES_PER_KIND]]))
    dependents.sort(key=lambda kind: kind.label)
    protected = sorted(f"{obj._meta.verbose_name}：{obj}" for obj in collector.protected)
    return DeletionPreview(dependents=dependents, protected=protected)


def entry_kinds(entry: RecycleEntry, *, names: bool = False) -> list[Kind]:
    """What went with the deleted record, per kind with its count, named in the reader's
    language; with ``names``, the first records of each kind by name (reads ``entry.data``)."""
    kinds = []
    root = entry.content_type.model_class()
    named: dict[str, list[str]] = defaultdict(list)
    if names and root is not None:
        for row in entry.data:
            same = row["model"] == root._meta.label_lower and row["pk"] == entry.object_id
            if not same and len(named[row["model"]]) < PREVIEW_NAMES_PER_KIND:
                named[row["model"]].append(row.get("repr") or f"#{row['pk']}")
    for label, count in entry.counts.items():
        try:
            model = apps.get_model(label)
        except LookupError:
            continue
        if not _shown(model):
            continue
        if model is root:
            count -= 1
            if not count:
                continue
        name = model._meta.verbose_name_plural if count > 1 else model._meta.verbose_name
        kinds.append(Kind(str(name), count, named.get(label, [])))
    kinds.sort(key=lambda kind: kind.label)  # as the confirmation page listed them
    return kinds


# ---- delete into the bin ----

def _jsonable(value):
    """Values of the "python" serialization as JSON, losing nothing (microseconds included)."""
    if isinstance(value, (dt.datetime, dt.date, dt.time)):
        return value.isoformat()
    if isinstance(value, (decimal.Decimal, uuid.UUID)):
        return str(value)
    if isinstance(value, dt.timedelta):
        return value.total_seconds()
    if isinstance(value, (list, tuple)):
        return [_jsonable(v) for v in value]
    return value


def _serialize(objs) -> list[dict]:
    """Rows of one model. The first few keep their name for the bin's pages (a name may read
    parents: one query each, so not for every row of a large cascade)."""
    objs = list(objs)
    rows = serializers.serialize("python", objs)
    for i, (row, obj) in enumerate(zip(rows, objs)):
        if i <= PREVIEW_NAMES_PER_KIND:
            row["repr"] = _name(obj)[:200]  # the deserializer ignores it
        model = apps.get_model(row["model"])
        m2m = {f.name for f in model._meta.many_to_many}
        # The links of a many-to-many field are rows of its table, collected and kept separately.
        row["fields"] = {name: _jsonable(value) for name, value in row["fields"].items() if name not in m2m}
        row["pk"] = _jsonable(row["pk"])
    return rows


def recycle_and_delete(*, actor, instance, node) -> RecycleEntry:
    """Delete ``instance`` and everything that cascades from it, keeping all of it in the bin.

    Must run inside the caller's transaction (``scoped_delete``): the entry and the delete
    commit together. Raises ``ProtectedError``/``RestrictedError`` like ``Model.delete()``.
    """
    using = router.db_for_write(type(instance))
    collector = Collector(using=using, origin=instance)
    collector.collect([instance])
    if collector.field_updates:  # no model uses SET_NULL/SET_DEFAULT; restoring such links is not written
        raise ValidationError(_("This record cannot be moved to the recycle bin."))
    collector.sort()  # models in delete order: dependents before what they depend on
    ordered_models = list(collector.data)
    rows_by_model: dict = {}
    counts: dict[str, int] = defaultdict(int)
    for model in ordered_models:
        objs = sorted(collector.data[model], key=lambda obj: obj.pk)
        rows_by_model[model] = objs
    # Fast deletes (querysets Django deletes without loading, e.g. many-to-many links).
    fast: dict = defaultdict(list)
    for qs in collector.fast_deletes:
        fast[qs.model].extend(qs)
    data: list[dict] = []
    for model in reversed(ordered_models):  # restore order: parents first
        data.extend(_serialize(rows_by_model[model]))
        counts[model._meta.label_lower] += len(rows_by_model[model])
    for model, objs in fast.items():  # they only point at collected rows: restored last
        unique = {obj.pk: obj for obj in objs}
        data.extend(_serialize(sorted(unique.values(), key=lambda obj: obj.pk)))
        counts[model._meta.label_lower] += len(unique)
    entry = RecycleEntry.objects.using(using).create(
        content_type=ContentType.objects.db_manager(using).get_for_model(type(instance), for_concrete_model=False),
        object_id=instance.pk,
        object_repr=str(instance)[:200],
        node_code=node.code,
        node_name=str(node)[:100],
        deleted_by=actor if getattr(actor, "is_authenticated", False) else None,
        deleted_at=timezone.now(),
        counts=dict(counts),
        data=data,
    )
    for objs in collector.data.values():
        for obj in objs:  # every cascaded row's history names the actor and the bin
            obj._history_user = actor
            obj._change_reason = DELETE_REASON
    collector.delete()
    return entry


# ---- restore ----

class RestoreConflict(ValidationError):
    pass


def _deserialize(entry: RecycleEntry, using: str):
    """The kept rows as unsaved objects. A field removed by a later migration is ignored and a
    field added since takes its default; a kind of record that no longer exists is a conflict."""
    try:
        for row in entry.data:  # the deserializer would skip an unknown model silently
            apps.get_model(row["model"])
        objects = list(serializers.deserialize("python", entry.data, using=using, ignorenonexistent=True))
        if len(objects) != len(entry.data):
            raise DeserializationError("rows were skipped")
        return objects
    except (DeserializationError, LookupError) as exc:
        raise RestoreConflict(
            _("“%(obj)s” cannot be restored, nothing was changed: its kind of record has changed since it was deleted.")
            % {"obj": entry.object_repr}
        ) from exc


def _name(obj) -> str:
    try:
        return str(obj)
    except ObjectDoesNotExist:  # its __str__ reads a parent that is gone
        return f"#{obj.pk}"


def _unique_field_sets(model) -> tuple[list[tuple], bool]:
    """The field sets whose values must be unique across the table (the primary key, unique
    fields, unique_together, unconditional unique constraints), and whether the model also has
    constraints only a row-by-row check understands."""
    meta = model._meta
    sets = [(f,) for f in meta.concrete_fields if f.unique]
    sets += [tuple(meta.get_field(name) for name in together) for together in meta.unique_together]
    sets += [tuple(meta.get_field(name) for name in c.fields) for c in meta.total_unique_constraints]
    row_by_row = any(isinstance(c, UniqueConstraint) and c not in meta.total_unique_constraints for c in meta.constraints)
    return sets, row_by_row


def _reused(model, fields, objs, using, chunk: int = 500) -> list:
    """The objects whose values of ``fields`` are already taken in the table."""
    wanted: dict = defaultdict(list)
    for obj in objs:
        key = tuple(getattr(obj, f.attname) for f in fields)
        if None not in key:  # NULLs never clash
            wanted[key].append(obj)
    names = [f.attname for f in fields]
    keys = list(wanted)
    taken = set()
    for start in range(0, len(keys), chunk):
        part = keys[start : start + chunk]
        if len(names) == 1:
            q = Q(**{f"{names[0]}__in": [key[0] for key in part]})
        else:
            q = reduce(or_, (Q(**dict(zip(names, key))) for key in part))
        taken.update(model._base_manager.using(using).filter(q).values_list(*names))
    return [obj for key in taken if key in wanted for obj in wanted[key]]


def _conflicts(objects, using: str) -> list[str]:
    """Why restoring these rows would fail, one line each; empty when it can go ahead."""
    problems: list[str] = []
    restored = {(type(d.object)._meta.concrete_model, d.object.pk) for d in objects}
    # Parents outside the entry must still exist: one query per related model.
    wanted: dict = defaultdict(dict)
    for d in objects:
        obj = d.object
        for f in obj._meta.concrete_fields:
            if not f.is_relation or not f.many_to_one:
                continue
            value = getattr(obj, f.attname)
            target = f.related_model._meta.concrete_model
            if value is None or (target, value) in restored:
                continue
            wanted[(target, f.target_field.attname)].setdefault(value, (obj, f))
    for (target, attname), needed in wanted.items():
        present = set(target._base_manager.using(using).filter(**{f"{attname}__in": list(needed)}).values_list(attname, flat=True))
        for value, (obj, f) in needed.items():
            if value not in present:
                problems.append(
                    _("%(kind)s “%(obj)s”: its %(field)s (#%(id)s) no longer exists; restore or recreate it first.")
                    % {"kind": obj._meta.verbose_name, "obj": _name(obj), "field": f.verbose_name, "id": value}
                )
    # Ids and unique values reused meanwhile: found in bulk (a query per unique field set and
    # model), then explained with the model's own message for the rows that clash.
    by_model: dict = defaultdict(list)
    for d in objects:
        by_model[type(d.object)].append(d.object)
    clashing: list = []
    for model, objs in by_model.items():
        field_sets, row_by_row = _unique_field_sets(model)
        if row_by_row:  # conditional or expression constraints: the model checks each row itself
            clashing.extend(objs)
            continue
        for fields in field_sets:
            clashing.extend(_reused(model, fields, objs, using))
    seen = set()
    for obj in clashing:
        if id(obj) in seen:
            continue
        seen.add(id(obj))
        try:
            obj.validate_unique()
            obj.validate_constraints()
        except ValidationError as exc:
            for message in exc.messages:
                problems.append(_("%(kind)s “%(obj)s”: %(problem)s") % {"kind": obj._meta.verbose_name, "obj": _name(obj), "problem": message})
    return problems


def restorable_entries(user):
    return RecycleEntry.objects.restrict(user)


def may_restore(user) -> bool:
    """Reviewers and system administrators restore; the menu shows the bin to them only."""
    from core.scope import Action, scope_prefixes

    prefixes = scope_prefixes(user, Action.REVIEW)
    return prefixes is None or bool(prefixes)


def recycle_entry_restore(*, actor, entry: RecycleEntry) -> object:
    """Put back every row of ``entry`` with its ids and values, all or nothing, and remove the
    entry. Refused (``PermissionDenied``) unless the actor reviews the entry's node; refused
    (:class:`RestoreConflict`, a ``ValidationError``) when anything conflicts. Returns the
    restored record."""
    if not may_restore(actor):
        raise PermissionDenied(_("Only a reviewer or a system administrator can restore deleted records."))
    using = router.db_for_write(RecycleEntry) or DEFAULT_DB_ALIAS
    with transaction.atomic(using=using):
        locked = restorable_entries(actor).using(using).select_for_update().filter(pk=entry.pk).first()
        if locked is None:
            raise PermissionDenied(_("This entry is not in the recycle bin (already restored or purged)."))
        objects = _deserialize(locked, using)
        problems = _conflicts(objects, using)
        if problems:
            raise RestoreConflict(
                [_("“%(obj)s” cannot be restored, nothing was changed:") % {"obj": locked.object_repr}, *problems]
            )
        try:
            with transaction.atomic(using=using):
                for d in objects:
                    d.save(using=using, force_insert=True)
                by_model: dict = defaultdict(list)
                for d in objects:
                    by_model[type(d.object)].append(d.object)
                for model, objs in by_model.items():
                    history = getattr(model, "history", None)
                    if history is not None and hasattr(history, "bulk_history_create"):
                        history.bulk_history_create(
                            objs, default_user=actor, default_change_reason=RESTORE_REASON, default_date=timezone.now()
                        )
        except IntegrityError as exc:  # a conflicting write committed between the check and the insert
            raise RestoreConflict(
                _("“%(obj)s” cannot be restored, nothing was changed: another record took its place meanwhile.")
                % {"obj": locked.object_repr}
            ) from exc
        locked.delete()
    model = locked.content_type.model_class()
    return model._base_manager.using(using).get(pk=locked.object_id)


def recycle_bin_purge(*, now: dt.datetime | None = None) -> int:
    """Remove the entries kept longer than the retention period; returns how many."""
    cutoff = (now or timezone.now()) - dt.timedelta(days=retention_days())
    count, _per_kind = RecycleEntry.objects.filter(deleted_at__lt=cutoff).delete()
    return count
