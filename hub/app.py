"""create_app(settings) -> Starlette: /graphql (POST and GET, GraphiQL outside production), /healthz, /readyz.

Every request passes the RequestGuard first: a body over HUB_MAX_BODY_BYTES is refused (413) before it is
parsed, and a request still running after HUB_REQUEST_TIMEOUT is stopped (503; its transaction rolls back).
Mutations come only as POST with a JSON body: strawberry refuses them over GET, and any other content type
(form posts, text/plain — what a cross-site form can send without a preflight) is refused with a 400."""

from __future__ import annotations

import asyncio
import contextlib
import gc
import json
import logging
from collections.abc import AsyncIterator
from typing import Any

import orjson
from graphql import GraphQLError
from sqlalchemy import text
from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.requests import Request
from starlette.responses import HTMLResponse, JSONResponse
from starlette.routing import Route, WebSocketRoute
from starlette.types import ASGIApp, Message, Receive, Scope, Send
from strawberry.asgi import GraphQL
from strawberry.types import ExecutionResult

from hub import __version__, graphiql
from hub.auth import AuthenticationError, request_bearer
from hub.checkpoints import witness
from hub.events.subscriptions import connect
from hub.events.worker import Worker
from hub.exchange.routes import exchange_routes
from hub.graphql.context import HubContext
from hub.graphql.loaders import Loaders
from hub.graphql.planner import known_answer
from hub.graphql_http import GRAPHQL_RESPONSE, request_error_status, wants_graphql_response
from hub.i18n import LanguageMiddleware, _
from hub.metrics import HubMetrics, metrics_endpoint
from hub.observability import RequestObserver, count_sql, note_operation, tracing_middleware
from hub.runtime import Hub
from hub.sequencer import sequencing
from hub.settings import Limits, Settings
from hub.tokenguard import TokenGuard

log = logging.getLogger("hub.app")


class HubGraphQL(GraphQL):
    """Strawberry's ASGI view with the hub's context and compact, unescaped JSON."""

    def __init__(self, hub: Hub) -> None:
        super().__init__(hub.schema, graphql_ide=None if hub.settings.production else "graphiql")
        self.hub = hub

    async def get_context(self, request: Any, response: Any) -> HubContext:
        actor, error = None, None
        try:
            actor = request_bearer(request, self.hub.settings)
        except AuthenticationError as exc:
            error = str(exc)
        if request is not None and hasattr(request, "state"):
            request.state.graphql_response = response  # process_result sets its media type and status
        context = HubContext(
            hub=self.hub,
            actor=actor,
            auth_error=error,
            loaders=Loaders(self.hub.sessionmaker),
            request=request,
            response=response,
        )
        context.connection_params = None  # type: ignore[attr-defined]  # filled by graphql-transport-ws
        return context

    async def on_ws_connect(self, context: Any) -> Any:
        """graphql-transport-ws: the token is checked when the connection opens (issue 16)."""
        await connect(self.hub, context)

    async def execute_single(self, **kwargs: Any) -> Any:
        """Persisted operations first (hub/persisted.py): the document of a persisted-query hash, or (trusted
        documents) a refusal of anything not registered — a request error, like a document that won't parse."""
        resolved = await self.hub.documents.resolve(kwargs["request_data"])
        if isinstance(resolved, GraphQLError):
            return ExecutionResult(data=None, errors=[resolved])
        known = await self._known_answer(kwargs["request_adapter"].method, kwargs["context"], resolved)
        if known is not None:
            return known
        return await super().execute_single(**{**kwargs, "request_data": resolved})

    async def _known_answer(self, method: str, context: HubContext, request: Any) -> ExecutionResult | None:
        """A query planned before, answered by its statement without strawberry's pipeline (hub.graphql.planner
        `known_answer`); not when tracing, whose operation span OperationObserver makes in that pipeline."""
        hub = self.hub
        if not hub.read_planner or hub.tracer_provider is not None or not isinstance(request.query, str):
            return None
        if method == "GET" and not self.allow_queries_via_get:
            return None
        known = await known_answer(hub, context, request.query, request.operation_name, request.variables)
        if known is None:
            return None
        data, operation = known
        note_operation(operation, "query", context.actor, "ok")
        return ExecutionResult(data=data, errors=None)

    async def process_result(self, request: Any, result: Any) -> Any:
        """GraphQL over HTTP (hub/graphql_http.py): a client accepting application/graphql-response+json
        gets it, and a request error is then a 4xx answer without `data`."""
        response = await super().process_result(request, result)
        if not wants_graphql_response(request.headers.get("accept")):
            return response
        sub_response = request.state.graphql_response
        sub_response.media_type = GRAPHQL_RESPONSE
        status = request_error_status(response, result.errors)
        if status is not None:
            response.pop("data", None)
            sub_response.status_code = status
        return response

    def create_response(self, response_data: Any, sub_response: Any) -> Any:
        response = super().create_response(response_data, sub_response)
        if getattr(sub_response, "media_type", None) == GRAPHQL_RESPONSE:
            response.headers["content-type"] = f"{GRAPHQL_RESPONSE}; charset=utf-8"
        return response

    async def render_graphql_ide(self, request: Any) -> HTMLResponse:
        """GraphiQL from the hub's own assets (hub/graphiql), never a CDN."""
        return HTMLResponse(graphiql.page())

    def encode_json(self, data: object) -> str | bytes:
        """Compact UTF-8 JSON, Chinese unescaped: orjson writes the same bytes as json.dumps with these
        options, ~15× faster on a large answer (5.9 → 0.35 ms for Q1's 53 kB); json for what it refuses."""
        try:
            return orjson.dumps(data)
        except TypeError:  # e.g. an integer beyond 64 bits
            return json.dumps(data, ensure_ascii=False, separators=(",", ":"))


