"""Bearer tokens (contract README) to an Actor: who is calling, at which office level, for which code."""

from __future__ import annotations

import re
import time
import uuid
from dataclasses import dataclass, field
from typing import Any

import jwt

from hub.enums import OfficeLevel
from hub.i18n import _
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
    jti: str | None = field(default=None, compare=False)  # the token's id, for its revocation (hub.revocation)

    @property
    def province_code(self) -> str | None:
        """The province of a provincial or county office (a county code starts with its province's)."""
        if self.level in (OfficeLevel.PROVINCIAL, OfficeLevel.COUNTY) and self.code:
            return self.code[:2]
        return None


VERIFIED_TOKENS = 4096  # tokens whose verification is remembered (each until its exp), per process


_verified: dict[tuple[Any, ...], tuple[Actor, int]] = {}


def parse_token(token: str, settings: Settings) -> Actor:
    """The caller of a token, verified (`verify_token`) once and then remembered until the token expires: a
    front end sends the same token with every request, and verifying it again cost 0.1-0.2 ms of each
    answer of a small query. The key is the whole token (its signature too) and every setting that decides
    its verification; only verified tokens are kept, and a kept one is refused again from its `exp` on (as
    PyJWT refuses it: when now >= exp). Revocation is not verification: hub.tokenguard asks every time."""
    key = (
        token,
        settings.jwt_secret,
        settings.jwt_public_key,
        settings.jwt_issuer,
        settings.jwt_audience,
        settings.jwt_required_claims,
    )
    kept = _verified.get(key)
    if kept is not None and time.time() < kept[1]:
        return kept[0]
    actor, expires = verify_token(token, settings)
    if len(_verified) >= VERIFIED_TOKENS:
        del _verified[next(iter(_verified))]  # the oldest (insertion order), not all at once
    _verified[key] = (actor, expires)
    return actor


def verify_token(token: str, settings: Settings) -> tuple[Actor, int]:
    """Verify a token and read its claims: (the caller, its exp). Any defect is an AuthenticationError.

    HS256 tokens are checked with HUB_JWT_SECRET; RS256 tokens (a provincial identity provider) only when
    HUB_JWT_PUBLIC_KEY is set, and with that key only: the key is chosen by the algorithm and each key
    admits its one algorithm, so neither `alg: none` nor an HS256 token signed with the public key passes.
    `exp` and `sub` are required, with HUB_JWT_REQUIRED_CLAIMS on top; `iat` and `nbf` must not lie in
    the future, `iss` and `aud` must match when configured, `jti` must be a non-empty string when present.
    """
    try:
        algorithm = jwt.get_unverified_header(token).get("alg")
    except jwt.PyJWTError as exc:
        raise AuthenticationError(_("invalid token: {reason}", reason=exc)) from exc
    if algorithm == "HS256":
        key: str = settings.jwt_secret
    elif algorithm == "RS256" and settings.jwt_public_key:
        key = settings.jwt_public_key
    else:
        raise AuthenticationError(_("invalid token: the algorithm {algorithm!r} is not accepted", algorithm=algorithm))
    options = {
        "require": ["exp", "sub", *settings.jwt_required_claims],
        "verify_aud": settings.jwt_audience is not None,
        "verify_iss": settings.jwt_issuer is not None,
    }
    try:
        claims = jwt.decode(
            token,
            key,
            algorithms=[algorithm],
            options=options,
            audience=settings.jwt_audience,
            issuer=settings.jwt_issuer,
        )
    except jwt.PyJWTError as exc:
        raise AuthenticationError(_("invalid token: {reason}", reason=exc)) from exc
    if "jti" in claims and (not isinstance(claims["jti"], str) or not claims["jti"].strip()):
        raise AuthenticationError(_("invalid token: jti must be a non-empty string"))
    try:
        level = OfficeLevel(str(claims.get("level", "")).upper())
    except ValueError as exc:
        raise AuthenticationError(_("unknown level {level!r}", level=claims.get("level"))) from exc
    subject = claims.get("sub")
    if not isinstance(subject, str) or not subject:
        raise AuthenticationError(_("the token has no subject"))
    code = claims.get("code")
    pattern = CODE_PATTERNS.get(level)
    if pattern is not None:
        if not isinstance(code, str) or not pattern.fullmatch(code):
            raise AuthenticationError(
                _("a {level} token needs a code of its level, not {code!r}", level=level.value.lower(), code=code)
            )
    elif code is not None:
        raise AuthenticationError(_("a {level} token carries no code", level=level.value.lower()))
    expires = int(claims["exp"])  # as PyJWT reads it
    return Actor(level=level, code=code, subject=subject, jti=claims.get("jti")), expires


def make_token(settings: Settings, level: str, subject: str, code: str | None = None, ttl: int = 3600) -> str:
    """Sign a token for `hub token` and the demo. The claims are checked as on the way in."""
    now = int(time.time())
    claims: dict[str, object] = {
        "sub": subject,
        "level": level.lower(),
        "iat": now,
        "exp": now + ttl,
        "jti": uuid.uuid4().hex,
    }
    if code is not None:
        claims["code"] = code
    if settings.jwt_issuer:
        claims["iss"] = settings.jwt_issuer
    if settings.jwt_audience:
        claims["aud"] = settings.jwt_audience
    token = jwt.encode(claims, settings.jwt_secret, algorithm="HS256")
    verify_token(token, settings)
    return token


def bearer(header: str, settings: Settings) -> Actor | None:
    """The caller an Authorization header names (None without one); a malformed header or a bad token is an
    AuthenticationError. The downloads (hub/exchange) read it as /graphql does."""
    if not header:
        return None
    scheme, _sep, token = header.partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        raise AuthenticationError(_("the Authorization header must read 'Bearer <token>'"))
    return parse_token(token.strip(), settings)


VERIFIED = "hub.bearer"  # where the token guard leaves the caller it verified, in the ASGI scope's state


def remember_bearer(scope: Any, header: str, actor: Actor) -> None:
    """Keep the caller the token guard (hub.tokenguard) verified for this request, so the route does not
    verify the same token again."""
    scope.setdefault("state", {})[VERIFIED] = (header, actor)


def request_bearer(request: Any, settings: Settings) -> Actor | None:
    """`bearer` of a request's Authorization header, verified once per request: the token guard's answer
    when it verified this very header, else the token's own check."""
    header = request.headers.get("authorization", "")
    known = (getattr(request, "scope", None) or {}).get("state", {}).get(VERIFIED)
    if known is not None and known[0] == header:
        return known[1]
    return bearer(header, settings)
