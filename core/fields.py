"""Field types every domain app uses for money and areas: Decimal, never float."""

import re
from decimal import Decimal

from django.core.exceptions import ValidationError
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


# A mainland mobile number (11 digits), a fixed line with or without its area code and an
# extension (0931-8888888, 0931-8888888-123, 8888888), or a 400/800 service number. A masked
# copy such as 152****4513 is none of them, so it can never be stored as a number.
PHONE_PATTERN = r"^(?:1[3-9]\d{9}|(?:0\d{2,3}-?)?[1-9]\d{6,7}(?:-\d{1,6})?|[48]00-?\d{3}-?\d{4})$"


def validate_phone(value: str) -> None:
    if value and not re.fullmatch(PHONE_PATTERN, value):
        if "*" in value:
            raise ValidationError(
                _("This number is masked (%(value)s); enter the full number or leave it as it was shown."),
                code="masked", params={"value": value},
            )
        raise ValidationError(
            _("Enter a phone number: an 11-digit mobile number or a fixed line such as 0931-8888888."),
            code="phone", params={"value": value},
        )


class PhoneField(models.CharField):
    """A phone number, format-checked on every channel (form, API, upload go through full_clean)."""

    default_validators = [validate_phone]

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("max_length", 30)
        super().__init__(*args, **kwargs)
