"""The ledger as the stores write it: the same chain hashes and roots from SQLite's writer
(Python) and PostgreSQL's (its insert function), whatever the hash; every event hashed under
concurrent writers; a backlog caught up; a store's hash kept for its life."""

import sqlite3
from concurrent.futures import ThreadPoolExecutor
from types import SimpleNamespace
from typing import cast
from uuid import UUID, uuid4

import pytest
from eventsourcing.persistence import StoredEvent

from ledger.audit import Walk
from service.cases.verification import _entries, _events, verify
from service.runtime import build
from service.settings import Settings
from store.engines import event_store_env
from store.ledger import CHUNK, LedgerError, Reader
from store.recorders import LedgerRecorder
from tests.conftest import _empty_postgres
from workflows.application import Workflows

SECRET = "test-secret-" + "x" * 32


def users(rt, names):
    for name in names:
        rt.workflows.register_first(name, "x", name.upper(), None, [], "test")


def ledger_of(rt):
    with rt.recorder.ledger_cursor() as cursor:
        reader = Reader(rt.recorder.ledger, cursor)
        size = reader.size()
        entries = reader.entries(-1, size + 1)
        roots = [reader.root(n) for n in (1, size // 2, size)]
    return [chain for _, _, chain in entries], roots


@pytest.mark.postgres
@pytest.mark.parametrize("hash_name", ["sm3", "sha256"])
def test_both_writers_hash_the_same_events_alike(tmp_path, postgres_server, hash_name):
    """SQLite's ledger is written in Python, PostgreSQL's by its insert function: the same
    events, in the same transactions, give the same chain hashes and roots."""
    rt = build(Settings(database_url=f"sqlite:///{tmp_path}/a.db", secret_key=SECRET,
                        ledger_hash=hash_name, ledger_key_file=None))  # made beside it
    try:
        users(rt, [f"user{i}" for i in range(9)])
        rt.workflows.reset_password("user3", "y", "test")  # a stream's second event
        stored = [StoredEvent(UUID(hex=n.originator_id), n.originator_version, n.topic, n.state)
                  for n in rt.recorder.read_notifications(0, 10**9, 1000, (), None)]
        on_sqlite = ledger_of(rt)
    finally:
        rt.close()
    url = _empty_postgres(postgres_server)
    app = Workflows(env=event_store_env(Settings(database_url=url).url))
    try:
        recorder = cast(LedgerRecorder, app.recorder)
        recorder.use_hash(hash_name)
        for start in range(0, len(stored), 3):  # several transactions, as a service's
            app.recorder.insert_events(stored[start:start + 3])
        assert ledger_of(SimpleNamespace(recorder=recorder)) == on_sqlite
    finally:
        app.close()
    assert len(on_sqlite[0]) == len(stored) >= 11


def test_concurrent_writers_leave_every_event_hashed_in_log_order(database_url):
    rt = build(Settings(database_url=database_url, secret_key=SECRET))
    try:
        with ThreadPoolExecutor(8) as pool:
            list(pool.map(lambda n: users(rt, [f"c{n}-{i}" for i in range(6)]), range(8)))
        verdict = verify(rt.recorder, rt.settings.origin)
        assert verdict.holds, verdict.text
        with rt.recorder.ledger_cursor() as cursor:
            reader = Reader(rt.recorder.ledger, cursor)
            assert reader.size() >= 48
            assert [leaf for leaf, _, _ in reader.entries(-1, 10_000)] == list(
                range(reader.size()))
    finally:
        rt.close()


def test_a_backlog_is_caught_up_as_it_would_have_been_written(tmp_path):
    url = f"sqlite:///{tmp_path}/a.db"
    rt = build(Settings(database_url=url, secret_key=SECRET))
    try:
        users(rt, ["a", "b", "c"])
        chains, roots = ledger_of(rt)
    finally:
        rt.close()
    with sqlite3.connect(tmp_path / "a.db") as db:  # a store made before the ledger
        db.execute("DELETE FROM ledger_nodes")
        db.execute("DELETE FROM ledger_entries")
    rt = build(Settings(database_url=url, secret_key=SECRET))
    try:
        assert ledger_of(rt) == (chains, roots)
        assert verify(rt.recorder, rt.settings.origin).holds
    finally:
        rt.close()


def test_a_store_keeps_the_hash_it_was_made_with(database_url):
    build(Settings(database_url=database_url, secret_key=SECRET)).close()
    with pytest.raises(LedgerError, match="sm3"):
        build(Settings(database_url=database_url, secret_key=SECRET, ledger_hash="sha256"))


def test_the_walk_recomputes_the_roots_the_store_holds(database_url):
    rt = build(Settings(database_url=database_url, secret_key=SECRET))
    try:
        users(rt, [f"w{i}" for i in range(5)])
        with rt.recorder.ledger_cursor() as cursor:
            reader = Reader(rt.recorder.ledger, cursor)
            size = reader.size()
            claims = {n: [(reader.root(n), f"root {n}")] for n in range(1, size + 1)}
        walk = Walk(rt.recorder.ledger.h, claims)
        stop = max(p for _, p, _ in reader_entries(rt))
        list(walk.run(_events(rt.recorder, stop), _entries(rt.recorder, stop)))
        assert sorted(walk.roots) == list(range(1, size + 1))
    finally:
        rt.close()


def reader_entries(rt):
    with rt.recorder.ledger_cursor() as cursor:
        return Reader(rt.recorder.ledger, cursor).entries(-1, 10_000)


def test_one_transaction_of_more_events_than_a_backfill_chunk_is_hashed_whole(database_url):
    rt = build(Settings(database_url=database_url, secret_key=SECRET))
    try:
        many = [StoredEvent(uuid4(), 1, "tests:Bulk", b"{}") for _ in range(CHUNK + 1)]
        rt.workflows.recorder.insert_events(many)
        assert verify(rt.recorder, rt.settings.origin).holds
        with rt.recorder.ledger_cursor() as cursor:
            assert Reader(rt.recorder.ledger, cursor).size() >= CHUNK + 1
    finally:
        rt.close()
