"""`hub import` and the importTable mutation: a file's rows run through the schema's own batch mutations.

A file is read into rows, each row becomes one element of the batch mutation's input (upsertCounties,
upsertSchools, declarePosts, registerVolunteers), and the mutation runs for the importing office exactly
as a front end's request would: the same permission rules, domain rules and audit (R1, R42). Its
per-index userErrors come back as problems at a line and a column of the file.

All or none: a file of up to CHUNK rows is one mutation call, one transaction. A larger file goes in chunks,
each first rehearsed (the mutation runs, then its transaction is rolled back); only when no chunk has a
problem are they run for real. A `--dry-run` is the rehearsal alone."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import select

from hub import models as m
from hub.auth import Actor
from hub.exchange.calls import execute
from hub.exchange.reading import Line, UnreadableFile, read
from hub.exchange.tables import TABLES, CellError, Table
from hub.graphql.ids import to_global_id

CHUNK = 20000  # rows a mutation call: the largest batch every batch mutation takes
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
        where = ", ".join(p for p in (f"line {self.line}" if self.line else "", self.column or "") if p)
        return f"{where or 'file'}: {self.message} [{self.code}]"


@dataclass
class ImportReport:
    kind: str
    rows: int = 0
    written: int = 0
    dry_run: bool = False
    problems: list[ImportProblem] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems


@dataclass
class _Row:
    line: Line
    values: dict[str, Any]


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
    report = ImportReport(kind, dry_run=dry_run)
    try:
        sheet = read(data, filename)
    except UnreadableFile as exc:
        report.problems.append(ImportProblem(None, None, "INVALID_INPUT", str(exc)))
        return report
    report.rows = len(sheet.lines)
    positions = _columns(table, sheet.headers, report)
    if report.problems:
        return report
    rows = [_Row(line, _values(table, positions, line, report)) for line in sheet.lines]
    if not rows:
        report.problems.append(ImportProblem(None, None, "INVALID_INPUT", "the file has no rows"))
    if kind == "posts":
        await _resolve_units(hub, rows, table, report)
    _repeated_keys(table, rows, report)
    if report.problems:
        return report
    chunks = [rows[i : i + CHUNK] for i in range(0, len(rows), CHUNK)]
    # One chunk is one transaction, all or none by itself: it is rehearsed only for a dry run.
    phases = [("checked", True)] if dry_run else [("written", False)]
    if len(chunks) > 1 and not dry_run:
        phases.insert(0, ("checked", True))
    for phase, rehearsal in phases:
        done = 0
        for chunk in chunks:
            report.problems += await _run(hub, actor, table, chunk, rehearsal)
            if report.problems:
                return report  # a refusal in the writing phase means a concurrent change; earlier chunks stay
            done += len(chunk)
            if not rehearsal:
                report.written = done
            if progress:
                progress(phase, done, len(rows))
    return report


def _columns(table: Table, headers: list[str], report: ImportReport) -> dict[str, int]:
    """Where each column of the table is in the file; a missing or doubled header is a file problem."""
    positions: dict[str, int] = {}
    for column in table.columns:
        found = [i for i, h in enumerate(headers) if h == column.header]
        if len(found) > 1:
            report.problems.append(ImportProblem(1, column.header, "INVALID_INPUT", "the column appears twice"))
        elif found:
            positions[column.field] = found[0]
        elif not column.optional:
            known = "、".join(table.headers)
            report.problems.append(
                ImportProblem(1, column.header, "INVALID_INPUT", f"the column is missing (the columns are {known})")
            )
    return positions


def _values(table: Table, positions: dict[str, int], line: Line, report: ImportReport) -> dict[str, Any]:
    values: dict[str, Any] = {}
    for column in table.columns:
        index = positions.get(column.field)
        cell = line.cells[index] if index is not None and index < len(line.cells) else None
        try:
            value = column.parse(cell)
        except CellError as exc:
            report.problems.append(ImportProblem(line.number, column.header, "INVALID_INPUT", str(exc)))
            continue
        if value is not None:
            values[column.field] = value
    return values


def _repeated_keys(table: Table, rows: list[_Row], report: ImportReport) -> None:
    """A key given twice in different chunks (within one chunk the mutation itself reports it), so that a
    rehearsal, which cannot see the other chunks' rows, misses no duplicate."""
    for key in KEYS.get(table.kind, ()):
        first: dict[Any, tuple[int, int]] = {}
        for index, row in enumerate(rows):
            value = row.values.get(key)
            if value is None:
                continue
            if value in first and first[value][1] != index // CHUNK:
                column = table.column(key)
                report.problems.append(
                    ImportProblem(
                        row.line.number,
                        column.header if column else key,
                        "DUPLICATE",
                        f"{value} is also on line {first[value][0]}",
                    )
                )
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
            report.problems.append(
                ImportProblem(row.line.number, header, "NOT_FOUND", f"county {county} has no service unit {name}")
            )
        else:
            row.values["unitId"] = to_global_id("ServiceUnit", unit_id)


ROW_PREFIX = re.compile(r"^row \d+: ")
FIELD_ALIASES = {"unitId": "unitName"}  # the input field a file column fills under another name


async def _run(hub: Any, actor: Actor, table: Table, chunk: list[_Row], rehearsal: bool) -> list[ImportProblem]:
    """One chunk through the schema's batch mutation; its userErrors and errors as problems of the file."""
    document = (
        f"mutation Import($input: {INPUT_TYPES[table.mutation]}!) "
        f"{{ result: {table.mutation}(input: $input) {{ userErrors {{ field message code }} }} }}"
    )
    variables = {"input": {table.rows_field: [row.values for row in chunk]}}
    result = await execute(hub, actor, document, variables, rehearsal=rehearsal)
    if result.errors:
        return [ImportProblem(None, None, (e.extensions or {}).get("code", "ERROR"), e.message) for e in result.errors]
    problems = []
    for error in result.data["result"]["userErrors"]:
        path = error["field"] or []
        line = column = None
        if len(path) >= 3 and path[1] == table.rows_field and path[2].isdigit() and int(path[2]) < len(chunk):
            line = chunk[int(path[2])].line.number
            if len(path) >= 4:
                named = table.column(FIELD_ALIASES.get(path[3], path[3]))
                column = named.header if named else path[3]
        message = ROW_PREFIX.sub("", error["message"]) if line else error["message"]  # the line says where
        problems.append(ImportProblem(line, column, error["code"], message))
    return problems
