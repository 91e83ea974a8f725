"""GraphQL documents and steps of the recruitment season, shared by the season's tests."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import replace
from datetime import date
from typing import Any

import httpx

from hub.app import create_app
from hub.plugins import HubPlugins
from hub.runtime import Hub
from hub.settings import Settings
from tests.conftest import Client

YEAR = "2027-2028"

SET_YEAR = """mutation($input: ProgramYearInput!) { setProgramYear(input: $input) {
  programYear { code milestones { milestone closesOn } } userErrors { code message field } } }"""
UPSERT_SCHOOLS = """mutation($input: UpsertSchoolsInput!) { upsertSchools(input: $input) {
  schools { code name province { code } } userErrors { code message field } } }"""
UPSERT_COUNTIES = """mutation($input: UpsertCountiesInput!) { upsertCounties(input: $input) {
  counties { code name province { code } keyAssistance remote } userErrors { code message field } } }"""
SET_SCALE = """mutation($input: SetProvinceScaleInput!) { setProvinceScale(input: $input) {
  province { code scale(year: "2027-2028") } userErrors { code message field } } }"""
SET_QUOTA = """mutation($input: SetQuotaInput!) { setQuota(input: $input) {
  quotas { recruitingProvince { code } servingProvince { code } quota used } userErrors { code message field } } }"""
MOVE_QUOTA = """mutation($input: MoveQuotaInput!) { moveQuota(input: $input) {
  quotas { recruitingProvince { code } servingProvince { code } quota used } userErrors { code message field } } }"""
REALLOCATE = """mutation($input: ReallocateQuotaInput!) { reallocateQuota(input: $input) {
  quotas { recruitingProvince { code } servingProvince { code } quota used } userErrors { code message field } } }"""
REGISTER = """mutation($input: RegisterVolunteerInput!) { registerVolunteer(input: $input) {
  volunteer { id } userErrors { code message field } } }"""
APPLY = """mutation($input: SubmitApplicationInput!) { submitApplication(input: $input) {
  application { id status } userErrors { code message field } } }"""
WITHDRAW = """mutation($input: WithdrawApplicationInput!) { withdrawApplication(input: $input) {
  application { id status } userErrors { code message field } } }"""
SIGN_OFF = """mutation($input: SignOffApplicationInput!) { signOffApplication(input: $input) {
  application { id status } userErrors { code message field } } }"""
SELECT = """mutation($input: RecordSelectionInput!) { recordSelection(input: $input) {
  application { id status selection { selected writtenScore } } userErrors { code message field } } }"""
EXAM = """mutation($input: RecordPhysicalExamInput!) { recordPhysicalExam(input: $input) {
  application { id status } userErrors { code message field } } }"""
PUBLICIZE = """mutation($input: PublicizeInput!) { publicize(input: $input) {
  applications { id status publicNotice { startsOn endsOn } } userErrors { code message field } } }"""
SIGN_RECRUITMENT = """mutation($input: SignRecruitmentAgreementInput!) { signRecruitmentAgreement(input: $input) {
  application { id status recruitmentAgreement { confirmationNumber servingProvince { code } } }
  userErrors { code message field } } }"""
SCHEDULE = """mutation($input: ScheduleTrainingInput!) { scheduleTraining(input: $input) {
  training { id status days } userErrors { code message field } } }"""
APPROVE_TRAINING = """mutation($input: ApproveTrainingInput!) { approveTraining(input: $input) {
  training { id status } userErrors { code message field } } }"""
ATTEND = """mutation($input: RecordAttendanceInput!) { recordAttendance(input: $input) {
  applications { id status training { id } } userErrors { code message field } } }"""
REPLACE = """mutation($input: RecruitReplacementInput!) { recruitReplacement(input: $input) {
  application { id status replacementFor { id } recruitmentAgreement { confirmationNumber } }
  userErrors { code message field } } }"""

NATIONAL = {"level": "national", "sub": "ops-national"}
GANSU = {"level": "provincial", "code": "62", "sub": "ops-gansu"}
BEIJING = {"level": "provincial", "code": "11", "sub": "ops-beijing"}
LZU = {"level": "school", "code": "10730", "sub": "ops-lzu"}
PKU = {"level": "school", "code": "10001", "sub": "ops-pku"}


def payload(data: dict[str, Any]) -> dict[str, Any]:
    """The one payload of a mutation's data."""
    [value] = data.values()
    return value


async def must(client: Any, document: str, input: dict[str, Any], actor: dict[str, Any]) -> dict[str, Any]:
    """Run a mutation that must be accepted; returns its payload."""
    result = payload(await client.ok(document, {"input": input}, **actor))
    assert result["userErrors"] == [], result["userErrors"]
    return result


@asynccontextmanager
async def client_at(settings: Settings, day: date) -> AsyncIterator[Client]:
    """A front end talking to a hub whose calendar says `day` (HUB_TODAY), on the same database."""
    hub = Hub(replace(settings, today=day), HubPlugins())
    try:
        transport = httpx.ASGITransport(app=create_app(hub=hub))
        async with httpx.AsyncClient(transport=transport, base_url="http://hub") as http:
            yield Client(http, hub)
    finally:
        await hub.dispose()
