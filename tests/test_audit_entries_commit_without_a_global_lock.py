"""Issue 17: a mutation's audit entry no longer takes a lock on the chain's head, so commits do not queue
on one another (PostgreSQL; SQLite has one writer at a time anyway). A transaction holding an unsealed
entry open does not hold up another mutation; both are sealed afterwards, in the order they were written."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime

import pytest

from hub.audit import verify, write_entry
from hub.auth import Actor
from hub.enums import OfficeLevel
from hub.sequencer import seal
from tests.conftest import Client
from tests.seed import seed_reference
from tests.test_audit_log import register

pytestmark = pytest.mark.postgres_only


async def test_an_open_transaction_with_an_entry_does_not_hold_up_other_mutations(client: Client) -> None:
    await seed_reference(client.hub)
    national = Actor(OfficeLevel.NATIONAL, None, "national-x")
    async with client.hub.write_sessionmaker() as slow, slow.begin():
        first = await write_entry(slow, national, "setScale", datetime.now(UTC), [], {"slow": True}, [])
        # With the old chain lock this registration waited for the open transaction's commit.
        await asyncio.wait_for(register(client, "acct-1", 871, "10730"), timeout=20)
        assert await seal(client.hub.engine) == 1  # the committed one; the open one is not visible yet
    assert await seal(client.hub.engine) == 1
    rows = await client.sql("SELECT id, seq, actor_subject FROM audit_entries ORDER BY seq")
    assert [(seq, subject) for _id, seq, subject in rows] == [(1, "acct-1"), (2, "national-x")]
    assert rows[1][0] == first.id and rows[0][0] > first.id  # chain order is the sealing order, not the id
    async with client.hub.sessionmaker() as session:
        found = await verify(session)
    assert found.intact and found.entries == 2
