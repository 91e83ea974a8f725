"""The machinery of the permission tables (R1, R42) of the season, placement and in-service phases.

A table is a list of `Case`s: a mutation, the day it runs, its input, the office that owns it and the
callers that must be refused. `case_failures` runs one case — each refused caller, then the anonymous
one, must get FORBIDDEN (UNAUTHENTICATED without a token), a null field and write nothing; then the
owning office must succeed with exactly one new audit entry. `outsider_failures` sends requests that also
break a domain rule from outside the mutation's jurisdiction: the permission is decided first.

`snapshot` and `changed` tell whether anything was written to a phase's tables (`SEASON_TABLES`,
`PLACEMENT_TABLES`, `IN_SERVICE_TABLES`); the other test modules of each phase use them as well."""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import text

from tests.conftest import Client, error_codes

Actor = dict[str, str]
Snapshot = dict[str, tuple[int, str]]
MakeInput = Callable[[dict[str, str]], dict[str, Any]]
Outsider = tuple[str, str, Actor, MakeInput]  # operation, document, the outsider, the input from the ids

# Every table a season mutation writes; a refusal leaves each one exactly as it was.
SEASON_TABLES = (
    "program_years",
    "milestone_dates",
    "province_scales",
    "counties",
    "schools",
    "volunteers",
    "applications",
    "quotas",
    "quota_moves",
    "trainings",
    "audit_entries",
    "audit_scopes",
)

# Every table a placement mutation writes (and what R10/R11 read); a refusal leaves each exactly as it was.
PLACEMENT_TABLES = (
    "program_years",
    "province_scales",
    "counties",
    "county_evaluations",
    "service_units",
    "posts",
    "volunteers",
    "applications",
    "service_agreements",
    "safety_incidents",
    "audit_entries",
    "audit_scopes",
)

# Every table an in-service mutation writes; a refusal leaves each one exactly as it was.
IN_SERVICE_TABLES = (
    "counties",
    "volunteers",
    "applications",
    "posts",
    "service_agreements",
    "monthly_reports",
    "safety_incidents",
    "assessments",
    "insurance_policies",
    "allowance_standards",
    "local_projects",
    "audit_entries",
    "audit_scopes",
)


async def snapshot(front: Client, tables: tuple[str, ...]) -> Snapshot:
    """Per table: the number of rows and a digest of all of them (order-independent)."""
    state = {}
    async with front.hub.engine.connect() as connection:
        for table in tables:
            rows = sorted(repr(tuple(row)) for row in await connection.execute(text(f"SELECT * FROM {table}")))
            state[table] = (len(rows), hashlib.sha256("\n".join(rows).encode()).hexdigest())
    return state


def changed(before: Snapshot, after: Snapshot) -> list[str]:
    """The tables of `before` whose rows differ in `after`, each with its row counts."""
    return [f"{t} ({before[t][0]} -> {after[t][0]} rows)" for t in before if before[t] != after[t]]


@dataclass(frozen=True)
class Case:
    """One row of the table: a mutation, the day it runs, its input, who may and who may not."""

    operation: str
    document: str
    day: date
    input: MakeInput
    permitted: Actor
    refused: tuple[tuple[str, Actor], ...]


async def case_failures(
    front: Client, case: Case, ids: dict[str, str], tables: tuple[str, ...], *, audit_subject: bool = False
) -> list[str]:
    """Send the case's request as each refused caller and as the anonymous one, then as the permitted
    office; what went otherwise than the table says. With `audit_subject`, the audit entry of the permitted
    request must also name the permitted office's subject."""
    variables = {"input": case.input(ids)}
    failures: list[str] = []

    before = await snapshot(front, tables)
    for who, actor in (*case.refused, ("anonymous", None)):
        expected = "FORBIDDEN" if actor else "UNAUTHENTICATED"
        body = await front.gql(case.document, variables, **(actor or {}))
        if error_codes(body) != [expected]:
            failures.append(f"{who}: expected {expected}, got {error_codes(body)} / data {body.get('data')}")
        if (body.get("data") or {}).get(case.operation) is not None:
            failures.append(f"{who}: {case.operation} is not null: {body['data'][case.operation]}")
        after = await snapshot(front, tables)
        written = changed(before, after)
        if written:
            failures.append(f"{who}: refused, yet wrote {', '.join(written)}")
        before = after

    # The same request from the office that owns it is valid: accepted, written, audited once.
    body = await front.gql(case.document, variables, **case.permitted)
    result = (body.get("data") or {}).get(case.operation)
    if body.get("errors") or result is None or result["userErrors"]:
        failures.append(f"permitted {case.permitted}: not accepted: {body}")
        return failures
    after = await snapshot(front, tables)
    if after["audit_entries"][0] != before["audit_entries"][0] + 1:
        failures.append(f"permitted: {before['audit_entries'][0]} -> {after['audit_entries'][0]} audit entries")
    if audit_subject:
        [(operation, subject)] = await front.sql(
            "SELECT operation, actor_subject FROM audit_entries ORDER BY id DESC LIMIT 1"
        )
        if (operation, subject) != (case.operation, case.permitted["sub"]):
            failures.append(f"permitted: the last audit entry is {operation} by {subject}")
    else:
        [(operation,)] = await front.sql("SELECT operation FROM audit_entries ORDER BY id DESC LIMIT 1")
        if operation != case.operation:
            failures.append(f"permitted: the last audit entry is {operation}, not {case.operation}")
    return failures


async def outsider_failures(
    front: Client, outsiders: list[Outsider], ids: dict[str, str], tables: tuple[str, ...], *, show_input: bool = False
) -> tuple[list[str], list[str]]:
    """Send each outsider's request as the outsider (FORBIDDEN expected) and anonymously (UNAUTHENTICATED),
    the field null each time. What went otherwise, and the tables written by all those calls together. With
    `show_input`, a failure names the input as well."""
    before = await snapshot(front, tables)
    failures: list[str] = []
    for operation, document, outsider, make_input in outsiders:
        variables = {"input": make_input(ids)}
        for who, actor, expected in ((str(outsider), outsider, "FORBIDDEN"), ("anonymous", {}, "UNAUTHENTICATED")):
            body = await front.gql(document, variables, **actor)
            if error_codes(body) != [expected] or (body.get("data") or {}).get(operation) is not None:
                request = f"{operation} {variables['input']}" if show_input else operation
                failures.append(f"{request} by {who}: expected {expected}, got {body}")
    return failures, changed(before, await snapshot(front, tables))
