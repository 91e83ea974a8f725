"""The hub's Prometheus metrics (prometheus-client): what hub/observability.py counts per request, the
connection pool and the replica routing read at scrape time, and `GET /metrics` (docs/operations.md)."""

from __future__ import annotations

import hmac
import logging
import os
from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any

from prometheus_client import CONTENT_TYPE_LATEST, CollectorRegistry, Counter, Gauge, Histogram, generate_latest
from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily
from prometheus_client.registry import Collector
from sqlalchemy.ext.asyncio import AsyncEngine
from starlette.requests import Request
from starlette.responses import JSONResponse, Response

LATENCY_BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60)
STATEMENT_BUCKETS = (0, 1, 2, 3, 5, 8, 13, 21, 34, 55, 89, 144)


class PoolCollector(Collector):
    """The connection pool's use, read when scraped (QueuePool: PostgreSQL; SQLite has no pool to show)."""

    def __init__(self, engine: AsyncEngine) -> None:
        self.engine = engine

    def collect(self) -> Iterator[GaugeMetricFamily]:
        pool = self.engine.sync_engine.pool
        if not hasattr(pool, "checkedout"):
            return
        for name, help_text, value in (
            ("hub_db_pool_size", "Connections the pool keeps", pool.size()),
            ("hub_db_pool_checked_out", "Connections in use by requests", pool.checkedout()),
            ("hub_db_pool_idle", "Connections open and idle in the pool", pool.checkedin()),
            ("hub_db_pool_overflow", "Connections open beyond the pool size", max(pool.overflow(), 0)),
        ):
            yield GaugeMetricFamily(name, help_text, value=value)


class ReadRoutingCollector(Collector):
    """Planned reads by the database that answered them, and the replica's lag as last measured."""

    def __init__(self, reads: Any) -> None:
        self.reads = reads

    def collect(self) -> Iterator[Any]:
        counter = CounterMetricFamily(
            "hub_db_planned_reads", "Planned reads by the database that answered (primary, replica)", labels=["target"]
        )
        for target in ("primary", "replica"):
            counter.add_metric([target], self.reads.reads[target])
        yield counter
        if self.reads.replica is not None and self.reads.last_lag is not None:
            yield GaugeMetricFamily(
                "hub_db_replica_lag_seconds", "The replica's lag, as last measured", self.reads.last_lag
            )


class HubMetrics:
    """The hub's Prometheus metrics, in a registry of their own (one per app, so tests may build many)."""

    def __init__(self, engine: AsyncEngine, reads: Any = None) -> None:
        self.registry = CollectorRegistry()
        self.http_requests = Counter(
            "hub_http_requests",
            "HTTP requests by route and status",
            ["route", "method", "status"],
            registry=self.registry,
        )
        self.http_latency = Histogram(
            "hub_http_request_duration_seconds",
            "HTTP request duration",
            ["route"],
            buckets=LATENCY_BUCKETS,
            registry=self.registry,
        )
        self.graphql_requests = Counter(
            "hub_graphql_requests",
            "GraphQL requests by operation name, type and outcome (ok, error, rejected, timeout)",
            ["operation", "operation_type", "outcome"],
            registry=self.registry,
        )
        self.graphql_latency = Histogram(
            "hub_graphql_request_duration_seconds",
            "GraphQL request duration by operation name",
            ["operation", "operation_type"],
            buckets=LATENCY_BUCKETS,
            registry=self.registry,
        )
        self.sql_statements = Histogram(
            "hub_sql_statements_per_request",
            "SQL statements run for one request",
            ["route"],
            buckets=STATEMENT_BUCKETS,
            registry=self.registry,
        )
        self.sql_seconds = Histogram(
            "hub_sql_seconds_per_request",
            "Time spent in SQL statements for one request",
            ["route"],
            buckets=LATENCY_BUCKETS,
            registry=self.registry,
        )
        self.engine = engine
        self.outbox_events = Gauge(
            "hub_outbox_events_pending", "Committed events not yet fanned out to webhooks", registry=self.registry
        )
        self.outbox_lag = Gauge(
            "hub_outbox_lag_seconds",
            "Age of the oldest committed event not yet fanned out (0 when none waits)",
            registry=self.registry,
        )
        self.deliveries = Gauge(
            "hub_webhook_deliveries", "Webhook deliveries by status", ["status"], registry=self.registry
        )
        self.collectors: list[Collector] = [PoolCollector(engine)]
        if reads is not None:
            self.collectors.append(ReadRoutingCollector(reads))
        for collector in self.collectors:
            self.registry.register(collector)

    async def refresh_outbox(self) -> None:
        """The outbox's figures (issue 16), read at each scrape: two small statements on indexed columns."""
        from sqlalchemy import func, select

        from hub import models as m

        async with self.engine.connect() as connection:
            waiting, oldest = (
                await connection.execute(
                    select(func.count(), func.min(m.DomainEvent.at)).where(m.DomainEvent.fanned_out.is_(False))
                )
            ).one()
            by_status = dict(
                (await connection.execute(select(m.Delivery.status, func.count()).group_by(m.Delivery.status))).all()
            )
        self.outbox_events.set(waiting)
        if oldest is not None and oldest.tzinfo is None:
            oldest = oldest.replace(tzinfo=UTC)
        self.outbox_lag.set(0 if oldest is None else max(0.0, (datetime.now(UTC) - oldest).total_seconds()))
        for status in ("PENDING", "DELIVERED", "DEAD"):
            self.deliveries.labels(status=status).set(by_status.get(status, 0))

    def scrape(self) -> bytes:
        """The text exposition; with PROMETHEUS_MULTIPROC_DIR set (several worker processes), the counters and
        histograms summed over all workers' files as prometheus-client's multiprocess mode collects them, and
        the pool and replica figures of the worker that answers the scrape."""
        if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
            from prometheus_client import multiprocess

            registry = CollectorRegistry()
            multiprocess.MultiProcessCollector(registry)
            for collector in self.collectors:
                registry.register(collector)
            return generate_latest(registry)
        return generate_latest(self.registry)


def metrics_endpoint(metrics: HubMetrics, token: str | None) -> Any:
    """GET /metrics: open, or (HUB_METRICS_TOKEN set) only with `Authorization: Bearer <token>`."""

    async def endpoint(request: Request) -> Response:
        if token:
            given = request.headers.get("authorization", "")
            if not hmac.compare_digest(given.encode(), f"Bearer {token}".encode()):
                return JSONResponse(
                    {"error": "the metrics need `Authorization: Bearer <HUB_METRICS_TOKEN>`"},
                    status_code=401,
                    headers={"www-authenticate": "Bearer"},
                )
        try:
            await metrics.refresh_outbox()
        except Exception:  # a lost database must not cost the scrape its other figures (pool, requests)
            logging.getLogger("hub.metrics").warning("the outbox figures could not be read", exc_info=True)
        return Response(metrics.scrape(), media_type=CONTENT_TYPE_LATEST)

    return endpoint
