"""Numbers every app's figures share."""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal


def percent(part, whole) -> Decimal | None:
    """``part`` as a percentage of ``whole``, one decimal rounded half up; None when ``whole``
    is 0 (a rate without a base is no rate, not 0 %)."""
    if not whole:
        return None
    return (Decimal(part) * 100 / Decimal(whole)).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)
