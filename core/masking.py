"""Personal data (ID numbers, phones): masked for everyone without the explicit permission
``core.view_personal_data``; each unmasked view is recorded (:class:`core.models.PersonalDataAccess`).
Pages, API and exports all mask through these functions."""

from __future__ import annotations

PERMISSION = "core.view_personal_data"


def mask_id_number(value: str | None) -> str:
    """620102198001011234 → 620102************ (only the area code kept).

    The birth date and gender are shown as fields of their own, so a mask that kept the
    sequence or check digits would let a reader rebuild the number (keeping the last four
    leaves exactly one candidate). With only the area code kept, birth date and gender leave
    500 equally valid numbers; tests/security/test_id_rebuild.py plays that attacker."""
    if not value:
        return ""
    if len(value) <= 10:
        return "*" * len(value)
    return value[:6] + "*" * (len(value) - 6)


def mask_phone(value: str | None) -> str:
    """13912345678 → 139****5678; 0931-8888888 → 0931****888 (first three/four and last four kept)."""
    if not value:
        return ""
    digits = value.strip()
    if len(digits) <= 7:
        return "*" * len(digits)
    head = 4 if "-" in digits[:5] else 3
    return digits[:head] + "*" * (len(digits) - head - 4) + digits[-4:]


def mask_field(name: str, value):
    """Mask a personal field by its kind: ID numbers keep the area code, others as phones.
    Models name their personal fields in ``personal_fields``."""
    if value in (None, "", "—"):
        return value
    return mask_id_number(str(value)) if "id_number" in name else mask_phone(str(value))


def personal_fields(model) -> tuple[str, ...]:
    """The fields of ``model`` that hold personal data (its ``personal_fields``)."""
    return tuple(getattr(model, "personal_fields", ()) or ())


def record_if_unmasked(*, user, objects, channel: str) -> None:
    """The shared machinery's hook: the generic detail and edit pages and every API response
    call it with what they show; when ``user`` sees personal data unmasked and the model has
    any, one insert records the view of all ``objects``. Apps do not record these themselves."""
    objects = [o for o in objects if o is not None]
    if not objects or not can_see_personal_data(user):
        return
    fields = personal_fields(type(objects[0]))
    if fields:
        record_unmasked_views(user=user, objects=objects, fields=list(fields), channel=channel)


def can_see_personal_data(user) -> bool:
    return bool(user and user.is_authenticated and user.has_perm(PERMISSION))


def record_unmasked_view(*, user, obj, fields: list[str], channel: str) -> None:
    """Leave an audit record that ``user`` saw ``fields`` of ``obj`` unmasked."""
    from django.contrib.contenttypes.models import ContentType

    from core.models import PersonalDataAccess

    PersonalDataAccess.objects.create(
        user=user,
        content_type=ContentType.objects.get_for_model(obj),
        object_id=obj.pk,
        object_repr=str(obj)[:200],
        fields=",".join(fields),
        channel=channel,
    )


def record_unmasked_views(*, user, objects, fields: list[str], channel: str) -> None:
    """The same for many records at once (a list page, an API page, an export): one insert."""
    from django.contrib.contenttypes.models import ContentType

    from core.models import PersonalDataAccess

    objects = list(objects)
    if not objects:
        return
    content_type = ContentType.objects.get_for_model(objects[0])
    PersonalDataAccess.objects.bulk_create(
        PersonalDataAccess(
            user=user, content_type=content_type, object_id=o.pk, object_repr=str(o)[:200],
            fields=",".join(fields), channel=channel,
        )
        for o in objects
    )


def lookup_hash(value: str | None) -> str:
    """A keyed hash (HMAC-SHA256 with ``SANQI_LOOKUP_KEY``) of a personal number, so a list can
    find the record whose full ID number or phone someone typed without unmasking or scanning
    stored numbers: the stored hash is compared, never the number. Letters are upper-cased and
    everything but letters and digits dropped (0931-8888888 = 09318888888, x = X); a partial
    number has another hash and matches nothing. Blank for a blank value."""
    import hashlib
    import hmac

    from django.conf import settings

    normal = "".join(ch for ch in str(value or "").upper() if ch.isalnum())
    if not normal:
        return ""
    return hmac.new(settings.SANQI_LOOKUP_KEY.encode(), normal.encode(), hashlib.sha256).hexdigest()


def refill_lookup_hashes(model, sources: dict[str, str], batch_size: int = 2000) -> int:
    """Recompute the lookup hashes of every row of ``model`` (``{hash field: number field}``),
    in batches: the data migration that adds them, and after ``SANQI_LOOKUP_KEY`` changes."""
    rows, done = [], 0
    for row in model._base_manager.only("pk", *sources.values()).iterator(chunk_size=batch_size):
        for hash_field, source in sources.items():
            setattr(row, hash_field, lookup_hash(getattr(row, source)))
        rows.append(row)
        if len(rows) >= batch_size:
            model._base_manager.bulk_update(rows, list(sources))
            done, rows = done + len(rows), []
    if rows:
        model._base_manager.bulk_update(rows, list(sources))
        done += len(rows)
    return done
