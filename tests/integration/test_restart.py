"""Idempotency-Key and restarts: what a client retried or a process restarted finds in the store.

Each test opens its own appraisals (its own period) in the module's store; a "restart" is a
new app on the same database URL, as a new process would be.
"""

import threading
from concurrent.futures import ThreadPoolExecutor

from domain.forms import DEFAULT_FORM_ID, AssessmentForm
from domain.users import User
from tests.helpers import SCORES, Api

PROBLEM = "application/problem+json"


def self_check(api: Api, appraisal_id: str, key: str, comment: str = "自查", user: str = "m1"):
    return api.post(user, f"/appraisals/{appraisal_id}/self-check",
                    json={"scores": SCORES, "comment": comment},
                    headers={"Idempotency-Key": key})


def last_position(api: Api) -> int:
    """The id of the latest event in the whole store, as the app's own recorder reads it."""
    return api.client.app.state.runtime.workflows.recorder.max_notification_id()


def event_types(api: Api, appraisal_id: str) -> list[str]:
    history = api.get("inspector", f"/appraisals/{appraisal_id}/history").json()
    return [e["type"] for e in history["events"]]


def test_a_replayed_key_answers_as_the_first_time_and_records_nothing(shared_api):
    doc = shared_api.open("Z1", "2023-01")
    first = self_check(shared_api, doc["id"], "retry-1")
    assert first.status_code == 200, first.text
    recorded = last_position(shared_api)
    again = self_check(shared_api, doc["id"], "retry-1")
    assert (again.status_code, again.json(), again.headers["ETag"]) == (
        200, first.json(), first.headers["ETag"])
    assert last_position(shared_api) == recorded
    # Still the first answer once the appraisal has moved on (no 409 for the state).
    shared_api.post("evaluator", f"/appraisals/{doc['id']}/zone-evaluation",
                    json={"scores": SCORES, "comment": "评价"}).raise_for_status()
    later = self_check(shared_api, doc["id"], "retry-1")
    assert (later.status_code, later.json()) == (200, first.json())
    assert event_types(shared_api, doc["id"]) == [
        "opened", "self_check_submitted", "zone_evaluation_submitted"]


def test_a_key_reused_for_another_request_is_a_409_that_records_nothing(shared_api):
    doc = shared_api.open("Z1", "2023-02")
    other = shared_api.open("Z1", "2023-03")
    self_check(shared_api, doc["id"], "once").raise_for_status()
    recorded = last_position(shared_api)
    for reuse in (self_check(shared_api, doc["id"], "once", comment="另一份"),
                  self_check(shared_api, other["id"], "once"),
                  shared_api.post("m1", f"/appraisals/{doc['id']}/zone-evaluation",
                                  json={"scores": SCORES, "comment": "自查"},
                                  headers={"Idempotency-Key": "once"})):
        assert reuse.status_code == 409, reuse.text
        assert reuse.headers["content-type"] == PROBLEM
    assert last_position(shared_api) == recorded
    assert event_types(shared_api, other["id"]) == ["opened"]


def test_keys_belong_to_their_user(shared_api):
    doc = shared_api.open("Z1", "2023-04")
    members = self_check(shared_api, doc["id"], "same-key")
    theirs = shared_api.post("evaluator", f"/appraisals/{doc['id']}/zone-evaluation",
                             json={"scores": SCORES, "comment": "评价"},
                             headers={"Idempotency-Key": "same-key"})
    assert (members.status_code, theirs.status_code) == (200, 200), theirs.text
    assert theirs.json()["version"] == 3 and theirs.json()["state"] == "group_review"


def test_a_replay_answers_the_same_after_a_restart(mine):
    with mine.started() as before:
        doc = before.open("Z2", "2023-05")
        first = self_check(before, doc["id"], "across-restarts", user="m2")
        assert first.status_code == 200, first.text
    with mine.started() as after:
        recorded = last_position(after)
        again = self_check(after, doc["id"], "across-restarts", user="m2")
        assert (again.status_code, again.json()) == (200, first.json())
        changed = self_check(after, doc["id"], "across-restarts", comment="改了", user="m2")
        assert changed.status_code == 409, changed.text
        assert last_position(after) == recorded


def test_concurrent_requests_with_one_key_record_one_signature(shared_api):
    doc = shared_api.open("Z2", "2023-06")
    shared_api.token("m2")
    barrier = threading.Barrier(8, timeout=30)

    def send(_: int):
        barrier.wait()
        return self_check(shared_api, doc["id"], "double-click", user="m2")

    with ThreadPoolExecutor(8) as pool:
        responses = list(pool.map(send, range(8)))
    assert [r.status_code for r in responses] == [200] * 8, [r.text for r in responses]
    assert all(r.json() == responses[0].json() for r in responses)
    assert event_types(shared_api, doc["id"]) == ["opened", "self_check_submitted"]


def test_everything_written_before_a_restart_is_there_after_it(mine):
    reads = ["/zones", "/zones?group_id=G1", "/appraisals?period=2023-07", "/forms/default",
             "/branches/B1/reward-policy", "/me"]
    with mine.started() as before:
        doc = before.publish("Z1", "2023-07")
        seen = {path: before.get("inspector", path).json() for path in reads}
        seen["history"] = before.get("inspector", f"/appraisals/{doc['id']}/history").json()
    with mine.started() as after:
        assert after.get("secretary", f"/appraisals/{doc['id']}").json() == doc
        now = {path: after.get("inspector", path).json() for path in reads}
        now["history"] = after.get("inspector", f"/appraisals/{doc['id']}/history").json()
        assert now == seen
        assert [z["id"] for z in now["/zones"]["items"]] == ["Z1", "Z2", "Z3", "Z4"]
        assert [d["id"] for d in now["/appraisals?period=2023-07"]["items"]] == [doc["id"]]


def test_restarts_create_no_second_default_form_or_admin(mine):
    for _ in range(2):
        with mine.started():
            pass
    with mine.started() as api:
        workflows = api.client.app.state.runtime.workflows
        form = list(workflows.events.get(AssessmentForm.create_id(DEFAULT_FORM_ID)))
        admin = list(workflows.events.get(User.create_id("admin")))
        assert (len(form), len(admin)) == (1, 1)
        assert api.get("admin", "/forms/default").json()["version"] == 1
        assert api.get("admin", "/me").json()["username"] == "admin"
