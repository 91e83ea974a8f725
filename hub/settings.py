"""The HUB_* environment, read once into one typed Settings object."""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

from hub.i18n import _

DEV_SECRET = "xibu-hub-development-secret-change-me"


@dataclass(frozen=True)
class Limits:
    """What one request may ask of the hub (hub/limits.py, hub/app.py); reasons in docs/security.md."""

    max_depth: int = 12  # a Relay connection is two levels (edges, node): the dashboard query is 8 deep
    max_aliases: int = 15  # graphql-armor's default; the front end uses a handful
    max_tokens: int = 2000  # twice graphql-armor's 1000; the front end's largest document is 216, introspection 163
    max_cost: int = 100_000  # one per field times the rows of each page; the province dashboard is ~60,000
    max_body_bytes: int = 8_388_608  # 8 MiB: importTable carries a spreadsheet (a 20,000-row roster is ~3 MiB)
    timeout_seconds: float = 60.0  # the funding report's p50 with 16 in flight is 18 s today (bench/README.md)

    @classmethod
    def from_env(cls, env: Mapping[str, str]) -> Limits:
        def number(name: str, default: float, kind: type = int) -> Any:
            return _positive(env, name, default, kind)

        return cls(
            max_depth=number("HUB_MAX_DEPTH", cls.max_depth),
            max_aliases=number("HUB_MAX_ALIASES", cls.max_aliases),
            max_tokens=number("HUB_MAX_TOKENS", cls.max_tokens),
            max_cost=number("HUB_MAX_COST", cls.max_cost),
            max_body_bytes=number("HUB_MAX_BODY_BYTES", cls.max_body_bytes),
            timeout_seconds=number("HUB_REQUEST_TIMEOUT", cls.timeout_seconds, float),
        )


@dataclass(frozen=True)
class FileLimits:
    """What one imported file may cost, checked before the work (hub/exchange/reading.py); docs/exchange.md."""

    max_bytes: int = 64 * 1024 * 1024  # the file itself (importTable: also HUB_MAX_BODY_BYTES, base64)
    max_member_bytes: int = 256 * 1024 * 1024  # one unpacked member of an .xlsx (a 100,000-row roster: ~60 MiB)
    max_ratio: int = 100  # unpacked / packed size of one .xlsx member: sheets are ~5-20, zip bombs hundreds
    max_rows: int = 200_000  # data rows of a sheet
    max_columns: int = 100  # columns of a sheet (the widest kind has 9)
    max_cell_chars: int = 32_767  # Excel's own cell limit; also the CSV field size
    max_problems: int = 200  # problems listed in a report (the total is always given)

    @classmethod
    def from_env(cls, env: Mapping[str, str]) -> FileLimits:
        def number(name: str, default: int) -> int:
            return _positive(env, name, default, int)

        return cls(
            max_bytes=number("HUB_IMPORT_MAX_BYTES", cls.max_bytes),
            max_member_bytes=number("HUB_IMPORT_MAX_MEMBER_BYTES", cls.max_member_bytes),
            max_ratio=number("HUB_IMPORT_MAX_RATIO", cls.max_ratio),
            max_rows=number("HUB_IMPORT_MAX_ROWS", cls.max_rows),
            max_columns=number("HUB_IMPORT_MAX_COLUMNS", cls.max_columns),
            max_cell_chars=number("HUB_IMPORT_MAX_CELL_CHARS", cls.max_cell_chars),
            max_problems=number("HUB_IMPORT_MAX_PROBLEMS", cls.max_problems),
        )


class ConfigurationError(RuntimeError):
    """The environment asks for something the hub refuses to run with."""


@dataclass(frozen=True)
class EventSettings:
    """How events are delivered (issue 16: HUB_EVENTS_*, HUB_WEBHOOKS_*). `worker`: run the delivery worker
    inside `hub serve`; `relay`: a broker URL (nats://… for NATS JetStream, amqp://… for RabbitMQ) the outbox
    is relayed to, None for none."""

    worker: bool = True
    poll_seconds: float = 1.0  # how often an idle worker looks at the outbox (PostgreSQL also wakes it at once)
    lease_seconds: float = 60.0  # a claimed delivery is re-sent by another worker after this (a killed sender)
    timeout_seconds: float = 10.0  # one HTTP attempt
    allow_private: bool = False  # HUB_WEBHOOKS_ALLOW_PRIVATE=1: loopback/private targets (tests, intranets)
    relay: str | None = None

    @classmethod
    def from_env(cls, env: Mapping[str, str]) -> EventSettings:
        def number(name: str, default: float) -> float:
            return _positive(env, name, default, float)

        return cls(
            worker=env.get("HUB_EVENTS_WORKER", "on").lower() in ("on", "1", "true", "yes"),
            poll_seconds=number("HUB_EVENTS_POLL_SECONDS", cls.poll_seconds),
            lease_seconds=number("HUB_WEBHOOKS_LEASE_SECONDS", cls.lease_seconds),
            timeout_seconds=number("HUB_WEBHOOKS_TIMEOUT_SECONDS", cls.timeout_seconds),
            allow_private=env.get("HUB_WEBHOOKS_ALLOW_PRIVATE", "0").lower() in ("1", "on", "true", "yes"),
            relay=env.get("HUB_EVENTS_RELAY") or None,
        )


