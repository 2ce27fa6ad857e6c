"""The process's Prometheus metrics and `GET /metrics`, for administrators or allowed addresses.

Each app builds its own registry (no global one at import), so tests that make many apps in
one process never collide. Requests are counted by their route's template, never the raw
path; sign-offs by action, from the events a save records (a replayed request records none);
the event store's commit latency by timing each save's recording; the read models' lag at
scrape time (service.api.projection_lag).
"""

import ipaddress
import time
from collections.abc import Callable
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request, Response
from prometheus_client import (
    CONTENT_TYPE_LATEST,
    CollectorRegistry,
    Counter,
    GCCollector,
    Histogram,
    ProcessCollector,
    generate_latest,
)

from domain.appraisal import Appraisal
from domain.errors import ForbiddenError
from service.api.deps import RuntimeDep, bearer, current_actor
from service.api.projection_lag import ProjectionLag
from service.api.reminder_gauge import ReminderGauge
from service.request_id import Trace
from service.runtime import Runtime
from service.settings import SettingsError
from workflows.process import METHOD_OF

Network = ipaddress.IPv4Network | ipaddress.IPv6Network
# The methods a request is counted under by name; any other (a client may send any token) is
# counted as OTHER, so that nobody can add series without bound.
METHODS = frozenset({"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"})
# A commit waits for a disk sync, and on SQLite for the group it is committed with.
COMMIT_BUCKETS = (0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0)


def networks(allow: str) -> list[Network]:
    """The comma-separated CIDRs of `APPRAISAL_METRICS_ALLOW`; SettingsError if one is not."""
    try:
        return [ipaddress.ip_network(part.strip(), strict=False)
                for part in allow.split(",") if part.strip()]
    except ValueError as error:
        raise SettingsError(f"APPRAISAL_METRICS_ALLOW: {error}") from None


def actions_by_event() -> dict[type, str]:
    """The appraisal's events that record an action, by class, and that action: each
    action's method on the aggregate (workflows.process) names its event class."""
    return {getattr(Appraisal, Appraisal.__dict__[method].event_cls_name): str(action)
            for action, method in METHOD_OF.items()}


class Metrics:
    """One process's registry and instruments."""

    def __init__(self, allow: str = ""):
        self.allowed = networks(allow)
        self.registry = registry = CollectorRegistry()
        ProcessCollector(registry=registry)
        GCCollector(registry=registry)
        self.requests = Counter("appraisal_http_requests", "Requests answered, by route "
                                "template and status", ["method", "route", "status"],
                                registry=registry)
        self.latency = Histogram("appraisal_http_request_duration_seconds", "Time to answer "
                                 "a request, by route template", ["method", "route"],
                                 registry=registry)
        self.sign_offs = Counter("appraisal_sign_offs", "Actions taken on appraisals and "
                                 "recorded, by action", ["action"], registry=registry)
        self.commits = Histogram("appraisal_event_store_commit_seconds", "Time to record a "
                                 "save's events in the event store (commit included)",
                                 buckets=COMMIT_BUCKETS, registry=registry)
        self.lag = ProjectionLag()
        registry.register(self.lag)
        self.reminders = ReminderGauge()
        registry.register(self.reminders)
        self._actions = actions_by_event()
        for action in self._actions.values():
            self.sign_offs.labels(action)  # every series exists from the start, at 0
        # Each (method, route, status)'s two series, found once: labels() checks its
        # arguments and takes a lock every time.
        self._series: dict[tuple[str, str, int], tuple[Any, Any]] = {}

    def observe(self, trace: Trace) -> None:
        """A request answered (a RequestTrace listener)."""
        key = (trace.method if trace.method in METHODS else "OTHER", trace.route, trace.status)
        if (series := self._series.get(key)) is None:
            method, route, status = key
            series = self._series[key] = (self.requests.labels(method, route, str(status)),
                                          self.latency.labels(method, route))
        series[0].inc()
        series[1].observe(trace.seconds)

    def watch(self, runtime: Runtime) -> None:
        """Follow the runtime's saves and read models (each time the app starts)."""
        workflows = runtime.workflows
        workflows._record = self._timed(workflows._record)  # type: ignore[method-assign,assignment]
        self.lag.follower = runtime.follower
        self.reminders.deliveries = runtime.deliveries

    def _timed(self, record: Callable[[Any], Any]) -> Callable[[Any], Any]:
        """eventsourcing's Application._record (encode, insert, commit), timed; the actions
        it recorded counted once it returns."""
        def timed(processing_event: Any) -> Any:
            started = time.perf_counter()
            recordings = record(processing_event)
            self.commits.observe(time.perf_counter() - started)
            for event in processing_event.events:
                if (action := self._actions.get(type(event))) is not None:
                    self.sign_offs.labels(action).inc()
            return recordings
        return timed

    def admits(self, host: str | None) -> bool:
        """Whether the client's address is in an allowed range (a name is in none)."""
        try:
            address = ipaddress.ip_address(host or "")
        except ValueError:
            return False
        if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped:
            address = address.ipv4_mapped
        return any(address in network for network in self.allowed)

    def render(self) -> bytes:
        return generate_latest(self.registry)


router = APIRouter(tags=["operations"])
TEXT = {"content": {"text/plain": {}}, "description": "Prometheus text format"}


@router.get("/metrics", response_class=Response, responses={200: TEXT})
def metrics(request: Request, rt: RuntimeDep,
            token: Annotated[str | None, Depends(bearer)]) -> Response:
    """The process's metrics in the Prometheus text format: to a client in
    `APPRAISAL_METRICS_ALLOW`, or with an administrator's token."""
    watched: Metrics = request.app.state.metrics
    address = request.client.host if request.client else None
    # Outside the allowed ranges: an administrator's token (401 without one).
    if not (watched.admits(address) or current_actor(rt, token).has_role("admin")):
        raise ForbiddenError("metrics are for administrators and allowed addresses")
    return Response(watched.render(), media_type=CONTENT_TYPE_LATEST)
