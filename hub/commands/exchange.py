"""`hub import KIND FILE` and `hub import --template KIND`: the import as an office runs it from a shell,
as the office a token (or --level/--code) names, with progress lines on stderr and the report on stdout."""

from __future__ import annotations

import argparse
import asyncio
import logging
import os
import sys
from collections.abc import Callable
from typing import Any

from sqlalchemy import text

from hub.exchange.tables import TABLES
from hub.i18n import N_, _


def add_import_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("kind", nargs="?", choices=list(TABLES), help=_("what the file holds"))
    parser.add_argument("file", nargs="?", help=_(".xlsx or .csv (UTF-8 or GBK)"))
    parser.add_argument("--template", choices=list(TABLES), help=_("write the template file of a kind and stop"))
    parser.add_argument("--output", "-o", default=None, help=_("where --template writes (default KIND.xlsx)"))
    parser.add_argument("--dry-run", action="store_true", help=_("check every row, write nothing"))
    parser.add_argument("--token", default=os.environ.get("HUB_TOKEN"), help=_("the importing office's token"))
    parser.add_argument(
        "--level", default=None, help=_("instead of a token, on the server itself: the office level (with --code)")
    )
    parser.add_argument("--code", default=None, help=_("with --level: the office's province, county or school code"))
    parser.add_argument("--sub", default=None, help=_("the subject recorded in the audit log (default: the user)"))
    parser.add_argument(
        "--problems",
        default=None,
        metavar="FILE",
        help=_("when the file is refused, write a copy of it (.xlsx) with a 问题 column beside each bad row"),
    )


def run_import(
    args: argparse.Namespace,
    settings: Any,
    plugins_of: Callable[[Any], Any],
    existing: Callable[[Any], Any] = lambda s: s,
) -> None:
    from hub.stop import Stop

    if args.template:
        from hub.exchange.workbooks import template

        output = args.output or f"{args.template}.xlsx"
        try:
            with open(output, "wb") as handle:
                handle.write(asyncio.run(template(args.template, output)))
        except OSError as exc:
            raise Stop(_("hub: cannot write {file}: {reason}", file=output, reason=exc.strerror)) from None
        print(_("wrote the {kind} template to {file}", kind=args.template, file=output))
        return
    if not args.kind or not args.file:
        raise Stop(_("hub: import needs KIND and FILE (or --template KIND)"))
    try:
        size = os.path.getsize(args.file)
        if size > settings.file_limits.max_bytes:
            limit = settings.file_limits.max_bytes
            raise Stop(_("hub: {file} is {size:,} bytes; at most {limit:,}", file=args.file, size=size, limit=limit))
        with open(args.file, "rb") as handle:
            data = handle.read()
    except OSError as exc:
        raise Stop(_("hub: cannot read {file}: {reason}", file=args.file, reason=exc.strerror)) from None
    actor = _actor(args, settings)
    report = asyncio.run(_import(existing(settings), plugins_of(settings), actor, args, data))
    if report.ignored_columns:
        names = "、".join(report.ignored_columns)
        print(_("ignored columns (no column of {kind}): {names}", kind=args.kind, names=names))
    for problem in report.problems:
        print(problem)
    if report.problem_count > len(report.problems):
        hidden, shown = report.problem_count - len(report.problems), len(report.problems)
        print(_("... and {count:,} more problems (the first {shown:,} by line are listed)", count=hidden, shown=shown))
    if not report.ok and args.problems:
        from hub.exchange.annotated import annotated_copy

        copy = asyncio.run(annotated_copy(data, os.path.basename(args.file), report, settings.file_limits))
        try:
            with open(args.problems, "wb") as handle:
                handle.write(copy)
        except OSError as exc:
            raise Stop(_("hub: cannot write {file}: {reason}", file=args.problems, reason=exc.strerror)) from None
        print(_("the problems are marked beside their rows in {file}", file=args.problems))
    if not report.ok:
        message = _("hub: {file} refused whole: {count:,} problem(s), nothing written")
        raise Stop(message.format(file=args.file, count=report.problem_count), 1)
    if report.dry_run:
        print(_("{rows} {kind} rows checked (dry run, nothing written)", rows=report.rows, kind=args.kind))
    else:
        print(_("{rows} {kind} rows imported", rows=report.rows, kind=args.kind))


def _actor(args: argparse.Namespace, settings: Any) -> Any:
    from hub.auth import Actor, AuthenticationError, parse_token
    from hub.enums import OfficeLevel
    from hub.stop import Stop

    if args.token:
        try:
            return parse_token(args.token, settings)
        except AuthenticationError as exc:
            raise Stop(_("hub: the token is refused: {reason}", reason=exc)) from None
    if not args.level:
        raise Stop(_("hub: import needs --token (or HUB_TOKEN) or --level/--code"))
    try:
        level = OfficeLevel(args.level.upper())
    except ValueError:
        raise Stop(_("hub: no office level {level!r}", level=args.level)) from None
    subject = args.sub or f"cli:{os.environ.get('USER', 'unknown')}"
    return Actor(level=level, code=args.code, subject=subject)


PHASES = {"read": N_("read {done:,} rows"), "checked": N_("checked {done:,}/{total:,} rows ({percent}%)")}
PHASES["written"] = N_("written {done:,}/{total:,} rows ({percent}%)")


class _Progress:
    """Progress lines on stderr: one line per phase, rewritten in place as rows are read, checked, written."""

    def __init__(self) -> None:
        self.phase: str | None = None

    def __call__(self, phase: str, done: int, total: int) -> None:
        if self.phase is not None and phase != self.phase:
            print(file=sys.stderr)
        self.phase = phase
        percent = 100 * done // max(total, 1)
        print("\r" + _(PHASES[phase], done=done, total=total, percent=percent), end="", file=sys.stderr, flush=True)
        if phase == "written":
            print(file=sys.stderr, flush=True)


async def _import(settings: Any, plugins: Any, actor: Any, args: argparse.Namespace, data: bytes) -> Any:
    from hub.exchange.imports import import_file
    from hub.runtime import Hub

    # The CLI reports problems itself: strawberry's log of a failed resolver (with its traceback) stays quiet.
    logging.getLogger("strawberry.execution").setLevel(logging.CRITICAL)
    hub = Hub(settings, plugins)
    try:
        async with hub.engine.connect() as connection:  # unreachable or not migrated: main() says which
            await connection.execute(text("SELECT 1 FROM provinces"))
        name = os.path.basename(args.file)
        return await import_file(hub, actor, args.kind, data, name, dry_run=args.dry_run, progress=_Progress())
    finally:
        await hub.dispose()
