"""Personal data of cadres on every channel (page, API, export): masked unless the viewer has
``core.view_personal_data``; every unmasked view is recorded (core.masking)."""

from __future__ import annotations

from core.masking import can_see_personal_data, mask_id_number, mask_phone, record_unmasked_views

FIELDS = ["id_number", "phone"]


def present(user, cadres, *, channel: str, record: bool = True) -> list:
    """Set ``id_display`` and ``phone_display`` on each cadre for ``user``; when they are shown
    unmasked, record it for all of them at once (one insert). ``record=False`` where the
    generic view records the page itself (core.views.ObjectDetailView)."""
    cadres = list(cadres)
    unmasked = can_see_personal_data(user)
    for cadre in cadres:
        cadre.id_display = cadre.id_number if unmasked else mask_id_number(cadre.id_number)
        cadre.phone_display = cadre.phone if unmasked else mask_phone(cadre.phone)
    if unmasked and cadres and record:
        record_unmasked_views(user=user, objects=cadres, fields=FIELDS, channel=channel)
    return cadres
