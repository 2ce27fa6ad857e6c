"""Bulk sign-off, POST /appraisals/bulk, over the real HTTP app on SQLite and PostgreSQL: each
item answered as it would have been alone, whole-request faults recording nothing, and
Idempotency-Key replays, retries after a crash and races applying no item twice."""

from contextlib import ExitStack
from typing import Any
from uuid import uuid4

import pytest

from service.app import create_app
from tests.e2e.support import (
    MORE_USERS,
    SIGNERS,
    STATES,
    STEPS,
    act_ok,
    add_users,
    assert_problem,
    events,
    marks,
    nothing_recorded,
)
from tests.e2e.test_metrics import sample, scrape
from tests.helpers import SCORES, Api, Observer
from tests.integration.test_concurrency import race

BULK = "/appraisals/bulk"
LEAKS = {"state", "allowed_actions", "version", "current_version", "scores", "score", "grade"}


def standing_in(api: Api, zone: str, state: str, period: str) -> dict[str, Any]:
    """An appraisal of `zone` taken by its signers up to `state`."""
    doc = api.open(zone, period)
    for user, action in list(zip(SIGNERS[zone], STEPS, strict=True))[:STATES.index(state)]:
        body = {"comment": "同意"} if action == "branch-approval" else \
            {"scores": marks("93"), "comment": action}
        doc = act_ok(api, user, doc, action, body)
    return doc


def bulk(api: Api, user: str, action: str, items: list[dict[str, Any]], **headers: str) -> Any:
    return api.post(user, BULK, json={"action": action, "items": items}, headers=headers)


def recorded(api: Api) -> int:
    return api.client.app.state.runtime.workflows.recorder.max_notification_id() or 0


def outcomes(response: Any) -> list[dict[str, Any]]:
    assert response.status_code == 200, response.text
    return response.json()["items"]


def test_each_item_is_answered_as_it_would_have_been_alone(api, settings):
    add_users(api, settings, MORE_USERS)
    ok = standing_in(api, "Z1", "group_review", "2026-01")
    stale = standing_in(api, "Z2", "group_review", "2026-01")
    moved_on = standing_in(api, "Z1", "branch_approval", "2026-02")
    foreign = standing_in(api, "Z4", "group_review", "2026-01")
    unfit = standing_in(api, "Z2", "group_review", "2026-02")
    items = [{"id": ok["id"], "scores": SCORES, "comment": "批量"},
             {"id": stale["id"], "if_match": '"1"', "scores": SCORES},
             {"id": moved_on["id"], "scores": SCORES},
             {"id": foreign["id"], "scores": SCORES},
             {"id": str(uuid4()), "scores": SCORES},
             {"id": unfit["id"], "scores": {**SCORES, "thought": 16}},
             {"id": unfit["id"].replace("-", "")[:31], "scores": SCORES}]
    with ExitStack() as untouched:
        for doc in (stale, moved_on, foreign, unfit):
            untouched.enter_context(nothing_recorded(api, doc))
        answered = outcomes(bulk(api, "leader", "group-review", items))
    assert [o["id"] for o in answered] == [i["id"] for i in items]
    assert [o["status"] for o in answered] == [200, 412, 409, 403, 404, 422, 404]
    taken = answered[0]["document"]
    assert (taken["state"], taken["score"], taken["group_review"]["comment"]) == (
        "branch_approval", 93.5, "批量")
    assert "problem" not in answered[0] and "document" not in answered[1]
    # Each refusal is the single sign-off's answer to the same request, word for word.
    for item, outcome in list(zip(items, answered, strict=True))[1:]:
        headers = {"If-Match": item["if_match"]} if "if_match" in item else {}
        alone = api.post("leader", f"/appraisals/{item['id']}/group-review",
                         json={"scores": item["scores"]}, headers=headers)
        assert assert_problem(alone, outcome["status"]) == outcome["problem"]
    assert not LEAKS & set(answered[3]["problem"])
    assert answered[3]["problem"]["reason"] == "scope"
    assert answered[2]["problem"]["state"] == "branch_approval"


