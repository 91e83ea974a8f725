"""R42, tamper evidence of the tail: deleting the newest audit entries leaves a shorter chain that is whole,
so the hub signs checkpoints (entries, head, time) with an Ed25519 key the database does not hold and
appends them to a witness file outside it; `hub audit verify --checkpoint FILE` then reports a cut tail,
a rewritten log, and a forged or foreign checkpoint."""

from __future__ import annotations

import asyncio
import json
from datetime import UTC, datetime
from pathlib import Path

import pytest

from hub import checkpoints
from hub.audit import verify
from hub.sequencer import seal, sequencing
from tests.conftest import Client
from tests.test_audit_log import register
from tests.test_audit_trail_is_tamper_evident import five_entries, hub_audit, hub_audit_verify


async def verdict(client: Client, checkpoint: checkpoints.Checkpoint | None = None):  # type: ignore[no-untyped-def]
    async with client.hub.sessionmaker() as session:
        return await verify(session, checkpoint)


async def signed_head(client: Client, key_pem: str) -> checkpoints.Checkpoint:
    async with client.hub.engine.connect() as connection:
        size, head = await checkpoints.head(connection)
    return checkpoints.sign(checkpoints.private_key(key_pem), size, head, datetime.now(UTC))


async def cut_tail(client: Client, ids: list[int], count: int) -> None:
    for entry_id in ids[-count:]:
        await client.sql("DELETE FROM audit_scopes WHERE entry_id = :id", id=entry_id)
        await client.sql("DELETE FROM audit_entries WHERE id = :id", id=entry_id)


async def test_a_cut_tail_passes_the_chain_but_not_the_checkpoint(client: Client) -> None:
    ids = await five_entries(client)
    private, _public = checkpoints.new_key()
    checkpoint = await signed_head(client, private)
    assert (checkpoint.entries, (await verdict(client, checkpoint)).intact) == (5, True)
    await cut_tail(client, ids, 2)
    assert (await verdict(client)).intact  # the chain alone cannot tell
    found = await verdict(client, checkpoint)
    assert not found.intact and found.cut == 2 and found.entries == 3
    assert "尾部被截断" in found.reason and "证明有 5 条记录，日志中只有 3 条" in found.reason  # Chinese by default


async def test_a_log_rewritten_from_an_edit_onwards_differs_from_the_checkpoint(client: Client) -> None:
    """An intruder edits an entry and re-seals everything after it: the chain is whole again, but the
    entry at the checkpoint's size has another hash than the one the checkpoint vouches for."""
    ids = await five_entries(client)
    private, _public = checkpoints.new_key()
    checkpoint = await signed_head(client, private)
    await client.sql("UPDATE audit_entries SET actor_subject = 'someone-else' WHERE id = :id", id=ids[1])
    await client.sql("UPDATE audit_entries SET seq = NULL, prev_hash = NULL, hash = NULL WHERE id >= :id", id=ids[1])
    assert await seal(client.hub.engine) == 4
    assert (await verdict(client)).intact
    found = await verdict(client, checkpoint)
    assert not found.intact and "日志被改写" in found.reason


async def test_a_log_grown_past_its_checkpoint_verifies(client: Client) -> None:
    await five_entries(client)
    private, _public = checkpoints.new_key()
    checkpoint = await signed_head(client, private)
    await register(client, "acct-9", 849, "10730")
    await seal(client.hub.engine)
    found = await verdict(client, checkpoint)
    assert found.intact and found.entries == 6


def test_a_forged_or_foreign_checkpoint_is_refused(tmp_path: Path) -> None:
    private, public = checkpoints.new_key()
    other, _ = checkpoints.new_key()
    genuine = checkpoints.sign(checkpoints.private_key(private), 5, "ab" * 32, datetime.now(UTC))
    key = checkpoints.public_key(public)
    assert checkpoints.check(genuine, key) == genuine
    inflated = json.loads(genuine.to_json()) | {"entries": 3}
    with pytest.raises(checkpoints.CheckpointError, match="已被篡改或伪造"):
        checkpoints.check(checkpoints.Checkpoint.from_json(json.dumps(inflated)), key)
    foreign = checkpoints.sign(checkpoints.private_key(other), 5, "ab" * 32, datetime.now(UTC))
    with pytest.raises(checkpoints.CheckpointError, match="由密钥 .* 签署"):
        checkpoints.check(foreign, key)
    witness = tmp_path / "witness.jsonl"
    checkpoints.append(witness, genuine)
    checkpoints.append(witness, foreign)
    with pytest.raises(checkpoints.CheckpointError, match="第 2 行"):
        checkpoints.newest(witness, key)


async def test_the_commands_sign_a_checkpoint_and_report_the_cut_tail(client: Client, tmp_path: Path) -> None:
    url = client.hub.settings.database_url
    ids = await five_entries(client)
    key_file, witness = tmp_path / "audit-key.pem", tmp_path / "witness.jsonl"
    made = await asyncio.to_thread(hub_audit, url, "keygen", "--output", str(key_file))
    assert made.returncode == 0, made.stderr
    public = made.stdout[made.stdout.index("-----BEGIN PUBLIC KEY") :]
    assert "PRIVATE" not in made.stdout and key_file.stat().st_mode & 0o077 == 0
    signed = await asyncio.to_thread(
        hub_audit, url, "checkpoint", "--output", str(witness), HUB_AUDIT_SIGNING_KEY=str(key_file)
    )
    assert signed.returncode == 0, signed.stderr
    assert json.loads(signed.stdout)["entries"] == 5
    assert checkpoints.newest(witness, checkpoints.public_key(public)).entries == 5
    ok = await asyncio.to_thread(hub_audit_verify, url, "--checkpoint", str(witness), HUB_AUDIT_PUBLIC_KEY=public)
    assert ok.returncode == 0, ok.stderr
    assert "审计记录链完好：共 5 条记录" in ok.stdout and "的检查点相符" in ok.stdout
    await cut_tail(client, ids, 1)
    cut = await asyncio.to_thread(hub_audit_verify, url, HUB_AUDIT_WITNESS=str(witness), HUB_AUDIT_PUBLIC_KEY=public)
    assert cut.returncode == 1
    assert "审计记录链已断裂：尾部被截断" in cut.stderr and "（末尾缺少 1 条）" in cut.stderr


async def test_serving_seals_entries_and_writes_checkpoints_at_intervals(client: Client, tmp_path: Path) -> None:
    """What `hub serve` runs in its lifespan: sequencer rounds, then a checkpoint when the head moved."""
    private, public = checkpoints.new_key()
    witness_file = tmp_path / "witness.jsonl"
    witness = checkpoints.Witness(client.hub.engine, private, str(witness_file), interval=0)
    ids = await five_entries(client)
    await client.sql("UPDATE audit_entries SET seq = NULL, prev_hash = NULL, hash = NULL")
    async with sequencing(client.hub.engine, 0.05, witness):
        for _ in range(100):
            await asyncio.sleep(0.05)
            if witness_file.exists():
                break
        await register(client, "acct-8", 848, "10730")
    lines = witness_file.read_text().splitlines()  # the last round ran on the way out
    sizes = [
        checkpoints.check(checkpoints.Checkpoint.from_json(line), checkpoints.public_key(public)).entries
        for line in lines
    ]
    assert sizes == [5, 6]
    found = await verdict(client, checkpoints.newest(witness_file, checkpoints.public_key(public)))
    assert found.intact and (found.entries, found.pending) == (len(ids) + 1, 0)
