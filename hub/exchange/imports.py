"""`hub import` and the importTable mutation: a file's rows run through the schema's own batch mutations.

A file is read into rows, each row becomes one element of the batch mutation's input (upsertCounties,
upsertSchools, declarePosts, registerVolunteers), and the mutation runs for the importing office exactly
as a front end's request would: the same permission rules, domain rules and audit (R1, R42). Its resolver
is called with input objects built from the parsed cells (hub/exchange/batches.py) rather than through a
GraphQL document, whose per-row conversion cost more than the rules themselves. Its per-index userErrors
come back as problems at a line and a column of the file.

One pass, one transaction, at any size: reading and checking the cells runs in a worker thread (never on
the event loop; stopped when the request's deadline passes), then every row goes through the mutation in
chunks that share one transaction — each chunk in a savepoint — so cell problems and rule problems of the
whole file come back together, and the file is written all or none. A row whose enumerated cell is wrong
is still checked against the rules with a stand-in value (problems about the stand-in are not reported);
a row with any other bad cell is left out of the rules. The report lists the first problems by line (at
most `FileLimits.max_problems`) and counts them all. A `--dry-run` rolls the transaction back."""

from __future__ import annotations

import asyncio
import contextlib
import gc
import heapq
import itertools
import logging
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

from graphql import GraphQLError
from sqlalchemy import select

from hub import models as m
from hub.auth import Actor
from hub.exchange.batches import BatchInfo, BatchMutation, Uncoercible, batch_mutation
from hub.exchange.calls import execute
from hub.exchange.reading import Cancelled, Line, Sheet, UnreadableFile, read
from hub.exchange.tables import TABLES, CellError, Table
from hub.graphql.context import HubContext
from hub.graphql.loaders import Loaders
from hub.i18n import _, row_prefix
from hub.ids import to_global_id
from hub.settings import FileLimits

log = logging.getLogger("hub.exchange")
CHUNK = 20000  # rows a mutation call: the largest batch the batch mutations take; all chunks share one transaction
KEYS = {"counties": ("code",), "schools": ("code",), "volunteers": ("subject", "idNumber")}
INPUT_TYPES = {
    "upsertCounties": "UpsertCountiesInput",
    "upsertSchools": "UpsertSchoolsInput",
    "declarePosts": "DeclarePostsInput",
    "registerVolunteers": "RegisterVolunteersInput",
}
Progress = Callable[[str, int, int], None]


@dataclass(frozen=True)
class ImportProblem:
    """One problem of a file: its line (1 is the header) and column header, when it has them."""

    line: int | None
    column: str | None
    code: str
    message: str

    def __str__(self) -> str:
        if self.line and self.column:
            return _("line {line}, {column}: {message} [{code}]", **self.__dict__)
        if self.line:
            return _("line {line}: {message} [{code}]", **self.__dict__)
        return _("file: {message} [{code}]", message=self.message, code=self.code)


@dataclass
class ImportReport:
    """What an import found: the rows, the rows written, the first problems by line and how many in all."""

    kind: str
    rows: int = 0
    written: int = 0
    dry_run: bool = False
    limit: int = FileLimits.max_problems
    problem_count: int = 0
    ignored_columns: list[str] = field(default_factory=list)
    _kept: list[tuple[tuple[int, int, int], ImportProblem]] = field(default_factory=list, repr=False)
    _order: itertools.count = field(default_factory=itertools.count, repr=False)

    def add(self, problem: ImportProblem, column_index: int = -1) -> None:
        """Count `problem`; keep it when it is among the first `limit` by line (a bounded heap)."""
        self.problem_count += 1
        key = (problem.line or 0, column_index, next(self._order))
        entry = ((-key[0], -key[1], -key[2]), problem)
        if len(self._kept) < self.limit:
            heapq.heappush(self._kept, entry)  # type: ignore[arg-type]
        elif entry > self._kept[0]:
            heapq.heapreplace(self._kept, entry)  # type: ignore[arg-type]

    @property
    def problems(self) -> list[ImportProblem]:
        """The problems kept, by line and column."""
        return [problem for _key, problem in sorted(self._kept, reverse=True)]

    @property
    def ok(self) -> bool:
        return not self.problem_count


