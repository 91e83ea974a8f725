"""R42, tamper evidence: every sealed audit entry carries a hash chained to the entry before it; `hub audit
verify` reports the first edited, inserted, deleted or moved entry. Rows are altered straight in the
database, as an intruder with database access would. Entries are written unsealed and sealed by the
sequencer (hub/sequencer.py); parallel mutations and parallel sequencers keep the chain one line. A cut
tail needs a signed checkpoint: tests/test_audit_checkpoints_show_a_cut_tail.py."""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys
from datetime import UTC, datetime, time
from pathlib import Path

import pytest

from hub import migrate
from hub.audit import GENESIS, entry_hash, verify
from hub.plugins import HubPlugins
from hub.sequencer import seal
from hub.settings import Settings
from tests.conftest import Client
from tests.seed import TODAY, seed_reference
from tests.test_audit_log import register, submit


async def verdict(client: Client):  # type: ignore[no-untyped-def]
    async with client.hub.sessionmaker() as session:
        return await verify(session)


def hub_audit(url: str, *args: str, **env: str) -> subprocess.CompletedProcess[str]:
    environment = {**os.environ, "HUB_DATABASE_URL": url, "HUB_LANG": "zh", **env}  # what an office reads
    command = [sys.executable, "-c", "from hub.cli import main; main()", "audit", *args]
    return subprocess.run(command, env=environment, capture_output=True, text=True, timeout=120)


def hub_audit_verify(url: str, *args: str, **env: str) -> subprocess.CompletedProcess[str]:
    return hub_audit(url, "verify", *args, **env)


async def five_entries(client: Client) -> list[int]:
    """Five sealed entries; their ids in chain order."""
    await seed_reference(client.hub)
    for n, school in ((1, "10730"), (2, "10001")):
        await register(client, f"acct-{n}", 840 + n, school)
        await submit(client, f"acct-{n}")
    await register(client, "acct-3", 843, "10673")
    assert await seal(client.hub.engine) == 5
    return [row[0] for row in await client.sql("SELECT id FROM audit_entries ORDER BY seq")]


async def move(client: Client, entry_id: int, seq: int) -> None:
    await client.sql("UPDATE audit_entries SET seq = :seq WHERE id = :id", seq=seq, id=entry_id)


async def test_an_untouched_log_verifies_and_each_entry_links_to_the_one_before(client: Client) -> None:
    ids = await five_entries(client)
    assert len(ids) == 5
    rows = await client.sql("SELECT prev_hash, hash, seq FROM audit_entries ORDER BY seq")
    assert rows[0][0] == GENESIS
    assert [r[0] for r in rows[1:]] == [r[1] for r in rows[:-1]]
    assert [r[2] for r in rows] == [1, 2, 3, 4, 5]
    found = await verdict(client)
    assert found.intact and found.entries == 5 and found.head == rows[-1][1] and found.pending == 0
    result = await asyncio.to_thread(hub_audit_verify, client.hub.settings.database_url)
    assert result.returncode == 0, result.stderr
    assert f"审计记录链完好：共 5 条记录，链头 {rows[-1][1]}" in result.stdout


async def test_entries_wait_unsealed_until_the_sequencer_seals_them(client: Client) -> None:
    ids = await five_entries(client)
    await register(client, "acct-4", 844, "10730")
    assert await client.sql("SELECT seq, prev_hash, hash FROM audit_entries WHERE id > :id", id=ids[-1]) == [
        (None, None, None)
    ]
    found = await verdict(client)
    assert found.intact and (found.entries, found.pending) == (5, 1)
    result = await asyncio.to_thread(hub_audit_verify, client.hub.settings.database_url)
    assert "共 5 条记录" in result.stdout and "1 条记录尚未封存" in result.stdout
    assert await seal(client.hub.engine) == 1
    found = await verdict(client)
    assert found.intact and (found.entries, found.pending) == (6, 0)
    assert await seal(client.hub.engine) == 0  # nothing left: a second round changes nothing


async def test_an_edited_entry_is_reported(client: Client) -> None:
    ids = await five_entries(client)
    await client.sql("UPDATE audit_entries SET actor_subject = 'someone-else' WHERE id = :id", id=ids[2])
    found = await verdict(client)
    assert (found.broken_at, found.entries) == (ids[2], 3)
    assert "被篡改" in found.reason
    result = await asyncio.to_thread(hub_audit_verify, client.hub.settings.database_url)
    assert result.returncode == 1
    assert f"第 {ids[2]} 条记录被篡改" in result.stderr


async def test_an_edited_scope_is_reported(client: Client) -> None:
    """The scopes decide who may read an entry (R42): moving one to another office is tampering too."""
    ids = await five_entries(client)
    await client.sql("UPDATE audit_scopes SET code = '10001' WHERE entry_id = :id AND level = 'SCHOOL'", id=ids[0])
    assert (await verdict(client)).broken_at == ids[0]


