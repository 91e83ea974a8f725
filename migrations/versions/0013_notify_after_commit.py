"""the outbox's NOTIFY leaves the committing transaction (issue 17)

Migration 0008's statement trigger sent `NOTIFY hub_events` inside every mutation's transaction. PostgreSQL
serializes the commits of transactions that have sent a NOTIFY: each takes one lock of the whole cluster
before its commit record and keeps it through the WAL flush (async.c, PreCommit_Notify). In the registration
burst a sample of pg_stat_activity found mutations waiting on that lock (wait event Lock/object at COMMIT)
whatever the number of hub processes. Each process now sends the NOTIFY after its commits, in a
transaction of its own that writes nothing (hub/outbox.py `Wakeups`).

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-07 23:40:00.000000
"""

from collections.abc import Sequence

import sqlmodel  # noqa: F401  (autogenerate writes sqlmodel.sql.sqltypes.AutoString)
from alembic import op

revision: str = '0013'
down_revision: str | Sequence[str] | None = '0012'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    if op.get_bind().dialect.name == 'postgresql':
        op.execute("DROP TRIGGER IF EXISTS domain_events_notify ON domain_events")
        op.execute("DROP FUNCTION IF EXISTS hub_events_notify()")


def downgrade() -> None:
    if op.get_bind().dialect.name == 'postgresql':
        op.execute(
            "CREATE FUNCTION hub_events_notify() RETURNS trigger LANGUAGE plpgsql AS "
            "$$ BEGIN PERFORM pg_notify('hub_events', ''); RETURN NULL; END $$"
        )
        op.execute(
            "CREATE TRIGGER domain_events_notify AFTER INSERT ON domain_events "
            "FOR EACH STATEMENT EXECUTE FUNCTION hub_events_notify()"
        )
