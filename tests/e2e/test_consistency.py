"""Issue 15, "read models followed by a worker": a write answers with its log position, a
read waits (bounded) for its views to reach the caller's last write, and says how stale it
is when they do not; the worker keeps the views current on its own, in a thread or as
`appraisal projections run` beside API processes that do not follow the log.
"""

import contextlib
import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

from fastapi.testclient import TestClient

from service.app import create_app
from service.settings import Settings
from tests.e2e.pages import Pages
from tests.e2e.support import a_moment_passes
from tests.helpers import SCORES, Api, Observer

PERIOD = "2026-10"
POSITION = "Appraisal-Position"
STALE = "Appraisal-Stale-Events"


def log_end(api: Api) -> int:
    return api.client.app.state.runtime.workflows.recorder.max_notification_id()


def listed(client: TestClient, api: Api, user: str, **headers: str) -> list[str]:
    response = client.get("/appraisals", params={"period": PERIOD},
                          headers=api.headers(user, **headers))
    assert response.status_code == 200, response.text
    return [doc["zone_id"] for doc in response.json()["items"]]


def test_a_write_answers_with_its_log_position_and_its_writer_reads_it(api: Api) -> None:
    plain = TestClient(api.client.app)  # echoes nothing: the process remembers the writer
    opened = plain.post("/appraisals", json={"zone_id": "Z1", "period": PERIOD},
                        headers=api.headers("secretary"))
    assert opened.status_code == 201, opened.text
    assert int(opened.headers[POSITION]) == log_end(api)
    assert listed(plain, api, "secretary") == ["Z1"]
    signed = plain.post(f"/appraisals/{opened.json()['id']}/self-check",
                        json={"scores": SCORES}, headers=api.headers("m1"))
    assert int(signed.headers[POSITION]) == log_end(api) > int(opened.headers[POSITION])
    # A read answers with no position of its own, and was not stale.
    read = plain.get("/inbox", headers=api.headers("evaluator"))
    assert read.status_code == 200 and POSITION not in read.headers
    assert STALE not in read.headers


def test_without_a_worker_a_read_waits_its_bound_then_says_how_stale_it_is(
        api: Api, settings: Settings) -> None:
    api.client.app.state.runtime.worker.stop()  # the fixture's process follows no more
    unfollowed = settings.model_copy(update={"follow": False, "read_wait_seconds": 0.3})
    with Observer(create_app(unfollowed)) as client:
        other = Api(client, tokens=api.tokens)
        other.open("Z1", PERIOD)
        other.open("Z2", PERIOD)
        started = time.monotonic()
        response = client.get("/appraisals", params={"period": PERIOD},
                              headers=other.headers("admin"))
        waited = time.monotonic() - started
        assert response.status_code == 200 and response.json()["items"] == []
        assert int(response.headers[STALE]) >= 2 and 0.3 <= waited < 2
        client.app.state.runtime.follow()  # a worker now: the same read is current
        again = client.get("/appraisals", params={"period": PERIOD},
                           headers=other.headers("admin"))
        assert [d["zone_id"] for d in again.json()["items"]] == ["Z1", "Z2"]
        assert STALE not in again.headers


def test_a_read_as_of_an_instant_waits_for_every_write_not_only_the_callers(
        api: Api, settings: Settings) -> None:
    """An archive or a past ranking claims all that its instant held: written by anyone."""
    api.client.app.state.runtime.worker.stop()
    unfollowed = settings.model_copy(update={"follow": False, "read_wait_seconds": 0.3})
    with Observer(create_app(unfollowed)) as client:
        other = Api(client, tokens=api.tokens)
        other.open("Z1", PERIOD)  # the secretary's write; the archivist has written nothing
        then = a_moment_passes()
        plain = TestClient(client.app)  # echoes no position: the archivist's reads alone
        for path, params in (("/archives/2026", {}), (f"/rankings/{PERIOD}", {"as_of": then})):
            response = plain.get(path, params=params, headers=other.headers("archivist"))
            assert response.status_code == 200, response.text
            assert int(response.headers[STALE]) >= 1, path


