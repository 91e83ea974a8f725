"""R42: the append-only audit log, one entry per accepted mutation."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, BigInteger, Column, Index, text
from sqlmodel import Field, SQLModel


class AuditEntry(SQLModel, table=True):
    """Who did what to which objects, written in the mutation's own transaction.

    Tamper evidence: `hash` is the SHA-256 of the entry's content and `prev_hash`, the hash of the entry
    before it (hub/audit.py), so altering, removing or reordering a row breaks the chain there. An entry is
    written unsealed (`seq`, `prev_hash`, `hash` null) and sealed into the chain, at position `seq`, by the
    sequencer (hub/sequencer.py) shortly after its transaction commits.
    """

    __tablename__ = "audit_entries"
    __table_args__ = (
        Index("ix_audit_entries_seq", "seq", unique=True),
        # The sequencer's queue: entries not yet sealed, in the order they were written.
        Index(
            "ix_audit_entries_pending",
            "id",
            postgresql_where=text("seq IS NULL"),
            sqlite_where=text("seq IS NULL"),
        ),
    )

    id: int | None = Field(default=None, primary_key=True)
    at: datetime = Field(index=True)
    actor_level: str = Field(max_length=10)
    actor_code: str | None = Field(default=None, max_length=6)
    actor_subject: str = Field(max_length=120)
    operation: str = Field(max_length=60, index=True)
    target_ids: list[str] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    changes: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
    # Nullable only so that adding them needs no table rebuild on SQLite; every entry written has both.
    prev_hash: str | None = Field(default=None, max_length=64)
    hash: str | None = Field(default=None, max_length=64)
    seq: int | None = Field(default=None, sa_column=Column(BigInteger, nullable=True))


class AuditScope(SQLModel, table=True):
    """A jurisdiction an audit entry touches (level + code; a volunteer's account for VOLUNTEER).

    Reading the log is then a SQL filter (R42: the national office, and every office whose
    jurisdiction the entry touches).
    """

    __tablename__ = "audit_scopes"
    __table_args__ = (Index("ix_audit_scopes_level_code", "level", "code"),)

    entry_id: int = Field(foreign_key="audit_entries.id", primary_key=True)
    level: str = Field(primary_key=True, max_length=10)
    code: str = Field(primary_key=True, max_length=120)
