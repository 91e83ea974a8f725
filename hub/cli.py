"""`hub`: db upgrade/downgrade, serve (with --demo), token (and revoke), schema, audit (verify, seal, checkpoint,
keygen), import, recruitment suggest, events, worker, documents.

Every user mistake ends with one line on stderr and an exit status, never a traceback (EXIT_CODES, in
README.md). Only `hub db upgrade` and `hub serve --demo` create a database; every other command refuses a
SQLite file that does not exist (run from the wrong folder, it would otherwise make an empty hub.db)."""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import os
import socket
import sys
from collections.abc import Iterator
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path

from hub.auth import make_token
from hub.enums import OfficeLevel
from hub.i18n import LANGUAGES, N_, _, catalogue, language, negotiate, speaking
from hub.settings import ConfigurationError, Settings
from hub.stop import Stop

EXIT_CODES = {
    0: N_("done"),
    1: N_("refused: a file with problems (nothing written), a broken audit trail"),
    2: N_("wrong usage: an unknown option, a missing or unreadable file, no database here, bad configuration"),
    3: N_("the database cannot be reached"),
    130: N_("interrupted (Ctrl-C)"),
}


def _settings() -> Settings:
    try:
        return Settings.from_env()
    except (ConfigurationError, ValueError) as exc:
        raise Stop(_("hub: {reason}", reason=exc)) from None


def sqlite_path(url: str) -> Path | None:
    """The file of a SQLite URL (None for another database or an in-memory one)."""
    if not url.startswith("sqlite"):
        return None
    path = url.split(":///", 1)[1] if ":///" in url else ""
    path = path.split("?", 1)[0]
    return None if not path or path == ":memory:" else Path(path)


def existing_database(settings: Settings) -> Settings:
    """`settings`, when its SQLite file exists (any other database is the server's concern)."""
    path = sqlite_path(settings.database_url)
    if path is not None and not path.exists():
        raise Stop(
            _(
                "hub: there is no database at {path} (in {folder}); run the command in the hub's folder, "
                "set HUB_DATABASE_URL, or create one with `hub db upgrade`",
                path=path,
                folder=os.getcwd(),
            )
        )
    return settings


def _plugins(settings: Settings):  # type: ignore[no-untyped-def]
    from hub.plugins import HubPlugins, PluginError

    try:
        return HubPlugins(settings.plugins)
    except PluginError as exc:
        raise Stop(_("hub: {reason}", reason=exc)) from None


def installed():  # type: ignore[no-untyped-def]
    """Every installed plugin: migrations cover them all, enabled or not, so that switching a plugin off
    with HUB_PLUGINS never leaves the database out of step with alembic's history."""
    from hub.plugins import HubPlugins

    return HubPlugins(None)


def cmd_db(args: argparse.Namespace) -> None:
    from hub import migrate

    settings = _settings()
    _plugins(settings)  # HUB_PLUGINS must name installed plugins
    plugins = installed()
    if args.action == "upgrade":
        print(_("migrating {url} to {revision} ...", url=settings.database_url, revision=args.revision), flush=True)
        migrate.upgrade(settings, plugins, args.revision)
    else:
        existing_database(settings)
        print(_("downgrading {url} to {revision} ...", url=settings.database_url, revision=args.revision), flush=True)
        migrate.downgrade(settings, plugins, args.revision)
    print(_("done"))


def cmd_token(args: argparse.Namespace) -> None:
    settings = _settings()
    if args.action == "revoke":
        _revoke(args, settings)
        return
    if args.action is not None or args.jti is not None:
        raise Stop(_("hub: token takes --level and --sub to make a token, or: token revoke JTI|TOKEN"))
    if not args.level or not args.sub:
        raise Stop(_("hub: token needs --level and --sub"))
    try:
        print(make_token(settings, args.level, args.sub, args.code, args.ttl))
    except Exception as exc:
        raise Stop(_("hub: cannot make that token: {reason}", reason=exc)) from None


