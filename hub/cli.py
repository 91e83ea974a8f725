"""`hub`: db upgrade/downgrade, serve (with --demo), token (and revoke), schema, audit (verify, seal,
checkpoint, keygen), import."""

from __future__ import annotations

import argparse
import asyncio
import os
import sys
from dataclasses import replace
from datetime import UTC, datetime

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
    if args.action == "revoke":
        _revoke(args, settings)
        return
    if args.action is not None or args.jti is not None:
        sys.exit("hub: token takes --level and --sub to make a token, or: token revoke JTI|TOKEN")
    if not args.level or not args.sub:
        sys.exit("hub: token needs --level and --sub")
    try:
        print(make_token(settings, args.level, args.sub, args.code, args.ttl))
    except Exception as exc:
        sys.exit(f"hub: cannot make that token: {exc}")


def _revoke(args: argparse.Namespace, settings: Settings) -> None:
    """`hub token revoke JTI|TOKEN [--reason TEXT]`: refuse that token from now on, in every process."""
    from hub.db import make_engine
    from hub.revocation import revoke, token_id

    jti, expires = token_id(args.jti or "")
    if jti is None:
        sys.exit("hub: token revoke needs the token's jti, or the token itself (with a jti claim)")

    async def run() -> bool:
        engine = make_engine(settings.database_url, 1)
        try:
            return await revoke(engine, jti, datetime.now(UTC), expires, args.reason)
        finally:
            await engine.dispose()

    new = asyncio.run(run())
    print(f"token {jti} revoked" if new else f"token {jti} was already revoked")


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
        )
    else:
        from hub.app import create_app
        from hub.runtime import Hub

        uvicorn.run(create_app(hub=Hub(settings, plugins)), host=args.host, port=args.port, log_level="info")


def cmd_audit(args: argparse.Namespace) -> None:
    """`hub audit verify [--checkpoint FILE]`: walk the hash chain and compare it with the newest signed
    checkpoint; exit 1 at the first altered, missing, added or moved entry, or a cut tail.
    `hub audit seal`: seal the pending entries now. `hub audit checkpoint [--output FILE]`: seal, sign the
    head, print it and append it to the witness file. `hub audit keygen --output FILE`: a new signing key."""
    from hub import checkpoints
    from hub.audit import verify
    from hub.db import make_engine, make_sessionmaker
    from hub.sequencer import seal

    settings = _settings()
    if args.action == "keygen":
        if not args.output:
            sys.exit("hub: audit keygen needs --output FILE for the private key")
        private, public = checkpoints.new_key()
        descriptor = os.open(args.output, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(descriptor, "w", encoding="ascii") as handle:
            handle.write(private)
        print(f"private key written to {args.output} (HUB_AUDIT_SIGNING_KEY); its public key (HUB_AUDIT_PUBLIC_KEY):")
        print(public, end="")
        return
    try:
        vouched = _checkpoint_to_verify(args, settings) if args.action == "verify" else None
        signer = checkpoints.private_key(settings.audit_signing_key) if settings.audit_signing_key else None
    except checkpoints.CheckpointError as exc:
        sys.exit(f"hub: {exc}")
    if args.action == "checkpoint" and signer is None:
        sys.exit("hub: audit checkpoint needs HUB_AUDIT_SIGNING_KEY (see hub audit keygen)")

    async def run():  # type: ignore[no-untyped-def]
        engine = make_engine(settings.database_url, 1)
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
        print(f"sealed {result} entries")
        return
    if args.action == "checkpoint":
        witness = args.output or settings.audit_witness
        if witness:
            checkpoints.append(witness, result)
        print(result.to_json())
        return
    verdict = result
    pending = f"; {verdict.pending} entries not sealed yet" if verdict.pending else ""
    if not verdict.intact:
        if verdict.broken_at is None:
            sys.exit(f"audit trail BROKEN: {verdict.reason}")
        sys.exit(f"audit trail BROKEN after {verdict.entries - 1} good entries: {verdict.reason}")
    against = f", as the checkpoint of {vouched.at.isoformat(timespec='seconds')} vouches" if vouched else ""
    print(f"audit trail intact: {verdict.entries} entries, head {verdict.head}{against}{pending}")


def _checkpoint_to_verify(args: argparse.Namespace, settings: Settings):  # type: ignore[no-untyped-def]
    """The newest checkpoint of --checkpoint FILE (or HUB_AUDIT_WITNESS), its signature checked; None when
    neither names a file."""
    from hub import checkpoints

    path = args.checkpoint or settings.audit_witness
    if not path:
        return None
    pem = settings.audit_public_key or settings.audit_signing_key
    if not pem:
        raise checkpoints.CheckpointError("checking a checkpoint needs HUB_AUDIT_PUBLIC_KEY (or the signing key)")
    return checkpoints.newest(path, checkpoints.public_key(pem))


def cmd_import(args: argparse.Namespace) -> None:
    from hub.exchange.command import run_import

    run_import(args, _settings(), _plugins)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="hub", description="The Western Program data hub")
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

    token = sub.add_parser("token", help="print a signed token; `token revoke JTI|TOKEN` withdraws one")
    token.add_argument("action", nargs="?", choices=["revoke"], help="revoke: refuse a token from now on")
    token.add_argument("jti", nargs="?", help="revoke: the token's jti, or the whole token")
    token.add_argument("--level", choices=[lv.value.lower() for lv in OfficeLevel])
    token.add_argument("--code", default=None)
    token.add_argument("--sub")
    token.add_argument("--ttl", type=int, default=3600)
    token.add_argument("--reason", default=None, help="revoke: why (kept with the revocation)")
    token.set_defaults(func=cmd_token)

    audit = sub.add_parser("audit", help="the audit log's hash chain and its signed checkpoints")
    audit.add_argument("action", choices=["verify", "seal", "checkpoint", "keygen"])
    audit.add_argument("--checkpoint", default=None, help="verify: the witness file (default HUB_AUDIT_WITNESS)")
    audit.add_argument("--output", default=None, help="checkpoint: the witness file; keygen: the private key file")
    audit.set_defaults(func=cmd_audit)

    schema = sub.add_parser("schema", help="print the SDL of the schema as configured")
    schema.add_argument("--output", "-o", default=None)
    schema.set_defaults(func=cmd_schema)

    from hub.exchange.command import add_import_arguments

    add_import_arguments(sub.add_parser("import", help="import counties, schools, posts or volunteers from a file"))
    sub.choices["import"].set_defaults(func=cmd_import)
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
