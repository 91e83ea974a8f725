"""R32–R37 benefits: thresholds at exactly 1 and 2 years, inclusive windows, teaching group, local projects."""

from __future__ import annotations

from dataclasses import replace
from datetime import date

import pytest

from hub.enums import BenefitKind
from hub.rules.benefits import BenefitFinding, ServiceRecord, add_years, benefits

REPORTED = date(2021, 8, 10)
COMPLETED = date(2023, 7, 31)
TODAY = date(2023, 9, 1)

TWO_YEARS = ServiceRecord(
    reported_on=REPORTED,
    completed_on=COMPLETED,
    years_served=2,
    passed_assessments=True,
    has_work_experience=False,
)


def finding(record: ServiceRecord, kind: BenefitKind, today: date = TODAY) -> BenefitFinding:
    return next(f for f in benefits(record, today) if f.kind is kind)


def test_one_finding_per_kind_in_enum_order() -> None:
    assert [f.kind for f in benefits(TWO_YEARS, TODAY)] == list(BenefitKind)


def test_a_completed_two_year_volunteer_gets_everything() -> None:
    found = benefits(TWO_YEARS, TODAY)
    assert all(f.eligible for f in found)
    assert all(f.reason.startswith("R3") for f in found)


@pytest.mark.parametrize(
    "d, years, expected",
    [
        (date(2021, 7, 31), 3, date(2024, 7, 31)),
        (date(2024, 2, 29), 3, date(2027, 2, 28)),
        (date(2024, 2, 29), 4, date(2028, 2, 29)),
        (date(2023, 2, 28), 1, date(2024, 2, 28)),
        (date(2024, 2, 29), -1, date(2023, 2, 28)),
        (date(2022, 1, 1), 0, date(2022, 1, 1)),
    ],
)
def test_add_years(d: date, years: int, expected: date) -> None:
    assert add_years(d, years) == expected


# R32: postgraduate entrance exam bonus


def test_postgrad_bonus_at_exactly_two_years() -> None:
    bonus = finding(TWO_YEARS, BenefitKind.POSTGRAD_EXAM_BONUS)
    assert bonus.eligible
    assert (bonus.valid_from, bonus.valid_until) == (COMPLETED, date(2026, 7, 30))
    assert "R32" in bonus.reason and "+10 points" in bonus.reason


def test_postgrad_bonus_needs_two_years() -> None:
    bonus = finding(replace(TWO_YEARS, years_served=1), BenefitKind.POSTGRAD_EXAM_BONUS)
    assert not bonus.eligible and bonus.valid_from is None and bonus.valid_until is None
    assert "R32" in bonus.reason and "2 years" in bonus.reason


def test_postgrad_bonus_needs_passed_assessments() -> None:
    bonus = finding(replace(TWO_YEARS, passed_assessments=False), BenefitKind.POSTGRAD_EXAM_BONUS)
    assert not bonus.eligible and "not passed" in bonus.reason


def test_postgrad_bonus_runs_from_completion() -> None:
    in_service = replace(TWO_YEARS, years_served=2, completed_on=None)
    bonus = finding(in_service, BenefitKind.POSTGRAD_EXAM_BONUS)
    assert not bonus.eligible and "not completed" in bonus.reason


def test_postgrad_bonus_three_year_window_last_day_and_day_after() -> None:
    last_day = date(2026, 7, 30)
    assert finding(TWO_YEARS, BenefitKind.POSTGRAD_EXAM_BONUS, COMPLETED).eligible
    assert finding(TWO_YEARS, BenefitKind.POSTGRAD_EXAM_BONUS, last_day).eligible
    expired = finding(TWO_YEARS, BenefitKind.POSTGRAD_EXAM_BONUS, date(2026, 7, 31))
    assert not expired.eligible
    assert (expired.valid_from, expired.valid_until) == (COMPLETED, last_day)
    assert "ended on 2026-07-30" in expired.reason


def test_postgrad_window_from_february_29() -> None:
    leap = replace(TWO_YEARS, completed_on=date(2024, 2, 29))
    bonus = finding(leap, BenefitKind.POSTGRAD_EXAM_BONUS, date(2027, 2, 27))
    assert bonus.eligible and bonus.valid_until == date(2027, 2, 27)
    assert not finding(leap, BenefitKind.POSTGRAD_EXAM_BONUS, date(2027, 2, 28)).eligible


# R33: fresh-graduate status


def test_fresh_graduate_status_for_two_years_after_completion() -> None:
    status = finding(TWO_YEARS, BenefitKind.FRESH_GRADUATE_STATUS)
    assert status.eligible and (status.valid_from, status.valid_until) == (COMPLETED, date(2025, 7, 30))
    assert finding(TWO_YEARS, BenefitKind.FRESH_GRADUATE_STATUS, date(2025, 7, 30)).eligible
    assert not finding(TWO_YEARS, BenefitKind.FRESH_GRADUATE_STATUS, date(2025, 7, 31)).eligible


def test_fresh_graduate_status_for_one_year_volunteers_too() -> None:
    one_year = replace(TWO_YEARS, years_served=1, completed_on=date(2022, 7, 31))
    assert finding(one_year, BenefitKind.FRESH_GRADUATE_STATUS, date(2022, 8, 1)).eligible


@pytest.mark.parametrize(
    "change, why",
    [
        ({"has_work_experience": True}, "work experience"),
        ({"completed_on": None}, "not completed"),
        ({"passed_assessments": False}, "not passed"),
    ],
)
def test_fresh_graduate_status_conditions(change: dict[str, object], why: str) -> None:
    status = finding(replace(TWO_YEARS, **change), BenefitKind.FRESH_GRADUATE_STATUS)  # type: ignore[arg-type]
    assert not status.eligible and why in status.reason and "R33" in status.reason


