"""What an operator sees of each request: Prometheus metrics, one JSON log line, OpenTelemetry spans.

- `RequestObserver` (ASGI middleware, outermost but for OpenTelemetry's): gives every request an id — the
  caller's `x-request-id`, else the trace id of its W3C `traceparent`, else a new one — echoed in the
  response's `x-request-id`; times it; and at the end counts it in the metrics and logs one line on
  `hub.access` (id, method, path, operation, actor level, duration, status, outcome, SQL statements and time).
- `OperationObserver` (a strawberry extension, first in hub/schema.py): names the request's operation and
  its outcome for the line and the metrics, and opens the one span per GraphQL operation.
- SQL: the dialect's execution events count each statement and its time into the request it runs for.
- `/metrics` in Prometheus' text format (prometheus-client, hub/metrics.py), open unless `HUB_METRICS_TOKEN`
  is set; then it wants `Authorization: Bearer <that token>`.
- Traces are off unless `OTEL_EXPORTER_OTLP_ENDPOINT` (or `OTEL_EXPORTER_OTLP_TRACES_ENDPOINT`) is set:
  then opentelemetry-instrumentation-asgi makes the server span, -sqlalchemy a span per statement, and
  the operation span sits between them; spans leave through the OTLP/HTTP exporter.
"""

from __future__ import annotations

import contextvars
import logging
import os
import re
import time
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from opentelemetry import context as otel_context
from opentelemetry import trace
from opentelemetry.trace import format_trace_id
from opentelemetry.trace.propagation.tracecontext import TraceContextTextMapPropagator
from sqlalchemy import event
from sqlalchemy.ext.asyncio import AsyncEngine
from starlette.middleware import Middleware
from starlette.types import ASGIApp, Message, Receive, Scope, Send
from strawberry.extensions import SchemaExtension

import hub
from hub.metrics import HubMetrics

access_log = logging.getLogger("hub.access")
REQUEST_ID = re.compile(r"^[A-Za-z0-9._:/+=-]{1,128}$")  # a caller's id is kept only if it is this tame
PROPAGATOR = TraceContextTextMapPropagator()  # stateless: one for the process, not one per request


@dataclass
class RequestRecord:
    """One request as the operator sees it; filled in by the middleware, the extension and the SQL events."""

    request_id: str
    operation: str | None = None  # the GraphQL operation's name; "anonymous" when it has none
    operation_type: str | None = None  # query or mutation
    actor_level: str | None = None  # national … volunteer; "anonymous" without a token
    outcome: str | None = None  # ok | error (errors beside data) | rejected (request error) | timeout
    sql_statements: int = 0
    sql_seconds: float = 0.0


CURRENT: contextvars.ContextVar[RequestRecord | None] = contextvars.ContextVar("hub_request", default=None)
COUNTED = "hub_counts_sql"  # set on a dialect whose statements count_sql already counts


def count_sql(engine: AsyncEngine) -> None:
    """Count every statement and its time into the request it runs for (nothing outside a request).

    Through the dialect's execution events (do_execute, do_executemany, do_execute_no_params), which run the
    statement here and say it ran, rather than the engine's before/after_cursor_execute: an engine-level
    listener makes every Connection join the engine's event dispatcher when it is made, ~25 µs of every
    request's CPU (a quarter of what the observability layers cost node_batch, measured with callgrind).
    A statement that fails raises through SQLAlchemy as before and is not counted."""
    sync_engine = engine.sync_engine
    dialect = sync_engine.dialect
    if getattr(dialect, COUNTED, False):
        return
    setattr(dialect, COUNTED, True)

    def do_execute(cursor: Any, statement: str, parameters: Any, context: Any) -> bool:
        return _timed(dialect.do_execute, cursor, statement, parameters, context)

    def do_executemany(cursor: Any, statement: str, parameters: Any, context: Any) -> bool:
        return _timed(dialect.do_executemany, cursor, statement, parameters, context)

    def do_execute_no_params(cursor: Any, statement: str, context: Any) -> bool:
        return _timed(dialect.do_execute_no_params, cursor, statement, context)

    event.listen(sync_engine, "do_execute", do_execute)
    event.listen(sync_engine, "do_executemany", do_executemany)
    event.listen(sync_engine, "do_execute_no_params", do_execute_no_params)


def _timed(execute: Any, *args: Any) -> bool:
    """Run the statement for the request being served and count it; outside a request, False: the dialect
    runs it as it would without the listener."""
    record = CURRENT.get()
    if record is None:
        return False
    started = time.perf_counter()
    execute(*args)
    record.sql_statements += 1
    record.sql_seconds += time.perf_counter() - started
    return True


