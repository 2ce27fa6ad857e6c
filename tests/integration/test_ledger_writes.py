"""Writes to the ledger's own tables (checkpoints, keys) beside other writers of the store."""

import sqlite3
import threading
import time

from service.runtime import build
from service.settings import Settings


def test_an_sqlite_ledger_write_that_read_first_waits_for_another_writer_and_succeeds(
        tmp_path) -> None:
    path = tmp_path / "appraisal.db"
    rt = build(Settings(database_url=f"sqlite:///{path}", follow=False))
    done: list[str] = []

    def another_writer() -> None:  # as the read models write: their own connection
        other = sqlite3.connect(path, isolation_level=None)
        other.execute("BEGIN IMMEDIATE")
        other.execute("INSERT INTO ledger_meta (name, value) VALUES ('other', 'x')")
        other.execute("COMMIT")
        other.close()
        done.append("other")

    try:
        with rt.recorder.ledger_cursor(write=True) as cursor:
            cursor.execute("SELECT count(*) FROM ledger_checkpoints")
            cursor.fetchall()
            writer = threading.Thread(target=another_writer)
            writer.start()
            time.sleep(0.2)  # it waits for this transaction, which then writes
            cursor.execute("INSERT INTO ledger_meta (name, value) VALUES ('mine', 'y')")
            done.append("mine")
        writer.join(timeout=10)
    finally:
        rt.close()
    assert done == ["mine", "other"]