def _revoke(args: argparse.Namespace, settings: Settings) -> None:
    """`hub token revoke JTI|TOKEN [--reason TEXT]`: refuse that token from now on, in every process."""
    from hub.db import make_engine
    from hub.revocation import revoke, token_id

    jti, expires = token_id(args.jti or "")
    if jti is None:
        raise Stop(_("hub: token revoke needs the token's jti, or the token itself (with a jti claim)"))

    async def run() -> bool:
        engine = make_engine(settings.database_url, 2, settings.pgbouncer)
        try:
            return await revoke(engine, jti, datetime.now(UTC), expires, args.reason)
        finally:
            await engine.dispose()

    new = asyncio.run(run())
    print(_("token {jti} revoked", jti=jti) if new else _("token {jti} was already revoked", jti=jti))


def cmd_schema(args: argparse.Namespace) -> None:
    from hub.schema import compose, sdl

    text = sdl(compose(_plugins(_settings())))
    if args.output:
        with open(args.output, "w", encoding="utf-8") as handle:
            handle.write(text)
    else:
        sys.stdout.write(text)


def cmd_serve(args: argparse.Namespace) -> None:
    import uvicorn

    from hub import migrate
    from hub.observability import json_logging_config

    settings = _settings()
    if args.demo and settings.production:
        raise Stop(_("hub: --demo is for development, not HUB_ENV=production"))
    if not args.demo:
        existing_database(settings)
    plugins = _plugins(settings)
    if args.demo:
        from hub.demo import DEMO_TOKENS, load_demo

        print(_("demo: migrating {url} ...", url=settings.database_url), flush=True)
        migrate.upgrade(settings, installed())
        print(_("demo: loading the demo data set ..."), flush=True)
        print(asyncio.run(load_demo(settings)), flush=True)
        print(
            "\n"
            + _("Tokens (valid 7 days), paste one into GraphiQL's headers as {header}:").format(
                header='{"Authorization": "Bearer <token>"}'
            ),
            flush=True,
        )
        for level, code, subject, what in DEMO_TOKENS:
            token = make_token(settings, level, subject, code, ttl=7 * 24 * 3600)
            print(f"\n  {level:<10} {what}\n  {token}", flush=True)
        print("\n" + _("GraphiQL: {url}", url=f"http://{args.host}:{args.port}/graphql") + "\n", flush=True)
    if args.workers > 1:
        from hub.serving import serve_workers

        serve_workers(  # each worker on its own SO_REUSEPORT socket: connections spread evenly (hub/serving.py)
            "hub.app:create_served_app",  # create_app, then freeze_heap, in each worker
            args.workers,
            factory=True,
            host=args.host,
            port=args.port,
            log_level="info",
            log_config=json_logging_config(),  # one JSON line per request (hub/observability.py)
            access_log=False,
        )
    else:
        from hub.app import create_app, freeze_heap
        from hub.runtime import Hub

        app = create_app(hub=Hub(settings, plugins))
        freeze_heap()  # the long-lived heap out of the garbage collector's walks (hub/app.py)
        uvicorn.run(
            app,
            host=args.host,
            port=args.port,
            log_level="info",
            log_config=json_logging_config(),
            access_log=False,
        )


