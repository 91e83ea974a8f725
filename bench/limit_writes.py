"""The write limit (issue 17): the bench's `submitApplication` answered with ONE SQL statement — one round trip,
one transaction — that stores exactly the rows the hub's path stores, behind the limit server's stack.

What the hub does for this mutation (hub/applications.py `submit`, called by hub/graphql/volunteer.py's
`submit_application` inside hub/mutation.py `perform`), and where the statement does the same:

- the token verified (hub.auth.parse_token, by the limit server) and the volunteer's account registered;
- R7: the program year exists and registration has not closed (the milestone dates in force, drafts skipped);
- three distinct provinces, each serving in the year (a scale above zero in force, hub.scales);
- R20: no active application of the volunteer for the year (and the database's unique constraint);
- the application inserted (SUBMITTED, the school's province as the recruiting one);
- the audit entry, unsealed as hub/audit.py writes it (the sequencer seals it later), with its three
  jurisdiction scopes (the volunteer's account, the school, the recruiting province);
- the outbox event (hub/outbox.py) referencing the entry; after the commit, the NOTIFY that wakes listeners,
  through the hub's own `Wakeups` (one for the commits of the next 20 ms).

The JSON columns get the text SQLAlchemy writes for the hub (`json.dumps` of the same values): the audit
entry's and the event's JSON are concatenated around the new application's global id in SQL, so the stored
rows are byte for byte the hub's except ids, times and the event's uid (bench/burst.py compares them).

The inserts are guarded by the checks in SQL; when nothing was inserted, the facts the statement read come
back and the refusal is worked out in Python in the hub's order, with the hub's rule where it is a function
(hub.rules.deadlines.ensure_open) and its messages.
"""

from __future__ import annotations

import json
from datetime import date, datetime
from typing import Any

import asyncpg

from hub.auth import Actor
from hub.enums import Milestone, OfficeLevel, UserErrorCode
from hub.errors import DomainRefusal, Problem, refuse, user_errors
from hub.i18n import _
from hub.outbox import Wakeups, new_uid
from hub.rules.deadlines import ensure_open

SUBMIT_APPLICATION = (
    "mutation Apply($input: SubmitApplicationInput!) { submitApplication(input: $input) "
    "{ application { id status } userErrors { code message } } }"
)
OPERATION = "submitApplication"

# $1 subject, $2 year, $3 the three province codes, $4 accepts adjustment, $5 now, $6 today,
# $7 the application's audit changes without its id (json.dumps text), $8 the event's uid, $9 the milestone.
SUBMIT_SQL = """
WITH facts AS MATERIALIZED (
    SELECT v.id AS volunteer_id, v.school_code, s.province_code,
           EXISTS (SELECT 1 FROM program_years WHERE code = $2) AS year_exists,
           (SELECT closes_on FROM milestone_dates
             WHERE year = $2 AND milestone = $9 AND NOT draft) AS closes_on,
           ARRAY(SELECT province_code FROM province_scales
                  WHERE year = $2 AND NOT draft AND scale > 0 AND province_code = ANY ($3::text[])) AS serving,
           EXISTS (SELECT 1 FROM applications a WHERE a.year = $2 AND a.active_volunteer_id = v.id) AS active
    FROM volunteers v JOIN schools s ON s.code = v.school_code
    WHERE v.subject = $1
), app AS (
    INSERT INTO applications (year, volunteer_id, active_volunteer_id, school_code, recruiting_province_code,
                              preference_1, preference_2, preference_3, accepts_adjustment, status, submitted_at)
    SELECT $2, f.volunteer_id, f.volunteer_id, f.school_code, f.province_code,
           ($3::text[])[1], ($3::text[])[2], ($3::text[])[3], $4, 'SUBMITTED', $5
    FROM facts f
    WHERE f.year_exists AND f.closes_on >= $6 AND cardinality(f.serving) = 3 AND NOT f.active
      AND cardinality($3::text[]) = 3 AND (SELECT count(DISTINCT c) FROM unnest($3::text[]) c) = 3
    RETURNING id
), target AS (
    SELECT id, '"' || translate(encode(convert_to('Application:' || id, 'UTF8'), 'base64'), E'\\n', '') || '"'
               AS gid
    FROM app
), entry AS (
    INSERT INTO audit_entries (at, actor_level, actor_code, actor_subject, operation, target_ids, changes)
    SELECT $5, 'VOLUNTEER', NULL, $1, 'submitApplication', ('[' || t.gid || ']')::json,
           ('{' || t.gid || ': ' || $7 || '}')::json
    FROM target t
    RETURNING id
), scopes AS (
    INSERT INTO audit_scopes (entry_id, level, code)
    SELECT e.id, l.level, l.code
    FROM entry e, facts f,
         LATERAL (VALUES ('PROVINCIAL', f.province_code), ('SCHOOL', f.school_code), ('VOLUNTEER', $1)) l(level, code)
), event AS (
    INSERT INTO domain_events (uid, type, at, audit_entry_id, actor_level, actor_code, objects, fanned_out, relayed)
    SELECT $8, 'submitApplication', $5, e.id, 'VOLUNTEER', NULL,
           ('[{"id": ' || t.gid || ', "type": "Application", "fields": ' || $7 || '}]')::json, false, false
    FROM entry e, target t
)
SELECT f.*, (SELECT id FROM app) AS application_id,
       (SELECT translate(gid, E'"\\n', '') FROM target) AS global_id
FROM facts f
"""


