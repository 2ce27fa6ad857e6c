"""Cancelling an appraisal opened by mistake (撤销), over HTTP on both backends: the branch's
secretary, with a reason, only before any signature; it leaves the inbox and the ranking,
holds no posting back, stays in the history, is never archived, and opening the zone's
period again restarts it in the same stream."""

from typing import Any

from tests.e2e.support import (
    MORE_USERS,
    PERIOD,
    act,
    add_users,
    assert_conflict,
    assert_problem,
    events,
    nothing_recorded,
    publish,
)
from tests.helpers import SCORES, Api

REASON = {"reason": "开错了：该队本月已合并"}


def cancel(api: Api, doc: dict[str, Any], user: str = "secretary", **headers: str) -> Any:
    return act(api, user, doc, "cancel", REASON, **headers)


def cancelled(api: Api, zone_id: str = "Z1") -> dict[str, Any]:
    response = cancel(api, api.open(zone_id, PERIOD))
    assert response.status_code == 200, response.text
    return response.json()


def inbox_ids(api: Api, user: str) -> list[str]:
    return [item["id"] for item in api.get(user, "/inbox").json()["items"]]


def ranking(api: Api, **params: str) -> dict[str, Any]:
    response = api.get("m1", f"/rankings/{PERIOD}", params=params)
    assert response.status_code == 200, response.text
    return response.json()


def test_the_branch_secretary_cancels_an_unsigned_appraisal_with_a_reason(api: Api) -> None:
    doc = api.open("Z1", PERIOD)
    assert "cancel" in api.get("secretary", f"/appraisals/{doc['id']}").json()["allowed_actions"]
    response = cancel(api, doc, **{"If-Match": '"1"'})
    assert response.status_code == 200, response.text
    now = response.json()
    assert (now["state"], now["version"], now["allowed_actions"]) == ("cancelled", 2, [])
    assert response.headers["etag"] == '"2"'
    last = events(api, doc)[-1]
    assert (last["type"], last["actor"], last["role"], last["state"]) == (
        "cancelled", "secretary", "branch_secretary", "cancelled")
    assert last["data"] == REASON
    for user in ("m1", "leader", "inspector", "admin"):  # it stays readable, and final
        seen = api.get(user, f"/appraisals/{doc['id']}").json()
        assert (seen["state"], seen["allowed_actions"]) == ("cancelled", [])
    with nothing_recorded(api, doc):
        assert_conflict(act(api, "m1", doc, "self-check", {"scores": SCORES}), "cancelled", [])
        assert_conflict(cancel(api, doc), "cancelled", [])


def test_an_administrator_who_holds_the_branchs_secretary_grant_cancels_one_alone_does_not(
        api: Api) -> None:
    api.put("admin", "/users/secretary2/roles", json={"roles": [
        {"role": "admin", "scope": None},
        {"role": "branch_secretary", "scope": "B1"}]}).raise_for_status()
    api.tokens.pop("secretary2")  # a role change ends the sessions before it
    doc = api.open("Z1", PERIOD)
    with nothing_recorded(api, doc):
        assert_problem(cancel(api, doc, "admin"), 403)
    assert cancel(api, doc, "secretary2").json()["state"] == "cancelled"


def test_once_any_step_was_signed_it_is_409_saying_why_even_after_a_return(api: Api) -> None:
    doc = api.open("Z1", PERIOD)
    act(api, "m1", doc, "self-check", {"scores": SCORES}).raise_for_status()
    with nothing_recorded(api, doc):
        assert_conflict(cancel(api, doc), "zone_evaluation", [])
    act(api, "evaluator", doc, "return", {"reason": "请补充"}).raise_for_status()
    assert api.get("secretary", f"/appraisals/{doc['id']}").json()["allowed_actions"] == []
    with nothing_recorded(api, doc):
        refused = cancel(api, doc)
        assert_conflict(refused, "self_check", [])
        assert refused.json()["reason"] == "signed"
        assert "once a step was signed" in refused.json()["detail"]
    published = api.publish("Z2", PERIOD)
    with nothing_recorded(api, published):
        assert_conflict(cancel(api, published), "published", ["reopen"])


def test_others_are_refused_403_before_anything_of_it_is_told(api: Api) -> None:
    doc = api.open("Z1", PERIOD)
    with nothing_recorded(api, doc):
        for user in ("secretary2", "m2", "m1", "evaluator", "leader", "inspector",
                     "archivist", "admin"):
            for headers in ({}, {"If-Match": '"9"'}):
                refused = cancel(api, doc, user, **headers)
                body = assert_problem(refused, 403)
                assert not {"state", "allowed_actions", "version"} & set(body), user
                assert "etag" not in refused.headers
                assert "self_check" not in refused.text
        assert_problem(cancel(api, doc, **{"If-Match": '"9"'}), 412)


def test_a_reason_is_required_and_bounded(api: Api) -> None:
    doc = api.open("Z1", PERIOD)
    with nothing_recorded(api, doc):
        for body in ({}, {"reason": ""}, {"reason": " \t "}, {"reason": "长" * 4001},
                     {"reason": 7}, {"reason": None}, []):
            assert_problem(act(api, "secretary", doc, "cancel", body), 422)


