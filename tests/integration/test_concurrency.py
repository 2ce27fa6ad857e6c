"""Writers racing on one store, through the real HTTP app, on SQLite and PostgreSQL.

Every racing request is released by one barrier, so they load the same version and
compete to record the next one. The store's optimistic concurrency must let exactly one
win and answer the others 409 with nothing more recorded; writes that do not compete must
all succeed, whatever the backend's locking.
"""

import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor

import pytest

from tests.helpers import SCORES, Api

PROBLEM = "application/problem+json"


def race(calls: list[Callable[[], object]]) -> list:
    """Run every call at once in its own thread; their results, in order."""
    barrier = threading.Barrier(len(calls), timeout=30)

    def run(call: Callable[[], object]) -> object:
        barrier.wait()
        return call()

    with ThreadPoolExecutor(len(calls)) as pool:
        return list(pool.map(run, calls))


def sign_self_check(api: Api, appraisal_id: str, comment: str) -> Callable[[], object]:
    return lambda: api.post("m1", f"/appraisals/{appraisal_id}/self-check",
                            json={"scores": SCORES, "comment": comment})


def assert_one_winner(responses: list, winner_status: int = 200) -> dict:
    """Exactly one response succeeded; every other is a 409 problem; the winner's body."""
    statuses = sorted(r.status_code for r in responses)
    assert statuses == [winner_status] + [409] * (len(responses) - 1), statuses
    for lost in (r for r in responses if r.status_code == 409):
        assert lost.headers["content-type"] == PROBLEM
        assert lost.json()["status"] == 409
    return next(r for r in responses if r.status_code == winner_status).json()


def assert_recorded(api: Api, appraisal_id: str, types: list[str]) -> None:
    history = api.get("inspector", f"/appraisals/{appraisal_id}/history").json()["events"]
    assert [e["type"] for e in history] == types
    now = api.get("inspector", f"/appraisals/{appraisal_id}")
    assert now.json()["version"] == len(types)
    assert now.headers["ETag"] == f'"{len(types)}"'


@pytest.mark.parametrize("signers", [2, 8])
def test_racing_signers_of_one_step_leave_one_signature(shared_api, signers):
    doc = shared_api.open("Z1", f"2025-{signers:02d}")
    shared_api.token("m1")  # signed in before the race, so only the signing races
    responses = race([sign_self_check(shared_api, doc["id"], f"第{i}份")
                      for i in range(signers)])
    won = assert_one_winner(responses)
    assert won["version"] == 2 and won["state"] == "zone_evaluation"
    assert_recorded(shared_api, doc["id"], ["opened", "self_check_submitted"])
    kept = shared_api.get("inspector", f"/appraisals/{doc['id']}").json()
    assert kept["self_check"]["comment"] == won["self_check"]["comment"]


def test_two_processes_on_one_store_race_and_then_agree(mine):
    """Two apps, each with its own application object and aggregate cache, on one store."""
    with mine.started() as first, mine.started() as second:
        doc = first.open("Z1", "2025-09")
        first.token("m1")
        responses = race([sign_self_check(first, doc["id"], "甲"),
                          sign_self_check(second, doc["id"], "乙")])
        won = assert_one_winner(responses)
        # Each process, loser included, now reads the winner's signature from the store.
        for api in (first, second):
            assert api.get("m1", f"/appraisals/{doc['id']}").json() == won
            assert_recorded(api, doc["id"], ["opened", "self_check_submitted"])
        # The loser's process goes on from the winner's version, not from its own stale copy.
        step = second.post("evaluator", f"/appraisals/{doc['id']}/zone-evaluation",
                           json={"scores": SCORES, "comment": "评价"})
        assert step.status_code == 200, step.text
        assert step.json()["version"] == 3


def test_concurrent_opens_of_one_zone_and_period_open_it_once(shared_api):
    openers = ["secretary", "admin"] * 4
    for user in openers:
        shared_api.token(user)
    responses = race([
        lambda user=user: shared_api.post(user, "/appraisals",
                                          json={"zone_id": "Z2", "period": "2025-10"})
        for user in openers])
    doc = assert_one_winner(responses, winner_status=201)
    assert_recorded(shared_api, doc["id"], ["opened"])
    listed = shared_api.get("inspector", "/appraisals?zone_id=Z2&period=2025-10").json()
    assert [d["id"] for d in listed["items"]] == [doc["id"]]


def test_concurrent_writes_to_different_appraisals_all_succeed(shared_api):
    """Signatures, opens and reads (which bring the read models up to date) all at once."""
    signers = {"Z1": "m1", "Z2": "m2"}
    docs = [shared_api.open(zone, f"2024-{month:02d}")
            for month, zone in zip(range(1, 9), [*signers] * 4, strict=True)]
    for user in (*signers.values(), "secretary", "inspector"):
        shared_api.token(user)

    def sign(doc: dict) -> Callable[[], object]:
        return lambda: shared_api.post(signers[doc["zone_id"]],
                                       f"/appraisals/{doc['id']}/self-check",
                                       json={"scores": SCORES, "comment": "自查"})

    def open_z3(period: str) -> Callable[[], object]:
        return lambda: shared_api.post("secretary", "/appraisals",
                                       json={"zone_id": "Z3", "period": period})

    def read() -> object:
        return shared_api.get("inspector", "/appraisals?period=2024-01")

    z3_periods = ["2024-01", "2024-02", "2024-03", "2024-04"]
    responses = race([*map(sign, docs), *map(open_z3, z3_periods), *[read] * 4])
    assert [r.status_code for r in responses] == [200] * 8 + [201] * 4 + [200] * 4, \
        [r.text for r in responses if r.status_code >= 300]
    for doc in docs:
        assert_recorded(shared_api, doc["id"], ["opened", "self_check_submitted"])
    listed = shared_api.get("inspector", "/appraisals?period=2024-01").json()["items"]
    assert {(d["zone_id"], d["state"]) for d in listed} == {
        ("Z1", "zone_evaluation"), ("Z3", "self_check")}
