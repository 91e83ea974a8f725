"""An operator sees every request: /metrics in Prometheus' format (requests by operation and outcome,
latency histograms, SQL statements and time per request, pool use), open unless HUB_METRICS_TOKEN is set;
one structured log line per request carrying its id, which comes from x-request-id or traceparent."""

from __future__ import annotations

import importlib
import json
import logging
from dataclasses import replace

import httpx
from prometheus_client.parser import text_string_to_metric_families

from hub.app import create_app
from hub.observability import json_logging_config
from hub.runtime import Hub
from tests.seed import YEAR, seed_reference

TRACEPARENT = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01"


def samples(text: str) -> dict[tuple[str, tuple[tuple[str, str], ...]], float]:
    """Every sample of an exposition, parsed by prometheus-client's own parser."""
    out = {}
    for family in text_string_to_metric_families(text):
        for sample in family.samples:
            out[(sample.name, tuple(sorted(sample.labels.items())))] = sample.value
    return out


def value(scraped: dict, name: str, **labels: str) -> float:
    return scraped.get((name, tuple(sorted(labels.items()))), 0.0)


async def test_metrics_count_operations_outcomes_and_sql(client) -> None:  # type: ignore[no-untyped-def]
    await seed_reference(client.hub)
    token = client.token("national", sub="ops")
    for _ in range(3):
        await client.ok("query Provinces { provinces { code name } }")
    await client.gql("query Broken { provinces { nope } }")
    await client.gql("query Me { me { level } }")  # no token: a field error beside data
    await client.ok("query Me { me { level } }", token=token)
    scraped = samples((await client.http.get("/metrics")).text)
    ops = "hub_graphql_requests_total"
    assert value(scraped, ops, operation="Provinces", operation_type="query", outcome="ok") == 3
    assert value(scraped, ops, operation="Broken", operation_type="query", outcome="rejected") == 1
    assert value(scraped, ops, operation="Me", operation_type="query", outcome="error") == 1
    assert value(scraped, ops, operation="Me", operation_type="query", outcome="ok") == 1
    latency = "hub_graphql_request_duration_seconds_count"
    assert value(scraped, latency, operation="Provinces", operation_type="query") == 3
    statements = value(scraped, "hub_sql_statements_per_request_sum", route="/graphql")
    assert statements >= 3  # each Provinces query reads the provinces at least once
    assert value(scraped, "hub_sql_seconds_per_request_sum", route="/graphql") > 0
    if client.hub.engine.dialect.name == "postgresql":
        assert value(scraped, "hub_db_pool_size") == client.hub.settings.pool_size
        assert ("hub_db_pool_checked_out", ()) in scraped


async def test_metrics_token_protects_the_endpoint(hub) -> None:  # type: ignore[no-untyped-def]
    guarded = Hub(replace(hub.settings, metrics_token="scrape-me"))
    try:
        transport = httpx.ASGITransport(app=create_app(hub=guarded))
        async with httpx.AsyncClient(transport=transport, base_url="http://hub") as http:
            assert (await http.get("/metrics")).status_code == 401
            wrong = await http.get("/metrics", headers={"authorization": "Bearer nope"})
            assert wrong.status_code == 401
            right = await http.get("/metrics", headers={"authorization": "Bearer scrape-me"})
            assert right.status_code == 200 and "hub_http_requests_total" in right.text
    finally:
        await guarded.dispose()


async def test_one_log_line_per_request_with_its_id(client, caplog) -> None:  # type: ignore[no-untyped-def]
    caplog.set_level(logging.INFO, logger="hub.access")
    response = await client.http.post(
        "/graphql",
        json={"query": "query Mine { me { level } }"},
        headers={"x-request-id": "req-42", "authorization": f"Bearer {client.token('county', '621121')}"},
    )
    assert response.headers["x-request-id"] == "req-42"
    traced = await client.http.post(
        "/graphql", json={"query": "{ provinces { code } }"}, headers={"traceparent": TRACEPARENT}
    )
    assert traced.headers["x-request-id"] == "4bf92f3577b34da6a3ce929d0e0e4736"
    fresh = await client.http.get("/healthz")
    assert len(fresh.headers["x-request-id"]) == 32
    lines = [r for r in caplog.records if r.name == "hub.access"]
    assert len(lines) == 3
    mine = lines[0]
    assert (mine.request_id, mine.operation, mine.operation_type, mine.actor_level, mine.status, mine.outcome) == (
        "req-42",
        "Mine",
        "query",
        "county",
        200,
        "ok",
    )
    assert mine.duration_ms > 0 and mine.sql_statements >= 0
    assert lines[1].request_id == "4bf92f3577b34da6a3ce929d0e0e4736" and lines[1].actor_level == "anonymous"
    # `hub serve`'s formatter writes each as one JSON object on one line.
    formatter_config = json_logging_config()["formatters"]["json"]
    module, _dot, name = formatter_config["()"].rpartition(".")
    formatter_class = getattr(importlib.import_module(module), name)
    formatter = formatter_class(formatter_config["fmt"], rename_fields=formatter_config["rename_fields"])
    line = formatter.format(mine)
    assert "\n" not in line
    parsed = json.loads(line)
    assert parsed["request_id"] == "req-42" and parsed["operation"] == "Mine" and parsed["logger"] == "hub.access"
    assert parsed["status"] == 200 and parsed["actor_level"] == "county" and "duration_ms" in parsed


async def test_refusals_before_graphql_are_counted_too(client) -> None:  # type: ignore[no-untyped-def]
    response = await client.http.post("/graphql", content=b"query=x", headers={"content-type": "text/plain"})
    assert response.status_code == 400 and response.headers["x-request-id"]
    scraped = samples((await client.http.get("/metrics")).text)
    assert (
        value(
            scraped, "hub_graphql_requests_total", operation="anonymous", operation_type="unknown", outcome="rejected"
        )
        == 1
    )
    assert value(scraped, "hub_http_requests_total", route="/graphql", method="POST", status="400") == 1


async def test_health_names_the_version(client) -> None:  # type: ignore[no-untyped-def]
    from importlib.metadata import version

    assert (await client.http.get("/healthz")).json() == {"status": "ok", "version": version("xibu-hub")}


async def test_metrics_show_the_outbox_waiting_to_be_delivered(client) -> None:  # type: ignore[no-untyped-def]
    """Issue 16's outbox in the operator's view: events committed but not fanned out yet, their age, and the
    webhook deliveries by status (no delivery worker runs in this in-process app, so they stay waiting)."""
    await seed_reference(client.hub)
    before = samples((await client.http.get("/metrics")).text)
    assert value(before, "hub_outbox_events_pending") == 0
    assert value(before, "hub_outbox_lag_seconds") == 0
    scale = """mutation($input: SetProvinceScaleInput!) { setProvinceScale(input: $input) { userErrors { code } } }"""
    for code, people in (("62", 1200), ("63", 800)):
        data = await client.ok(
            scale, {"input": {"year": YEAR, "provinceCode": code, "scale": people}}, level="national"
        )
        assert data["setProvinceScale"]["userErrors"] == []
    after = samples((await client.http.get("/metrics")).text)
    assert value(after, "hub_outbox_events_pending") == 2  # each accepted mutation wrote its event
    assert value(after, "hub_webhook_deliveries", status="PENDING") == 0  # none fanned out yet
