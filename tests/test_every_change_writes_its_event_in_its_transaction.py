"""Issue 16, the transactional outbox: every accepted mutation writes exactly one domain event beside its
audit entry, in the same transaction; a refused mutation writes neither, and a failure after the event
was added (here: the commit never happens) leaves neither behind."""

from __future__ import annotations

import json
from typing import Any

import pytest

from hub.ids import from_global_id
from tests.conftest import Client
from tests.seed import id_number, seed_reference
from tests.test_audit_log import REGISTER, SIGN_OFF, register, submit


def as_json(value: Any) -> Any:
    return json.loads(value) if isinstance(value, str) else value


async def events(client: Client) -> list[Any]:
    return await client.sql("SELECT type, audit_entry_id, objects, uid, fanned_out FROM domain_events ORDER BY id")


async def test_each_accepted_mutation_writes_one_event_with_its_audit_entry(client: Client) -> None:
    await seed_reference(client.hub)
    volunteer = await register(client, "acct-out", 821, "10730")
    application = await submit(client, "acct-out")
    data = await client.ok(
        SIGN_OFF,
        {"input": {"applicationId": application, "decision": "APPROVE"}},
        level="school",
        code="10730",
        sub="teacher-li",
    )
    assert data["signOffApplication"]["userErrors"] == []

    rows = await events(client)
    audit = await client.sql("SELECT id, operation FROM audit_entries ORDER BY id")
    assert [(r[0], r[1]) for r in rows] == [(op, entry) for entry, op in audit]
    assert [r[0] for r in rows] == ["registerVolunteer", "submitApplication", "signOffApplication"]
    assert len({r[3] for r in rows}) == 3 and all(r[3].startswith("msg_") for r in rows)
    assert not any(r[4] for r in rows)  # nothing delivered them yet: no worker runs in this test

    objects = as_json(rows[0][2])
    assert objects == [{"id": volunteer, "type": "Volunteer", "fields": {"name": "申请人821", "schoolCode": "10730"}}]
    signed = as_json(rows[2][2])
    assert [(o["id"], o["type"]) for o in signed] == [(application, "Application")]
    assert from_global_id(signed[0]["id"])[0] == "Application"
    assert signed[0]["fields"]["status"]


async def test_a_refused_mutation_writes_no_event(client: Client) -> None:
    await seed_reference(client.hub)
    await register(client, "acct-dup", 822, "10730")
    body = await client.gql(
        REGISTER,
        {
            "input": {
                "name": "重复",
                "idNumber": id_number(822),
                "phone": "13800000822",
                "schoolCode": "10730",
                "degree": "BACHELOR",
                "hasWorkExperience": False,
            }
        },
        level="volunteer",
        sub="acct-dup-2",
    )
    assert body["data"]["registerVolunteer"]["userErrors"]
    assert [r[0] for r in await events(client)] == ["registerVolunteer"]


async def test_a_transaction_that_fails_after_the_event_keeps_neither(
    client: Client, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The event is part of the mutation's transaction: when the transaction fails after the event was added
    (a lost connection at commit, simulated by the last step raising), the change, its audit entry and
    its event all go."""
    import hub.mutation

    await seed_reference(client.hub)
    real = hub.mutation.write_entry_and_event

    async def then_fail(unit: Any, at: Any) -> Any:
        await real(unit, at)
        await unit.session.flush()
        raise ConnectionError("the connection dropped before the commit")

    monkeypatch.setattr(hub.mutation, "write_entry_and_event", then_fail)
    body = await client.gql(
        REGISTER,
        {
            "input": {
                "name": "断线",
                "idNumber": id_number(823),
                "phone": "13800000823",
                "schoolCode": "10730",
                "degree": "BACHELOR",
                "hasWorkExperience": False,
            }
        },
        level="volunteer",
        sub="acct-lost",
    )
    assert body["errors"] and not (body.get("data") or {}).get("registerVolunteer")
    assert await events(client) == []
    assert await client.sql("SELECT count(*) FROM volunteers") == [(0,)]
    assert await client.sql("SELECT count(*) FROM audit_entries") == [(0,)]
