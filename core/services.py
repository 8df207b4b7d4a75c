"""Writes shared by every domain app: save and delete inside the actor's scope, with audit.

Domain services call these instead of ``save()``/``delete()`` so that every write
- validates the instance (``full_clean``: field rules and ``Model.clean``),
- refuses a record whose node lies outside the actor's change scope, checked before the write
  for a clear message and again inside the transaction against the database (NetBox's
  ``ObjectValidationMixin``), so nothing can be created, moved or edited out of scope,
- records the actor in the audit history (django-simple-history),
- for a record that already exists, re-reads its row under a lock, refuses it with
  ``core.versioning.Conflict`` when its ``version`` is not the one the caller read (or stated),
  and writes only the fields that changed (core/versioning.py, docs/concurrency.md).
"""

from __future__ import annotations

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import models, transaction
from django.db.models.deletion import ProtectedError, RestrictedError
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

# What a value taken by a record the user may not see gets (pages, API, uploads): the same as an
# invalid value, never "already on record".
FOREIGN_DUPLICATE = gettext_lazy(
    "This value cannot be accepted. Check it; if it is right, ask the district organization department."
)

from core import versioning
from core.contention import duplicates_refused
from core.scope import Action, node_in_scope


def scope_node_of(instance):
    """The hierarchy node a record belongs to, following the model's ``scope_path``."""
    node = instance
    for part in filter(None, instance.scope_path.split("__")):
        node = getattr(node, part, None)
        if node is None:
            return None
    return node


def scope_node_id(instance):
    """The id of that node, without loading it (no query for a record kept by a node directly)."""
    if not instance.scope_path:
        return instance.pk
    *hops, last = instance.scope_path.split("__")
    obj = instance
    for hop in hops:
        obj = getattr(obj, hop, None)
        if obj is None:
            return None
    return getattr(obj, f"{last}_id", None)


def _check_in_scope(actor, instance, actions) -> None:
    node = scope_node_of(instance)
    if node is None or not any(node_in_scope(actor, node, action) for action in actions):
        raise PermissionDenied(_("This record lies outside the part of the hierarchy you may edit."))


def foreign_duplicates(actor, instance, error_dict: dict) -> set[str]:
    """Fields of ``error_dict`` refused as not unique because of a record ``actor`` may not see.

    A value that must be unique (an ID number, a credit code) and is taken by such a record is
    refused like any invalid value (:data:`FOREIGN_DUPLICATE`), without saying it is on record: a
    clerk must not learn that a person is registered in another street."""
    model = type(instance)
    visible = getattr(model.objects, "visible_to", None)
    found = set()
    if visible is None:
        return found
    for name, errors in error_dict.items():
        if name in {f.name for f in model._meta.fields} and any(getattr(e, "code", None) == "unique" for e in errors):
            value = getattr(instance, model._meta.get_field(name).attname)
            if not visible(actor).filter(**{name: value}).exclude(pk=instance.pk).exists():
                found.add(name)
    return found


def _without_foreign_duplicates(actor, instance, exc: ValidationError) -> ValidationError:
    if not hasattr(exc, "error_dict"):
        return exc
    hidden = foreign_duplicates(actor, instance, exc.error_dict)
    if not hidden:
        return exc
    errors = {
        name: [ValidationError(FOREIGN_DUPLICATE, code="invalid") if name in hidden and e.code == "unique" else e for e in errs]
        for name, errs in exc.error_dict.items()
    }
    return ValidationError(errors)


@transaction.atomic
def scoped_save(*, actor, instance: models.Model, actions: tuple = (Action.CHANGE,)) -> models.Model:
    """Validate ``instance`` and save it, provided it stays within the actor's scope for
    ``actions`` (clerks' change scope; some records the organization department writes too)."""
    current = None
    if instance.pk is not None:
        model = type(instance)
        if not model.objects.restrict(actor, actions).filter(pk=instance.pk).exists():
            raise PermissionDenied(_("This record lies outside the part of the hierarchy you may edit."))
        if not instance._state.adding and versioning.is_versioned(model):
            current = versioning.lock(instance)
            versioning.check_version(current, instance.version)
    try:
        instance.full_clean()
    except ValidationError as exc:
        raise _without_foreign_duplicates(actor, instance, exc) from None
    _check_in_scope(actor, instance, actions)
    instance._history_user = actor
    with duplicates_refused(instance):  # a concurrent duplicate: the unique error, not a 500
        if current is None:
            instance.save()
        elif not versioning.save_changes(instance, current):
            return instance
    # Re-check against the database inside the transaction: what was saved must be reachable.
    if not type(instance).objects.restrict(actor, actions).filter(pk=instance.pk).exists():
        raise PermissionDenied(_("This record lies outside the part of the hierarchy you may edit."))
    return instance


@transaction.atomic
def scoped_delete(*, actor, instance: models.Model, actions: tuple = (Action.CHANGE,)) -> None:
    """Delete ``instance`` and what cascades from it into the recycle bin (``core.recycle``),
    provided it lies in the actor's scope; a record others depend on (PROTECT) is refused."""
    from core.recycle import recycle_and_delete

    model = type(instance)
    # Lock the row: what the bin keeps is what is deleted.
    if not model.objects.restrict(actor, actions).select_for_update(of=("self",)).filter(pk=instance.pk).exists():
        raise PermissionDenied(_("This record lies outside the part of the hierarchy you may edit."))
    instance._history_user = actor
    try:
        with transaction.atomic():
            recycle_and_delete(actor=actor, instance=instance, node=scope_node_of(instance))
    except (ProtectedError, RestrictedError) as exc:
        blocking = sorted({str(obj._meta.verbose_name) for obj in exc.protected_objects if hasattr(obj, "_meta")})
        raise ValidationError(
            _("%(obj)s cannot be deleted while other records depend on it: %(deps)s.")
            % {"obj": instance, "deps": "、".join(blocking)}
        ) from exc