class RequestGuard:
    """ASGI middleware: the body-size and time limits of one HTTP request."""

    def __init__(self, app: ASGIApp, limits: Limits) -> None:
        self.app = app
        self.limits = limits

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        body = await self._read_body(scope, receive)
        if body is None:
            await _error(
                send,
                413,
                "PAYLOAD_TOO_LARGE",
                _("the request body is over {limit} bytes", limit=self.limits.max_body_bytes),
            )
            return
        replayed = False

        async def replay() -> Message:
            nonlocal replayed
            if replayed:
                return await receive()
            replayed = True
            return {"type": "http.request", "body": body, "more_body": False}

        started = False

        async def watch(message: Message) -> None:
            nonlocal started
            started = started or message["type"] == "http.response.start"
            await send(message)

        try:
            async with asyncio.timeout(self.limits.timeout_seconds):
                await self.app(scope, replay, watch)
        except TimeoutError:
            log.warning("%s %s stopped after %s s", scope.get("method"), scope.get("path"), self.limits.timeout_seconds)
            if not started:
                message = _(
                    "the request took longer than {seconds:g} s and was stopped", seconds=self.limits.timeout_seconds
                )
                await _error(send, 503, "TIMEOUT", message)

    async def _read_body(self, scope: Scope, receive: Receive) -> bytes | None:
        """The whole body, or None as soon as it is known to be over the limit (Content-Length or bytes)."""
        limit = self.limits.max_body_bytes
        declared = dict(scope.get("headers") or []).get(b"content-length")
        if declared is not None and declared.isdigit() and int(declared) > limit:
            return None
        chunks, size, more = [], 0, True
        while more:
            message = await receive()
            if message["type"] != "http.request":
                break
            chunk = message.get("body", b"")
            size += len(chunk)
            if size > limit:
                return None
            chunks.append(chunk)
            more = message.get("more_body", False)
        return b"".join(chunks)


async def _error(send: Send, status: int, code: str, message: str) -> None:
    response = JSONResponse({"errors": [{"message": message, "extensions": {"code": code}}]}, status_code=status)
    await response({"type": "http"}, _no_receive, send)


async def _no_receive() -> Message:
    return {"type": "http.disconnect"}


def create_app(settings: Settings | None = None, hub: Hub | None = None) -> Starlette:
    """The ASGI application. The hub (engine, schema) is built here, once, and disposed on shutdown."""
    hub = hub or Hub(settings or Settings.from_env())
    graphql = HubGraphQL(hub)

    metrics = HubMetrics(hub.engine, hub.reads)
    count_sql(hub.engine)

    async def healthz(_request: Request) -> JSONResponse:
        return JSONResponse({"status": "ok", "version": __version__})

    async def readyz(_request: Request) -> JSONResponse:
        try:
            async with hub.engine.connect() as connection:
                await connection.execute(text("SELECT 1"))
        except Exception as exc:  # any failure to reach the database means not ready
            return JSONResponse({"status": "unavailable", "error": type(exc).__name__}, status_code=503)
        return JSONResponse({"status": "ready"})

    @contextlib.asynccontextmanager
    async def lifespan(_app: Starlette) -> AsyncIterator[None]:
        worker = Worker(hub) if hub.settings.events.worker else None  # issue 16: webhook delivery
        if worker is not None:
            await worker.start()
        # The audit sequencer seals committed entries into the chain (and signs checkpoints) while serving.
        async with sequencing(hub.engine, hub.settings.audit_seal_interval, witness(hub.engine, hub.settings)):
            yield
        if worker is not None:
            await worker.close()
        await hub.dispose()

    app = Starlette(
        routes=[
            Route("/graphql", graphql, methods=["GET", "POST"]),
            WebSocketRoute("/graphql", graphql),  # subscriptions (graphql-transport-ws)
            Route("/healthz", healthz),
            Route("/readyz", readyz),
            Route("/metrics", metrics_endpoint(metrics, hub.settings.metrics_token)),
            *exchange_routes(hub),
            *([] if hub.settings.production else [graphiql.static_mount()]),
        ],
        lifespan=lifespan,
        middleware=[
            *tracing_middleware(hub),  # OpenTelemetry's server span, when tracing is configured
            Middleware(RequestObserver, metrics=metrics),  # outermost: ids, times and logs even refusals
            Middleware(LanguageMiddleware),
            Middleware(TokenGuard, hub=hub),  # rate limits and revoked tokens (hub/tokenguard.py)
            Middleware(RequestGuard, limits=hub.settings.limits),
        ],
    )
    app.state.hub = hub
    app.state.metrics = metrics
    return app


def freeze_heap() -> None:
    """Move what exists once the app is built (schema, message catalogue, modules: some 185,000 objects that
    live as long as the process) out of the cyclic garbage collector's reach (gc.freeze), so that its
    collections walk only what requests leave behind. Without it each full collection walked the whole
    heap, which has grown with the layers added since 8e5465b: node_batch spent 0.09 ms of GC per request
    in process, 0.025 ms with it. For `hub serve`, never for the apps tests build and throw away."""
    gc.collect()
    gc.freeze()


def create_served_app() -> Starlette:
    """`hub serve --workers N`'s factory: one worker's app (settings from the environment), heap frozen."""
    app = create_app()
    freeze_heap()
    return app
