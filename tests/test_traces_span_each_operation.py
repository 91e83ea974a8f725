"""OpenTelemetry: off unless an OTLP endpoint is configured; when on, each request has the ASGI server span
(opentelemetry-instrumentation-asgi), inside it one span per GraphQL operation, and inside that a span per
SQL statement (opentelemetry-instrumentation-sqlalchemy). Spans are caught by the SDK's in-memory exporter."""

from __future__ import annotations

from collections.abc import Iterator

import httpx
import pytest
from opentelemetry.instrumentation.sqlalchemy import SQLAlchemyInstrumentor
from opentelemetry.sdk.trace import TracerProvider
from opentelemetry.sdk.trace.export import SimpleSpanProcessor
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter
from opentelemetry.trace import format_trace_id

from hub.app import create_app
from hub.observability import tracer_provider_from_env

TRACE_ID = "4bf92f3577b34da6a3ce929d0e0e4736"


@pytest.fixture
def exporter(hub) -> Iterator[InMemorySpanExporter]:  # type: ignore[no-untyped-def]
    spans = InMemorySpanExporter()
    provider = TracerProvider()
    provider.add_span_processor(SimpleSpanProcessor(spans))
    hub.tracer_provider = provider
    yield spans
    SQLAlchemyInstrumentor().uninstrument()  # a process-wide singleton: the next app instruments its own engine


async def test_one_span_per_operation_between_server_and_sql(hub, exporter) -> None:  # type: ignore[no-untyped-def]
    transport = httpx.ASGITransport(app=create_app(hub=hub))
    async with httpx.AsyncClient(transport=transport, base_url="http://hub") as http:
        response = await http.post(
            "/graphql",
            json={"query": "query Provinces { provinces { code } }"},
            headers={"traceparent": f"00-{TRACE_ID}-00f067aa0ba902b7-01"},
        )
        assert response.status_code == 200 and response.headers["x-request-id"] == TRACE_ID
        await http.post("/graphql", json={"query": "mutation Nope { nope }"})
    spans = exporter.get_finished_spans()
    operations = [s for s in spans if s.attributes.get("graphql.operation.name")]
    assert [s.name for s in operations] == ["query Provinces", "mutation Nope"]
    provinces, nope = operations
    assert format_trace_id(provinces.context.trace_id) == TRACE_ID  # the caller's trace continues here
    assert provinces.attributes["hub.outcome"] == "ok" and nope.attributes["hub.outcome"] == "rejected"
    assert not nope.status.is_ok
    by_id = {s.context.span_id: s for s in spans}
    server = by_id[provinces.parent.span_id]
    assert server.kind.name == "SERVER" and server.parent.span_id == 0x00F067AA0BA902B7
    statements = [s for s in spans if s.parent is not None and s.parent.span_id == provinces.context.span_id]
    assert statements, [s.name for s in spans]
    assert all("db.system" in s.attributes or "db.system.name" in s.attributes for s in statements)


def test_tracing_is_off_unless_configured() -> None:
    assert tracer_provider_from_env({}) is None
    provider = tracer_provider_from_env({"OTEL_EXPORTER_OTLP_ENDPOINT": "http://127.0.0.1:4318"})
    assert isinstance(provider, TracerProvider)
    assert provider.resource.attributes["service.name"] == "xibu-hub"
    provider.shutdown()
