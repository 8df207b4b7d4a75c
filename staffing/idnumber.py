"""Citizen ID numbers (公民身份号码, GB 11643-1999): 6-digit area code, 8-digit birth date,
3-digit sequence (odd for men, even for women) and a check character (ISO 7064 MOD 11-2)."""

from __future__ import annotations

import re
from datetime import date

from django.utils.translation import gettext as _

WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
CHECK_CHARS = "10X98765432"
ID_RE = re.compile(r"^\d{17}[\dX]$")


def check_char(first17: str) -> str:
    return CHECK_CHARS[sum(int(d) * w for d, w in zip(first17, WEIGHTS)) % 11]


def birth_date_of(number: str) -> date | None:
    try:
        return date(int(number[6:10]), int(number[10:12]), int(number[12:14]))
    except ValueError:
        return None


def gender_of(number: str) -> str:
    return "M" if int(number[16]) % 2 else "F"


def check_id_number(number: str, *, birth_date: date | None = None, gender: str | None = None) -> str | None:
    """A Chinese message describing what is wrong with ``number``, or None when it is valid and
    agrees with the record's birth date and gender."""
    number = (number or "").strip().upper()
    if len(number) != 18:
        return _("An ID number has 18 characters; this one has %(n)d.") % {"n": len(number)}
    if not ID_RE.match(number):
        return _("An ID number is 17 digits followed by a digit or X.")
    born = birth_date_of(number)
    if born is None:
        return _("Characters 7 to 14 of the ID number are not a valid date.")
    if number[17] != check_char(number[:17]):
        return _("The ID number's check character is wrong (GB 11643); check for a mistyped digit.")
    if birth_date and born != birth_date:
        return _("The ID number gives the birth date %(id_date)s, but the record says %(date)s.") % {
            "id_date": born.isoformat(), "date": birth_date.isoformat(),
        }
    if gender and gender_of(number) != gender:
        return _("The ID number's 17th digit denotes a %(id_gender)s, but the record says %(gender)s.") % {
            "id_gender": _("man") if gender_of(number) == "M" else _("woman"),
            "gender": _("man") if gender == "M" else _("woman"),
        }
    return None


def make_id_number(area: str, born: date, sequence: int) -> str:
    """A valid number for ``area`` (6 digits), ``born`` and a 3-digit sequence (odd = man)."""
    first = f"{area}{born:%Y%m%d}{sequence:03d}"
    return first + check_char(first)
