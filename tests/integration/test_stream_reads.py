"""The service's recorders load a stream with a select of their own (store.recorders: no
transaction around it on SQLite, a plain statement on PostgreSQL): every shape of the
library's query answers as the library's own method does, on both backends."""

from uuid import uuid4

import pytest
from eventsourcing import postgres, sqlite
from eventsourcing.persistence import StoredEvent

from tests.integration.test_group_commit import service_recorder

SHAPES = [{}, {"gt": 1}, {"lte": 2}, {"gt": 1, "lte": 3}, {"desc": True},
          {"desc": True, "limit": 1}, {"limit": 2}, {"gt": 4}, {"gt": 1, "desc": True, "limit": 2}]


@pytest.mark.parametrize("backend", ["sqlite", "postgres"])
def test_the_service_recorders_load_a_stream_as_eventsourcings_own_select_does(
        backend: str, request: pytest.FixtureRequest, tmp_path) -> None:
    recorder = service_recorder(backend, request, tmp_path)
    library = (sqlite.SQLiteApplicationRecorder if backend == "sqlite"
               else postgres.PostgresApplicationRecorder)
    stream, other = uuid4(), uuid4()
    recorder.insert_events([StoredEvent(originator, version, "topic", f"{version}".encode())
                            for originator in (stream, other) for version in range(1, 5)])
    for shape in SHAPES:
        ours = recorder.select_events(stream, **shape)
        assert ours == library.select_events(recorder, stream, **shape), shape
        assert {e.originator_id for e in ours} <= {stream}, shape
    assert [e.originator_version for e in recorder.select_events(stream, gt=1, lte=3)] == [2, 3]
