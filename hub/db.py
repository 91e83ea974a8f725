"""The database: one async engine per process, sessions, and the transaction every mutation runs in."""

from __future__ import annotations

import time
import uuid
from collections.abc import Iterable
from types import SimpleNamespace
from typing import Any

from sqlalchemy import JSON, Table, bindparam, event, func, insert, inspect, make_url, select
from sqlalchemy.exc import InvalidatePoolError
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker, create_async_engine
from sqlalchemy.orm import Session
from sqlalchemy.pool import NullPool
from strawberry.utils.str_converters import to_camel_case

from hub import agreements
from hub.dialects import array_type, sqlite_base64
from hub.enums import UserErrorCode
from hub.errors import DomainRefusal, Problem
from hub.i18n import _
from hub.rules.text import text_problem, texts_fit

WRITE_OPTION = "hub_write"

# R26–R27: every session, of a mutation or not, keeps applications' latest agreement in its transaction.
agreements.listen(Session)


def is_sqlite(url: str) -> bool:
    return url.startswith("sqlite")


def make_engine(url: str, pool_size: int = 32, pgbouncer: bool = False) -> AsyncEngine:
    """An engine for `url`. SQLite gets foreign keys switched on and a busy timeout for concurrent writers.

    PostgreSQL's pool opens at most `pool_size` connections and keeps each it opened (no overflow). With
    16 kept and 16 of overflow, a burst above 16 requests opened a connection for a request and closed it
    when it came back: a backend started (forked, its catalogue caches cold) and asyncpg's type
    introspection per request — the registration burst spent 3.2 ms of PostgreSQL CPU per request against
    1.95 with 32 kept, at the same cap of 32 connections per process.

    `pgbouncer`: the server is a PgBouncer in transaction mode, where consecutive transactions of one client
    connection may run on different server connections: asyncpg's prepared statements then must neither be
    cached (statement_cache_size=0, and SQLAlchemy's own cache off) nor reuse a name another connection may
    already hold (a fresh uuid per statement), as SQLAlchemy's asyncpg documentation prescribes."""
    if is_sqlite(url):
        engine = create_async_engine(url, connect_args={"timeout": 30}, poolclass=NullPool)

        @event.listens_for(engine.sync_engine, "connect")
        def _sqlite_pragmas(dbapi_connection, _record) -> None:  # type: ignore[no-untyped-def]
            # Transactions are begun explicitly below, as BEGIN IMMEDIATE: two writers then queue on
            # the busy timeout instead of one failing when both try to upgrade a read lock.
            dbapi_connection.isolation_level = None
            cursor = dbapi_connection.cursor()
            cursor.execute("PRAGMA foreign_keys=ON")
            cursor.execute("PRAGMA journal_mode=WAL")
            cursor.close()
            # the read planner's base64 (global ids, cursors): SQLite has none of its own
            dbapi_connection.create_function("hub_base64", 1, sqlite_base64, deterministic=True)

        @event.listens_for(engine.sync_engine, "begin")
        def _sqlite_begin(connection) -> None:  # type: ignore[no-untyped-def]
            write = connection.get_execution_options().get(WRITE_OPTION, False)
            connection.exec_driver_sql("BEGIN IMMEDIATE" if write else "BEGIN")

        return engine
    connect_args: dict[str, Any] = {}
    if pgbouncer:
        connect_args = {"statement_cache_size": 0, "prepared_statement_name_func": _statement_name}
        url = str(make_url(url).update_query_dict({"prepared_statement_cache_size": "0"}))
    engine = create_async_engine(url, pool_size=pool_size, max_overflow=0, connect_args=connect_args)
    ping_at_checkout(engine)
    return engine


ANSWERED = "hub_answered_at"  # where a pooled connection's record keeps when the server last answered on it
FRESH_SECONDS = 1.0  # a connection the server answered on this recently is not pinged again at checkout


