"""Optimistic concurrency: no edit silently overwrites another person's.

Every record a person edits carries a ``version`` (:class:`VersionedModel`), raised by one on
each save. Whoever edits says which version they read — the edit page in a hidden field, an API
client in ``If-Match`` (the ``ETag`` of its GET) or in the body's ``version`` — and
:func:`core.services.scoped_save` re-reads the row under a lock and refuses the write with
:class:`Conflict` when it has moved on. Without a stated version (a PATCH of a few fields), the
write is merged: only the fields the caller changed are written onto the row as it is now.

Why a version column and a row lock rather than comparing every column or an UPDATE … WHERE
version=N: the services already lock the rows their rules read (balances, one secretary per
community), so re-reading the record under ``SELECT … FOR UPDATE`` costs one query and gives
them the current values to check; the version names a snapshot in the history
(django-simple-history keeps it), which lets the edit page show what the other person changed.
See docs/concurrency.md.
"""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy


class Conflict(Exception):
    """The record changed since the caller read it: a page shows both versions, the API answers
    409 (stale body version) or 412 (stale ``If-Match``)."""

    def __init__(self, message: str | None = None, *, current=None):
        super().__init__(message or _("This record has been changed by someone else since you opened it; nothing was saved."))
        self.current = current


class VersionedModel(models.Model):
    """A record edited by people: ``version`` goes up by one with every saved change."""

    version = models.PositiveIntegerField(gettext_lazy("version"), default=0, editable=False)

    class Meta:
        abstract = True


def is_versioned(model_or_instance) -> bool:
    model = model_or_instance if isinstance(model_or_instance, type) else type(model_or_instance)
    return issubclass(model, VersionedModel)


def etag(instance) -> str:
    """The strong entity tag of a record's current version (answered by GET, checked by If-Match)."""
    return f'"{instance.version}"'


def parse_if_match(header: str | None):
    """The versions an ``If-Match`` header accepts: ``None`` without the header, ``"*"`` for any,
    else a set of ints (an unparsable tag matches nothing)."""
    if header is None or not header.strip():
        return None
    if header.strip() == "*":
        return "*"
    versions = set()
    for tag in header.split(","):
        tag = tag.strip()
        if tag.startswith("W/"):
            tag = tag[2:]
        tag = tag.strip('"')
        if tag.isdigit():
            versions.add(int(tag))
    return versions


def lock(instance):
    """The row of ``instance`` as it is now, locked (``SELECT … FOR UPDATE``) until the end of
    the transaction."""
    return type(instance)._base_manager.select_for_update().get(pk=instance.pk)


def check_version(current, expected) -> None:
    if expected is not None and int(expected) != current.version:
        raise Conflict(current=current)


def locked_update(instance, fields: dict):
    """For update services: the record re-read under a lock, refused when ``fields`` names a
    ``version`` other than the current one, with ``fields`` applied. Rules are then checked on
    what will really be saved, and ``scoped_save`` writes only what changed."""
    current = lock(instance)
    check_version(current, fields.get("version"))
    for name, value in fields.items():
        setattr(current, name, value)
    return current


def changed_fields(instance, current) -> list[str]:
    """Names of the concrete fields whose value in ``instance`` differs from ``current``."""
    return [
        f.name
        for f in instance._meta.concrete_fields
        if not f.primary_key and f.name != "version" and getattr(instance, f.attname) != getattr(current, f.attname)
    ]


def save_changes(instance, current) -> bool:
    """Save what ``instance`` changes against ``current`` (its locked row) with the version raised
    by one; nothing when nothing changed. Returns whether it saved."""
    names = changed_fields(instance, current)
    if not names:
        instance.version = current.version
        return False
    auto = [f.name for f in instance._meta.concrete_fields if getattr(f, "auto_now", False)]
    instance.version = current.version + 1
    instance.save(update_fields=sorted(set(names) | set(auto) | {"version"}))
    return True


def save(instance) -> bool:
    """Save ``instance`` with the version check, for writers that do not go through
    ``scoped_save`` (their own permission rules): a new record is inserted; an existing one is
    compared with its locked row and only its changes are written."""
    if instance._state.adding or instance.pk is None or not is_versioned(instance):
        instance.save()
        return True
    current = lock(instance)
    check_version(current, instance.version)
    return save_changes(instance, current)


def snapshot_at(instance, version: int | None):
    """The record as it was at ``version`` (a history row), or ``None`` if unknown."""
    if version is None or not hasattr(type(instance), "history"):
        return None
    return (
        type(instance).history.model.objects.filter(id=instance.pk, version=version)
        .exclude(history_type="-").order_by("-history_date", "-history_id").first()
    )
