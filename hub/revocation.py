"""Token revocation by `jti`: `hub token revoke` lists a token's id in the database (`revoked_tokens`), and
every request carrying that token is refused from then on, by every hub process on that database.

The database is the shared store (not Redis) so that a revocation is as durable as the data it protects
and needs no second service; the check is one primary-key lookup per request carrying a `jti`. A token
without a `jti` cannot be revoked: require it with HUB_JWT_REQUIRED_CLAIMS=jti (`hub token` always
writes one)."""

from __future__ import annotations

from datetime import UTC, datetime

import jwt
from sqlalchemy import select
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
    """The check every request makes. Revocations are permanent, so a `jti` found revoked is remembered by
    the process; any other is looked up in the database each time (another process may have revoked it)."""

    def __init__(self, engine: AsyncEngine) -> None:
        self.engine = engine
        self.known: set[str] = set()

    async def revoked(self, jti: str) -> bool:
        if jti in self.known:
            return True
        async with self.engine.connect() as connection:
            found = (await connection.execute(select(table.c.jti).where(table.c.jti == jti))).first()
        if found is not None:
            self.known.add(jti)
        return found is not None
