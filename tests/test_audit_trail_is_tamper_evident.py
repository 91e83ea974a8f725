"""R42, tamper evidence: every audit entry carries a hash chained to the entry before it; `hub audit verify`
reports the first altered or missing entry. Rows are altered straight in the database, as an intruder
with database access would; parallel mutations keep the chain one line."""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys
from pathlib import Path

import pytest

from hub import migrate
from hub.audit import GENESIS, verify
from hub.plugins import HubPlugins
from hub.settings import Settings
from tests.conftest import Client
from tests.seed import seed_reference
from tests.test_audit_log import register, submit


async def verdict(client: Client):  # type: ignore[no-untyped-def]
    async with client.hub.sessionmaker() as session:
        return await verify(session)


def hub_audit_verify(url: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "HUB_DATABASE_URL": url}
    command = [sys.executable, "-c", "from hub.cli import main; main()", "audit", "verify"]
    return subprocess.run(command, env=env, capture_output=True, text=True, timeout=120)


async def five_entries(client: Client) -> list[int]:
    await seed_reference(client.hub)
    for n, school in ((1, "10730"), (2, "10001")):
        await register(client, f"acct-{n}", 840 + n, school)
        await submit(client, f"acct-{n}")
    await register(client, "acct-3", 843, "10673")
    return [row[0] for row in await client.sql("SELECT id FROM audit_entries ORDER BY id")]


async def test_an_untouched_log_verifies_and_each_entry_links_to_the_one_before(client: Client) -> None:
    ids = await five_entries(client)
    assert len(ids) == 5
    rows = await client.sql("SELECT prev_hash, hash FROM audit_entries ORDER BY id")
    assert rows[0][0] == GENESIS
    assert [r[0] for r in rows[1:]] == [r[1] for r in rows[:-1]]
    found = await verdict(client)
    assert found.intact and found.entries == 5 and found.head == rows[-1][1]
    result = await asyncio.to_thread(hub_audit_verify, client.hub.settings.database_url)
    assert result.returncode == 0, result.stderr
    assert f"audit trail intact: 5 entries, head {rows[-1][1]}" in result.stdout


async def test_an_altered_entry_is_reported(client: Client) -> None:
    ids = await five_entries(client)
    await client.sql("UPDATE audit_entries SET actor_subject = 'someone-else' WHERE id = :id", id=ids[2])
    found = await verdict(client)
    assert (found.broken_at, found.entries) == (ids[2], 3)
    assert "altered" in found.reason
    result = await asyncio.to_thread(hub_audit_verify, client.hub.settings.database_url)
    assert result.returncode == 1
    assert f"entry {ids[2]} was altered" in result.stderr


async def test_an_altered_scope_is_reported(client: Client) -> None:
    """The scopes decide who may read an entry (R42): moving one to another office is tampering too."""
    ids = await five_entries(client)
    await client.sql("UPDATE audit_scopes SET code = '10001' WHERE entry_id = :id AND level = 'SCHOOL'", id=ids[0])
    assert (await verdict(client)).broken_at == ids[0]


async def test_a_missing_entry_is_reported_at_the_next_one(client: Client) -> None:
    ids = await five_entries(client)
    await client.sql("DELETE FROM audit_scopes WHERE entry_id = :id", id=ids[1])
    await client.sql("DELETE FROM audit_entries WHERE id = :id", id=ids[1])
    found = await verdict(client)
    assert found.broken_at == ids[2]
    assert "missing" in found.reason


async def test_an_entry_rewritten_with_a_fresh_hash_breaks_the_link_after_it(client: Client) -> None:
    from hub.audit import entry_hash
    from hub.models import AuditEntry

    ids = await five_entries(client)
    async with client.hub.write_sessionmaker() as session, session.begin():
        entry = await session.get(AuditEntry, ids[1])
        entry.changes = {"forged": True}
        entry.hash = entry_hash(entry, [])
    found = await verdict(client)
    assert found.broken_at in (ids[1], ids[2])  # its scopes no longer match, or the next link breaks
    assert not found.intact


async def test_parallel_mutations_keep_one_chain(client: Client) -> None:
    await seed_reference(client.hub)
    await asyncio.gather(*(register(client, f"acct-p{n}", 860 + n, "10730") for n in range(16)))
    found = await verdict(client)
    assert found.intact, found.reason
    assert found.entries == 16
    prev = [row[0] for row in await client.sql("SELECT prev_hash FROM audit_entries")]
    assert len(set(prev)) == 16  # no two entries claim the same predecessor: no fork


@pytest.mark.sqlite_only
async def test_the_migration_chains_the_entries_already_there(client: Client) -> None:
    await five_entries(client)
    url = client.hub.settings.database_url
    await client.hub.dispose()
    settings, plugins = Settings(database_url=url), HubPlugins()
    await asyncio.to_thread(migrate.downgrade, settings, plugins, "0003")
    await asyncio.to_thread(migrate.upgrade, settings, plugins)
    result = await asyncio.to_thread(hub_audit_verify, url)
    assert result.returncode == 0, result.stderr
    assert "audit trail intact: 5 entries" in result.stdout
    assert Path(url.split("///", 1)[1]).exists()
