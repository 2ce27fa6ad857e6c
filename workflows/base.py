"""The event-sourced application the command handlers share: loading, time travel, the clock."""

import threading
import time
from collections import OrderedDict
from collections.abc import Callable, Iterable, Iterator
from datetime import UTC, datetime, timedelta
from typing import Any, NamedTuple, TypeVar
from uuid import UUID

from eventsourcing.application import AggregateNotFoundError, Application, ProcessingEvent
from eventsourcing.domain import Aggregate
from eventsourcing.persistence import Recording
from eventsourcing.utils import Environment

from domain.bounds import past_instant
from domain.errors import NotFoundError, UnknownReferenceError

A = TypeVar("A", bound=Aggregate)
ONE_MICROSECOND = timedelta(microseconds=1)
# How long a change another API process made to the organisation a decision reads (a zone's
# responsible members, a branch's policy, the delegations in force) may go unseen here; this
# process's own changes apply at once. The same bound as a signed-in caller's (service/actors).
RECENT_SECONDS = 1.0
_RECENT_KEPT = 200_000  # aggregates kept so (all forgotten at once when there are more)


class _Recent(NamedTuple):
    checked: float  # when the read that found it began (time.monotonic)
    aggregate: Any  # None: there was none


class Store(Application[UUID]):
    """An `Application` configured only by the env it is given (never by `os.environ`)."""

    name = "appraisal"
    # Told, after each save, the log position it reached (the read side waits for it) and
    # the streams it changed; none: nobody.
    recorded: Callable[[int, set[UUID]], None] | None = None

    def __init__(self, env: Any = None):
        super().__init__(env)
        self._recent: dict[UUID, _Recent] = {}
        self._saved: OrderedDict[UUID, float] = OrderedDict()  # the last second's saves
        self._recent_lock = threading.Lock()

    def construct_env(self, name: str, env: Any = None) -> Environment:
        return Environment(name, dict(env or {}))

    def save(self, *objs: Any, **kwargs: Any) -> list[Recording[UUID]]:
        """eventsourcing's `save` for aggregates (None is passed over), without its check of
        each one against two runtime protocols: on Python 3.11 each check walks the
        protocol's attributes, which cost a sign-off more than encoding its event. No
        snapshots are configured, and nothing listens to the deprecated `notify`."""
        processing: ProcessingEvent[UUID] = ProcessingEvent()
        for aggregate in objs:
            if aggregate is not None:
                processing.events.extend(aggregate.collect_events())
                processing.aggregates[aggregate.id] = aggregate
        processing.saved_kwargs.update(kwargs)
        recordings = self._record(processing)
        self._notify(recordings)
        if recordings:
            streams = {r.domain_event.originator_id for r in recordings}
            self._forget_recent(streams)
            if self.recorded is not None:
                self.recorded(max(r.notification.id for r in recordings), streams)
        return recordings

    def load(self, cls: type[A], *ident: str, kind: str, shared: bool = False) -> A:
        """The aggregate of `cls` named by `ident`, the subject of a command or a read;
        NotFoundError if there is none. `shared`: the cached instance itself, to be read and
        never changed (a command gets a copy of its own, which costs a deep copy)."""
        aggregate_id = cls.create_id(*ident)  # type: ignore[attr-defined]
        return self.get(aggregate_id, kind=kind, label="/".join(ident),  # type: ignore[no-any-return]
                        shared=shared)

    def recent(self, cls: type[A], *ident: str) -> A | None:
        """The aggregate of `cls` named by `ident` (None if there is none) as the store held
        it at most RECENT_SECONDS ago, to be read and never changed: the organisation's facts
        a decision reads, which cost a sign-off a store round trip each when read afresh."""
        aggregate_id = cls.create_id(*ident)  # type: ignore[attr-defined]
        began = time.monotonic()
        kept = self._recent.get(aggregate_id)
        if kept is not None and began - kept.checked < RECENT_SECONDS:
            return kept.aggregate  # type: ignore[no-any-return]
        found = self.find(cls, *ident, shared=True)
        with self._recent_lock:
            # Kept unless saved here since the read began (which it may have missed).
            if self._saved.get(aggregate_id, -1.0) < began:
                if len(self._recent) >= _RECENT_KEPT:
                    self._recent.clear()
                self._recent[aggregate_id] = _Recent(began, found)
        return found

    def _forget_recent(self, streams: set[UUID]) -> None:
        """These streams were saved here: read them afresh next time, and not keep a read
        that began before."""
        now = time.monotonic()
        with self._recent_lock:
            for stream in streams:
                self._recent.pop(stream, None)
                self._saved[stream] = now
                self._saved.move_to_end(stream)
            # A read that began earlier than this is past RECENT_SECONDS anyway.
            while self._saved and next(iter(self._saved.values())) < now - RECENT_SECONDS:
                self._saved.popitem(last=False)

    def referenced(self, cls: type[A], *ident: str, field: str) -> A:
        """The aggregate of `cls` that a command's `field` refers to; if there is none, the
        command is invalid (UnknownReferenceError), not its subject missing."""
        try:
            return self.load(cls, *ident, kind=field)
        except NotFoundError as missing:
            raise UnknownReferenceError(field, missing.ident) from None

    def get(self, aggregate_id: UUID, *, kind: str, label: str | None = None,
            shared: bool = False) -> Any:
        try:
            return self.repository.get(aggregate_id, deepcopy_from_cache=not shared,
                                       projector_func=_project)
        except AggregateNotFoundError:
            raise NotFoundError(kind, label or str(aggregate_id)) from None

    def find(self, cls: type[A], *ident: str, shared: bool = False) -> A | None:
        """The aggregate of `cls` named by `ident`, or None (`shared`: as `load`'s)."""
        try:
            return self.repository.get(cls.create_id(*ident),  # type: ignore[attr-defined]
                                       deepcopy_from_cache=not shared,
                                       projector_func=_project)
        except AggregateNotFoundError:
            return None

    def exists(self, cls: type[Aggregate], *ident: str) -> bool:
        return cls.create_id(*ident) in self.repository  # type: ignore[attr-defined]

    def as_of(self, aggregate_id: UUID, instant: datetime, kind: str) -> Any:
        """The aggregate as it stood at `instant`: every event whose time is ≤ it."""
        instant = past_instant(instant)
        aggregate: Aggregate | None = None
        for domain_event in self.history(aggregate_id):
            if domain_event.timestamp > instant:
                break
            aggregate = domain_event.mutate(aggregate)
        if aggregate is None:
            raise NotFoundError(kind, f"{aggregate_id} as of {instant.isoformat()}")
        return aggregate

    def history(self, aggregate_id: UUID) -> Iterator[Any]:
        """The aggregate's events, oldest first: of the classes @event makes, whose fields
        (and the timestamp and mutate of Aggregate.Event) the stored type does not name."""
        return self.events.get(aggregate_id)

    def at_version(self, aggregate_id: UUID, version: int, kind: str) -> Any:
        aggregate: Aggregate = self.repository.get(aggregate_id, version=version)
        if aggregate.version != version:
            raise NotFoundError(kind, f"{aggregate_id} version {version}")
        return aggregate


def _project(aggregate: Any, events: Iterable[Any]) -> Any:
    """eventsourcing's `project_aggregate` without its check of each event against a runtime
    protocol, which on Python 3.11 walks the protocol's attributes every time: every event
    here is an `Aggregate.Event`."""
    for event in events:
        aggregate = event.mutate(aggregate)
    return aggregate


def next_instant(aggregate: Aggregate | None = None) -> datetime:
    """Now, but strictly after the aggregate's last event, so `at` always increases."""
    now = datetime.now(UTC)
    if aggregate is None:
        return now
    return max(now, aggregate.modified_on + ONE_MICROSECOND)