def test_each_item_is_its_own_event_in_its_history(api):
    docs = [standing_in(api, "Z1", "branch_approval", f"2026-0{m}") for m in (1, 2, 3)]
    answered = outcomes(bulk(api, "secretary", "branch-approval",
                             [{"id": d["id"], "comment": f"第{n}份"} for n, d in enumerate(docs)]))
    assert [o["document"]["state"] for o in answered] == ["published"] * 3
    for n, doc in enumerate(docs):
        last = events(api, doc)[-1]
        assert (last["type"], last["actor"], last["role"], last["data"]["comment"]) == (
            "branch_approved", "secretary", "branch_secretary", f"第{n}份")
        assert last["version"] == doc["version"] + 1


def test_each_item_counts_as_a_sign_off_in_the_metrics(api):
    docs = [standing_in(api, "Z1", "branch_approval", f"2026-0{m}") for m in (1, 2)]
    before = scrape(api)
    outcomes(bulk(api, "secretary", "branch-approval",
                  [{"id": d["id"]} for d in docs] + [{"id": str(uuid4())}]))
    rose = (sample(scrape(api), "appraisal_sign_offs_total", action="branch-approval")
            - sample(before, "appraisal_sign_offs_total", action="branch-approval"))
    assert rose == 2


def test_the_same_key_and_request_replay_the_answer_and_record_nothing_even_after_a_restart(
        api, settings):
    docs = [standing_in(api, "Z1", "branch_approval", f"2026-0{m}") for m in (1, 2)]
    early = standing_in(api, "Z1", "group_review", "2026-03")
    items = [{"id": d["id"], "comment": "同意"} for d in (*docs, early)]
    key = {"Idempotency-Key": "month-end-2026-01"}
    first = bulk(api, "secretary", "branch-approval", items, **key)
    assert [o["status"] for o in outcomes(first)] == [200, 200, 409]
    assert "Idempotent-Replayed" not in first.headers
    before = recorded(api)
    again = bulk(api, "secretary", "branch-approval", items, **key)
    with Observer(create_app(settings)) as restarted:
        after_restart = restarted.post(BULK, json={"action": "branch-approval", "items": items},
                                       headers={**api.headers("secretary"), **key})
    for response in (again, after_restart):
        assert (response.status_code, response.json()) == (200, first.json())
        assert response.headers["Idempotent-Replayed"] == "true"
    assert recorded(api) == before


def test_the_same_key_with_another_request_is_409_and_records_nothing(api):
    docs = [standing_in(api, "Z1", "branch_approval", f"2026-0{m}") for m in (1, 2)]
    key = {"Idempotency-Key": "k"}
    outcomes(bulk(api, "secretary", "branch-approval", [{"id": docs[0]["id"]}], **key))
    before = recorded(api)
    for action, items in (("branch-approval", [{"id": docs[1]["id"]}]),
                          ("branch-approval", [{"id": docs[0]["id"]}, {"id": docs[1]["id"]}]),
                          ("branch-approval", [{"id": docs[0]["id"], "comment": "改了"}]),
                          ("return", [{"id": docs[0]["id"], "reason": "退回"}])):
        body = assert_problem(bulk(api, "secretary", action, items, **key), 409)
        assert body["title"] == "Idempotency-Key reused for a different request"
        assert body["detail"] == "Idempotency-Key 'k' was used for another request"
    # A single sign-off under the bulk's key is another request, and so the other way round.
    assert_problem(api.post("secretary", f"/appraisals/{docs[1]['id']}/branch-approval",
                            json={"comment": ""}, headers=key), 409)
    assert recorded(api) == before
    single = {"Idempotency-Key": "single"}
    assert api.post("secretary", f"/appraisals/{docs[1]['id']}/branch-approval",
                    json={"comment": ""}, headers=single).status_code == 200
    before = recorded(api)
    assert_problem(bulk(api, "secretary", "branch-approval", [{"id": docs[1]["id"]}], **single),
                   409)
    assert recorded(api) == before
    # Keys are per user.
    other = outcomes(bulk(api, "secretary2", "branch-approval", [{"id": docs[1]["id"]}], **key))
    assert other[0]["status"] == 403


