"""Saves that arrive together are committed together (store.recorders' group commit, on
SQLite and on PostgreSQL): each records all its events or, where it conflicts, none, and
fails alone; positions are each save's own, in order; the ledger holds every event."""

import threading
from concurrent.futures import ThreadPoolExecutor
from typing import Any
from uuid import uuid4

import psycopg
import pytest
from eventsourcing.persistence import InfrastructureFactory, IntegrityError, StoredEvent
from eventsourcing.utils import Environment

from service.settings import Settings
from store.engines import event_store_env
from store.ledger import Reader
from workflows.application import Workflows

BACKENDS = ["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)]


def service_recorder(backend: str, request: pytest.FixtureRequest, tmp_path) -> Any:
    """The application recorder the service builds, on an empty store of `backend`."""
    url = (f"sqlite:///{tmp_path}/appraisal.db" if backend == "sqlite"
           else request.getfixturevalue("postgres_server"))
    if backend == "postgres":
        with psycopg.connect(url, autocommit=True) as conn:
            conn.execute("DROP SCHEMA public CASCADE; CREATE SCHEMA public")
    env = Environment(Workflows.name, event_store_env(Settings(database_url=url).url))
    return InfrastructureFactory.construct(env).application_recorder()


def insert_at_once(recorder: Any, saves: list[list[StoredEvent]]) -> list[Any]:
    """Every save from a thread of its own, released together; positions or the error."""
    barrier = threading.Barrier(len(saves), timeout=30)

    def save(events: list[StoredEvent]) -> Any:
        barrier.wait()
        try:
            return recorder.insert_events(events)
        except IntegrityError as error:
            return error

    with ThreadPoolExecutor(len(saves)) as pool:
        return list(pool.map(save, saves))


@pytest.mark.parametrize("backend", BACKENDS)
def test_saves_committed_together_record_or_fail_each_alone(backend, request, tmp_path):
    recorder = service_recorder(backend, request, tmp_path)
    batches: list[int] = []
    commit = recorder._commit
    recorder._commit = lambda batch: (batches.append(len(batch)), commit(batch))[1]
    contested = uuid4()
    racing = [[StoredEvent(contested, 1, "t", b"%d" % n)] for n in range(8)]
    free = [[StoredEvent(stream, version, "t", b"x") for version in (1, 2, 3)]
            for stream in (uuid4() for _ in range(8))]
    outcomes = insert_at_once(recorder, racing + free)
    won = [o for o in outcomes[:8] if not isinstance(o, IntegrityError)]
    assert len(won) == 1 and len(won[0]) == 1
    for positions in outcomes[8:]:
        assert not isinstance(positions, IntegrityError), positions
        assert len(positions) == 3 and positions == sorted(positions)
    recorded = [p for o in [won[0], *outcomes[8:]] for p in o]
    assert len(set(recorded)) == 25
    assert len(recorder.select_notifications(start=None, limit=100)) == 25  # nothing else
    for events in free:
        stored = recorder.select_events(events[0].originator_id)
        assert [e.originator_version for e in stored] == [1, 2, 3]
    with recorder.ledger_transaction() as cursor:
        assert Reader(recorder.ledger, cursor).size() == 25  # every recorded event, hashed
    assert sum(batches) == 16 and max(batches) > 1, batches  # some were committed together