TEACHING = ServiceRecord(
    reported_on=date(2021, 8, 20),
    completed_on=date(2022, 7, 31),
    years_served=1,
    passed_assessments=True,
    has_work_experience=False,
    graduate_teaching_group=True,
    graduate_graduation_on=date(2025, 6, 30),
)


def test_teaching_group_status_counts_from_graduate_graduation() -> None:
    during_studies = finding(TEACHING, BenefitKind.FRESH_GRADUATE_STATUS, date(2024, 9, 1))
    assert not during_studies.eligible
    assert (during_studies.valid_from, during_studies.valid_until) == (date(2025, 6, 30), date(2027, 6, 29))
    assert "graduate graduation" in during_studies.reason and "not before 2025-06-30" in during_studies.reason
    assert finding(TEACHING, BenefitKind.FRESH_GRADUATE_STATUS, date(2025, 6, 30)).eligible
    assert finding(TEACHING, BenefitKind.FRESH_GRADUATE_STATUS, date(2027, 6, 29)).eligible
    assert not finding(TEACHING, BenefitKind.FRESH_GRADUATE_STATUS, date(2027, 6, 30)).eligible


def test_teaching_group_without_graduation_date_counts_from_completion() -> None:
    status = finding(replace(TEACHING, graduate_graduation_on=None), BenefitKind.FRESH_GRADUATE_STATUS)
    assert status.valid_from == date(2022, 7, 31) and status.valid_until == date(2024, 7, 30)


def test_graduation_date_is_ignored_outside_the_teaching_group() -> None:
    status = finding(replace(TEACHING, graduate_teaching_group=False), BenefitKind.FRESH_GRADUATE_STATUS)
    assert status.valid_from == date(2022, 7, 31)


def test_teaching_group_other_benefits() -> None:
    today = date(2024, 9, 1)
    assert not finding(TEACHING, BenefitKind.POSTGRAD_EXAM_BONUS, today).eligible  # one year only
    assert finding(TEACHING, BenefitKind.TITLE_EVALUATION, today).eligible
    assert finding(TEACHING, BenefitKind.TUITION_COMPENSATION, today).eligible


# R34: tuition compensation


def test_tuition_compensation_when_completed_and_passed() -> None:
    tuition = finding(TWO_YEARS, BenefitKind.TUITION_COMPENSATION)
    assert tuition.eligible and tuition.valid_from == COMPLETED and tuition.valid_until is None
    assert "R34" in tuition.reason


@pytest.mark.parametrize(
    "change, why", [({"completed_on": None}, "not completed"), ({"passed_assessments": False}, "not passed")]
)
def test_tuition_compensation_refused_with_reason(change: dict[str, object], why: str) -> None:
    tuition = finding(replace(TWO_YEARS, **change), BenefitKind.TUITION_COMPENSATION)  # type: ignore[arg-type]
    assert not tuition.eligible and why in tuition.reason and "R34" in tuition.reason


# R35: work seniority


def test_work_seniority_counts_from_reporting() -> None:
    seniority = finding(TWO_YEARS, BenefitKind.WORK_SENIORITY)
    assert seniority.eligible and seniority.valid_from == REPORTED and seniority.valid_until is None
    assert "R35" in seniority.reason


def test_work_seniority_needs_no_completion_nor_assessment() -> None:
    newcomer = ServiceRecord(REPORTED, None, 0, False, False)
    assert finding(newcomer, BenefitKind.WORK_SENIORITY, REPORTED).eligible
    assert not finding(newcomer, BenefitKind.WORK_SENIORITY, date(2021, 8, 9)).eligible


def test_no_seniority_before_reporting() -> None:
    seniority = finding(replace(TWO_YEARS, reported_on=None), BenefitKind.WORK_SENIORITY)
    assert not seniority.eligible and seniority.valid_from is None and "not reported" in seniority.reason


# R36: professional title evaluation


def test_title_evaluation_at_exactly_one_year() -> None:
    one_year = replace(TWO_YEARS, years_served=1, completed_on=None)
    title = finding(one_year, BenefitKind.TITLE_EVALUATION)
    assert title.eligible and "R36" in title.reason


def test_title_evaluation_needs_a_year_and_a_pass() -> None:
    assert not finding(replace(TWO_YEARS, years_served=0), BenefitKind.TITLE_EVALUATION).eligible
    failed = finding(replace(TWO_YEARS, passed_assessments=False), BenefitKind.TITLE_EVALUATION)
    assert not failed.eligible and "not passed" in failed.reason


# R37: local projects


def test_unapproved_local_project_gets_nothing() -> None:
    found = benefits(replace(TWO_YEARS, local_project_approved=False), TODAY)
    assert [f.kind for f in found] == list(BenefitKind)
    assert not any(f.eligible for f in found)
    assert all("R37" in f.reason and "not approved" in f.reason for f in found)


def test_approved_local_project_gets_the_national_benefits() -> None:
    national = benefits(TWO_YEARS, TODAY)
    local = benefits(replace(TWO_YEARS, local_project_approved=True), TODAY)
    assert [(f.kind, f.eligible, f.valid_from, f.valid_until) for f in local] == [
        (f.kind, f.eligible, f.valid_from, f.valid_until) for f in national
    ]
    assert all("R37" in f.reason for f in local)


def test_negative_years_served_is_an_error() -> None:
    with pytest.raises(ValueError):
        benefits(replace(TWO_YEARS, years_served=-1), TODAY)
