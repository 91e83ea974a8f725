"""Signed checkpoints of the audit chain: (entries, head hash, time), signed with an Ed25519 key the
database does not hold, and kept by a witness outside it — the way Certificate Transparency logs publish
signed tree heads. The hash chain alone shows an edited, inserted, deleted or moved entry, but not a cut
tail (the newest entries deleted leave a shorter chain that is whole); a checkpoint vouching for more
entries than the log holds, or for another head at its size, shows it (`hub audit verify --checkpoint`).

The witness is a file of JSON lines (HUB_AUDIT_WITNESS), appended to by every `hub serve` process at
HUB_AUDIT_CHECKPOINT_INTERVAL and by `hub audit checkpoint`; put it where whoever can write the database
cannot (another host, an append-only mount, an object store with retention), or ship the lines there.
"""

from __future__ import annotations

import base64
import hashlib
import json
import os
import time
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine, AsyncSession

from hub.audit import GENESIS
from hub.i18n import _
from hub.models import AuditEntry
from hub.settings import Settings

LOG = "xibu-hub audit log"


class CheckpointError(Exception):
    """A checkpoint or key that cannot be read or whose signature does not hold."""


@dataclass(frozen=True)
class Checkpoint:
    """The chain's first `entries` entries end in `head`, as the holder of key `key` said at `at`."""

    entries: int
    head: str
    at: datetime
    key: str = ""
    signature: str = ""

    def body(self) -> bytes:
        """The signed bytes: canonical JSON of the log's name, size, head and time."""
        content = {"log": LOG, "entries": self.entries, "head": self.head, "at": self.at.isoformat()}
        return json.dumps(content, sort_keys=True, separators=(",", ":")).encode("utf-8")

    def to_json(self) -> str:
        return json.dumps(
            {
                "log": LOG,
                "entries": self.entries,
                "head": self.head,
                "at": self.at.isoformat(),
                "key": self.key,
                "signature": self.signature,
            },
            sort_keys=True,
        )

    @classmethod
    def from_json(cls, line: str) -> Checkpoint:
        try:
            data = json.loads(line)
            checkpoint = cls(
                entries=int(data["entries"]),
                head=str(data["head"]),
                at=datetime.fromisoformat(data["at"]),
                key=str(data["key"]),
                signature=str(data["signature"]),
            )
        except (ValueError, KeyError, TypeError) as exc:
            raise CheckpointError(_("not a checkpoint: {reason}", reason=exc)) from exc
        if data.get("log") != LOG:
            raise CheckpointError(_("not a checkpoint of the {log}", log=LOG))
        return checkpoint


def private_key(pem: str) -> Ed25519PrivateKey:
    """The signing key from its PEM text (PKCS#8, unencrypted)."""
    try:
        key = serialization.load_pem_private_key(pem.encode("utf-8"), password=None)
    except (ValueError, TypeError) as exc:
        raise CheckpointError(_("the audit signing key cannot be read: {reason}", reason=exc)) from exc
    if not isinstance(key, Ed25519PrivateKey):
        raise CheckpointError(_("the audit signing key must be an Ed25519 key"))
    return key


def public_key(pem: str) -> Ed25519PublicKey:
    """The verifying key from PEM text: a public key, or the private key it belongs to."""
    if "PRIVATE KEY" in pem:
        return private_key(pem).public_key()
    try:
        key = serialization.load_pem_public_key(pem.encode("utf-8"))
    except (ValueError, TypeError) as exc:
        raise CheckpointError(_("the audit public key cannot be read: {reason}", reason=exc)) from exc
    if not isinstance(key, Ed25519PublicKey):
        raise CheckpointError(_("the audit public key must be an Ed25519 key"))
    return key


def key_id(key: Ed25519PublicKey) -> str:
    """A short name of a public key: the first 16 hex digits of the SHA-256 of its raw bytes."""
    raw = key.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
    return hashlib.sha256(raw).hexdigest()[:16]


def new_key() -> tuple[str, str]:
    """A fresh Ed25519 key pair as PEM texts (private PKCS#8, public SubjectPublicKeyInfo)."""
    key = Ed25519PrivateKey.generate()
    private = key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    )
    public = key.public_key().public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)
    return private.decode("ascii"), public.decode("ascii")


