"""What a process builds once from its settings: the application, read models and tokens."""

import contextlib
import fcntl
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import cast
from uuid import UUID

from eventsourcing.persistence import IntegrityError
from sqlalchemy import text

from domain.errors import AlreadyExistsError
from domain.process import Role
from ledger.keys import SigningKey
from ledger.offline import ED25519
from projections import rebuild
from projections.tracking import Follower
from projections.worker import Worker
from service import consistency, read_models
from service.actors import Actors
from service.auth import Tokens, hash_password
from service.checkpointer import Checkpointer
from service.consistency import Positions
from service.hashing import PasswordPool
from service.settings import Settings
from service.throttle import SignInThrottle
from store.attachments import Attachments
from store.checkpoints import SERVICE, Checkpoints
from store.engines import Engines, engines, event_store_env
from store.recorders import LedgerRecorder
from store.reminders import Deliveries
from workflows.application import Workflows
from workflows.process import Action


@dataclass
class Runtime:
    """The one application object per process, with the read side that follows it."""

    settings: Settings
    workflows: Workflows
    engines: Engines
    follower: Follower
    tokens: Tokens
    passwords: PasswordPool
    throttle: SignInThrottle
    positions: Positions
    actors: Actors
    service_key: SigningKey  # signs the log's checkpoints (service.cases.checkpoints)
    attachments: Attachments  # the files findings carry, beside the events (not a view)
    # Objections through a public link, counted per link and per address (an hour each).
    public: SignInThrottle = field(default_factory=lambda: SignInThrottle(
        30, 10, 3600, detail="too many objections through this link or from this address; "
                             "try again later"))
    worker: Worker | None = None  # following the log on a thread of this process
    checkpointer: Checkpointer | None = None  # the service's (service.app), not a command's

    def follow(self) -> None:
        """Keep the read models current from a thread of this process (a one-process
        service), woken by its writes."""
        self.worker = Worker(self.follower)
        self.positions.wake = self.worker.wake
        self.worker.start()

    def caught_up(self) -> None:
        """A command's read of the whole organisation (`appraisal remind`): the read models
        brought to the end of the log by this process first."""
        self.follower.catch_up()

    def ready(self, *views: str, whole: bool = False) -> None:
        """Before a read of these views: wait, bounded, until they show the caller's writes,
        or (`whole`) every write so far: a read as of an instant, which must hold all that
        instant had (service.consistency); ViewFailedError if one has failed."""
        consistency.ready(self.follower, self.positions, views, self.settings.read_wait_seconds,
                          whole)

    @property
    def deliveries(self) -> Deliveries:
        """The reminders' deliveries, beside the events (not a view)."""
        return Deliveries(self.engines.writer, self.engines.reader)

    @property
    def recorder(self) -> LedgerRecorder:
        """The event store's recorder, which keeps the ledger (store.recorders)."""
        return cast(LedgerRecorder, self.workflows.recorder)

    def took(self, action: str) -> None:
        """After a step was taken, by the API or the pages: a branch approval publishes a
        result, and a checkpoint of the log follows shortly (service.checkpointer)."""
        if action == Action.BRANCH_APPROVAL and self.checkpointer is not None:
            self.checkpointer.signal()

    def close(self) -> None:
        if self.checkpointer is not None:
            self.checkpointer.stop()
        if self.worker is not None:
            self.worker.stop()
        self.passwords.close()
        self.workflows.close()
        self.engines.dispose()


# Any constant, the same in every process of the service.
FIRST_START_LOCK = 0x61707072


@contextlib.contextmanager
def _one_start_at_a_time(settings: Settings, db: Engines) -> Iterator[None]:
    """Processes starting together on an empty database would collide creating what it
    lacks (on PostgreSQL, CREATE ... IF NOT EXISTS is not safe run concurrently; on SQLite,
    switching a new file to WAL fails while another connection has it open), so they
    create it one after another: under an advisory lock, or a lock file beside SQLite's."""
    if not settings.is_sqlite:
        with db.writer.begin() as conn:
            conn.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": FIRST_START_LOCK})
            yield
        return
    database = settings.url.database or ""
    if not database or database == ":memory:":
        yield
        return
    path = Path(f"{database}.lock")
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("a") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)  # released when the file is closed
        yield


def build(settings: Settings) -> Runtime:
    """Connect and create what an empty database lacks; the read models are a worker's to
    bring up to date (Runtime.follow, or `appraisal projections run`), never start-up's."""
    tokens = Tokens(settings.signing_key(), settings.token_minutes)
    db = engines(settings.url)
    positions = Positions()
    with _one_start_at_a_time(settings, db):
        workflows = Workflows(env=event_store_env(settings.url))
        # The recorder is store.recorders' (the env names it): it keeps the ledger.
        recorder = cast(LedgerRecorder, workflows.recorder)
        recorder.use_hash(settings.ledger_hash)
        recorder.catch_up_ledger()  # a store made before the ledger, or loaded in bulk
        service_key = settings.service_key()
        record_service_key(recorder, service_key)
        actors = Actors(tokens, workflows.find_user)

        def recorded(position: int, streams: set[UUID]) -> None:
            positions.written(position)
            actors.forget(streams)

        workflows.recorded = recorded
        workflows.ensure_default_form()
        if settings.admin_password and workflows.find_user("admin") is None:
            with contextlib.suppress(AlreadyExistsError, IntegrityError):
                workflows.register_first("admin", hash_password(settings.admin_password),
                                         "管理员", None, [{"role": Role.ADMIN, "scope": None}],
                                         "system")
        follower = read_models.follower(db, workflows)
        follower.create_tables()
        attachments = Attachments(db.writer, db.reader)
        attachments.create()
        Deliveries(db.writer, db.reader).create()
        # A view whose rows an older version made without a column it now has starts over.
        rebuild.reset(follower, follower.outdated())
    return Runtime(settings, workflows, db, follower, tokens,
                   PasswordPool(settings.hashing_threads, settings.hashing_queue),
                   SignInThrottle(settings.sign_in_failures_per_user,
                                  settings.sign_in_failures_per_address,
                                  settings.sign_in_window_seconds), positions, actors,
                   service_key, attachments)


def record_service_key(recorder: LedgerRecorder, key: SigningKey) -> None:
    """Record the service's public key; a new one is a rotation, from now on (the old ones
    stay recorded, so that the checkpoints they signed still verify)."""
    with recorder.ledger_cursor(write=True) as cursor:
        Checkpoints(recorder.ledger.dialect, cursor).record_key(
            str(key.verifier(ED25519)), SERVICE, int(time.time()))


@contextlib.contextmanager
def event_store(settings: Settings) -> Iterator[LedgerRecorder]:
    """The event store as it is, for a process that only checks it (`appraisal verify`):
    unlike `build`, it writes no event and hashes none into the ledger (which would take in
    an event written around it), loads no aggregate and needs no private key."""
    workflows = Workflows(env=event_store_env(settings.url))
    try:
        recorder = cast(LedgerRecorder, workflows.recorder)
        recorder.use_hash(settings.ledger_hash)
        yield recorder
    finally:
        workflows.close()
