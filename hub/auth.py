"""Bearer tokens (contract README) to an Actor: who is calling, at which office level, for which code."""

from __future__ import annotations

import re
import time
from dataclasses import dataclass

import jwt

from hub.enums import OfficeLevel
from hub.settings import Settings

CODE_PATTERNS = {
    OfficeLevel.PROVINCIAL: re.compile(r"\d{2}"),
    OfficeLevel.COUNTY: re.compile(r"\d{6}"),
    OfficeLevel.SCHOOL: re.compile(r"\d{5}"),
}


class AuthenticationError(Exception):
    """The token is missing, expired, badly signed or does not describe a valid actor (UNAUTHENTICATED)."""


@dataclass(frozen=True)
class Actor:
    """The caller: an office (level + jurisdiction code) or a volunteer's account (`subject`)."""

    level: OfficeLevel
    code: str | None
    subject: str

    @property
    def province_code(self) -> str | None:
        """The province of a provincial or county office (a county code starts with its province's)."""
        if self.level in (OfficeLevel.PROVINCIAL, OfficeLevel.COUNTY) and self.code:
            return self.code[:2]
        return None


def parse_token(token: str, settings: Settings) -> Actor:
    """Verify an HS256 token and read its claims. Any defect is an AuthenticationError."""
    options = {"require": ["exp", "sub"], "verify_aud": settings.jwt_audience is not None}
    try:
        claims = jwt.decode(
            token,
            settings.jwt_secret,
            algorithms=["HS256"],
            options=options,
            audience=settings.jwt_audience,
            issuer=settings.jwt_issuer,
        )
    except jwt.PyJWTError as exc:
        raise AuthenticationError(f"invalid token: {exc}") from exc
    try:
        level = OfficeLevel(str(claims.get("level", "")).upper())
    except ValueError as exc:
        raise AuthenticationError(f"unknown level {claims.get('level')!r}") from exc
    subject = claims.get("sub")
    if not isinstance(subject, str) or not subject:
        raise AuthenticationError("the token has no subject")
    code = claims.get("code")
    pattern = CODE_PATTERNS.get(level)
    if pattern is not None:
        if not isinstance(code, str) or not pattern.fullmatch(code):
            raise AuthenticationError(f"a {level.value.lower()} token needs a code of its level, not {code!r}")
    elif code is not None:
        raise AuthenticationError(f"a {level.value.lower()} token carries no code")
    return Actor(level=level, code=code, subject=subject)


def make_token(settings: Settings, level: str, subject: str, code: str | None = None, ttl: int = 3600) -> str:
    """Sign a token for `hub token` and the demo. The claims are checked as on the way in."""
    now = int(time.time())
    claims: dict[str, object] = {"sub": subject, "level": level.lower(), "iat": now, "exp": now + ttl}
    if code is not None:
        claims["code"] = code
    if settings.jwt_issuer:
        claims["iss"] = settings.jwt_issuer
    if settings.jwt_audience:
        claims["aud"] = settings.jwt_audience
    token = jwt.encode(claims, settings.jwt_secret, algorithm="HS256")
    parse_token(token, settings)
    return token


def bearer(header: str, settings: Settings) -> Actor | None:
    """The caller an Authorization header names (None without one); a malformed header or a bad token is an
    AuthenticationError. The downloads (hub/exchange) read it as /graphql does."""
    if not header:
        return None
    scheme, _, token = header.partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        raise AuthenticationError("the Authorization header must read 'Bearer <token>'")
    return parse_token(token.strip(), settings)