def test_an_echoed_position_is_read_after_from_another_process(
        api: Api, settings: Settings) -> None:
    # Two API processes that follow nothing, and one projection worker beside them.
    api.client.app.state.runtime.worker.stop()
    unfollowed = settings.model_copy(update={"follow": False, "read_wait_seconds": 10})
    with TestClient(create_app(unfollowed)) as first, \
            TestClient(create_app(unfollowed)) as second, worker(settings):
        writer, reader = Api(first, tokens=api.tokens), Api(second, tokens=api.tokens)
        opened = first.post("/appraisals", json={"zone_id": "Z4", "period": PERIOD},
                            headers=writer.headers("admin"))
        position = opened.headers[POSITION]
        # The second process has no memory of the write; the echo makes it wait for it.
        assert listed(second, reader, "inspector", **{POSITION: position}) == ["Z4"]


def test_a_position_beyond_the_log_or_not_a_number_does_not_hold_a_read(api: Api) -> None:
    for echoed in ("9" * 18, "9" * 19, "-1", "1e9", "１２".encode(), "0x10", " 5"):
        started = time.monotonic()
        response = api.get("admin", "/zones", headers={POSITION: echoed})
        assert response.status_code == 200, (echoed, response.text)
        assert time.monotonic() - started < 1 and STALE not in response.headers, echoed


def test_a_page_write_sets_the_position_cookie_that_the_next_page_echoes(api: Api) -> None:
    runtime = api.client.app.state.runtime
    runtime.worker.stop()  # no worker for now: a page that waits for the write says so
    client = TestClient(api.client.app)
    pages = Pages(Api(client, tokens=api.tokens)).as_user("secretary")
    opened = pages.post("/app/organisation/open", {"branch_id": "B1", "period": PERIOD},
                        form_page="/app/organisation")
    assert opened.status_code == 303, opened.text
    cookie = opened.headers.get("set-cookie", "")
    assert f"appraisal_position={log_end(api)}; Path=/app; HttpOnly" in cookie, cookie
    # The browser changes hands: the next user's page echoes the cookie, and waits for it.
    inspector = pages.as_user("inspector")
    assert STALE in inspector.get("/app/appraisals", params={"period": PERIOD}).headers
    client.cookies.delete("appraisal_position")
    assert STALE not in inspector.get("/app/appraisals", params={"period": PERIOD}).headers
    client.cookies.set("appraisal_position", str(log_end(api)), path="/app")
    runtime.follow()
    shown = inspector.get("/app/appraisals", params={"period": PERIOD})
    assert "<td>自查</td>" in shown.text and STALE not in shown.headers


def test_appraisal_projections_run_follows_until_stopped(api: Api, settings: Settings) -> None:
    api.client.app.state.runtime.worker.stop()
    unfollowed = settings.model_copy(update={"follow": False, "read_wait_seconds": 10})
    with TestClient(create_app(unfollowed)) as client:
        other = Api(client, tokens=api.tokens)
        with worker(settings) as process:
            opened = client.post("/appraisals", json={"zone_id": "Z3", "period": PERIOD},
                                 headers=other.headers("admin"))
            assert listed(client, other, "admin") == ["Z3"]
            assert opened.status_code == 201
            process.send_signal(signal.SIGTERM)
            assert process.wait(timeout=20) == 0  # stops after its batch, cleanly


@contextlib.contextmanager
def worker(settings: Settings) -> Iterator[subprocess.Popen]:
    """`appraisal projections run` on the settings' store, as a process of its own."""
    env = {**os.environ, "APPRAISAL_DATABASE_URL": settings.database_url,
           "APPRAISAL_SECRET_KEY": settings.secret_key or ""}
    process = subprocess.Popen(
        [sys.executable, "-m", "service.cli", "projections", "run", "--poll", "0.02"],
        env=env, cwd=Path(__file__).parents[2])
    try:
        yield process
    finally:
        if process.poll() is None:
            process.terminate()
            process.wait(timeout=20)
