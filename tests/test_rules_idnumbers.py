"""R6: GB 11643 identity numbers, mobiles, and R2a's masking."""

from __future__ import annotations

from datetime import date

import pytest

from hub.enums import Gender
from hub.i18n import speaking
from hub.rules.idnumbers import (
    InvalidIdNumber,
    check_character,
    is_mobile,
    mask_id_number,
    parse_id_number,
)


def test_the_published_example_number_checks() -> None:
    # The standard's worked example: 11010519491231002X.
    assert check_character("11010519491231002") == "X"
    facts = parse_id_number("11010519491231002x")
    assert facts.birth_date == date(1949, 12, 31)
    assert facts.gender is Gender.FEMALE


def test_odd_seventeenth_digit_is_male() -> None:
    first17 = "62010220040506011"
    facts = parse_id_number(first17 + check_character(first17))
    assert facts.gender is Gender.MALE and facts.birth_date == date(2004, 5, 6)


@pytest.mark.parametrize(
    "number, why",
    [
        ("1101051949123100", "18 characters"),
        ("110105194912310021", "check character"),
        ("11010519491331002X".replace("X", check_character("11010519491331002")), "birth date"),
        ("A1010519491231002X", "17 digits"),
        ("01010519491231002X", "17 digits"),
    ],
)
def test_invalid_numbers_say_why(number: str, why: str) -> None:
    with speaking("en"), pytest.raises(InvalidIdNumber, match=why):
        parse_id_number(number)
    with pytest.raises(InvalidIdNumber, match="身份证号码"):  # Chinese by default
        parse_id_number(number)


def test_a_birth_date_in_the_future_is_refused() -> None:
    first17 = "62010220300101011"
    with speaking("en"), pytest.raises(InvalidIdNumber, match="plausible"):
        parse_id_number(first17 + check_character(first17), today=date(2027, 1, 1))


@pytest.mark.parametrize(
    "phone, ok",
    [
        ("13912345678", True),
        ("19912345678", True),
        ("12912345678", False),
        ("1391234567", False),
        ("139123456789", False),
        ("1391234567a", False),
    ],
)
def test_mainland_mobiles(phone: str, ok: bool) -> None:
    assert is_mobile(phone) is ok


def test_masking_shows_first_three_and_last_four() -> None:
    assert mask_id_number("620102200405060113") == "620***********0113"
