"""R6: resident identity numbers (居民身份证号码, GB 11643) and mainland mobile numbers."""

from __future__ import annotations

import re
from datetime import date
from operator import mul
from typing import NamedTuple

from hub.enums import Gender
from hub.i18n import _

WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
_ZEROS = ord("0") * sum(WEIGHTS)  # what the ASCII codes of the digits add beyond the digits' values
CHECK_CHARACTERS = "10X98765432"
ID_SHAPE = re.compile(r"[1-9]\d{16}[\dX]")
MOBILE = re.compile(r"1[3-9]\d{9}")


class InvalidIdNumber(ValueError):
    """The text is not a valid 18-character identity number; the message says why."""


class IdentityFacts(NamedTuple):  # a tuple: a roster import makes one per row
    birth_date: date
    gender: Gender


def check_character(first17: str) -> str:
    """The GB 11643 check character (MOD 11-2) of the first 17 digits (the weighted sum over the digits'
    ASCII codes: a roster import checks thousands)."""
    if len(first17) == 17 and first17.isascii() and first17.isdigit():
        return CHECK_CHARACTERS[(sum(map(mul, first17.encode(), WEIGHTS)) - _ZEROS) % 11]
    return CHECK_CHARACTERS[sum(int(d) * w for d, w in zip(first17, WEIGHTS, strict=True)) % 11]


def parse_id_number(raw: str, today: date | None = None) -> IdentityFacts:
    """Validate an identity number and derive birth date and gender (odd 17th digit: male)."""
    number = raw.strip().upper()
    if len(number) != 18:
        raise InvalidIdNumber(_("an identity number has 18 characters, this one has {count}", count=len(number)))
    if not ID_SHAPE.fullmatch(number):
        raise InvalidIdNumber(_("an identity number is 17 digits and a digit or X"))
    if check_character(number[:17]) != number[17]:
        raise InvalidIdNumber(_("the check character of the identity number does not match (GB 11643)"))
    try:
        birth = date(int(number[6:10]), int(number[10:12]), int(number[12:14]))
    except ValueError:
        raise InvalidIdNumber(_("the identity number holds no valid birth date ({date})", date=number[6:14])) from None
    if birth.year < 1900 or (today is not None and birth > today):
        raise InvalidIdNumber(
            _("the birth date {date} of the identity number is not plausible", date=birth.isoformat())
        )
    return IdentityFacts(birth_date=birth, gender=Gender.MALE if int(number[16]) % 2 else Gender.FEMALE)


def normalize_id_number(raw: str) -> str:
    return raw.strip().upper()


def is_mobile(raw: str) -> bool:
    """An 11-digit mainland mobile number (1, then 3–9, then nine digits)."""
    return MOBILE.fullmatch(raw.strip()) is not None


def mask_id_number(number: str) -> str:
    """R2a: first 3 and last 4 characters shown, the rest `*` (620***********1234)."""
    if len(number) <= 7:
        return "*" * len(number)
    return number[:3] + "*" * (len(number) - 7) + number[-4:]