async def test_an_entry_deleted_in_the_middle_is_reported_at_the_next_one(client: Client) -> None:
    ids = await five_entries(client)
    await client.sql("DELETE FROM audit_scopes WHERE entry_id = :id", id=ids[1])
    await client.sql("DELETE FROM audit_entries WHERE id = :id", id=ids[1])
    found = await verdict(client)
    assert found.broken_at == ids[2]
    assert "记录缺失" in found.reason


async def test_an_entry_deleted_and_the_positions_closed_up_is_reported(client: Client) -> None:
    ids = await five_entries(client)
    await client.sql("DELETE FROM audit_scopes WHERE entry_id = :id", id=ids[1])
    await client.sql("DELETE FROM audit_entries WHERE id = :id", id=ids[1])
    for seq, entry_id in enumerate(ids[2:], 2):
        await move(client, entry_id, seq)
    found = await verdict(client)
    assert found.broken_at == ids[2]  # at position 2 now, but its prev_hash is the deleted entry's hash


async def test_an_inserted_entry_is_reported(client: Client) -> None:
    """A forged entry, hashed and chained to the one before it, slipped in after the second: the entry
    after it no longer follows."""
    ids = await five_entries(client)
    [(previous,)] = await client.sql("SELECT hash FROM audit_entries WHERE seq = 2")
    for seq, entry_id in reversed(list(enumerate(ids[2:], 4))):
        await move(client, entry_id, -seq)  # negative first: the unique index sees no two at one position
    for seq, entry_id in enumerate(ids[2:], 4):
        await move(client, entry_id, seq)
    forged = _Forged(previous)
    await client.sql(
        "INSERT INTO audit_entries (at, actor_level, actor_code, actor_subject, operation, target_ids, changes, "
        "prev_hash, hash, seq) VALUES (:at, 'NATIONAL', NULL, 'intruder', 'setScale', '[]', '{}', :prev, :hash, 3)",
        at=forged.at,
        prev=previous,
        hash=entry_hash(forged, []),
    )
    found = await verdict(client)
    assert found.broken_at == ids[2]
    assert "未接续" in found.reason


async def test_reordered_entries_are_reported(client: Client) -> None:
    ids = await five_entries(client)
    await move(client, ids[1], -1)
    await move(client, ids[2], 2)
    await move(client, ids[1], 3)
    found = await verdict(client)
    assert found.broken_at == ids[2]
    assert "未接续" in found.reason


async def test_an_entry_rewritten_with_a_fresh_hash_breaks_the_link_after_it(client: Client) -> None:
    from hub.models import AuditEntry

    ids = await five_entries(client)
    async with client.hub.write_sessionmaker() as session, session.begin():
        entry = await session.get(AuditEntry, ids[1])
        entry.changes = {"forged": True}
        entry.hash = entry_hash(entry, [])
    found = await verdict(client)
    assert found.broken_at in (ids[1], ids[2])  # its scopes no longer match, or the next link breaks
    assert not found.intact


async def test_parallel_mutations_and_sequencers_keep_one_chain(client: Client) -> None:
    """Sixteen registrations commit in parallel while three sequencers seal in parallel: one chain, every
    entry at its own position, no fork."""
    await seed_reference(client.hub)
    engine = client.hub.engine

    async def sequencers() -> None:
        for _ in range(6):
            await asyncio.gather(seal(engine, wait=False), seal(engine), seal(engine, wait=False))
            await asyncio.sleep(0.01)

    await asyncio.gather(
        *(register(client, f"acct-p{n}", 860 + n, "10730") for n in range(16)),
        sequencers(),
    )
    await seal(engine)
    found = await verdict(client)
    assert found.intact, found.reason
    assert (found.entries, found.pending) == (16, 0)
    prev = [row[0] for row in await client.sql("SELECT prev_hash FROM audit_entries")]
    assert len(set(prev)) == 16  # no two entries claim the same predecessor: no fork


@pytest.mark.sqlite_only
async def test_the_migrations_chain_the_entries_already_there(client: Client) -> None:
    await five_entries(client)
    url = client.hub.settings.database_url
    await client.hub.dispose()
    settings, plugins = Settings(database_url=url), HubPlugins()
    await asyncio.to_thread(migrate.downgrade, settings, plugins, "0003")
    await asyncio.to_thread(migrate.upgrade, settings, plugins)
    result = await asyncio.to_thread(hub_audit_verify, url)
    assert result.returncode == 0, result.stderr
    assert "审计记录链完好：共 5 条记录" in result.stdout
    assert Path(url.split("///", 1)[1]).exists()


class _Forged:
    def __init__(self, previous: str) -> None:
        self.prev_hash = previous
        self.at = datetime.combine(TODAY, time(12), UTC)
        self.actor_level, self.actor_code, self.actor_subject = "NATIONAL", None, "intruder"
        self.operation, self.target_ids, self.changes = "setScale", [], {}
