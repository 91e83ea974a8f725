"""ASGI middleware: what a valid token may still be refused for, checked on every request before any
route — a revoked `jti` (401 UNAUTHENTICATED, hub/revocation.py) and the rate limits of its subject and
office (429 RATE_LIMITED with Retry-After, hub/ratelimits.py). A missing or invalid token passes on: the
route answers it as before (UNAUTHENTICATED, or the public reference data)."""

from __future__ import annotations

import logging

from sqlalchemy.exc import SQLAlchemyError
from starlette.responses import JSONResponse
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from hub.auth import AuthenticationError, bearer, remember_bearer
from hub.i18n import N_, _
from hub.ratelimits import RateLimits
from hub.revocation import Revocations
from hub.runtime import Hub

log = logging.getLogger("hub.tokenguard")
SCOPES = {"subject": N_("account"), "office": N_("office")}  # what a rate limit counts, as a person reads it


class TokenGuard:
    def __init__(self, app: ASGIApp, hub: Hub) -> None:
        self.app = app
        self.settings = hub.settings
        self.revocations = Revocations(hub.guard_engine, hub.settings.revocation_refresh)
        self.limits = RateLimits(hub.settings)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        header = dict(scope.get("headers") or []).get(b"authorization") if scope["type"] == "http" else None
        if not header:
            await self.app(scope, receive, send)
            return
        text = header.decode("latin-1")
        try:
            actor = bearer(text, self.settings)
        except AuthenticationError:
            await self.app(scope, receive, send)
            return
        assert actor is not None
        remember_bearer(scope, text, actor)
        jti = actor.jti
        if jti is not None:
            try:
                revoked = await self.revocations.revoked(jti)
            except (SQLAlchemyError, OSError) as exc:
                log.warning("revocation not checked, the database is unavailable: %s", exc)
                # Refused, never let through unchecked; answered as /graphql answers a lost database.
                await _answer(send, 200, "DATABASE_UNAVAILABLE", _("the database is unavailable; try again shortly"))
                return
            if revoked:
                await _answer(
                    send, 401, "UNAUTHENTICATED", _("invalid token: it was revoked"), {"www-authenticate": "Bearer"}
                )
                return
        if self.limits.enabled:
            refusal = await self.limits.refuse(actor)
            if refusal is not None:
                message = _(
                    "too many requests for this {scope} (limit {limit}); try again in {seconds} s",
                    scope=_(SCOPES[refusal.scope]),
                    limit=refusal.limit,
                    seconds=refusal.retry_after,
                )
                await _answer(send, 429, "RATE_LIMITED", message, {"retry-after": str(refusal.retry_after)})
                return
        await self.app(scope, receive, send)


async def _answer(send: Send, status: int, code: str, message: str, headers: dict[str, str] | None = None) -> None:
    body = {"data": None, "errors": [{"message": message, "extensions": {"code": code}}]}
    response = JSONResponse(body, status_code=status, headers=headers)
    await response({"type": "http"}, _no_receive, send)


async def _no_receive() -> Message:
    return {"type": "http.disconnect"}
