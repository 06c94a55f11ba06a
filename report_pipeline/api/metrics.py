"""Prometheus metrics: the API's requests, and the pipeline as the app database tells it.

One registry per app (tests build many apps). Request metrics are counted by a
small ASGI middleware, labelled by the route template (`/api/reports/{report_id}`,
never the raw path, so ids do not explode the label set). Pipeline gauges are
queried when scraped (`appdb.metrics`), so they are never stale and every
replica agrees.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from datetime import time as clock

from prometheus_client import CollectorRegistry, Counter, Histogram, start_http_server
from prometheus_client.core import GaugeMetricFamily, Metric
from prometheus_client.registry import Collector
from starlette.types import Message, Receive, Scope, Send

from report_pipeline.api.http_middleware import HttpMiddleware
from report_pipeline.appdb.metrics import FINISHED, pipeline_snapshot
from report_pipeline.appdb.store import AppStore
from report_pipeline.settings import Settings

log = logging.getLogger(__name__)
PREFIX = "report_pipeline"


class ApiMetrics:
    """The registry of one app and its request instruments."""

    def __init__(self, store: AppStore, settings: Settings) -> None:
        self.registry = CollectorRegistry(auto_describe=True)
        self.requests = Counter(
            f"{PREFIX}_api_requests",
            "HTTP requests handled",
            ("method", "route", "status"),
            registry=self.registry,
        )
        self.latency = Histogram(
            f"{PREFIX}_api_request_duration_seconds",
            "Time to handle a request",
            ("method", "route"),
            registry=self.registry,
        )
        self.registry.register(PipelineCollector(store, settings))


@dataclass(eq=False)
class RequestMetricsMiddleware(HttpMiddleware):
    """Count and time every HTTP request by method, route template and status."""

    metrics: ApiMetrics

    async def handle(self, scope: Scope, receive: Receive, send: Send) -> None:
        status = 500  # an exception that escapes every handler becomes a 500
        started = time.perf_counter()

        async def remember_status(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
            await send(message)

        try:
            await self.app(scope, receive, remember_status)
        finally:
            route = getattr(scope.get("route"), "path", None) or "unmatched"
            self.metrics.requests.labels(scope["method"], route, str(status)).inc()
            self.metrics.latency.labels(scope["method"], route).observe(
                time.perf_counter() - started
            )


class PipelineCollector(Collector):
    """Gauges read from the app database at each scrape."""

    def __init__(self, store: AppStore, settings: Settings) -> None:
        self.store, self.settings = store, settings

    def collect(self) -> Iterator[Metric]:
        up = GaugeMetricFamily(
            f"{PREFIX}_app_database_up", "1 when the app database answered this scrape"
        )
        try:
            families = list(self._pipeline())
        except Exception as error:
            log.warning("metrics: app database query failed: %s", error)
            up.add_metric([], 0)
            yield up
            return
        up.add_metric([], 1)
        yield up
        yield from families

    def _pipeline(self) -> Iterator[Metric]:
        snap = pipeline_snapshot(self.store)
        closed = snap.last_closed_week
        deadline = _midnight(closed + timedelta(days=7)) + self.settings.deadline_hours * 3600
        yield _gauge(
            "last_closed_week_start_timestamp_seconds",
            "Start (Monday 00:00 UTC) of the last closed week",
            _midnight(closed),
        )
        yield _gauge(
            "last_closed_week_deadline_timestamp_seconds",
            "When the last closed week's report is due (REPORT_PIPELINE_DEADLINE_HOURS)",
            deadline,
        )
        yield _gauge(
            "last_closed_week_reported",
            "1 when the last closed week's report is succeeded, held or noop",
            1 if snap.last_closed_week_state in FINISHED else 0,
        )
        if snap.last_succeeded_week is not None:
            yield _gauge(
                "last_succeeded_week_start_timestamp_seconds",
                "Start of the newest week with a succeeded report",
                _midnight(snap.last_succeeded_week),
            )
        if snap.last_week is not None:
            week = snap.last_week.isoformat()
            total, failed = snap.last_week_documents or 0, snap.last_week_failed or 0
            yield _gauge(
                "last_week_documents", "Documents of the newest reported week", total, week=week
            )
            yield _gauge(
                "last_week_documents_failed",
                "Documents of the newest reported week that failed extraction",
                failed,
                week=week,
            )
            yield _gauge(
                "last_week_failed_share",
                "Failed share of the newest reported week",
                failed / total if total else 0.0,
                week=week,
            )
        yield _gauge(
            "max_failed_share",
            "The completeness gate's limit (REPORT_PIPELINE_MAX_FAILED_SHARE)",
            self.settings.max_failed_share,
        )
        yield _labelled("reports", "Report rows by state", "state", snap.reports_by_state)
        yield _gauge(
            "reports_held", "Reports whose emails are held and not released", snap.reports_held
        )
        yield _labelled(
            "deliveries",
            "Email deliveries by status (all weeks)",
            "status",
            snap.deliveries_by_status,
        )
        yield _gauge(
            "oldest_open_delivery_age_seconds",
            "Age of the oldest pending, sending or failed (retrying) delivery",
            snap.oldest_open_delivery_age_seconds,
        )


def _gauge(name: str, documentation: str, value: float, **labels: str) -> GaugeMetricFamily:
    family = GaugeMetricFamily(f"{PREFIX}_{name}", documentation, labels=list(labels))
    family.add_metric(list(labels.values()), value)
    return family


def _labelled(name: str, documentation: str, label: str, values: dict[str, int]) -> Metric:
    family = GaugeMetricFamily(f"{PREFIX}_{name}", documentation, labels=[label])
    for key, value in sorted(values.items()):
        family.add_metric([key], value)
    return family


def _midnight(day: date) -> float:
    return datetime.combine(day, clock.min, UTC).timestamp()


def serve_on_port(metrics: ApiMetrics, port: int, host: str = "0.0.0.0"):
    """Unauthenticated /metrics on a port of its own (REPORT_PIPELINE_METRICS_PORT).

    Only for a port that the network already keeps private (a pod port that
    only Prometheus reaches); returns (server, thread) so a caller can stop it.
    """
    return start_http_server(port, addr=host, registry=metrics.registry)