def _input(variables: Any) -> tuple[str, list[str], bool]:
    """The mutation's input as GraphQL would coerce it (year, preferredProvinceCodes, acceptsAdjustment)."""
    given = (variables or {}).get("input") or {}
    year, codes, adjust = given.get("year"), given.get("preferredProvinceCodes"), given.get("acceptsAdjustment")
    if not isinstance(year, str) or not isinstance(codes, list) or not all(isinstance(c, str) for c in codes):
        raise ValueError("input: year and preferredProvinceCodes are needed")
    if not isinstance(adjust, bool):
        raise ValueError("input: acceptsAdjustment is needed")
    return year, [c.strip() for c in codes], adjust


def _refusal(facts: Any, year: str, codes: list[str], today: date) -> list[Problem]:
    """Why nothing was inserted, in the order the hub's rule checks (hub.applications.submit)."""
    try:
        if facts is None:
            raise refuse(UserErrorCode.INELIGIBLE, "register as a volunteer (registerVolunteer) before applying")
        if not facts["year_exists"]:
            raise refuse(UserErrorCode.NOT_FOUND, _("there is no program year {year}", year=year), "input", "year")
        timeline = {} if facts["closes_on"] is None else {Milestone.REGISTRATION_CLOSES: facts["closes_on"]}
        ensure_open(timeline, Milestone.REGISTRATION_CLOSES, today, year)
        if len(codes) != 3 or len(set(codes)) != 3:
            raise refuse(
                UserErrorCode.INVALID_INPUT,
                _("name exactly three distinct serving provinces"),
                "input",
                "preferredProvinceCodes",
            )
        not_serving = [c for c in codes if c not in set(facts["serving"])]
        if not_serving:
            raise refuse(
                UserErrorCode.INVALID_INPUT,
                _("not serving provinces in {year}: {codes}", year=year, codes=", ".join(not_serving)),
                "input",
                "preferredProvinceCodes",
            )
        if facts["active"]:
            raise refuse(UserErrorCode.DUPLICATE, _("you already have an active application for {year}", year=year))
    except DomainRefusal as refusal:
        return refusal.problems
    return [Problem(UserErrorCode.DUPLICATE, "this would duplicate an existing record")]


def _payload(application: dict[str, str] | None, problems: list[Problem]) -> dict[str, Any]:
    errors = [{"code": e.code.value, "message": e.message} for e in user_errors(problems)]
    return {"data": {"submitApplication": {"application": application, "userErrors": errors}}}


async def submit_application(
    pool: asyncpg.Pool, wakeups: Wakeups, actor: Actor, variables: Any, now: datetime, today: date
) -> dict[str, Any]:
    """The bench's submitApplication for `actor`: one statement, the hub's answer; `wakeups` told of the commit."""
    if actor.level is not OfficeLevel.VOLUNTEER:
        refused = {"message": "submitApplication is a volunteer's own mutation", "extensions": {"code": "FORBIDDEN"}}
        return {"data": {"submitApplication": None}, "errors": [refused]}
    year, codes, adjust = _input(variables)
    changes = json.dumps({"status": "SUBMITTED", "preferences": codes, "acceptsAdjustment": adjust})
    milestone = Milestone.REGISTRATION_CLOSES.value
    arguments = (actor.subject, year, codes, adjust, now, today, changes, new_uid(), milestone)
    try:
        facts = await pool.fetchrow(SUBMIT_SQL, *arguments)
    except asyncpg.UniqueViolationError:  # R20 raced by a concurrent request of the same volunteer
        return _payload(None, [Problem(UserErrorCode.DUPLICATE, "this would duplicate an existing record")])
    if facts is None or facts["application_id"] is None:
        return _payload(None, _refusal(facts, year, codes, today))
    wakeups.committed()
    return _payload({"id": facts["global_id"], "status": "SUBMITTED"}, [])