@dataclass(frozen=True)
class Settings:
    database_url: str = "sqlite+aiosqlite:///hub.db"
    jwt_secret: str = DEV_SECRET
    plugins: tuple[str, ...] | None = None  # None: every installed plugin
    env: str = "development"
    today: date | None = None
    jwt_issuer: str | None = None
    jwt_audience: str | None = None
    jwt_public_key: str | None = None  # PEM: RS256 tokens of a provincial identity provider are accepted too
    jwt_required_claims: tuple[str, ...] = ()  # on top of exp and sub, e.g. ("iat", "jti")
    pool_size: int = 32
    pgbouncer: bool = False  # the database URLs lead to a PgBouncer in transaction mode (hub/db.py)
    database_replica_url: str | None = None  # a streaming replica for planned reads (hub/replica.py)
    # LISTEN needs a session of its own: behind PgBouncer in transaction mode, the server itself (issue 16's wake-ups)
    database_listen_url: str | None = None
    replica_max_lag: float = 10.0  # seconds behind the primary beyond which planned reads go to the primary
    plan_year: str = "2021-2022"  # R14: the plan's year, from which the two-year transition counts
    monthly_report_due_day: int = 5  # R28 (assumption): a month's report is due on this day of the next month
    read_planner: bool = True  # plan read queries into one SQL statement; off: the executor only
    limits: Limits = field(default_factory=Limits)
    trusted_documents: bool = False  # only operations of a registered manifest run (hub/persisted.py)
    apq: bool = True  # Apollo's automatic persisted queries (off whenever trusted_documents is on)
    metrics_token: str | None = None  # /metrics wants `Authorization: Bearer <it>` when set; open otherwise
    events: EventSettings = field(default_factory=EventSettings)  # issue 16: outbox delivery
    file_limits: FileLimits = field(default_factory=FileLimits)
    extra: dict[str, str] = field(default_factory=dict)
    # The audit log (hub/sequencer.py, hub/checkpoints.py, docs/security.md).
    audit_seal_interval: float = 1.0  # seconds between sequencer rounds in `hub serve`; 0: off
    audit_signing_key: str | None = None  # PEM of the Ed25519 key signing checkpoints (never in the database)
    audit_public_key: str | None = None  # PEM of its public half, for `hub audit verify` without the private key
    audit_witness: str | None = None  # the file the checkpoints are appended to
    audit_checkpoint_interval: float = 60.0  # seconds between checkpoints in `hub serve`
    # Abuse by a valid token (hub/ratelimits.py, hub/revocation.py).
    rate_limit_subject: str | None = "600/minute"  # per token subject; None: no limit
    rate_limit_office: str | None = "6000/minute"  # per office (level + code), over all its users
    rate_limit_storage: str = "memory://"  # or redis://host:port to share the counters across processes
    revocation_refresh: float = 2.0  # seconds a process may check tokens against revocations it loaded; 0: per request

    @property
    def production(self) -> bool:
        return self.env == "production"

    @classmethod
    def from_env(cls, environ: dict[str, str] | None = None) -> Settings:
        env = os.environ if environ is None else environ
        plugins = env.get("HUB_PLUGINS")
        today = env.get("HUB_TODAY")
        settings = cls(
            database_url=env.get("HUB_DATABASE_URL") or cls.database_url,
            jwt_secret=env.get("HUB_JWT_SECRET") or DEV_SECRET,
            plugins=None if plugins is None else _names(plugins),
            env=env.get("HUB_ENV", "development"),
            today=date.fromisoformat(today) if today else None,
            jwt_issuer=env.get("HUB_JWT_ISSUER") or None,
            jwt_audience=env.get("HUB_JWT_AUDIENCE") or None,
            jwt_public_key=_pem(env.get("HUB_JWT_PUBLIC_KEY")),
            jwt_required_claims=_names(env.get("HUB_JWT_REQUIRED_CLAIMS")),
            pool_size=_positive(env, "HUB_DB_POOL_SIZE", cls.pool_size, int),
            pgbouncer=_switch(env.get("HUB_DB_PGBOUNCER", "off"), "HUB_DB_PGBOUNCER"),
            database_replica_url=env.get("HUB_DATABASE_REPLICA_URL") or None,
            database_listen_url=env.get("HUB_DATABASE_LISTEN_URL") or None,
            replica_max_lag=float(env.get("HUB_REPLICA_MAX_LAG") or cls.replica_max_lag),
            plan_year=env.get("HUB_PLAN_YEAR") or cls.plan_year,
            monthly_report_due_day=int(env.get("HUB_MONTHLY_REPORT_DUE_DAY") or cls.monthly_report_due_day),
            read_planner=_switch(env.get("HUB_READ_PLANNER", "on"), "HUB_READ_PLANNER"),
            limits=Limits.from_env(env),
            metrics_token=env.get("HUB_METRICS_TOKEN") or None,
            trusted_documents=_switch(env.get("HUB_TRUSTED_DOCUMENTS", "off"), "HUB_TRUSTED_DOCUMENTS"),
            apq=_switch(env.get("HUB_APQ", "on"), "HUB_APQ"),
            events=EventSettings.from_env(env),
            file_limits=FileLimits.from_env(env),
            audit_seal_interval=_seconds(env, "HUB_AUDIT_SEAL_INTERVAL", cls.audit_seal_interval),
            audit_signing_key=_pem(env.get("HUB_AUDIT_SIGNING_KEY")),
            audit_public_key=_pem(env.get("HUB_AUDIT_PUBLIC_KEY")),
            audit_witness=env.get("HUB_AUDIT_WITNESS") or None,
            audit_checkpoint_interval=_seconds(env, "HUB_AUDIT_CHECKPOINT_INTERVAL", cls.audit_checkpoint_interval),
            rate_limit_subject=_rate(env, "HUB_RATE_LIMIT_SUBJECT", cls.rate_limit_subject),
            rate_limit_office=_rate(env, "HUB_RATE_LIMIT_OFFICE", cls.rate_limit_office),
            rate_limit_storage=env.get("HUB_RATE_LIMIT_STORAGE") or cls.rate_limit_storage,
            revocation_refresh=_seconds(env, "HUB_REVOCATION_REFRESH", cls.revocation_refresh),
        )
        settings.check()
        return settings

    def check(self) -> None:
        if self.env not in ("development", "production"):
            raise ConfigurationError(_("HUB_ENV must be development or production, not {env!r}", env=self.env))
        if self.production and self.jwt_secret == DEV_SECRET:
            raise ConfigurationError(_("HUB_JWT_SECRET must be set in production (the development secret is refused)"))
        if not 1 <= self.monthly_report_due_day <= 28:
            raise ConfigurationError(
                _(
                    "HUB_MONTHLY_REPORT_DUE_DAY must be a day between 1 and 28, not {day}",
                    day=self.monthly_report_due_day,
                )
            )


