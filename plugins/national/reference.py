"""The national office's reference data: counties and schools, upserted in batches (R3, R5, R19).

A batch is all or nothing: every bad row is reported as its own userError (with its index in the
field path) and none of a batch with a bad row is written."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

import strawberry
from sqlalchemy import select

from hub import models as m
from hub.enums import KeyAssistance, UserErrorCode
from hub.errors import DomainRefusal, Problem
from hub.graphql.geography import County, School
from hub.graphql.payloads import UpsertCountiesPayload, UpsertSchoolsPayload
from hub.i18n import N_, ROW_MESSAGE, _
from hub.mutation import Unit, mutation

COUNTY_CODE = re.compile(r"\d{6}")
SCHOOL_CODE = re.compile(r"\d{5}")
MAX_BATCH = 20000  # a national list of counties or schools fits one batch
KINDS = {"counties": N_("counties"), "schools": N_("schools")}  # a batch's rows, as a person reads them


@strawberry.input
class CountyInput:
    code: str
    name: str
    key_assistance: KeyAssistance
    remote: bool | None = None


@strawberry.input
class UpsertCountiesInput:
    counties: list[CountyInput]


@strawberry.input
class SchoolInput:
    code: str
    name: str
    province_code: str


@strawberry.input
class UpsertSchoolsInput:
    schools: list[SchoolInput]


def _batch_problems(
    kind: str, rows: list[Any], code_pattern: re.Pattern[str], provinces: set[str], province_of: Callable[[Any], str]
) -> list[Problem]:
    problems: list[Problem] = []
    if not rows:
        problems.append(
            Problem(UserErrorCode.INVALID_INPUT, _("the batch has no {kind}", kind=_(KINDS[kind])), ("input", kind))
        )
    if len(rows) > MAX_BATCH:
        problems.append(
            Problem(
                UserErrorCode.INVALID_INPUT,
                _("at most {limit} {kind} a batch", limit=MAX_BATCH, kind=_(KINDS[kind])),
                ("input", kind),
            )
        )
    seen: dict[str, int] = {}
    for index, row in enumerate(rows):
        path = ("input", kind, str(index))
        code = row.code.strip()
        if not code_pattern.fullmatch(code):
            problems.append(
                Problem(
                    UserErrorCode.INVALID_INPUT,
                    _(ROW_MESSAGE, row=index, message=_("{code!r} is not a valid code", code=code)),
                    (*path, "code"),
                )
            )
        elif province_of(row) not in provinces:
            problems.append(
                Problem(
                    UserErrorCode.NOT_FOUND,
                    _(ROW_MESSAGE, row=index, message=_("no province {code!r}", code=province_of(row))),
                    (*path, "provinceCode" if kind == "schools" else "code"),
                )
            )
        if code in seen:
            problems.append(
                Problem(
                    UserErrorCode.DUPLICATE,
                    _(ROW_MESSAGE, row=index, message=_("{code} is also row {row}", code=code, row=seen[code])),
                    (*path, "code"),
                )
            )
        seen.setdefault(code, index)
        if not row.name.strip():
            problems.append(
                Problem(
                    UserErrorCode.INVALID_INPUT,
                    _(ROW_MESSAGE, row=index, message=_("the name is empty")),
                    (*path, "name"),
                )
            )
    return problems


async def _province_codes(unit: Unit) -> set[str]:
    return set((await unit.session.execute(select(m.Province.code))).scalars())


@strawberry.type
class NationalReferenceMutation:
    @mutation
    async def upsert_counties(unit: Unit, input: UpsertCountiesInput) -> UpsertCountiesPayload:
        """R4, R5: counties by code (their province is the code's first two digits), with designation."""
        unit.authorize()
        rows = input.counties
        problems = _batch_problems(
            "counties", rows, COUNTY_CODE, await _province_codes(unit), lambda r: r.code.strip()[:2]
        )
        if problems:
            raise DomainRefusal(problems)
        codes = [r.code.strip() for r in rows]
        existing = {
            c.code: c
            for c in (
                await unit.session.execute(select(m.County).where(m.County.code.in_(codes)).with_for_update())
            ).scalars()
        }
        saved = []
        for row, code in zip(rows, codes, strict=True):
            county = existing.get(code) or m.County(code=code, name="", province_code=code[:2])
            changes = {"name": row.name.strip(), "keyAssistance": row.key_assistance.value}
            county.name, county.key_assistance = row.name.strip(), row.key_assistance.value
            if row.remote is not None:
                county.remote = row.remote
                changes["remote"] = row.remote
            unit.session.add(county)
            saved.append(county)
            unit.record(
                County.of(county).id, {"created": code not in existing, **changes}, province=code[:2], county=code
            )
        await unit.session.flush()
        return UpsertCountiesPayload(counties=[County.of(c) for c in saved], user_errors=[])

    @mutation
    async def upsert_schools(unit: Unit, input: UpsertSchoolsInput) -> UpsertSchoolsPayload:
        """R19: schools of the Ministry of Education list, by their 5-digit code and province."""
        unit.authorize()
        rows = input.schools
        problems = _batch_problems(
            "schools", rows, SCHOOL_CODE, await _province_codes(unit), lambda r: r.province_code.strip()
        )
        if problems:
            raise DomainRefusal(problems)
        codes = [r.code.strip() for r in rows]
        existing = {
            s.code: s
            for s in (
                await unit.session.execute(select(m.School).where(m.School.code.in_(codes)).with_for_update())
            ).scalars()
        }
        saved = []
        for row, code in zip(rows, codes, strict=True):
            school = existing.get(code) or m.School(code=code, name="", province_code="")
            school.name, school.province_code = row.name.strip(), row.province_code.strip()
            unit.session.add(school)
            saved.append(school)
            unit.record(
                School.of(school).id,
                {"created": code not in existing, "name": school.name, "provinceCode": school.province_code},
                province=school.province_code,
                school=code,
            )
        await unit.session.flush()
        return UpsertSchoolsPayload(schools=[School.of(s) for s in saved], user_errors=[])
