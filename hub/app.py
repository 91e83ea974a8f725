"""create_app(settings) -> Starlette: /graphql (POST and GET, GraphiQL outside production), /healthz, /readyz."""

from __future__ import annotations

import contextlib
import json
from collections.abc import AsyncIterator
from typing import Any

from sqlalchemy import text
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route
from strawberry.asgi import GraphQL

from hub.auth import AuthenticationError, parse_token
from hub.exchange.routes import exchange_routes
from hub.graphql.context import HubContext
from hub.graphql.loaders import Loaders
from hub.runtime import Hub
from hub.settings import Settings


class HubGraphQL(GraphQL):
    """Strawberry's ASGI view with the hub's context and compact, unescaped JSON."""

    def __init__(self, hub: Hub) -> None:
        super().__init__(hub.schema, graphql_ide=None if hub.settings.production else "graphiql")
        self.hub = hub

    async def get_context(self, request: Any, response: Any) -> HubContext:
        actor, error = None, None
        header = request.headers.get("authorization", "")
        if header:
            scheme, _, token = header.partition(" ")
            if scheme.lower() != "bearer" or not token.strip():
                error = "the Authorization header must read 'Bearer <token>'"
            else:
                try:
                    actor = parse_token(token.strip(), self.hub.settings)
                except AuthenticationError as exc:
                    error = str(exc)
        return HubContext(
            hub=self.hub,
            actor=actor,
            auth_error=error,
            loaders=Loaders(self.hub.sessionmaker),
            request=request,
            response=response,
        )

    def encode_json(self, data: object) -> str:
        return json.dumps(data, ensure_ascii=False, separators=(",", ":"))


def create_app(settings: Settings | None = None, hub: Hub | None = None) -> Starlette:
    """The ASGI application. The hub (engine, schema) is built here, once, and disposed on shutdown."""
    hub = hub or Hub(settings or Settings.from_env())
    graphql = HubGraphQL(hub)

    async def healthz(_request: Request) -> JSONResponse:
        return JSONResponse({"status": "ok"})

    async def readyz(_request: Request) -> JSONResponse:
        try:
            async with hub.engine.connect() as connection:
                await connection.execute(text("SELECT 1"))
        except Exception as exc:  # any failure to reach the database means not ready
            return JSONResponse({"status": "unavailable", "error": type(exc).__name__}, status_code=503)
        return JSONResponse({"status": "ready"})

    @contextlib.asynccontextmanager
    async def lifespan(_app: Starlette) -> AsyncIterator[None]:
        yield
        await hub.dispose()

    app = Starlette(
        routes=[
            Route("/graphql", graphql, methods=["GET", "POST"]),
            Route("/healthz", healthz),
            Route("/readyz", readyz),
            *exchange_routes(hub),
        ],
        lifespan=lifespan,
    )
    app.state.hub = hub
    return app
