"""`hub import KIND FILE` and `hub import --template KIND`: the import as an office runs it from a shell,
as the office a token (or --level/--code) names, with progress lines on stderr and the report on stdout."""

from __future__ import annotations

import argparse
import asyncio
import os
import sys
from collections.abc import Callable
from typing import Any

from hub.exchange.tables import TABLES
from hub.i18n import _


def add_import_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("kind", nargs="?", choices=list(TABLES), help="what the file holds")
    parser.add_argument("file", nargs="?", help=".xlsx or .csv (UTF-8 or GBK)")
    parser.add_argument("--template", choices=list(TABLES), help="write the template file of a kind and stop")
    parser.add_argument("--output", "-o", default=None, help="where --template writes (default KIND.xlsx)")
    parser.add_argument("--dry-run", action="store_true", help="check every row, write nothing")
    parser.add_argument("--token", default=os.environ.get("HUB_TOKEN"), help="the importing office's token")
    parser.add_argument("--level", default=None, help="instead of a token: the office level (with --code)")
    parser.add_argument("--code", default=None)
    parser.add_argument("--sub", default=None, help="the subject recorded in the audit log (default: the user)")


def run_import(args: argparse.Namespace, settings: Any, plugins_of: Callable[[Any], Any]) -> None:
    if args.template:
        from hub.exchange.workbooks import template

        output = args.output or f"{args.template}.xlsx"
        with open(output, "wb") as handle:
            handle.write(asyncio.run(template(args.template, output)))
        print(f"wrote the {args.template} template to {output}")
        return
    if not args.kind or not args.file:
        sys.exit("hub: import needs KIND and FILE (or --template KIND)")
    actor = _actor(args, settings)
    with open(args.file, "rb") as handle:
        data = handle.read()
    report = asyncio.run(_import(settings, plugins_of(settings), actor, args, data))
    if report.ignored_columns:
        print(
            _("ignored columns (no column of {kind}): {names}", kind=args.kind, names="、".join(report.ignored_columns))
        )
    for problem in report.problems:
        print(problem)
    if report.problem_count > len(report.problems):
        hidden = report.problem_count - len(report.problems)
        print(
            _(
                "... and {count:,} more problems (the first {shown:,} by line are listed)",
                count=hidden,
                shown=len(report.problems),
            )
        )
    if not report.ok:
        sys.exit(
            _(
                "hub: {file} refused whole: {count:,} problem(s), nothing written",
                file=args.file,
                count=report.problem_count,
            )
        )
    verb = "checked (dry run, nothing written)" if report.dry_run else "imported"
    print(f"{report.rows} {args.kind} rows {verb}")


def _actor(args: argparse.Namespace, settings: Any) -> Any:
    from hub.auth import Actor, AuthenticationError, parse_token
    from hub.enums import OfficeLevel

    if args.token:
        try:
            return parse_token(args.token, settings)
        except AuthenticationError as exc:
            sys.exit(f"hub: the token is refused: {exc}")
    if not args.level:
        sys.exit("hub: import needs --token (or HUB_TOKEN) or --level/--code")
    try:
        level = OfficeLevel(args.level.upper())
    except ValueError:
        sys.exit(f"hub: no office level {args.level!r}")
    subject = args.sub or f"cli:{os.environ.get('USER', 'unknown')}"
    return Actor(level=level, code=args.code, subject=subject)


def _progress(phase: str, done: int, total: int) -> None:
    print(f"\r{phase} {done}/{total} rows ({100 * done // max(total, 1)}%)", end="", file=sys.stderr, flush=True)
    if done == total:
        print(file=sys.stderr, flush=True)


async def _import(settings: Any, plugins: Any, actor: Any, args: argparse.Namespace, data: bytes) -> Any:
    from hub.exchange.imports import import_file
    from hub.runtime import Hub

    hub = Hub(settings, plugins)
    try:
        name = os.path.basename(args.file)
        return await import_file(hub, actor, args.kind, data, name, dry_run=args.dry_run, progress=_progress)
    finally:
        await hub.dispose()
