"""Revoked tokens: a `jti` listed here is refused on every request, by every hub process (hub/revocation.py)."""

from __future__ import annotations

from datetime import datetime

from sqlmodel import Field, SQLModel


class RevokedToken(SQLModel, table=True):
    """A token withdrawn before its `exp` (`hub token revoke`): its `jti`, when, why, and until when the
    listing matters (the token's own `exp`, when known; after it the signature check refuses it anyway)."""

    __tablename__ = "revoked_tokens"

    jti: str = Field(primary_key=True, max_length=200)
    revoked_at: datetime
    expires_at: datetime | None = Field(default=None)
    reason: str | None = Field(default=None, max_length=200)
