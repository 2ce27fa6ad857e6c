"""The event-sourced application the command handlers share: loading, time travel, the clock."""

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from datetime import UTC, datetime, timedelta
from typing import Any, TypeVar
from uuid import UUID

from eventsourcing.application import AggregateNotFoundError, Application
from eventsourcing.domain import Aggregate
from eventsourcing.persistence import Recording
from eventsourcing.utils import Environment

from domain.bounds import past_instant
from domain.errors import NotFoundError, UnknownReferenceError

A = TypeVar("A", bound=Aggregate)
ONE_MICROSECOND = timedelta(microseconds=1)
# Inside Store.steady(): the shared aggregates read so far, by id (None: outside one).
_STEADY: ContextVar[dict[UUID, Any] | None] = ContextVar("steady", default=None)


class Store(Application[UUID]):
    """An `Application` configured only by the env it is given (never by `os.environ`)."""

    name = "appraisal"
    # Told, after each save, the log position it reached (the read side waits for it) and
    # the streams it changed; none: nobody.
    recorded: Callable[[int, set[UUID]], None] | None = None

    def construct_env(self, name: str, env: Any = None) -> Environment:
        return Environment(name, dict(env or {}))

    def save(self, *objs: Any, **kwargs: Any) -> list[Recording[UUID]]:
        recordings = super().save(*objs, **kwargs)
        if recordings and self.recorded is not None:
            self.recorded(max(r.notification.id for r in recordings),
                          {r.domain_event.originator_id for r in recordings})
        return recordings

    def load(self, cls: type[A], *ident: str, kind: str, shared: bool = False) -> A:
        """The aggregate of `cls` named by `ident`, the subject of a command or a read;
        NotFoundError if there is none. `shared`: the cached instance itself, to be read and
        never changed (a command gets a copy of its own, which costs a deep copy)."""
        aggregate_id = cls.create_id(*ident)  # type: ignore[attr-defined]
        held = _STEADY.get() if shared else None
        if held is not None and aggregate_id in held:
            return held[aggregate_id]  # type: ignore[no-any-return]
        found = self.get(aggregate_id, kind=kind, label="/".join(ident), shared=shared)
        if held is not None:
            held[aggregate_id] = found
        return found  # type: ignore[no-any-return]

    @contextmanager
    def steady(self) -> Iterator[None]:
        """A block in which each shared aggregate (a zone, a branch) is read from the store
        once: the items of a bulk sign-off see the organisation as it stood when the request
        began, each sparing the round trips that would fast-forward them again."""
        token = _STEADY.set({})
        try:
            yield
        finally:
            _STEADY.reset(token)

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
            return self.repository.get(aggregate_id, deepcopy_from_cache=not shared)
        except AggregateNotFoundError:
            raise NotFoundError(kind, label or str(aggregate_id)) from None

    def find(self, cls: type[A], *ident: str, shared: bool = False) -> A | None:
        """The aggregate of `cls` named by `ident`, or None (`shared`: as `load`'s)."""
        try:
            return self.repository.get(cls.create_id(*ident),  # type: ignore[attr-defined]
                                       deepcopy_from_cache=not shared)
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


def next_instant(aggregate: Aggregate | None = None) -> datetime:
    """Now, but strictly after the aggregate's last event, so `at` always increases."""
    now = datetime.now(UTC)
    if aggregate is None:
        return now
    return max(now, aggregate.modified_on + ONE_MICROSECOND)
