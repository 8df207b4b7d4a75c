"""The unified social credit code (统一社会信用代码, GB 32100-2015): 18 characters from a
31-character alphabet, the last one a checksum over the first 17."""

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"  # no I, O, S, V, Z
WEIGHTS = [1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28]


def check_character(first17: str) -> str:
    total = sum(ALPHABET.index(ch) * w for ch, w in zip(first17, WEIGHTS))
    return ALPHABET[(31 - total % 31) % 31]


def validate_credit_code(value: str) -> None:
    code = (value or "").strip().upper()
    if len(code) != 18:
        raise ValidationError(
            _("A unified social credit code has 18 characters; this one has %(n)d.") % {"n": len(code)},
            code="length",
        )
    bad = sorted({ch for ch in code if ch not in ALPHABET})
    if bad:
        raise ValidationError(
            _("A unified social credit code cannot contain %(chars)s (only digits and capital letters other than I, O, S, V, Z).")
            % {"chars": "、".join(bad)},
            code="alphabet",
        )
    expected = check_character(code[:17])
    if code[17] != expected:
        raise ValidationError(
            _("The check character of this credit code is wrong (it should be %(expected)s); check the code for typing errors.")
            % {"expected": expected},
            code="checksum",
        )


def make_credit_code(first17: str) -> str:
    return first17 + check_character(first17)