@dataclass
class _Row:
    line: Line
    values: dict[str, Any]
    left_out: bool = False  # a bad cell that no stand-in replaces: the rules do not see the row
    stand_ins: set[str] = field(default_factory=set)  # fields given a stand-in value for the rules


@dataclass
class _Checked:
    rows: list[_Row]
    lines: int


async def import_file(
    hub: Any,
    actor: Actor,
    kind: str,
    data: bytes,
    filename: str,
    *,
    dry_run: bool = False,
    progress: Progress | None = None,
) -> ImportReport:
    """Import `data` (the content of `filename`) as `kind` for `actor`: the whole file or none of it."""
    table = TABLES.get(kind)
    if table is None:
        raise ValueError(f"no import kind {kind!r}; one of {', '.join(TABLES)}")
    with collections_paused():
        return await _import(hub, actor, table, data, filename, dry_run, progress)


_PAUSES = 0  # imports under way in this process that paused the cyclic garbage collector
_RESUME = False  # whether it was on when the first of them paused it


@contextlib.contextmanager
def collections_paused() -> Iterator[None]:
    """The cyclic garbage collector paused while imports run (the last one to end resumes it, if it was on).
    An import builds a few hundred thousand objects that all live until it ends (rows, cells, inputs, the
    rows written), so the collector's full collections kept walking them, and the whole heap with them, to
    free nothing: 2–4 full collections of a 20,000-row import, ~0.5–1.5 s, most in a process whose heap is
    not frozen (the bench's, tests'). Objects are still freed as their last reference goes; only garbage in
    reference cycles, of the import and of requests served meanwhile, waits until the imports end (bounded
    by their deadline)."""
    global _PAUSES, _RESUME
    if _PAUSES == 0:
        _RESUME = gc.isenabled()
        gc.disable()
    _PAUSES += 1
    try:
        yield
    finally:
        _PAUSES -= 1
        if _PAUSES == 0 and _RESUME:
            gc.enable()


async def _import(
    hub: Any,
    actor: Actor,
    table: Table,
    data: bytes,
    filename: str,
    dry_run: bool,
    progress: Progress | None,
) -> ImportReport:
    kind = table.kind
    limits: FileLimits = hub.settings.file_limits
    report = ImportReport(kind, dry_run=dry_run, limit=limits.max_problems)
    cancel = threading.Event()
    try:
        checked = await asyncio.to_thread(_check, table, data, filename, limits, cancel, report, progress)
    except asyncio.CancelledError:
        cancel.set()  # the worker stops at its next look (every few hundred rows)
        log.warning("the import of %s was stopped while its file was checked (its request's deadline passed)", filename)
        raise
    except UnreadableFile as exc:
        report.add(ImportProblem(None, None, "INVALID_INPUT", str(exc)))
        return report
    if checked is None:
        return report
    rows = checked.rows
    report.rows = checked.lines
    if not rows:
        report.add(ImportProblem(None, None, "INVALID_INPUT", _("the file has no rows")))
        return report
    try:
        if kind == "posts":
            await _resolve_units(hub, rows, table, report)
        _repeated_keys(table, rows, report)
        await _write(hub, actor, table, [r for r in rows if not r.left_out], report, progress)
    except asyncio.CancelledError:  # its transaction rolls back
        log.warning(
            "the import of %s was stopped while its rows were written (its request's deadline passed)", filename
        )
        raise
    return report


def _check(
    table: Table,
    data: bytes,
    filename: str,
    limits: FileLimits,
    cancel: threading.Event,
    report: ImportReport,
    progress: Progress | None,
) -> _Checked | None:
    """Read the file and turn every cell into its input value (in a worker thread); None when the columns
    are wrong. Stops with Cancelled when `cancel` is set."""
    try:
        sheet = read(data, filename, limits, cancel, (lambda n: progress("read", n, 0)) if progress else None)
        positions = _columns(table, sheet, report)
        if report.problem_count:
            return None
        rows = []
        for number, line in enumerate(sheet.lines, start=1):
            if number % 500 == 0 and cancel.is_set():
                raise Cancelled
            rows.append(_values(table, positions, line, report))
        return _Checked(rows, len(sheet.lines))
    except Cancelled:
        log.warning("the check of %s was stopped (its request's deadline passed)", filename)
        return None


