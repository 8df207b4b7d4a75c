"""Field types every domain app uses for money and areas: Decimal, never float."""

from decimal import Decimal

from django.core.validators import MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _


class MoneyField(models.DecimalField):
    """An amount in yuan: Decimal with two places, never negative (refused with a message)."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("max_digits", 14)
        kwargs.setdefault("decimal_places", 2)
        kwargs.setdefault("validators", [MinValueValidator(Decimal("0"), _("An amount cannot be negative."))])
        super().__init__(*args, **kwargs)


class AreaField(models.DecimalField):
    """An area in square metres: Decimal with two places, never negative."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("max_digits", 10)
        kwargs.setdefault("decimal_places", 2)
        kwargs.setdefault("validators", [MinValueValidator(Decimal("0"), _("An area cannot be negative."))])
        super().__init__(*args, **kwargs)