def test_a_retry_after_a_crash_mid_way_applies_no_item_twice(api, monkeypatch):
    docs = [standing_in(api, "Z1", "branch_approval", f"2026-0{m}") for m in (1, 2, 3, 4)]
    items = [{"id": d["id"]} for d in docs]
    key = {"Idempotency-Key": "crash"}
    rt = api.client.app.state.runtime
    taken: list[str] = []

    def crash_after_two(action: str) -> None:
        taken.append(action)
        if len(taken) == 2:
            raise RuntimeError("the process died here")

    monkeypatch.setattr(rt, "took", crash_after_two)
    with pytest.raises(RuntimeError):
        bulk(api, "secretary", "branch-approval", items, **key)
    monkeypatch.undo()
    retried = outcomes(bulk(api, "secretary", "branch-approval", items, **key))
    assert [o["status"] for o in retried] == [200] * 4
    for doc in docs:
        assert [e["type"] for e in events(api, doc)].count("branch_approved") == 1


def test_two_identical_requests_racing_with_one_key_apply_each_item_once(api):
    docs = [standing_in(api, "Z1", "branch_approval", f"2026-{m:02d}") for m in range(1, 7)]
    items = [{"id": d["id"]} for d in docs]
    api.token("secretary")
    first, second = race([lambda: bulk(api, "secretary", "branch-approval", items,
                                       **{"Idempotency-Key": "race"})] * 2)
    assert outcomes(first) == outcomes(second)
    assert [o["status"] for o in outcomes(first)] == [200] * 6
    for doc in docs:
        assert [e["type"] for e in events(api, doc)].count("branch_approved") == 1


@pytest.mark.parametrize(("name", "body"), [
    ("an unknown action", {"action": "approve-all", "items": [{"id": "x"}]}),
    ("no items", {"action": "branch-approval", "items": []}),
    ("501 items", {"action": "branch-approval",
                   "items": [{"id": str(uuid4())} for _ in range(501)]}),
    ("items not a list", {"action": "branch-approval", "items": {"id": "x"}}),
    ("an item without an id", {"action": "branch-approval", "items": [{"comment": "c"}]}),
    ("an id that is a number", {"action": "branch-approval", "items": [{"id": 7}]}),
    ("an id of 101 characters", {"action": "branch-approval", "items": [{"id": "x" * 101}]}),
    ("an If-Match of 101 characters", {"action": "branch-approval",
                                       "items": [{"id": "x", "if_match": "9" * 101}]}),
    ("no action", {"items": [{"id": "x"}]}),
    ("a list for a body", [{"id": "x"}]),
])
def test_a_request_of_the_wrong_shape_is_422_and_records_nothing(api, name, body):
    doc = standing_in(api, "Z1", "branch_approval", "2026-01")
    with nothing_recorded(api, doc):
        assert_problem(api.post("secretary", BULK, json=body), 422)


def test_one_appraisal_named_twice_however_spelled_is_422_and_records_nothing(api):
    doc = standing_in(api, "Z1", "branch_approval", "2026-01")
    for twice in (doc["id"], doc["id"].upper(), "{" + doc["id"] + "}",
                  f"urn:uuid:{doc['id']}", doc["id"].replace("-", "")):
        with nothing_recorded(api, doc):
            body = assert_problem(bulk(api, "secretary", "branch-approval",
                                       [{"id": doc["id"]}, {"id": twice}]), 422)
            assert body["errors"] == {"items": "duplicate"}


def test_no_token_is_401_before_the_body(api):
    doc = standing_in(api, "Z1", "branch_approval", "2026-01")
    with nothing_recorded(api, doc):
        assert_problem(api.client.post(BULK, json={"action": "branch-approval",
                                                   "items": [{"id": doc["id"]}]}), 401)
        assert_problem(api.client.post(BULK, json={"items": "nonsense"}), 401)