def test_a_retry_with_the_same_key_answers_the_first_response_and_records_once(
        api: Api) -> None:
    doc = api.open("Z1", PERIOD)
    first = cancel(api, doc, **{"Idempotency-Key": "cancel-1"})
    again = cancel(api, doc, **{"Idempotency-Key": "cancel-1"})
    assert (first.status_code, again.status_code) == (200, 200)
    assert again.json() == first.json()
    assert again.headers["idempotent-replayed"] == "true"
    assert [e["type"] for e in events(api, doc)] == ["opened", "cancelled"]


def test_a_cancelled_appraisal_leaves_the_inbox_and_the_ranking_and_counts_apart(
        api: Api) -> None:
    doc = api.open("Z1", PERIOD)
    assert doc["id"] in inbox_ids(api, "m1")
    assert ranking(api)["unpublished"] == 1
    cancel(api, doc).raise_for_status()
    assert doc["id"] not in inbox_ids(api, "m1")
    counted = ranking(api, branch_id="B1")
    assert (counted["unpublished"], counted["cancelled"], counted["entries"]) == (0, 1, [])
    listed = api.get("inspector", "/appraisals", params={"state": "cancelled"}).json()["items"]
    assert [item["id"] for item in listed] == [doc["id"]]
    assert api.get("inspector", "/appraisals",
                   params={"period": PERIOD, "state": "self_check"}).json()["items"] == []
    assert [e["type"] for e in events(api, doc)] == ["opened", "cancelled"]


def test_progress_shows_it_apart_from_the_open_and_it_holds_no_posting_back(
        api: Api, settings: Any) -> None:
    add_users(api, settings, MORE_USERS)
    publish(api, "Z2", "90")
    publish(api, "Z3", "85")
    cancelled(api, "Z1")
    b1 = {row["branch_id"]: row for row in api.get(
        "inspector", "/progress", params={"period": PERIOD}).json()["branches"]}["B1"]
    assert (b1["zones"], b1["not_opened"]) == (3, 0)
    assert (b1["states"]["cancelled"], b1["states"]["self_check"], b1["states"]["published"]) \
        == (1, 0, 2)
    posting = api.post("secretary", "/branches/B1/postings", json={"period": PERIOD})
    assert posting.status_code == 201, posting.text  # no zone is pending: no `partial`
    assert [e["zone_id"] for e in posting.json()["entries"]] == ["Z2", "Z3"]


def test_opening_again_restarts_it_in_the_same_stream_with_the_zone_as_it_is_now(
        api: Api) -> None:
    doc = cancelled(api, "Z1")
    api.put("admin", "/zones/Z1/responsibles",
            json={"member_ids": ["M1", "M2"], "reason": "两人共管"}).raise_for_status()
    again = api.open("Z1", PERIOD)
    assert (again["id"], again["state"], again["version"]) == (doc["id"], "self_check", 3)
    assert again["responsible_member_ids"] == ["M1", "M2"]
    history = events(api, doc)
    assert [e["type"] for e in history] == ["opened", "cancelled", "restarted"]
    assert history[-1]["data"]["responsible_member_ids"] == ["M1", "M2"]
    assert history[-1]["data"]["template_id"] == "default"
    assert (history[-1]["actor"], history[-1]["state"]) == ("secretary", "self_check")
    assert_problem(api.post("secretary", "/appraisals",
                            json={"zone_id": "Z1", "period": PERIOD}), 409)
    assert doc["id"] in inbox_ids(api, "m2")
    assert (ranking(api)["unpublished"], ranking(api)["cancelled"]) == (1, 0)
    assert act(api, "m2", doc, "self-check", {"scores": SCORES}).status_code == 200
    then = api.get("inspector", f"/appraisals/{doc['id']}", params={"version": 2}).json()
    assert then["state"] == "cancelled"


def test_opening_a_branchs_period_restarts_its_cancelled_appraisals_as_opened(api: Api) -> None:
    opening = {"branch_id": "B1"}
    first = api.post("secretary", f"/periods/{PERIOD}/appraisals", json=opening).json()
    assert first == {"opened": 3, "already_open": 0}
    z1 = api.get("secretary", "/appraisals", params={"zone_id": "Z1"}).json()["items"][0]
    cancel(api, z1).raise_for_status()
    again = api.post("secretary", f"/periods/{PERIOD}/appraisals", json=opening).json()
    assert again == {"opened": 1, "already_open": 2}
    assert api.get("m1", f"/appraisals/{z1['id']}").json()["state"] == "self_check"


def test_archives_hold_published_appraisals_only_and_a_restarted_one_with_its_history(
        api: Api) -> None:
    cancelled(api, "Z1")
    restarted = cancelled(api, "Z2")
    api.open("Z2", PERIOD)
    for user, action, body in [("m2", "self-check", {"scores": SCORES}),
                               ("evaluator", "zone-evaluation", {"scores": SCORES}),
                               ("leader", "group-review", {"scores": SCORES}),
                               ("secretary", "branch-approval", {"comment": "同意"})]:
        act(api, user, restarted, action, body).raise_for_status()
    archive = api.get("archivist", "/archives/2026").json()
    assert [a["zone_id"] for a in archive["appraisals"]] == ["Z2"]
    kept = archive["appraisals"][0]
    assert [e["type"] for e in kept["history"]][:3] == ["opened", "cancelled", "restarted"]
    assert kept["state"] == "published" and kept["items"]["duty"] == 20
    for form in ("xlsx", "pdf"):
        assert api.get("archivist", "/archives/2026", params={"format": form}).status_code == 200