def request_id(headers: dict[bytes, bytes]) -> str:
    """The caller's `x-request-id` if tame, else the trace id of a valid `traceparent` (or of the trace
    started here), else a new id (32 random hex digits, as a trace id is written)."""
    given = headers.get(b"x-request-id", b"").decode("latin-1").strip()
    if given and REQUEST_ID.match(given):
        return given
    traceparent = headers.get(b"traceparent")
    span_context = trace.INVALID_SPAN_CONTEXT
    if traceparent:
        carrier = {"traceparent": traceparent.decode("latin-1")}
        span_context = trace.get_current_span(PROPAGATOR.extract(carrier)).get_span_context()
    if not span_context.is_valid:  # no (valid) traceparent: the trace this hub started, when tracing is on
        span_context = trace.get_current_span().get_span_context()
    if span_context.is_valid:
        return format_trace_id(span_context.trace_id)
    return os.urandom(16).hex()


def route_of(path: str) -> str:
    """A bounded label for a path (metrics must not grow a series per URL)."""
    for route in ("/graphql", "/metrics", "/healthz", "/readyz"):
        if path == route:
            return route
    for prefix in ("/exports/", "/documents/"):
        if path.startswith(prefix):
            return prefix + "*"
    return "other"


class RequestObserver:
    """ASGI middleware: request id, timing, metrics and the access log line of every HTTP request."""

    def __init__(self, app: ASGIApp, metrics: HubMetrics) -> None:
        self.app = app
        self.metrics = metrics
        # Each label set's children, looked up once: prometheus-client checks and locks on every `labels()`.
        self._http: dict[tuple[str, str, int], tuple[Any, ...]] = {}
        self._graphql: dict[tuple[str, str, str], tuple[Any, Any]] = {}

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        record = RequestRecord(request_id(dict(scope.get("headers") or [])))
        token = CURRENT.set(record)
        status = 500
        started = time.perf_counter()

        async def send_with_id(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
                given = message.get("headers", ())
                message["headers"] = [*given, (b"x-request-id", record.request_id.encode("latin-1"))]
            await send(message)

        try:
            await self.app(scope, receive, send_with_id)
        finally:
            CURRENT.reset(token)
            self._observe(scope, record, status, time.perf_counter() - started)

    def _http_children(self, route: str, method: str, status: int) -> tuple[Any, ...]:
        key = (route, method, status)
        children = self._http.get(key)
        if children is None:
            metrics = self.metrics
            children = (
                metrics.http_requests.labels(route, method, str(status)),
                metrics.http_latency.labels(route),
                metrics.sql_statements.labels(route),
                metrics.sql_seconds.labels(route),
            )
            self._http[key] = children
        return children

    def _graphql_children(self, operation: str, kind: str, outcome: str) -> tuple[Any, Any]:
        key = (operation, kind, outcome)
        children = self._graphql.get(key)
        if children is None:
            children = (
                self.metrics.graphql_requests.labels(operation, kind, outcome),
                self.metrics.graphql_latency.labels(operation, kind),
            )
            self._graphql[key] = children
        return children

    def _observe(self, scope: Scope, record: RequestRecord, status: int, seconds: float) -> None:
        route = route_of(scope.get("path", ""))
        requests, latency, statements, sql_seconds = self._http_children(route, scope.get("method", ""), status)
        requests.inc()
        latency.observe(seconds)
        if route != "/metrics":
            statements.observe(record.sql_statements)
            sql_seconds.observe(record.sql_seconds)
        if route == "/graphql":
            if record.outcome is None:  # refused before GraphQL ran: body too large, bad content type, time out
                record.outcome = "timeout" if status == 503 else "rejected"
            operation, kind = record.operation or "anonymous", record.operation_type or "unknown"
            graphql_requests, graphql_latency = self._graphql_children(operation, kind, record.outcome)
            graphql_requests.inc()
            graphql_latency.observe(seconds)
        if not access_log.isEnabledFor(logging.INFO):
            return
        access_log.info(
            "request",
            extra={
                "request_id": record.request_id,
                "method": scope.get("method"),
                "path": scope.get("path"),
                "operation": record.operation,
                "operation_type": record.operation_type,
                "actor_level": record.actor_level,
                "status": status,
                "outcome": record.outcome,
                "duration_ms": round(seconds * 1000, 2),
                "sql_statements": record.sql_statements,
                "sql_ms": round(record.sql_seconds * 1000, 2),
            },
        )


def note_operation(name: str | None, kind: str | None, actor: Any, outcome: str) -> RequestRecord | None:
    """The operation of the current request, for its metrics and access line: its name, type (None when the
    document did not parse), the caller's level and the outcome (ok, error, rejected)."""
    record = CURRENT.get()
    if record is not None:
        record.operation = name or ("anonymous" if kind else None)
        record.operation_type = kind
        record.actor_level = actor.level.value.lower() if actor is not None else "anonymous"
        record.outcome = outcome
    return record


class OperationObserver(SchemaExtension):
    """Names the operation, its caller's level and outcome for the request's record, and wraps the
    operation in one span `query OperationName` (OpenTelemetry's GraphQL conventions; the document itself
    is not recorded: literals may hold personal data)."""

    def on_operation(self) -> Iterator[None]:
        context = self.execution_context.context
        hub_ = getattr(context, "hub", None)
        provider = getattr(hub_, "tracer_provider", None)
        span = None
        token = None
        if provider is not None:
            span = trace.get_tracer("hub.graphql", hub.__version__, tracer_provider=provider).start_span("GraphQL")
            token = otel_context.attach(trace.set_span_in_context(span))
        try:
            yield
        finally:
            if token is not None:
                otel_context.detach(token)
            self._finish(context, span)

    def _finish(self, context: Any, span: Any) -> None:
        execution = self.execution_context
        kind = None
        if execution.graphql_document is not None:  # operation_type raises when the document did not parse
            try:
                kind = execution.operation_type.value
            except Exception:  # e.g. an operationName that names no operation of the document
                kind = None
        name = execution.operation_name
        result = execution.result
        errors = getattr(result, "errors", None) or []
        if not errors:
            outcome = "ok"
        elif getattr(result, "data", None) is None and not any(e.path for e in errors):
            outcome = "rejected"
        else:
            outcome = "error"
        record = note_operation(name, kind, getattr(context, "actor", None), outcome)
        if span is not None:
            span.update_name(f"{kind or 'GraphQL'} {name}" if name else (kind or "GraphQL"))
            if kind:
                span.set_attribute("graphql.operation.type", kind)
            if name:
                span.set_attribute("graphql.operation.name", name)
            span.set_attribute("hub.outcome", outcome)
            if record is not None:
                span.set_attribute("hub.request_id", record.request_id)
            if outcome != "ok":
                span.set_status(trace.Status(trace.StatusCode.ERROR, errors[0].message))
            span.end()


def tracer_provider_from_env(environ: dict[str, str] | None = None) -> Any:
    """An SDK TracerProvider exporting over OTLP/HTTP when an OTLP endpoint is configured; None (no
    tracing at all) otherwise. The exporter reads the rest of OpenTelemetry's OTEL_* variables itself."""
    env = os.environ if environ is None else environ
    if not (env.get("OTEL_EXPORTER_OTLP_ENDPOINT") or env.get("OTEL_EXPORTER_OTLP_TRACES_ENDPOINT")):
        return None
    from opentelemetry.exporter.otlp.proto.http.trace_exporter import OTLPSpanExporter
    from opentelemetry.sdk.resources import Resource
    from opentelemetry.sdk.trace import TracerProvider
    from opentelemetry.sdk.trace.export import BatchSpanProcessor

    resource = Resource.create(
        {"service.name": env.get("OTEL_SERVICE_NAME", "xibu-hub"), "service.version": hub.__version__}
    )
    provider = TracerProvider(resource=resource)
    provider.add_span_processor(BatchSpanProcessor(OTLPSpanExporter()))
    return provider


def tracing_middleware(hub_: Any) -> list[Middleware]:
    """With `hub_.tracer_provider` set: OpenTelemetry's ASGI middleware (the server span, outermost) and a
    span per SQL statement of the hub's engine. SQLAlchemyInstrumentor is a process-wide singleton: the
    first app of a process is instrumented (one app per process when served)."""
    provider = hub_.tracer_provider
    if provider is None:
        return []
    from opentelemetry.instrumentation.asgi import OpenTelemetryMiddleware
    from opentelemetry.instrumentation.sqlalchemy import SQLAlchemyInstrumentor

    instrumentor = SQLAlchemyInstrumentor()
    if instrumentor.is_instrumented_by_opentelemetry:
        logging.getLogger("hub.observability").warning("SQLAlchemy already instrumented in this process")
    else:
        # The instrumentation declares SQLAlchemy < 2.1 while 2.1 runs here; its cursor events are unchanged
        # in 2.1 (tests/test_traces_span_each_operation.py checks the statement spans), so the check is skipped.
        instrumentor.instrument(engine=hub_.engine.sync_engine, tracer_provider=provider, skip_dep_check=True)
    return [Middleware(OpenTelemetryMiddleware, tracer_provider=provider)]


def json_logging_config(level: str = "INFO") -> dict[str, Any]:
    """logging.config's dict for `hub serve`: every record one JSON line on stderr (python-json-logger),
    the access line carrying its fields; uvicorn's own access log is replaced by ours."""
    return {
        "version": 1,
        "disable_existing_loggers": False,
        "formatters": {
            "json": {
                # orjson's encoder (already the hub's, for answers): the same fields, a quarter less time a line
                "()": "pythonjsonlogger.orjson.OrjsonFormatter",
                "fmt": "%(asctime)s %(levelname)s %(name)s %(message)s",
                "rename_fields": {"asctime": "time", "levelname": "level", "name": "logger"},
            }
        },
        "handlers": {"stderr": {"class": "logging.StreamHandler", "formatter": "json", "stream": "ext://sys.stderr"}},
        "root": {"handlers": ["stderr"], "level": level},
        "loggers": {
            "uvicorn": {"handlers": ["stderr"], "level": level, "propagate": False},
            "uvicorn.access": {"handlers": [], "level": "WARNING", "propagate": False},
        },
    }