def ping_at_checkout(engine: AsyncEngine) -> None:
    """Pessimistic disconnect handling: a pooled connection the server dropped (a restart, a failover) is
    replaced at checkout, so the hub recovers by itself when the database returns (docs/security.md).

    SQLAlchemy's `pool_pre_ping` pings at every checkout, and its asyncpg ping is three round trips (BEGIN,
    an empty statement, ROLLBACK: for PgBouncer's transaction mode) — more than a whole registration's reads
    (issue 17's burst). Here a connection is pinged, with the same ping, only when the server has not
    answered on it within FRESH_SECONDS or the driver has seen it closed; a failed ping invalidates the
    pool as pre-ping does, and the checkout gets a new connection (or the database's error)."""
    sync_engine = engine.sync_engine
    dialect = sync_engine.dialect

    @event.listens_for(sync_engine.pool, "connect")
    def _connected(_dbapi_connection: Any, record: Any) -> None:
        record.info[ANSWERED] = time.monotonic()

    @event.listens_for(sync_engine.pool, "checkin")
    def _returned(dbapi_connection: Any, record: Any) -> None:
        if dbapi_connection is not None:  # None: invalidated on its way back
            record.info[ANSWERED] = time.monotonic()

    @event.listens_for(sync_engine.pool, "checkout")
    def _alive(dbapi_connection: Any, record: Any, _proxy: Any) -> None:
        answered = record.info.get(ANSWERED)
        closed = dbapi_connection.driver_connection.is_closed()
        if not closed and answered is not None and time.monotonic() - answered < FRESH_SECONDS:
            return
        try:
            dialect.do_ping(dbapi_connection)
        except dialect.loaded_dbapi.Error as exc:
            if not dialect.is_disconnect(exc, dbapi_connection, None):
                raise
            # as pool_pre_ping: every connection older than this one is suspect too
            raise InvalidatePoolError("the pooled connection is gone") from exc


def single_statements(engine: AsyncEngine, pgbouncer: bool = False) -> AsyncEngine:
    """`engine` for reads of one statement each (the read planner's): on PostgreSQL without a transaction
    around it — one statement is its own snapshot — so a planned read costs one round trip, not three
    (BEGIN, the statement, the pool's ROLLBACK). The same pool; SQLite's engine is returned as it is (its
    BEGIN is the dialect's own, above).

    Not through a PgBouncer in transaction mode (`pgbouncer`): asyncpg prepares a statement and runs it in two
    exchanges, and outside a transaction PgBouncer may give the second to another server connection, where
    the statement does not exist (most planned reads of a concurrent load failed so, and the executor
    answered them). Inside BEGIN ... ROLLBACK both go to the one server connection the transaction holds."""
    if engine.dialect.name != "postgresql" or pgbouncer:
        return engine
    return engine.execution_options(isolation_level="AUTOCOMMIT")


def _statement_name() -> str:
    return f"__asyncpg_{uuid.uuid4()}__"


class WriteSession(Session):
    """The session of a mutation: every text it is about to write is checked first (hub/rules/text.py)."""


@event.listens_for(WriteSession, "before_flush")
def _check_text(session: Session, _context: Any, _instances: Any) -> None:
    """Refuse (INVALID_INPUT, rolled back by the mutation path) text over its column's length or holding
    control characters: PostgreSQL would fail with a driver error, SQLite would store it silently."""
    problems = []
    for instance in (*session.new, *session.dirty):
        for key, length in text_columns(inspect(instance).mapper.columns):
            value = getattr(instance, key, None)
            if isinstance(value, str):
                problem = text_problem(value, length)
                if problem:
                    problems.append(_text_refusal(key, problem))
    if problems:
        raise DomainRefusal(problems)


def check_text_rows(table: Table, rows: Iterable[dict[str, Any]]) -> None:
    """The check `_check_text` makes before a flush, for rows a mutation inserts without ORM objects (a
    batch of thousands: `insert(table)` with a list of dicts); the same refusal."""
    columns = text_columns(table.columns)
    rows = rows if isinstance(rows, list) else list(rows)
    if all(texts_fit([v for row in rows if isinstance(v := row.get(key), str)], length) for key, length in columns):
        return  # the common case, checked column by column; otherwise each problem is found as before
    problems = []
    for row in rows:
        for key, length in columns:
            value = row.get(key)
            if isinstance(value, str):
                problem = text_problem(value, length)
                if problem:
                    problems.append(_text_refusal(key, problem))
    if problems:
        raise DomainRefusal(problems)


_COLUMNS: dict[int, tuple[Any, tuple[tuple[str, int | None], ...]]] = {}  # the collection kept: ids stay its own


def text_columns(columns: Any) -> tuple[tuple[str, int | None], ...]:
    """Each column's key and its length, if it has one (every column is looked at: a text value is checked
    whatever the column's type), kept per collection of columns."""
    kept = _COLUMNS.get(id(columns))
    if kept is None:
        kept = _COLUMNS[id(columns)] = (columns, tuple((c.key, getattr(c.type, "length", None)) for c in columns))
    return kept[1]


