"""`hub`: db upgrade/downgrade, serve (with --demo), token, schema, audit verify, import, recruitment suggest."""

from __future__ import annotations

import argparse
import asyncio
import sys
from dataclasses import replace

from hub.auth import make_token
from hub.enums import OfficeLevel
from hub.settings import ConfigurationError, Settings


def _settings() -> Settings:
    try:
        return Settings.from_env()
    except (ConfigurationError, ValueError) as exc:
        sys.exit(f"hub: {exc}")


def _plugins(settings: Settings):  # type: ignore[no-untyped-def]
    from hub.plugins import HubPlugins, PluginError

    try:
        return HubPlugins(settings.plugins)
    except PluginError as exc:
        sys.exit(f"hub: {exc}")


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
        print(f"migrating {settings.database_url} to {args.revision} ...", flush=True)
        migrate.upgrade(settings, plugins, args.revision)
    else:
        print(f"downgrading {settings.database_url} to {args.revision} ...", flush=True)
        migrate.downgrade(settings, plugins, args.revision)
    print("done")


def cmd_token(args: argparse.Namespace) -> None:
    settings = _settings()
    try:
        print(make_token(settings, args.level, args.sub, args.code, args.ttl))
    except Exception as exc:
        sys.exit(f"hub: cannot make that token: {exc}")


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
        sys.exit("hub: --demo is for development, not HUB_ENV=production")
    plugins = _plugins(settings)
    if args.demo:
        from hub.demo import DEMO_TOKENS, load_demo

        print(f"demo: migrating {settings.database_url} ...", flush=True)
        migrate.upgrade(settings, installed())
        print("demo: loading the demo data set ...", flush=True)
        print(asyncio.run(load_demo(settings)), flush=True)
        print(
            '\nTokens (valid 7 days), paste one into GraphiQL\'s headers as {"Authorization": "Bearer <token>"}:',
            flush=True,
        )
        for level, code, subject, what in DEMO_TOKENS:
            token = make_token(settings, level, subject, code, ttl=7 * 24 * 3600)
            print(f"\n  {level:<10} {what}\n  {token}", flush=True)
        print(f"\nGraphiQL: http://{args.host}:{args.port}/graphql\n", flush=True)
    if args.workers > 1:
        uvicorn.run(
            "hub.app:create_app",
            factory=True,
            host=args.host,
            port=args.port,
            workers=args.workers,
            log_level="info",
            log_config=json_logging_config(),  # one JSON line per request (hub/observability.py)
            access_log=False,
        )
    else:
        from hub.app import create_app
        from hub.runtime import Hub

        uvicorn.run(
            create_app(hub=Hub(settings, plugins)),
            host=args.host,
            port=args.port,
            log_level="info",
            log_config=json_logging_config(),
            access_log=False,
        )


def cmd_audit(args: argparse.Namespace) -> None:
    """`hub audit verify`: walk the hash chain of the audit log; exit 1 at the first altered or missing entry."""
    from hub.audit import verify
    from hub.db import make_engine, make_sessionmaker

    settings = _settings()

    async def run():  # type: ignore[no-untyped-def]
        engine = make_engine(settings.database_url, 1, settings.pgbouncer)
        try:
            async with make_sessionmaker(engine)() as session:
                return await verify(session)
        finally:
            await engine.dispose()

    verdict = asyncio.run(run())
    if not verdict.intact:
        sys.exit(f"audit trail BROKEN after {verdict.entries - 1} good entries: {verdict.reason}")
    print(f"audit trail intact: {verdict.entries} entries, head {verdict.head}")


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
        sys.exit(f"hub: {args.manifest}: {exc}")

    async def run() -> tuple[int, int]:
        engine = make_engine(settings.database_url, 1, settings.pgbouncer)
        try:
            async with make_sessionmaker(engine, write=True)() as session, session.begin():
                return await add_documents(session, entries, args.client)
        finally:
            await engine.dispose()

    try:
        added, present = asyncio.run(run())
    except ManifestError as exc:
        sys.exit(f"hub: {args.manifest}: {exc}")
    print(f"{added} documents registered, {present} already registered ({len(entries)} in {args.manifest})")


def cmd_import(args: argparse.Namespace) -> None:
    from hub.exchange.command import run_import

    run_import(args, _settings(), _plugins)


def cmd_recruitment(args: argparse.Namespace) -> None:
    from hub.recruitment_suggestions import run

    run(args, _settings(), _plugins)


def build_parser() -> argparse.ArgumentParser:
    from hub import __version__

    parser = argparse.ArgumentParser(prog="hub", description="The Western Program data hub")
    parser.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    sub = parser.add_subparsers(dest="command", required=True)

    db = sub.add_parser("db", help="database migrations")
    db.add_argument("action", choices=["upgrade", "downgrade"])
    db.add_argument("--revision", default=None, help="target revision (upgrade: heads, downgrade: required)")
    db.set_defaults(func=cmd_db)

    serve = sub.add_parser("serve", help="serve /graphql, /healthz, /readyz")
    serve.add_argument("--host", default="127.0.0.1")
    serve.add_argument("--port", type=int, default=8000)
    serve.add_argument("--workers", type=int, default=1, help="worker processes sharing one database")
    serve.add_argument("--demo", action="store_true", help="migrate, load demo data, print tokens, serve")
    serve.set_defaults(func=cmd_serve)

    token = sub.add_parser("token", help="print a signed token")
    token.add_argument("--level", required=True, choices=[lv.value.lower() for lv in OfficeLevel])
    token.add_argument("--code", default=None)
    token.add_argument("--sub", required=True)
    token.add_argument("--ttl", type=int, default=3600)
    token.set_defaults(func=cmd_token)

    audit = sub.add_parser("audit", help="the audit log's hash chain")
    audit.add_argument("action", choices=["verify"])
    audit.set_defaults(func=cmd_audit)

    schema = sub.add_parser("schema", help="print the SDL of the schema as configured (standalone: `export`)")
    schema.add_argument("action", nargs="?", choices=["export"], default="export", help="export (the default)")
    schema.add_argument("--output", "-o", default=None)
    schema.set_defaults(func=cmd_schema)

    documents = sub.add_parser("documents", help="trusted documents (HUB_TRUSTED_DOCUMENTS)")
    documents.add_argument("action", choices=["add"])
    documents.add_argument("manifest", help="Apollo's persisted query manifest, or an {id: document} JSON map")
    documents.add_argument("--client", default=None, help="the front end the manifest belongs to")
    documents.set_defaults(func=cmd_documents)

    from hub.exchange.command import add_import_arguments

    add_import_arguments(sub.add_parser("import", help="import counties, schools, posts or volunteers from a file"))
    sub.choices["import"].set_defaults(func=cmd_import)

    from hub.recruitment_suggestions import add_arguments as add_recruitment_arguments

    add_recruitment_arguments(sub.add_parser("recruitment", help="recruitment suggestions (--xlsx, --apply)"))
    sub.choices["recruitment"].set_defaults(func=cmd_recruitment)
    from hub.events.command import add_arguments as add_event_arguments

    add_event_arguments(sub, _settings, _plugins)  # hub events list|retry|replay|catalogue, hub worker
    return parser


def main(argv: list[str] | None = None) -> None:
    args = build_parser().parse_args(argv)
    if args.command == "db":
        if args.action == "upgrade":
            args.revision = args.revision or "heads"
        elif not args.revision:
            sys.exit("hub: db downgrade needs --revision (e.g. base)")
    args.func(args)


__all__ = ["main", "replace"]
