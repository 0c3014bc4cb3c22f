"""Prometheus metrics of the service and the ASGI middleware that feeds them.

Requests are counted and timed by method, route template (``/v1/cases/{case_id}``,
never the raw path, so that ids do not explode the label space) and status.
Decisions are counted by outcome, refusals (401/403) by route and status, and
the engine's steps are timed where it reports them.

With several workers (``finduo serve --workers N``) each process writes its
samples to ``PROMETHEUS_MULTIPROC_DIR`` and ``/metrics`` adds them up.
"""

from __future__ import annotations

import os
from time import perf_counter
from typing import Any

from prometheus_client import (
    CONTENT_TYPE_LATEST,
    CollectorRegistry,
    Counter,
    Histogram,
    generate_latest,
)
from prometheus_client.multiprocess import MultiProcessCollector
from starlette.types import ASGIApp, Message, Receive, Scope, Send

MULTIPROC_ENV = "PROMETHEUS_MULTIPROC_DIR"

# Seconds: the service aims at 2 ms median and 10 ms p99.
LATENCY_BUCKETS = (
    0.0005,
    0.001,
    0.002,
    0.003,
    0.005,
    0.0075,
    0.01,
    0.025,
    0.05,
    0.1,
    0.25,
    0.5,
    1.0,
    2.5,
)
STEP_BUCKETS = (0.00005, 0.0001, 0.00025, 0.0005, 0.001, 0.002, 0.005, 0.01, 0.05)


class ApiMetrics:
    """The metrics of one app, in a registry of its own (tests build many apps)."""

    def __init__(self) -> None:
        self.registry = CollectorRegistry(auto_describe=True)
        self.requests = Counter(
            "finduo_http_requests_total",
            "HTTP requests answered, by method, route and status.",
            ["method", "route", "status"],
            registry=self.registry,
        )
        self.latency = Histogram(
            "finduo_http_request_duration_seconds",
            "Time from request to the end of the answer, by method, route, status.",
            ["method", "route", "status"],
            buckets=LATENCY_BUCKETS,
            registry=self.registry,
        )
        self.decisions = Counter(
            "finduo_decisions_total",
            "Decisions answered, by outcome (approve, refer, decline).",
            ["outcome"],
            registry=self.registry,
        )
        self.refusals = Counter(
            "finduo_auth_refusals_total",
            "Requests refused for identity (401) or role (403), by route.",
            ["route", "status"],
            registry=self.registry,
        )
        self.steps = Histogram(
            "finduo_decision_step_seconds",
            "Time spent in each step of one decision.",
            ["step"],
            buckets=STEP_BUCKETS,
            registry=self.registry,
        )
        # Label lookups cost more than the update: the children are kept.
        self._request_children: dict[tuple[str, str, int], tuple[Any, Any]] = {}
        self._step_children: dict[str, Any] = {}
        self._decision_children: dict[str, Any] = {}

    def observe_request(
        self, method: str, route: str, status: int, seconds: float
    ) -> None:
        key = (method, route, status)
        children = self._request_children.get(key)
        if children is None:
            labels = (method, route, str(status))
            children = (self.requests.labels(*labels), self.latency.labels(*labels))
            self._request_children[key] = children
        children[0].inc()
        children[1].observe(seconds)
        if status in (401, 403):
            self.refusals.labels(route, str(status)).inc()

    def observe_steps(self, timings: dict[str, float]) -> None:
        for step, seconds in timings.items():
            child = self._step_children.get(step)
            if child is None:
                child = self._step_children[step] = self.steps.labels(step)
            child.observe(seconds)

    def count_decision(self, outcome: str) -> None:
        child = self._decision_children.get(outcome)
        if child is None:
            child = self._decision_children[outcome] = self.decisions.labels(outcome)
        child.inc()

    def render(self) -> tuple[bytes, str]:
        """The exposition text: of all workers when several write samples."""
        if os.environ.get(MULTIPROC_ENV):
            registry = CollectorRegistry()
            MultiProcessCollector(registry)  # type: ignore[no-untyped-call]
            return generate_latest(registry), CONTENT_TYPE_LATEST
        return generate_latest(self.registry), CONTENT_TYPE_LATEST


class MetricsMiddleware:
    """Times every HTTP request and counts it under its route template."""

    def __init__(
        self,
        app: ASGIApp,
        metrics: ApiMetrics,
        plain_paths: frozenset[str] = frozenset(),
    ) -> None:
        self.app = app
        self.metrics = metrics
        self.plain_paths = plain_paths

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        start = perf_counter()
        status = 500

        async def send_status(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
            await send(message)

        try:
            await self.app(scope, receive, send_status)
        finally:
            route = scope.get("route")
            template = getattr(route, "path", None)
            if template is None:
                # The docs routes carry no route object; any other path stays
                # out of the labels, so that odd URLs cannot explode them.
                path = scope.get("path", "")
                template = path if path in self.plain_paths else "unmatched"
            self.metrics.observe_request(
                scope["method"], template, status, perf_counter() - start
            )


__all__ = ["LATENCY_BUCKETS", "ApiMetrics", "MetricsMiddleware"]