def _columns(table: Table, sheet: Sheet, report: ImportReport) -> dict[str, int]:
    """Where each column of the table is in the file; a missing or doubled header is a file problem, a
    header the table does not know is named in the report as ignored."""
    headers = sheet.headers
    positions: dict[str, int] = {}
    for column in table.columns:
        found = [i for i, h in enumerate(headers) if h == column.header]
        if len(found) > 1:
            report.add(ImportProblem(1, column.header, "INVALID_INPUT", _("the column appears twice")))
        elif found:
            positions[column.field] = found[0]
        elif not column.optional:
            known = "、".join(table.headers)
            message = _("the column is missing (the columns are {columns})", columns=known)
            report.add(ImportProblem(1, column.header, "INVALID_INPUT", message))
    report.ignored_columns = [h for h in headers if h and h not in table.headers]
    return positions


def _values(table: Table, positions: dict[str, int], line: Line, report: ImportReport) -> _Row:
    row = _Row(line, {})
    for index, column in enumerate(table.columns):
        position = positions.get(column.field)
        cell = line.cells[position] if position is not None and position < len(line.cells) else None
        try:
            value = column.parse(cell)
        except CellError as exc:
            report.add(ImportProblem(line.number, column.header, "INVALID_INPUT", str(exc)), index)
            if column.choices:
                value = column.parse(column.example)  # a stand-in, so that the row's other rules still run
                row.stand_ins.add(column.field)
            else:
                row.left_out = True
                continue
        if value is not None:
            row.values[column.field] = value
    return row


def _index(table: Table, field_name: str | None) -> int:
    return next((i for i, c in enumerate(table.columns) if c.field == field_name), len(table.columns))