def cmd_audit(args: argparse.Namespace) -> None:
    """`hub audit verify [--checkpoint FILE]`: walk the hash chain and compare it with the newest signed
    checkpoint; exit 1 at the first altered, missing, added or moved entry, or a cut tail.
    `hub audit seal`: seal the pending entries now. `hub audit checkpoint [--output FILE]`: seal, sign the
    head, print it and append it to the witness file. `hub audit keygen --output FILE`: a new signing key."""
    from hub import checkpoints
    from hub.audit import verify
    from hub.db import make_engine, make_sessionmaker
    from hub.sequencer import seal

    settings = existing_database(_settings())
    if args.action == "keygen":
        if not args.output:
            raise Stop(_("hub: audit keygen needs --output FILE for the private key"))
        private, public = checkpoints.new_key()
        descriptor = os.open(args.output, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(descriptor, "w", encoding="ascii") as handle:
            handle.write(private)
        print(
            _(
                "private key written to {file} (HUB_AUDIT_SIGNING_KEY); its public key (HUB_AUDIT_PUBLIC_KEY):",
                file=args.output,
            )
        )
        print(public, end="")
        return
    try:
        vouched = _checkpoint_to_verify(args, settings) if args.action == "verify" else None
        signer = checkpoints.private_key(settings.audit_signing_key) if settings.audit_signing_key else None
    except checkpoints.CheckpointError as exc:
        raise Stop(_("hub: {reason}", reason=exc)) from None
    if args.action == "checkpoint" and signer is None:
        raise Stop(_("hub: audit checkpoint needs HUB_AUDIT_SIGNING_KEY (see hub audit keygen)"))

    async def run():  # type: ignore[no-untyped-def]
        engine = make_engine(settings.database_url, 2, settings.pgbouncer)
        try:
            if args.action == "seal":
                return await seal(engine)
            if args.action == "checkpoint":
                await seal(engine)
                async with engine.connect() as connection:
                    size, head = await checkpoints.head(connection)
                return checkpoints.sign(signer, size, head, datetime.now(UTC))
            async with make_sessionmaker(engine)() as session:
                return await verify(session, vouched)
        finally:
            await engine.dispose()

    result = asyncio.run(run())
    if args.action == "seal":
        print(_("sealed {count} entries", count=result))
        return
    if args.action == "checkpoint":
        witness = args.output or settings.audit_witness
        if witness:
            checkpoints.append(witness, result)
        print(result.to_json())
        return
    verdict = result
    if not verdict.intact:
        if verdict.broken_at is None:
            raise Stop(_("audit trail BROKEN: {reason}", reason=verdict.reason), 1)
        raise Stop(
            _(
                "audit trail BROKEN after {count} good entries: {reason}",
                count=verdict.entries - 1,
                reason=verdict.reason,
            ),
            1,
        )
    line = _("audit trail intact: {count} entries, head {head}", count=verdict.entries, head=verdict.head)
    if vouched:
        line += _(", as the checkpoint of {at} vouches", at=vouched.at.isoformat(timespec="seconds"))
    if verdict.pending:
        line += _("; {count} entries not sealed yet", count=verdict.pending)
    print(line)


def _checkpoint_to_verify(args: argparse.Namespace, settings: Settings):  # type: ignore[no-untyped-def]
    """The newest checkpoint of --checkpoint FILE (or HUB_AUDIT_WITNESS), its signature checked; None when
    neither names a file."""
    from hub import checkpoints

    path = args.checkpoint or settings.audit_witness
    if not path:
        return None
    pem = settings.audit_public_key or settings.audit_signing_key
    if not pem:
        raise checkpoints.CheckpointError(_("checking a checkpoint needs HUB_AUDIT_PUBLIC_KEY (or the signing key)"))
    return checkpoints.newest(path, checkpoints.public_key(pem))


def cmd_documents(args: argparse.Namespace) -> None:
    """`hub documents add MANIFEST`: register a front end's operations as trusted documents (hub/persisted.py)."""
    import json

    from hub.db import make_engine, make_sessionmaker
    from hub.persisted import ManifestError, add_documents, read_manifest
    from hub.schema import compose

    settings = _settings()
    try:
        with open(args.manifest, encoding="utf-8") as handle:
            data = json.load(handle)
        entries = read_manifest(data, compose(_plugins(settings))._schema)
    except (OSError, ValueError) as exc:  # ManifestError and JSONDecodeError are ValueErrors
        raise Stop(_("hub: {file}: {reason}", file=args.manifest, reason=exc)) from None

    async def run() -> tuple[int, int]:
        engine = make_engine(settings.database_url, 2, settings.pgbouncer)
        try:
            async with make_sessionmaker(engine, write=True)() as session, session.begin():
                return await add_documents(session, entries, args.client)
        finally:
            await engine.dispose()

    try:
        added, present = asyncio.run(run())
    except ManifestError as exc:
        raise Stop(_("hub: {file}: {reason}", file=args.manifest, reason=exc)) from None
    print(
        _(
            "{added} documents registered, {present} already registered ({count} in {file})",
            added=added,
            present=present,
            count=len(entries),
            file=args.manifest,
        )
    )


def cmd_import(args: argparse.Namespace) -> None:
    from hub.commands.exchange import run_import

    run_import(args, _settings(), _plugins, existing_database)


def cmd_recruitment(args: argparse.Namespace) -> None:
    from hub.recruitment_suggestions import run

    run(args, _settings(), _plugins)


def build_parser() -> argparse.ArgumentParser:
    from hub import __version__

    codes = "\n".join(f"  {code:<4} {_(what)}" for code, what in EXIT_CODES.items())
    parser = argparse.ArgumentParser(
        prog="hub",
        description=_("The Western Program data hub (大学生志愿服务西部计划)"),
        epilog=_("exit status:") + f"\n{codes}",
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument(
        "--version",
        action="version",
        version=f"%(prog)s {__version__}",
        help=_("show program's version number and exit"),
    )
    parser.add_argument(
        "--lang",
        choices=LANGUAGES,
        default=None,
        help=_("language of the messages: zh (default) or en; default from HUB_LANG, then LANG"),
    )
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    db = sub.add_parser("db", help=_("database migrations"))
    db.add_argument("action", choices=["upgrade", "downgrade"], help=_("upgrade (creates the database) or downgrade"))
    db.add_argument("--revision", default=None, help=_("target revision (upgrade: heads, downgrade: required)"))
    db.set_defaults(func=cmd_db)

    serve = sub.add_parser("serve", help=_("serve /graphql, /healthz, /readyz"))
    serve.add_argument("--host", default="127.0.0.1", help=_("address to listen on (default 127.0.0.1)"))
    serve.add_argument("--port", type=int, default=8000, help=_("port to listen on (default 8000)"))
    serve.add_argument("--workers", type=int, default=1, help=_("worker processes sharing one database"))
    serve.add_argument("--demo", action="store_true", help=_("migrate, load demo data, print tokens, serve"))
    serve.set_defaults(func=cmd_serve)

    token = sub.add_parser("token", help=_("print a signed token; `token revoke JTI|TOKEN` withdraws one"))
    token.add_argument("action", nargs="?", choices=["revoke"], help=_("revoke: refuse a token from now on"))
    token.add_argument("jti", nargs="?", help=_("revoke: the token's jti, or the whole token"))
    token.add_argument("--level", choices=[lv.value.lower() for lv in OfficeLevel], help=_("the office level"))
    token.add_argument("--code", default=None, help=_("the office's code (province, county or school code)"))
    token.add_argument("--sub", help=_("the subject: who the token is for (an account name)"))
    token.add_argument("--ttl", type=int, default=3600, help=_("seconds the token is valid (default 3600)"))
    token.add_argument("--reason", default=None, help=_("revoke: why (kept with the revocation)"))
    token.set_defaults(func=cmd_token)

    audit = sub.add_parser("audit", help=_("the audit log's hash chain and its signed checkpoints"))
    audit.add_argument(
        "action",
        choices=["verify", "seal", "checkpoint", "keygen"],
        help=_(
            "verify: walk the chain, exit 1 at a break or a cut tail; seal: seal pending entries now; "
            "checkpoint: sign the head; keygen: write a signing key"
        ),
    )
    audit.add_argument("--checkpoint", default=None, help=_("verify: the witness file (default HUB_AUDIT_WITNESS)"))
    audit.add_argument("--output", default=None, help=_("checkpoint: the witness file; keygen: the private key file"))
    audit.set_defaults(func=cmd_audit)

    schema = sub.add_parser("schema", help=_("print the SDL of the schema as configured (standalone: `export`)"))
    schema.add_argument("action", nargs="?", choices=["export"], default="export", help=_("export (the default)"))
    schema.add_argument("--output", "-o", default=None, help=_("write to this file instead of stdout"))
    schema.set_defaults(func=cmd_schema)

    documents = sub.add_parser("documents", help=_("trusted documents (HUB_TRUSTED_DOCUMENTS)"))
    documents.add_argument("action", choices=["add"], help=_("add: register the operations of a manifest"))
    documents.add_argument("manifest", help=_("Apollo's persisted query manifest, or an {id: document} JSON map"))
    documents.add_argument("--client", default=None, help=_("the front end the manifest belongs to"))
    documents.set_defaults(func=cmd_documents)

    from hub.commands.exchange import add_import_arguments

    add_import_arguments(sub.add_parser("import", help=_("import counties, schools, posts or volunteers from a file")))
    sub.choices["import"].set_defaults(func=cmd_import)

    from hub.recruitment_suggestions import add_arguments as add_recruitment_arguments

    add_recruitment_arguments(sub.add_parser("recruitment", help=_("recruitment suggestions (--xlsx, --apply)")))
    sub.choices["recruitment"].set_defaults(func=cmd_recruitment)
    from hub.commands.events import add_arguments as add_event_arguments

    add_event_arguments(sub, _settings, _plugins)  # hub events list|retry|replay|catalogue, hub worker
    return parser


def main(argv: list[str] | None = None) -> None:
    with speaking(asked_language(sys.argv[1:] if argv is None else argv)):
        with argparse_speaking():
            args = build_parser().parse_args(argv)  # built in the language: its help texts come from the catalogue
        _run(args)


@contextlib.contextmanager
def argparse_speaking() -> Iterator[None]:
    """argparse's own words (usage:, options, its usage errors) from the catalogue while `hub` parses its
    arguments: argparse looks each up through its module's gettext function, pointed here at the catalogue
    of the current language for the parse only (another parser of the process, pytest's, is left alone)."""
    original = argparse._  # type: ignore[attr-defined]
    argparse._ = lambda message: catalogue(language()).gettext(message)  # type: ignore[attr-defined]
    try:
        yield
    finally:
        argparse._ = original  # type: ignore[attr-defined]


def asked_language(argv: list[str]) -> str:
    """The language of a command: --lang (read before the parser, whose help and usage errors speak it),
    else HUB_LANG, else LANG's language; Chinese when none of them names one of ours."""
    early = argparse.ArgumentParser(add_help=False)
    early.add_argument("--lang", default=None)
    lang = early.parse_known_args(argv)[0].lang
    if lang in LANGUAGES:
        return lang
    return negotiate(os.environ.get("HUB_LANG") or os.environ.get("LANG", "").split(".")[0])


def _run(args: argparse.Namespace) -> None:
    try:
        if args.command == "db":
            if args.action == "upgrade":
                args.revision = args.revision or "heads"
            elif not args.revision:
                raise Stop(_("hub: db downgrade needs --revision (e.g. base)"))
        args.func(args)
    except Stop as stop:
        print(stop, file=sys.stderr)
        sys.exit(stop.status)
    except KeyboardInterrupt:
        print(_("hub: interrupted"), file=sys.stderr)
        sys.exit(130)
    except Exception as exc:
        from sqlalchemy.exc import DBAPIError

        if not (unreachable(exc) or isinstance(exc, DBAPIError)):
            raise
        reason = _reason(exc)
        if "no such table" in reason or ("relation" in reason and "does not exist" in reason):
            print(
                _("hub: the database is not migrated ({reason}); run `hub db upgrade`", reason=reason), file=sys.stderr
            )
            sys.exit(2)
        if not unreachable(exc):
            raise
        print(_("hub: cannot reach the database ({reason})", reason=reason), file=sys.stderr)
        sys.exit(3)


def unreachable(exc: BaseException) -> bool:
    """The database could not be reached (refused, unknown host, timed out, no such database)."""
    from sqlalchemy.exc import DBAPIError, InterfaceError, OperationalError

    if isinstance(exc, OperationalError | InterfaceError | ConnectionError | socket.gaierror | TimeoutError):
        return True
    cause = exc.__cause__ or exc.__context__
    return isinstance(exc, DBAPIError) and cause is not None and unreachable(cause)


def _reason(exc: BaseException) -> str:
    text = str(getattr(exc, "orig", None) or exc).splitlines()
    return text[0] if text else type(exc).__name__


__all__ = ["main", "replace"]
