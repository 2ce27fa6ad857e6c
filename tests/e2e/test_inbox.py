"""GET /inbox over HTTP: what waits for each role's forward step, oldest first, on both backends."""

from typing import Any

from projections.inbox import candidates
from service.auth import actor_of
from service.cases.inbox import duties_of
from tests.e2e.support import act, advance, assert_problem, opened_in
from tests.helpers import PASSWORD, SCORES, Api
from workflows.process import FORWARD as FORWARD_ACTIONS

SIGNERS = ("m1", "m2", "m4", "evaluator", "leader", "secretary", "secretary2", "inspector",
           "inspector2", "archivist", "admin")


def inbox(api: Api, user: str, **params: Any) -> list[dict[str, Any]]:
    response = api.get(user, "/inbox", params=params)
    assert response.status_code == 200, response.text
    return response.json()["items"]


def zones(api: Api, user: str, **params: Any) -> list[tuple[str, str]]:
    return [(doc["zone_id"], doc["period"]) for doc in inbox(api, user, **params)]


def waiting_for(api: Api) -> dict[str, list[str]]:
    """Every signed-in user's inbox, as zone ids; users with an empty inbox left out."""
    found = {user: [doc["zone_id"] for doc in inbox(api, user)] for user in SIGNERS}
    return {user: items for user, items in found.items() if items}


def test_each_step_waits_for_its_signer_alone(api: Api) -> None:
    doc = api.open("Z1")
    for state, user in [("self_check", "m1"), ("zone_evaluation", "evaluator"),
                        ("group_review", "leader"), ("branch_approval", "secretary")]:
        doc = advance(api, doc, state)
        assert waiting_for(api) == {user: ["Z1"]}, state
    advance(api, doc, "published")
    assert waiting_for(api) == {}  # a reopen is not a forward step


def test_an_item_is_the_document_the_signer_would_read(api: Api) -> None:
    doc = opened_in(api, "group_review")
    (item,) = inbox(api, "leader")
    # With its branch and its step's deadline beside it (tests/e2e/test_deadlines.py).
    dated = {"branch_id": item.pop("branch_id"), "due": item.pop("due")}
    assert dated == {"branch_id": "B1", "due": "2026-11-10"} and item.pop("deadline")
    assert item == api.get("leader", f"/appraisals/{doc['id']}").json()
    assert item["allowed_actions"] == ["group-review", "return"]


def test_a_returned_appraisal_waits_again_for_the_step_before(api: Api) -> None:
    doc = opened_in(api, "group_review")
    act(api, "leader", doc, "return", {"reason": "评价偏高"}).raise_for_status()
    assert waiting_for(api) == {"evaluator": ["Z1"]}


def test_a_reassigned_zone_waits_for_its_new_member(api: Api) -> None:
    api.open("Z1")
    api.open("Z2")
    assert zones(api, "m1") == [("Z1", "2026-10")]
    api.put("admin", "/zones/Z1/responsibles",
            json={"member_ids": ["M2"], "reason": "张伟调离"}).raise_for_status()
    assert zones(api, "m1") == []
    assert zones(api, "m2") == [("Z1", "2026-10"), ("Z2", "2026-10")]


def test_the_self_checker_does_not_evaluate_their_own_self_check(api: Api) -> None:
    user = {"username": "m1eval", "password": PASSWORD, "display_name": "张伟",
            "member_id": "M1", "roles": [{"role": "zone_evaluator", "scope": "Z1"}]}
    api.post("admin", "/users", json=user).raise_for_status()
    doc = api.open("Z1")
    assert zones(api, "m1eval") == [("Z1", "2026-10")]
    act(api, "m1eval", doc, "self-check", {"scores": SCORES}).raise_for_status()
    assert zones(api, "m1eval") == []
    assert zones(api, "evaluator") == [("Z1", "2026-10")]


def test_a_responsible_leader_does_not_review_their_own_zone(api: Api) -> None:
    api.put("admin", "/zones/Z1/responsibles",
            json={"member_ids": ["M1", "M5"], "reason": "组长包保"}).raise_for_status()
    opened_in(api, "group_review")
    assert zones(api, "leader") == []
    z2 = act(api, "m2", api.open("Z2"), "self-check", {"scores": SCORES})
    advance(api, z2.json(), "group_review")  # the evaluator and the leader act on Z2 as on Z1
    assert zones(api, "leader") == [("Z2", "2026-10")]


def test_scopes_keep_other_zones_groups_and_branches_out(api: Api) -> None:
    api.open("Z4")
    assert zones(api, "m4") == [("Z4", "2026-10")]
    assert zones(api, "m1") == []
    # Z3 (group G2) reassigned to M1, so that m1 can take it to zone evaluation.
    api.put("admin", "/zones/Z3/responsibles",
            json={"member_ids": ["M1"], "reason": "代管"}).raise_for_status()
    z3 = api.open("Z3")
    act(api, "m1", z3, "self-check", {"scores": SCORES}).raise_for_status()
    assert zones(api, "evaluator") == []  # evaluates Z1 and Z2 only
    opened_in(api, "branch_approval")
    assert zones(api, "secretary") == [("Z1", "2026-10")]
    assert zones(api, "secretary2") == []
    assert zones(api, "inspector2") == []


def test_oldest_first_by_last_event_with_period_filter_and_pages(api: Api) -> None:
    older, newer = api.open("Z1", "2026-09"), api.open("Z2", "2026-10")
    z2 = api.open("Z2", "2026-09")
    z1 = api.open("Z1", "2026-10")
    # Signed in this order: the evaluator's queue follows the signing, not the opening.
    for user, doc in [("m2", newer), ("m1", z1), ("m1", older), ("m2", z2)]:
        act(api, user, doc, "self-check", {"scores": SCORES}).raise_for_status()
    expected = [("Z2", "2026-10"), ("Z1", "2026-10"), ("Z1", "2026-09"), ("Z2", "2026-09")]
    assert zones(api, "evaluator") == expected
    assert zones(api, "evaluator", period="2026-09") == [("Z1", "2026-09"), ("Z2", "2026-09")]
    assert zones(api, "evaluator", limit=2, offset=1) == expected[1:3]
    assert zones(api, "evaluator", offset=3) == expected[3:]
    assert zones(api, "evaluator", limit=0) == []


def test_a_bad_filter_is_invalid_and_no_token_is_unauthorized(api: Api) -> None:
    assert_problem(api.get("m1", "/inbox", params={"period": "October"}), 422)
    assert_problem(api.get("m1", "/inbox", params={"limit": -1}), 422)
    assert_problem(api.client.get("/inbox"), 401)


def test_the_index_narrows_candidates_to_the_callers_scopes(api: Api) -> None:
    """What the service loads is bounded by SQL: a secretary's approvals, a member's zones."""
    approval = opened_in(api, "branch_approval")
    z2, z4 = api.open("Z2"), api.open("Z4")
    rt = api.client.app.state.runtime
    rt.follower.catch_up()

    def candidate_ids(username: str) -> list[str]:
        actor = actor_of(rt.workflows.find_user(username))
        with rt.engines.reader.connect() as conn:
            return [c.id for c in candidates(conn, duties_of(actor))]

    assert candidate_ids("secretary") == [approval["id"]]
    assert candidate_ids("m2") == [z2["id"]]
    assert candidate_ids("m4") == [z4["id"]]
    assert candidate_ids("inspector") == candidate_ids("archivist") == []


def test_the_forward_actions_are_the_four_signing_steps() -> None:
    four = {"self-check", "zone-evaluation", "group-review", "branch-approval"}
    assert four == FORWARD_ACTIONS
