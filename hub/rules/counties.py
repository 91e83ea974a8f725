"""R9–R11: whether a county takes new volunteers in a year — one rule for the query and for assignment."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date

from hub.enums import CountyStatus, UserErrorCode
from hub.rules.years import next_year, parse_year, year_of

FILED = (CountyStatus.ACTIVE.value, CountyStatus.DISQUALIFIED.value)  # R9: filed by the national office


def banned_years(major_incident_days: Iterable[date]) -> set[str]:
    """R10, R29: a major incident in a program year bans the county for the next program year."""
    return {next_year(year_of(day)) for day in major_incident_days}


def filed(status: str, year: str, filed_for: str | None = None) -> bool:
    """R9: a filed service county in `year`: filed (`status`) for that year or earlier (`filed_for`, its first
    service year, when recorded)."""
    return status in FILED and (filed_for or year) <= year


def refusal(
    status: str,
    banned: set[str],
    failed_evaluation_years: Iterable[str],
    year: str,
    filed_for: str | None = None,
) -> tuple[UserErrorCode, str] | None:
    """None when the county takes new volunteers in `year`; otherwise the userError code and why.

    A filed service county (R9) takes volunteers unless banned for that year (R10) or disqualified by a
    failed evaluation of an earlier year (R11: from the next year on, until it is rectified and re-applies:
    a new filing, whose first service year is `filed_for`, lifts it from that year on)."""
    first = parse_year(year)
    if status not in FILED:
        return UserErrorCode.INELIGIBLE, f"the county is {status}, not a filed service county"
    if year in banned:
        return UserErrorCode.BANNED, f"a major incident bans the county from new volunteers in {year}"
    refiled = parse_year(filed_for) if filed_for else None

    def still_disqualifies(failed: str) -> bool:
        lifted = refiled is not None and parse_year(failed) < refiled <= first
        return parse_year(failed) < first and not lifted

    failed = sorted(y for y in failed_evaluation_years if still_disqualifies(y))
    if failed:
        return UserErrorCode.INELIGIBLE, f"the county failed its {failed[0]} evaluation and is disqualified"
    return None
