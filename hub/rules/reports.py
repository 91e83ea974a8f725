"""R28: when a county's monthly report (月报) falls due.

The plan is silent on the deadline (assumption, configurable: `Settings.monthly_report_due_day`, env
`HUB_MONTHLY_REPORT_DUE_DAY`): the report of a month is due on that day of the following month (the 5th by
default) and overdue from the next day. A county owes the report of every month in which a volunteer was
in post there on some day up to today (R38's month in post), looking back to August of the previous program
year: an inbox shows what awaits an office now, not the whole program's history."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from hub.rules.years import parse_year, year_of

DEFAULT_DUE_DAY = 5
LAST_DUE_DAY = 28  # a day every month has


@dataclass(frozen=True)
class ReportMonth:
    """A month whose report is due: `YYYY-MM`, its first and last day, the due date, its program year."""

    month: str
    first: date
    last: date
    due: date
    year: str


def check_due_day(day: int) -> int:
    if not 1 <= day <= LAST_DUE_DAY:
        raise ValueError(f"a monthly report falls due on a day between 1 and {LAST_DUE_DAY}, not {day}")
    return day


def overdue_months(today: date, due_day: int = DEFAULT_DUE_DAY) -> list[ReportMonth]:
    """The months from August of the previous program year whose report's due date lies before `today`,
    oldest first."""
    check_due_day(due_day)
    first = date(parse_year(year_of(today)) - 1, 8, 1)
    months = []
    while True:
        following = (first + timedelta(days=31)).replace(day=1)
        due = following.replace(day=due_day)
        if due >= today:
            return months
        months.append(ReportMonth(f"{first:%Y-%m}", first, following - timedelta(days=1), due, year_of(first)))
        first = following


__all__ = ["DEFAULT_DUE_DAY", "ReportMonth", "check_due_day", "overdue_months"]
