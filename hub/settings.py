"""The HUB_* environment, read once into one typed Settings object."""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from datetime import date

DEV_SECRET = "xibu-hub-development-secret-change-me"


class ConfigurationError(RuntimeError):
    """The environment asks for something the hub refuses to run with."""


@dataclass(frozen=True)
class Settings:
    database_url: str = "sqlite+aiosqlite:///hub.db"
    jwt_secret: str = DEV_SECRET
    plugins: tuple[str, ...] | None = None  # None: every installed plugin
    env: str = "development"
    today: date | None = None
    jwt_issuer: str | None = None
    jwt_audience: str | None = None
    pool_size: int = 16
    plan_year: str = "2021-2022"  # R14: the plan's year, from which the two-year transition counts
    read_planner: bool = True  # plan read queries into one SQL statement (PostgreSQL); off: the executor only
    extra: dict[str, str] = field(default_factory=dict)

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
            plugins=None if plugins is None else tuple(p.strip() for p in plugins.split(",") if p.strip()),
            env=env.get("HUB_ENV", "development"),
            today=date.fromisoformat(today) if today else None,
            jwt_issuer=env.get("HUB_JWT_ISSUER") or None,
            jwt_audience=env.get("HUB_JWT_AUDIENCE") or None,
            pool_size=int(env.get("HUB_DB_POOL_SIZE", "16")),
            plan_year=env.get("HUB_PLAN_YEAR") or cls.plan_year,
            read_planner=_switch(env.get("HUB_READ_PLANNER", "on"), "HUB_READ_PLANNER"),
        )
        settings.check()
        return settings

    def check(self) -> None:
        if self.env not in ("development", "production"):
            raise ConfigurationError(f"HUB_ENV must be development or production, not {self.env!r}")
        if self.production and self.jwt_secret == DEV_SECRET:
            raise ConfigurationError("HUB_JWT_SECRET must be set in production (the development secret is refused)")


def _switch(value: str, name: str) -> bool:
    if value.lower() in ("on", "true", "1", "yes"):
        return True
    if value.lower() in ("off", "false", "0", "no"):
        return False
    raise ConfigurationError(f"{name} must be on or off, not {value!r}")
