"""Issue 17: submitApplication's write path stores its rows as plain inserts — the application, the audit entry
with its jurisdiction scopes and the outbox event — with the values the ORM objects used to carry, and the year's
timeline is read in one statement (drafts skipped, no row for a year that does not exist). bench/limit_writes.py
writes the same rows by hand; tests/test_bench_scripts_run.py compares the two."""

from __future__ import annotations

import json

from hub.enums import Milestone
from hub.ids import to_global_id
from tests.conftest import Client
from tests.seed import YEAR, seed_reference
from tests.test_volunteer_registers_and_applies import register, submit, write


def _json(value: object) -> object:
    return json.loads(value) if isinstance(value, str) else value


async def test_an_application_stores_its_row_audit_entry_scopes_and_event(client: Client) -> None:
    await seed_reference(client.hub)
    await register(client, "acct-rows")
    payload = await submit(client, "acct-rows", "62", "53", "65")
    assert payload["userErrors"] == []
    gid = payload["application"]["id"]
    (app,) = await client.sql(
        "SELECT a.id, a.year, a.school_code, a.recruiting_province_code, a.preference_1, a.preference_2,"
        " a.preference_3, a.accepts_adjustment, a.status, a.active_volunteer_id = a.volunteer_id, a.submitted_at"
        " FROM applications a JOIN volunteers v ON v.id = a.volunteer_id WHERE v.subject = 'acct-rows'"
    )
    assert gid == to_global_id("Application", app[0])
    assert tuple(app[1:10]) == (YEAR, "10730", "62", "62", "53", "65", False, "SUBMITTED", True)
    assert app[10] is not None

    (entry,) = await client.sql(
        "SELECT id, actor_level, actor_code, actor_subject, operation, target_ids, changes, seq, hash"
        " FROM audit_entries WHERE operation = 'submitApplication'"
    )
    assert entry[1:5] == ("VOLUNTEER", None, "acct-rows", "submitApplication")
    assert _json(entry[5]) == [gid]
    changes = {"status": "SUBMITTED", "preferences": ["62", "53", "65"], "acceptsAdjustment": False}
    assert _json(entry[6]) == {gid: changes}
    assert entry[7] is None and entry[8] is None  # unsealed: the sequencer chains it
    scopes = await client.sql("SELECT level, code FROM audit_scopes WHERE entry_id = :id ORDER BY level", id=entry[0])
    assert [tuple(s) for s in scopes] == [("PROVINCIAL", "62"), ("SCHOOL", "10730"), ("VOLUNTEER", "acct-rows")]

    (event,) = await client.sql(
        "SELECT type, audit_entry_id, actor_level, actor_code, objects, fanned_out, relayed, uid"
        " FROM domain_events WHERE type = 'submitApplication'"
    )
    assert event[:4] == ("submitApplication", entry[0], "VOLUNTEER", None)
    assert _json(event[4]) == [{"id": gid, "type": "Application", "fields": _json(entry[6])[gid]}]
    assert event[7].startswith("msg_")


async def test_the_timeline_is_the_years_dates_in_force(client: Client) -> None:
    await seed_reference(client.hub)
    async with client.hub.sessionmaker() as session:
        assert await client.hub.timeline(session, "2099-2100") is None  # no such year
        timeline = await client.hub.timeline(session, YEAR)
    assert timeline is not None and Milestone.REGISTRATION_CLOSES in timeline
    await write(client, "UPDATE milestone_dates SET draft = true WHERE year = :y", y=YEAR)
    async with client.hub.sessionmaker() as session:
        assert await client.hub.timeline(session, YEAR) == {}  # the year exists; its drafts are no dates