def sign(key: Ed25519PrivateKey, entries: int, head: str, at: datetime) -> Checkpoint:
    unsigned = Checkpoint(entries, head, at.astimezone(UTC), key_id(key.public_key()))
    signature = base64.b64encode(key.sign(unsigned.body())).decode("ascii")
    return Checkpoint(unsigned.entries, unsigned.head, unsigned.at, unsigned.key, signature)


def check(checkpoint: Checkpoint, key: Ed25519PublicKey) -> Checkpoint:
    """The checkpoint, if `key` signed it; CheckpointError otherwise."""
    if checkpoint.key != key_id(key):
        raise CheckpointError(
            _("the checkpoint was signed by key {key}, not by {expected}", key=checkpoint.key, expected=key_id(key))
        )
    try:
        key.verify(base64.b64decode(checkpoint.signature, validate=True), checkpoint.body())
    except (InvalidSignature, ValueError) as exc:
        raise CheckpointError(_("the checkpoint's signature does not hold: it was altered or forged")) from exc
    return checkpoint


async def head(connection: AsyncConnection | AsyncSession) -> tuple[int, str]:
    """The sealed chain's size and head hash (0 and GENESIS for an empty log)."""
    row = (
        await connection.execute(
            select(AuditEntry.seq, AuditEntry.hash)
            .where(AuditEntry.seq.is_not(None))
            .order_by(AuditEntry.seq.desc())
            .limit(1)
        )
    ).first()
    return (int(row[0]), str(row[1])) if row else (0, GENESIS)


def append(path: str | Path, checkpoint: Checkpoint) -> None:
    """Add the checkpoint to the witness file as one line, in one write (O_APPEND: processes interleave
    whole lines)."""
    line = (checkpoint.to_json() + "\n").encode("utf-8")
    descriptor = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o644)
    try:
        os.write(descriptor, line)
    finally:
        os.close(descriptor)


def newest(path: str | Path, key: Ed25519PublicKey) -> Checkpoint:
    """The checkpoint vouching for the most entries among those in the witness file, every one of them
    checked against `key` (a line that does not verify is an error, not skipped)."""
    try:
        lines = [line for line in Path(path).read_text(encoding="utf-8").splitlines() if line.strip()]
    except OSError as exc:
        raise CheckpointError(
            _("cannot read the checkpoints in {file}: {reason}", file=path, reason=exc.strerror)
        ) from exc
    if not lines:
        raise CheckpointError(_("{file} holds no checkpoint", file=path))
    found = []
    for number, line in enumerate(lines, 1):
        try:
            found.append(check(Checkpoint.from_json(line), key))
        except CheckpointError as exc:
            raise CheckpointError(_("{file}, line {line}: {reason}", file=path, line=number, reason=exc)) from exc
    return max(found, key=lambda c: (c.entries, c.at))


class Witness:
    """The periodic checkpoint of a `hub serve` process: after a sequencer round, at most every `interval`
    seconds and only when the head moved, a checkpoint is signed and appended to the witness file."""

    def __init__(self, engine: AsyncEngine, key_pem: str, path: str, interval: float) -> None:
        self.engine, self.key, self.path, self.interval = engine, private_key(key_pem), path, interval
        self.last = float("-inf")
        self.written: tuple[int, str] | None = None

    async def __call__(self) -> Checkpoint | None:
        now = time.monotonic()
        if now - self.last < self.interval:
            return None
        self.last = now
        async with self.engine.connect() as connection:
            size = await head(connection)
        if size == self.written or size[0] == 0:
            return None
        checkpoint = sign(self.key, size[0], size[1], datetime.now(UTC))
        append(self.path, checkpoint)
        self.written = size
        return checkpoint


def witness(engine: AsyncEngine, settings: Settings) -> Witness | None:
    """The checkpoint writer `hub serve` runs, when a signing key and a witness file are configured."""
    if not (settings.audit_signing_key and settings.audit_witness):
        return None
    return Witness(engine, settings.audit_signing_key, settings.audit_witness, settings.audit_checkpoint_interval)