async def insert_rows(
    session: AsyncSession, model: Any, rows: list[dict[str, Any]], *, key: str | None = None
) -> list[Any]:
    """`rows` (dicts of column values) inserted into `model`'s table in the session's transaction in batched
    statements, after the text check every ORM flush makes. With `key` (a unique column of the rows), the rows
    come back in the order given as objects with every column as an attribute — the values given, and the
    generated primary key read back (RETURNING), as an ORM object holds them after a flush — matched by that
    key: SQLAlchemy keeps RETURNING in order on SQLite only by inserting row by row. For batches of thousands,
    where building an ORM object per row would cost most of the mutation."""
    if not rows:
        return []
    table = model.__table__
    check_text_rows(table, rows)
    columnar = _columnar_insert(session, table, rows)
    if key is None:
        if columnar is not None:
            await session.execute(columnar)
        else:
            await session.execute(_insert(table, None), rows)
        return []
    generated = [column for column in table.primary_key.columns if column.key != key]
    if columnar is not None:
        result = await session.execute(columnar.returning(table.columns[key], *generated))
    else:
        result = await session.execute(_insert(table, key), rows)
    stored = {found[0]: found[1:] for found in result}
    blank = dict.fromkeys(column.key for column in table.columns)
    names = [column.key for column in generated]
    return [SimpleNamespace(**{**blank, **row, **dict(zip(names, stored[row[key]], strict=True))}) for row in rows]


_INSERTS: dict[tuple[Table, str | None], Any] = {}


def _insert(table: Table, key: str | None) -> Any:
    """`insert_rows`' statement for `table` (returning `key` and the generated primary key), built once: a
    statement built anew computes its cache key anew on every execution."""
    statement = _INSERTS.get((table, key))
    if statement is None:
        statement = insert(table)
        if key is not None:
            generated = [column for column in table.primary_key.columns if column.key != key]
            statement = statement.returning(table.columns[key], *generated)
        _INSERTS[(table, key)] = statement
    return statement


COLUMNAR_ROWS = 100  # from this many rows on, PostgreSQL is sent one array per column (`_columnar_insert`)


def _columnar_insert(session: AsyncSession, table: Table, rows: list[dict[str, Any]]) -> Any:
    """On PostgreSQL, `rows` as one `INSERT … SELECT * FROM unnest(:column_1, …)` of one array per column, or
    None where the statement per batch of rows is kept: SQLite, a few rows, rows of different columns, a
    column with a default computed per row, or a JSON column. SQLAlchemy's insertmanyvalues sends batches of
    1,000 rows of bound values (15,000 for a volunteer) that PostgreSQL parses and plans one by one, and
    without RETURNING asyncpg's executemany sends a statement per row; an array per column is one statement,
    encoded by asyncpg (a roster of 20,000: see bench/README.md, Files)."""
    if len(rows) < COLUMNAR_ROWS or session.get_bind().dialect.name != "postgresql":
        return None
    names = rows[0].keys()
    if any(row.keys() != names for row in rows):
        return None
    given, constant = [], []
    for column in table.columns:
        if isinstance(column.type, JSON):
            return None
        if column.key in names:
            given.append(column)
        elif column.default is not None:
            if not column.default.is_scalar:
                return None
            constant.append(column)  # what insert() would fill in: the column's default, the same for every row
    dialect = session.get_bind().dialect
    arrays = [bindparam(f"{c.key}_values", [row[c.key] for row in rows], type_=array_type(c, dialect)) for c in given]
    arrays += [
        bindparam(f"{c.key}_values", [c.default.arg] * len(rows), type_=array_type(c, dialect))  # type: ignore[union-attr]
        for c in constant
    ]
    columns = [*given, *constant]
    source = func.unnest(*arrays).table_valued(*(column.key for column in columns)).render_derived()
    return insert(table).from_select(columns, select(*source.c))


def _text_refusal(key: str, problem: str) -> Problem:
    field = to_camel_case(key)
    return Problem(UserErrorCode.INVALID_INPUT, _("{field} {problem}", field=field, problem=problem), ("input", field))


def make_sessionmaker(engine: AsyncEngine, write: bool = False) -> async_sessionmaker[AsyncSession]:
    """Sessions for reads, or (`write=True`) for mutations: on SQLite those begin IMMEDIATE, taking the
    write lock up front so that concurrent writers queue instead of failing on a lock upgrade."""
    bind = engine.execution_options(**{WRITE_OPTION: True}) if write else engine
    if write:
        return async_sessionmaker(bind, expire_on_commit=False, autoflush=False, sync_session_class=WriteSession)
    return async_sessionmaker(bind, expire_on_commit=False, autoflush=False)
