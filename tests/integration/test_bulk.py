"""Counters added to by transactions at once (projections.bulk.upsert), as the processes of
a rebuild in parts add to the ranking's, on an SQLite file and on PostgreSQL."""

import threading

from sqlalchemy import Column, Integer, MetaData, String, Table, select

from projections import bulk
from store.engines import engines

metadata = MetaData()
counters = Table("test_counters", metadata, Column("a", String(10), primary_key=True),
                 Column("b", String(10), primary_key=True), Column("n", Integer, nullable=False),
                 Column("m", Integer, nullable=False))
KEYS, AMOUNTS = ("a", "b"), ("n", "m")


def test_two_transactions_adding_to_the_same_counters_at_once_both_count(settings):
    db = engines(settings.url)
    try:
        metadata.create_all(db.writer)
        with db.writer.begin() as conn:
            bulk.upsert(conn, counters, KEYS, AMOUNTS, [("x", "1", 5, 5)])
        first_in = threading.Event()

        def first() -> None:
            with db.writer.begin() as conn:
                bulk.upsert(conn, counters, KEYS, AMOUNTS, [("x", "1", 1, -1), ("x", "2", 1, 0)])
                first_in.set()
                threading.Event().wait(0.3)  # the second waits for this commit meanwhile

        def second() -> None:
            first_in.wait()
            with db.writer.begin() as conn:
                bulk.upsert(conn, counters, KEYS, AMOUNTS,
                            [("x", "1", 2, 0), ("x", "2", 2, 2), ("y", "1", 7, 0)])

        threads = [threading.Thread(target=first), threading.Thread(target=second)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        with db.reader.connect() as conn:
            found = set(conn.execute(select(counters)).tuples())
        assert found == {("x", "1", 8, 4), ("x", "2", 3, 2), ("y", "1", 7, 0)}
    finally:
        db.dispose()
