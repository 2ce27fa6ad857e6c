"""How far each read model stands behind the event log, read from the store at scrape time.

Lag in events: the log's last notification id minus the view's position. Lag in seconds:
the age of the oldest event the view has not applied (the first one after its position),
0 when it is caught up. Both come from the store, not from this process's memory, so any
API process answers for the projection worker and every other process alike. A view that
a rebuild is bringing up in parts counts from the log's start; a view that failed on an
event stays behind it, its lag growing, and is flagged too.
"""

from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any, NamedTuple

from prometheus_client.core import GaugeMetricFamily, Metric
from sqlalchemy import select

from projections.tracking import Follower, positions


class Lag(NamedTuple):
    """One view's distance from the end of the log."""

    view: str
    events: int
    seconds: float
    failed: bool


def lags(follower: Follower, now: datetime | None = None) -> list[Lag]:
    """Every view's lag, as the store has it now."""
    now = now or datetime.now(UTC)
    end = follower.recorder.max_notification_id() or 0
    names = [view.name for view in follower.views]
    with follower.reader.connect() as conn:
        at = dict(conn.execute(select(positions.c.name, positions.c.position)
                               .where(positions.c.name.in_(names))).tuples().all())
    failed = follower.failed()
    ages: dict[int, float] = {}  # by position: views that stand together share one read
    found = []
    for name in names:
        position = max(at.get(name, 0), 0)  # PARTED (-1): rebuilt from the start
        if position not in ages:
            ages[position] = _age_of_next(follower, position, end, now)
        found.append(Lag(name, max(end - position, 0), ages[position], name in failed))
    return found


def _age_of_next(follower: Follower, position: int, end: int, now: datetime) -> float:
    """Seconds since the first event after `position` was recorded; 0 if there is none."""
    if position >= end:
        return 0.0
    (first,) = follower.recorder.read_notifications(position, end, 1, [], None)
    domain_event: Any = follower.mapper.to_domain_event(first)  # an Aggregate.Event: timed
    recorded = domain_event.timestamp
    return max((now - recorded).total_seconds(), 0.0)


class ProjectionLag:
    """A custom collector: the lag gauges, computed when scraped, for the follower that the
    process's runtime holds (none before its start-up)."""

    def __init__(self) -> None:
        self.follower: Follower | None = None

    def describe(self) -> Iterator[Metric]:
        yield from self._families()

    def collect(self) -> Iterator[Metric]:
        events, seconds, failed = self._families()
        for lag in lags(self.follower) if self.follower is not None else ():
            events.add_metric([lag.view], lag.events)
            seconds.add_metric([lag.view], lag.seconds)
            failed.add_metric([lag.view], int(lag.failed))
        yield from (events, seconds, failed)

    @staticmethod
    def _families() -> tuple[GaugeMetricFamily, GaugeMetricFamily, GaugeMetricFamily]:
        return (
            GaugeMetricFamily("appraisal_projection_lag_events",
                              "Events in the log that the read model has not applied yet",
                              labels=["view"]),
            GaugeMetricFamily("appraisal_projection_lag_seconds",
                              "Age of the oldest event the read model has not applied yet "
                              "(0 when caught up)", labels=["view"]),
            GaugeMetricFamily("appraisal_projection_failed",
                              "1 while the read model stands failed on an event (rebuild it)",
                              labels=["view"]),
        )