def _positive(env: Mapping[str, str], name: str, default: Any, kind: type) -> Any:
    """The positive number (`kind`: int or float) `name` gives, or `default` when it is unset or empty; a value
    that is no such number, or not above zero, is a ConfigurationError naming it."""
    raw = env.get(name)
    try:
        value = kind(raw) if raw else default
    except ValueError:
        value = 0
    if value <= 0:
        raise ConfigurationError(_("{name} must be positive, not {raw!r}", name=name, raw=raw))
    return value


def _seconds(env: Mapping[str, str], name: str, default: float) -> float:
    raw = env.get(name)
    try:
        value = float(raw) if raw else default
    except ValueError as exc:
        raise ConfigurationError(_("{name} must be a number of seconds, not {raw!r}", name=name, raw=raw)) from exc
    if value < 0:
        raise ConfigurationError(_("{name} must not be negative, not {raw!r}", name=name, raw=raw))
    return value


def _rate(env: Mapping[str, str], name: str, default: str | None) -> str | None:
    """A rate in the `limits` notation ("600/minute", "10/second;600/hour"), or off."""
    raw = env.get(name)
    if not raw:
        return default
    if raw.lower() in ("off", "none", "0"):
        return None
    from limits import parse_many

    try:
        parse_many(raw)
    except ValueError as exc:
        raise ConfigurationError(_("{name} must read like 600/minute or off, not {raw!r}", name=name, raw=raw)) from exc
    return raw


def _switch(value: str, name: str) -> bool:
    if value.lower() in ("on", "true", "1", "yes"):
        return True
    if value.lower() in ("off", "false", "0", "no"):
        return False
    raise ConfigurationError(_("{name} must be on or off, not {value!r}", name=name, value=value))


def _pem(value: str | None) -> str | None:
    """HUB_JWT_PUBLIC_KEY is the PEM text itself or the path of a file holding it."""
    if not value:
        return None
    return value if value.lstrip().startswith("-----BEGIN") else Path(value).read_text(encoding="utf-8")


def _names(value: str | None) -> tuple[str, ...]:
    return tuple(name.strip() for name in (value or "").split(",") if name.strip())
