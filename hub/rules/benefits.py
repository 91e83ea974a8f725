"""R32–R37: the benefits of a volunteer, computed from the service record, never stored by hand.

A finding is `eligible` when the benefit applies on `today`: its conditions hold and `today` lies in
its validity window (`valid_from` ≤ today ≤ `valid_until`, an open end when `valid_until` is None).
When the conditions hold but `today` is outside the window, the window is still given and the reason
says whether it has not begun or has ended. Windows are inclusive: "3 years after completion" runs
from the completion day to the day before its third anniversary.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date, timedelta

from hub.enums import BenefitKind

POSTGRAD_MIN_YEARS = 2  # R32
POSTGRAD_WINDOW_YEARS = 3  # R32
FRESH_GRADUATE_WINDOW_YEARS = 2  # R33
TITLE_MIN_YEARS = 1  # R36


@dataclass(frozen=True)
class ServiceRecord:
    """What R32–R37 need to know of one volunteer.

    - `reported_on`: the day of reporting at the county (the first service agreement's start).
    - `completed_on`: the day the term was completed (R31), None while in service.
    - `passed_assessments`: no approved INCOMPETENT grade and at least one approved assessment (R30).
    - `graduate_graduation_on`: for graduate teaching-group volunteers (研究生支教团), their graduate
      graduation day, from which R33's window is counted.
    - `local_project_approved`: None for the national project; for a local project (地方项目) whether
      the national office approved it (R37).
    """

    reported_on: date | None
    completed_on: date | None
    years_served: int
    passed_assessments: bool
    has_work_experience: bool
    graduate_teaching_group: bool = False
    graduate_graduation_on: date | None = None
    local_project_approved: bool | None = None


@dataclass(frozen=True)
class BenefitFinding:
    """One benefit of one volunteer on a given day, with the rule-citing reason for people."""

    kind: BenefitKind
    eligible: bool
    valid_from: date | None
    valid_until: date | None
    reason: str


def add_years(d: date, years: int) -> date:
    """The same day `years` later (or earlier); February 29 falls back to February 28."""
    try:
        return d.replace(year=d.year + years)
    except ValueError:
        return d.replace(year=d.year + years, day=28)


def benefits(record: ServiceRecord, today: date) -> list[BenefitFinding]:
    """R32–R37: one finding per BenefitKind, in the enum's order.

    R37: in-province and out-of-province volunteers are treated alike (the record does not say which),
    and volunteers of an approved local project like those of the national project; volunteers of a
    local project that is not approved get none of the benefits.
    """
    if record.years_served < 0:
        raise ValueError(f"years served cannot be negative, not {record.years_served}")
    if record.local_project_approved is False:
        reason = "R37: the volunteer's local project is not approved by the national office, so no benefit applies"
        return [BenefitFinding(kind, False, None, None, reason) for kind in BenefitKind]
    findings = {
        BenefitKind.POSTGRAD_EXAM_BONUS: postgrad_exam_bonus(record, today),
        BenefitKind.FRESH_GRADUATE_STATUS: fresh_graduate_status(record, today),
        BenefitKind.TUITION_COMPENSATION: tuition_compensation(record, today),
        BenefitKind.WORK_SENIORITY: work_seniority(record, today),
        BenefitKind.TITLE_EVALUATION: title_evaluation(record, today),
    }
    if record.local_project_approved:
        note = " (R37: approved local project, same benefits as the national project)"
        return [replace(findings[kind], reason=findings[kind].reason + note) for kind in BenefitKind]
    return [findings[kind] for kind in BenefitKind]


def postgrad_exam_bonus(record: ServiceRecord, today: date) -> BenefitFinding:
    """R32: served ≥ 2 years and passed → +10 points on the initial postgraduate entrance exam, valid
    for 3 years after completion."""
    kind = BenefitKind.POSTGRAD_EXAM_BONUS
    if record.years_served < POSTGRAD_MIN_YEARS:
        return _no(kind, f"R32: needs {POSTGRAD_MIN_YEARS} years served, has {record.years_served}")
    if not record.passed_assessments:
        return _no(kind, "R32: the annual assessments were not passed")
    if record.completed_on is None:
        return _no(kind, "R32: the service term is not completed yet; the bonus runs from completion")
    valid_until = add_years(record.completed_on, POSTGRAD_WINDOW_YEARS) - timedelta(days=1)
    return _window(
        kind,
        record.completed_on,
        valid_until,
        today,
        f"R32: +10 points on the initial postgraduate entrance exam for {POSTGRAD_WINDOW_YEARS} years after completion",
    )


def fresh_graduate_status(record: ServiceRecord, today: date) -> BenefitFinding:
    """R33: no work experience before the program, completed and passed → treated as a fresh graduate
    for 2 years after completion (graduate teaching-group volunteers: after their graduate graduation,
    when known)."""
    kind = BenefitKind.FRESH_GRADUATE_STATUS
    if record.has_work_experience:
        return _no(kind, "R33: the volunteer had work experience before the program")
    if record.completed_on is None:
        return _no(kind, "R33: the service term is not completed yet")
    if not record.passed_assessments:
        return _no(kind, "R33: the annual assessments were not passed")
    if record.graduate_teaching_group and record.graduate_graduation_on is not None:
        start, counted_from = record.graduate_graduation_on, "graduate graduation (teaching group)"
    else:
        start, counted_from = record.completed_on, "completion"
    valid_until = add_years(start, FRESH_GRADUATE_WINDOW_YEARS) - timedelta(days=1)
    return _window(
        kind,
        start,
        valid_until,
        today,
        f"R33: treated as a fresh graduate for {FRESH_GRADUATE_WINDOW_YEARS} years after {counted_from}",
    )


def tuition_compensation(record: ServiceRecord, today: date) -> BenefitFinding:
    """R34: tuition compensation and student-loan repayment once the term is completed and passed."""
    kind = BenefitKind.TUITION_COMPENSATION
    if record.completed_on is None:
        return _no(kind, "R34: the service term is not completed yet")
    if not record.passed_assessments:
        return _no(kind, "R34: the annual assessments were not passed")
    return _window(
        kind,
        record.completed_on,
        None,
        today,
        "R34: completed and passed; tuition compensation and student-loan repayment apply per the rules",
    )


def work_seniority(record: ServiceRecord, today: date) -> BenefitFinding:
    """R35: work seniority is counted from the day of reporting at the county."""
    kind = BenefitKind.WORK_SENIORITY
    if record.reported_on is None:
        return _no(kind, "R35: the volunteer has not reported at the county yet")
    return _window(
        kind,
        record.reported_on,
        None,
        today,
        f"R35: work seniority counts from reporting at the county on {record.reported_on.isoformat()}",
    )


def title_evaluation(record: ServiceRecord, today: date) -> BenefitFinding:
    """R36: professional title evaluation after 1 year served and passed."""
    kind = BenefitKind.TITLE_EVALUATION
    if record.years_served < TITLE_MIN_YEARS:
        return _no(kind, f"R36: needs {TITLE_MIN_YEARS} year served, has {record.years_served}")
    if not record.passed_assessments:
        return _no(kind, "R36: the annual assessments were not passed")
    return BenefitFinding(
        kind, True, None, None, f"R36: {record.years_served} year(s) served and passed; may apply for a title"
    )


def _no(kind: BenefitKind, reason: str) -> BenefitFinding:
    return BenefitFinding(kind, False, None, None, reason)


def _window(kind: BenefitKind, start: date, end: date | None, today: date, reason: str) -> BenefitFinding:
    if today < start:
        return BenefitFinding(kind, False, start, end, f"{reason}; not before {start.isoformat()}")
    if end is not None and today > end:
        return BenefitFinding(kind, False, start, end, f"{reason}; ended on {end.isoformat()}")
    window = f"until {end.isoformat()}" if end is not None else "with no end"
    return BenefitFinding(kind, True, start, end, f"{reason}; valid from {start.isoformat()} {window}")
