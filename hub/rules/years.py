"""R7: program years such as `2021-2022`, their service period (August to July) and the next year."""

from __future__ import annotations

import re
from datetime import date

YEAR_CODE = re.compile(r"(\d{4})-(\d{4})")


def parse_year(code: str) -> int:
    """The first calendar year of a program-year code; ValueError unless it reads `YYYY-(YYYY+1)`."""
    match = YEAR_CODE.fullmatch(code)
    if not match or int(match.group(2)) != int(match.group(1)) + 1:
        raise ValueError(f"a program year reads like 2021-2022, not {code!r}")
    return int(match.group(1))


def is_year_code(code: str) -> bool:
    try:
        parse_year(code)
    except ValueError:
        return False
    return True


def year_code(first_calendar_year: int) -> str:
    return f"{first_calendar_year}-{first_calendar_year + 1}"


def next_year(code: str) -> str:
    return year_code(parse_year(code) + 1)


def service_period(code: str) -> tuple[date, date]:
    """August 1 of the first calendar year to July 31 of the next (R38's months of a year)."""
    first = parse_year(code)
    return date(first, 8, 1), date(first + 1, 7, 31)


def year_of(day: date) -> str:
    """The program year whose service period contains `day`."""
    return year_code(day.year if day.month >= 8 else day.year - 1)