def _repeated_keys(table: Table, rows: list[_Row], report: ImportReport) -> None:
    """A key given twice in different chunks: within one chunk the mutation reports it; across chunks an
    upsert would quietly take the later row, so it is caught here."""
    for key in KEYS.get(table.kind, ()):
        first: dict[Any, tuple[int, int]] = {}
        for index, row in enumerate(rows):
            value = row.values.get(key)
            if value is None or row.left_out:
                continue
            if value in first and first[value][1] != index // CHUNK:
                column = table.column(key)
                message = _("{value} is also on line {line}", value=value, line=first[value][0])
                report.add(
                    ImportProblem(row.line.number, column.header if column else key, "DUPLICATE", message),
                    _index(table, key),
                )
                row.left_out = True
            first.setdefault(value, (row.line.number, index // CHUNK))


async def _resolve_units(hub: Any, rows: list[_Row], table: Table, report: ImportReport) -> None:
    """Posts name their service unit as offices do (county code and unit name); declarePosts takes its id."""
    counties = {r.values.get("countyCode") for r in rows} - {None}
    async with hub.sessionmaker() as session:
        units = {
            (county, name): unit_id
            for unit_id, county, name in await session.execute(
                select(m.ServiceUnit.id, m.ServiceUnit.county_code, m.ServiceUnit.name).where(
                    m.ServiceUnit.county_code.in_(counties)
                )
            )
        }
    header = table.column("unitName").header  # type: ignore[union-attr]
    for row in rows:
        county, name = row.values.pop("countyCode", None), row.values.pop("unitName", None)
        if county is None or name is None:
            continue
        unit_id = units.get((county, name))
        if unit_id is None:
            message = _("county {county} has no service unit {name}", county=county, name=name)
            report.add(ImportProblem(row.line.number, header, "NOT_FOUND", message), _index(table, "unitName"))
            row.left_out = True
        else:
            row.values["unitId"] = to_global_id("ServiceUnit", unit_id)


async def _write(
    hub: Any, actor: Actor, table: Table, rows: list[_Row], report: ImportReport, progress: Progress | None
) -> None:
    """Every row through the batch mutation, a chunk at a time in one transaction: committed when the whole
    file has no problem (and this is no dry run), rolled back otherwise; events after the commit."""
    events: list[Any] = []
    committed = False
    async with hub.write_sessionmaker() as session:
        transaction = await session.begin()
        try:
            done = 0
            for start in range(0, len(rows), CHUNK):
                chunk = rows[start : start + CHUNK]
                refused = await _run(hub, actor, table, chunk, report, session, events)
                if refused:
                    break  # a refusal of the whole call (FORBIDDEN, ...) is the same for every chunk
                done += len(chunk)
                if progress:
                    progress("checked", done, len(rows))
            if report.problem_count or report.dry_run:
                await transaction.rollback()
            else:
                await transaction.commit()
                committed = True
        finally:
            if transaction.is_active:
                await transaction.rollback()
    if committed:
        report.written = len(rows)
        if progress:
            progress("written", len(rows), len(rows))
        hub.after_commit(events)


FIELD_ALIASES = {"unitId": "unitName"}  # the input field a file column fills under another name


async def _run(
    hub: Any,
    actor: Actor,
    table: Table,
    chunk: list[_Row],
    report: ImportReport,
    session: Any,
    events: list[Any],
) -> bool:
    """One chunk through the schema's batch mutation in `session`'s transaction; its userErrors as problems
    of the file. True when the call itself was refused (an error, not a row's problem)."""
    variables = {"input": {table.rows_field: [row.values for row in chunk]}}
    batch = batch_mutation(hub.schema, table.mutation)
    if batch is not None:
        user_errors = await _call(hub, actor, batch, variables, table, chunk, report, session, events)
    else:
        document = (
            f"mutation Import($input: {INPUT_TYPES[table.mutation]}!) "
            f"{{ result: {table.mutation}(input: $input) {{ userErrors {{ field message code }} }} }}"
        )
        result = await execute(hub, actor, document, variables, transaction=session, events=events)
        if result.errors:
            for error in result.errors:
                report.add(ImportProblem(None, None, (error.extensions or {}).get("code", "ERROR"), error.message))
        user_errors = None if result.errors else result.data["result"]["userErrors"]
    if user_errors is None:
        return True
    for error in user_errors:
        path = error["field"] or []
        line = column = None
        index = len(table.columns)
        if len(path) >= 3 and path[1] == table.rows_field and path[2].isdigit() and int(path[2]) < len(chunk):
            row = chunk[int(path[2])]
            line = row.line.number
            if len(path) >= 4:
                name = FIELD_ALIASES.get(path[3], path[3])
                if name in row.stand_ins:
                    continue  # about the stand-in of a cell already reported
                named = table.column(name)
                column = named.header if named else path[3]
                index = _index(table, name)
        message = row_prefix().sub("", error["message"]) if line else error["message"]  # the line says where
        report.add(ImportProblem(line, column, error["code"], message), index)
    return False


async def _call(
    hub: Any,
    actor: Actor,
    batch: BatchMutation,
    variables: dict[str, Any],
    table: Table,
    chunk: list[_Row],
    report: ImportReport,
    session: Any,
    events: list[Any],
) -> list[dict[str, Any]] | None:
    """The chunk through the mutation's resolver (hub/exchange/batches.py), as GraphQL would call it; its
    userErrors as GraphQL would give them, or None (each error a problem) when the call itself was refused."""
    try:
        argument = batch.convert(variables["input"])
    except Uncoercible as exc:
        path = exc.path  # ("input", rows field, index, field name) for a row's value
        line = column = None
        if len(path) >= 3 and path[2].isdigit() and int(path[2]) < len(chunk):
            line = chunk[int(path[2])].line.number
            named = table.column(FIELD_ALIASES.get(path[3], path[3])) if len(path) >= 4 else None
            column = named.header if named else None
        report.add(ImportProblem(line, column, "BAD_USER_INPUT", _("a value is out of range for what it describes")))
        return None
    context = HubContext(
        hub=hub, actor=actor, auth_error=None, loaders=Loaders(hub.sessionmaker), transaction=session, events=events
    )
    try:
        payload = await batch.resolve(BatchInfo(batch.name, batch.payload, context), input=argument)
    except GraphQLError as error:
        report.add(ImportProblem(None, None, (error.extensions or {}).get("code", "ERROR"), error.message))
        return None
    return [{"field": e.field, "message": e.message, "code": e.code.name} for e in payload.user_errors]
