"""importTable: the spreadsheet import for front ends, the same function `hub import` runs, as the caller.

The file travels base64-encoded in the input (no multipart upload endpoint to secure separately); the
answer is the same report as the command's: rows, rows written, and each problem at its line and column."""

from __future__ import annotations

import base64
import binascii
from enum import Enum

import strawberry

from hub.exchange.annotated import annotated_copy
from hub.exchange.imports import ImportProblem as FileProblem
from hub.exchange.imports import ImportReport, import_file
from hub.exchange.tables import TABLES
from hub.graphql.context import Info
from hub.i18n import _


@strawberry.enum(description="What a spreadsheet import holds.")
class ImportKind(Enum):
    COUNTIES = "counties"
    SCHOOLS = "schools"
    POSTS = "posts"
    VOLUNTEERS = "volunteers"


assert {k.value for k in ImportKind} == set(TABLES)


@strawberry.input
class ImportTableInput:
    kind: ImportKind
    file_name: str = strawberry.field(description="Its extension says the format: .xlsx or .csv (UTF-8 or GBK).")
    content_base64: str
    dry_run: bool = False
    annotate: bool = strawberry.field(
        default=False,
        description="When the file has problems, answer with annotatedFileBase64: a copy of it with a 问题 column.",
    )


@strawberry.type(description="One problem of an imported file; line 1 is the header row.")
class ImportProblem:
    line: int | None
    column: str | None
    code: str
    message: str


@strawberry.type
class ImportTablePayload:
    kind: ImportKind
    rows: int
    written: int
    dry_run: bool
    problems: list[ImportProblem] = strawberry.field(
        description="The first problems by line (at most HUB_IMPORT_MAX_PROBLEMS); problemCount counts them all."
    )
    problem_count: int = strawberry.field(description="Every problem found in the file, listed or not.")
    ignored_columns: list[str] = strawberry.field(description="Headers of the file that are no column of its kind.")
    annotated_file_base64: str | None = strawberry.field(
        default=None,
        description="With annotate: the file (.xlsx) with a 问题 column beside each bad row; null when it has none.",
    )

    @classmethod
    def of(cls, report: ImportReport) -> ImportTablePayload:
        return cls(
            kind=ImportKind(report.kind),
            rows=report.rows,
            written=report.written,
            dry_run=report.dry_run,
            problems=[
                ImportProblem(line=p.line, column=p.column, code=p.code, message=p.message) for p in report.problems
            ],
            problem_count=report.problem_count,
            ignored_columns=report.ignored_columns,
        )


@strawberry.type
class ExchangeMutation:
    @strawberry.mutation(
        description="Import a spreadsheet of counties, schools, posts or volunteers: every row through the batch "
        "mutation of its kind (upsertCounties, upsertSchools, declarePosts, registerVolunteers) as the caller; "
        "the whole file or nothing."
    )
    async def import_table(self, info: Info, input: ImportTableInput) -> ImportTablePayload:
        actor = info.context.require_actor("importTable")
        try:
            data = base64.b64decode(input.content_base64, validate=True)
        except (binascii.Error, ValueError):
            data = None
        report = ImportReport(input.kind.value, dry_run=input.dry_run)
        if data is None:
            report.add(FileProblem(None, None, "INVALID_INPUT", _("contentBase64 is not base64")))
            return ImportTablePayload.of(report)
        report = await import_file(
            info.context.hub, actor, input.kind.value, data, input.file_name, dry_run=input.dry_run
        )
        payload = ImportTablePayload.of(report)
        if input.annotate and not report.ok and report.rows:
            copy = await annotated_copy(data, input.file_name, report, info.context.hub.settings.file_limits)
            payload.annotated_file_base64 = base64.b64encode(copy).decode()
        return payload
