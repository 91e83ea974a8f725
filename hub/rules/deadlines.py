"""R7: the default timeline of a program year, and the deadline check every dated mutation calls."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date

from hub.enums import Milestone, UserErrorCode, label
from hub.errors import refuse
from hub.i18n import _
from hub.rules.years import parse_year

# (month, day) in the first calendar year of the program year; the 2021-2022 plan's dates.
DEFAULT_TIMELINE: dict[Milestone, tuple[int, int]] = {
    Milestone.REGISTRATION_CLOSES: (5, 16),
    Milestone.SCHOOL_SIGN_OFF_CLOSES: (5, 17),
    Milestone.SELECTION_COMPLETES: (5, 31),
    Milestone.PHYSICAL_EXAMS_COMPLETE: (6, 10),
    Milestone.RECRUITMENT_AGREEMENTS_SIGNED: (6, 20),
    Milestone.TRAINING_ARRANGED: (6, 30),
    Milestone.SERVICE_AGREEMENTS_SIGNED: (8, 15),
}


def default_milestones(year: str) -> dict[Milestone, date]:
    """The plan's default closing dates for `year` (the national office may edit them)."""
    first = parse_year(year)
    return {m: date(first, month, day) for m, (month, day) in DEFAULT_TIMELINE.items()}


def ensure_open(timeline: Mapping[Milestone, date], milestone: Milestone, today: date, year: str) -> None:
    """R7: refuse with DEADLINE_PASSED once `today` is after the milestone's closing date."""
    closes_on = timeline.get(milestone)
    if closes_on is None:
        raise refuse(
            UserErrorCode.INVALID_STATE,
            _("the program year {year} has no date for {milestone}", year=year, milestone=label(milestone)),
        )
    if today > closes_on:
        raise refuse(
            UserErrorCode.DEADLINE_PASSED,
            _(
                "{milestone} closed on {date} for {year} (today is {today})",
                milestone=label(milestone),
                date=closes_on.isoformat(),
                year=year,
                today=today.isoformat(),
            ),
        )
