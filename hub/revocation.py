"""Token revocation by `jti`: `hub token revoke` lists a token's id in the database (`revoked_tokens`), and
every request carrying that token is refused from then on, by every hub process on that database.

The database is the shared store (not Redis) so that a revocation is as durable as the data it protects
and needs no second service. Each process checks every request against the revocations it loaded at most
HUB_REVOCATION_REFRESH seconds ago (default 2; 0: a primary-key lookup per request). A token without a
`jti` cannot be revoked: require it with HUB_JWT_REQUIRED_CLAIMS=jti (`hub token` always writes one)."""

from __future__ import annotations

import asyncio
import time
from datetime import UTC, datetime

import jwt
from sqlalchemy import or_, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncEngine

from hub.models import RevokedToken

table = RevokedToken.__table__  # type: ignore[attr-defined]


def token_id(token: str) -> tuple[str | None, datetime | None]:
    """The `jti` and `exp` a token carries (read, not verified: revoking a token needs no key), or a bare
    `jti` given as it is."""
    if token.count(".") != 2:
        return token.strip() or None, None
    try:
        claims = jwt.decode(token, options={"verify_signature": False})
    except jwt.PyJWTError:
        return None, None
    jti, exp = claims.get("jti"), claims.get("exp")
    expires = datetime.fromtimestamp(exp, UTC) if isinstance(exp, int | float) else None
    return (jti if isinstance(jti, str) and jti.strip() else None), expires


async def revoke(
    engine: AsyncEngine, jti: str, now: datetime, expires_at: datetime | None = None, reason: str | None = None
) -> bool:
    """List `jti` as revoked; False when it already was."""
    try:
        async with engine.begin() as connection:
            await connection.execute(
                table.insert().values(jti=jti, revoked_at=now, expires_at=expires_at, reason=reason)
            )
    except IntegrityError:
        return False
    return True


class Revocations:
    """The check every request makes against the revoked `jti`s. With `refresh` > 0 the process keeps the
    unexpired revocations in memory and reloads them when they are older than `refresh` seconds (one
    statement per process per interval, not one per request: a revocation reaches every process within
    `refresh`); with 0 each request looks its `jti` up in the database. Revocations are permanent, so a
    `jti` found revoked stays known to the process."""

    def __init__(self, engine: AsyncEngine, refresh: float = 0.0) -> None:
        self.engine = engine
        self.refresh = refresh
        self.known: set[str] = set()
        self.loaded_at = float("-inf")
        self.loading = asyncio.Lock()

    async def revoked(self, jti: str) -> bool:
        if jti in self.known:
            return True
        if self.refresh <= 0:
            async with self.engine.connect() as connection:
                found = (await connection.execute(select(table.c.jti).where(table.c.jti == jti))).first()
            if found is not None:
                self.known.add(jti)
            return found is not None
        if time.monotonic() - self.loaded_at >= self.refresh:
            async with self.loading:  # one reload at a time; the requests behind it wait for it
                if time.monotonic() - self.loaded_at >= self.refresh:
                    await self._reload()
        return jti in self.known

    async def _reload(self) -> None:
        started = time.monotonic()
        now = datetime.now(UTC)
        async with self.engine.connect() as connection:
            rows = await connection.execute(
                select(table.c.jti).where(or_(table.c.expires_at.is_(None), table.c.expires_at > now))
            )
            self.known |= {row[0] for row in rows}
        self.loaded_at = started
