"""Separation of duties and the self-check's "responsible at that time", over HTTP."""

from tests.e2e.support import act, assert_problem, nothing_recorded, opened_in
from tests.helpers import SCORES

SCORED = {"scores": SCORES, "comment": ""}


def add_user(api, username, roles, member_id=None):
    body = {"username": username, "password": "password-1", "display_name": username,
            "member_id": member_id, "roles": roles}
    api.post("admin", "/users", json=body).raise_for_status()


def reassign(api, zone_id, member_ids):
    api.put("admin", f"/zones/{zone_id}/responsibles",
            json={"member_ids": member_ids, "reason": "调整"}).raise_for_status()


def test_the_zone_evaluator_of_an_appraisal_cannot_also_review_it(api):
    add_user(api, "both", [{"role": "zone_evaluator", "scope": "Z1"},
                           {"role": "group_leader", "scope": "G1"}])
    doc = opened_in(api, "zone_evaluation")
    doc = act(api, "both", doc, "zone-evaluation", SCORED).json()
    assert doc["allowed_actions"] == []
    with nothing_recorded(api, doc):
        assert_problem(act(api, "both", doc, "group-review", SCORED), 403)
        assert_problem(act(api, "both", doc, "return", {"reason": "x"}), 403)
    assert act(api, "leader", doc, "group-review", SCORED).status_code == 200


def test_the_group_reviewer_cannot_also_approve(api):
    add_user(api, "chief", [{"role": "group_leader", "scope": "G1"},
                            {"role": "branch_secretary", "scope": "B1"}])
    doc = opened_in(api, "group_review")
    doc = act(api, "chief", doc, "group-review", SCORED).json()
    assert doc["allowed_actions"] == []
    with nothing_recorded(api, doc):
        assert_problem(act(api, "chief", doc, "branch-approval", {"comment": ""}), 403)
    assert act(api, "secretary", doc, "branch-approval", {}).status_code == 200


def test_a_responsible_member_never_reviews_or_approves_their_own_zone(api):
    reassign(api, "Z1", ["M1", "M5"])  # the leader (M5) now shares zone Z1
    add_user(api, "m6sec", [{"role": "branch_secretary", "scope": "B1"}], member_id="M6")
    doc = opened_in(api, "group_review")
    assert api.get("leader", f"/appraisals/{doc['id']}").json()["allowed_actions"] == []
    with nothing_recorded(api, doc):
        assert_problem(act(api, "leader", doc, "group-review", SCORED), 403)
    # Responsible when it opened: moving the leader out of the zone does not make it theirs.
    reassign(api, "Z1", ["M1"])
    with nothing_recorded(api, doc):
        assert_problem(act(api, "leader", doc, "group-review", SCORED), 403)
    doc = opened_in(api, "branch_approval", period="2026-11")
    reassign(api, "Z1", ["M1", "M6"])  # the secretary's member is responsible now
    with nothing_recorded(api, doc):
        assert_problem(act(api, "m6sec", doc, "branch-approval", {}), 403)
        assert_problem(act(api, "m6sec", doc, "return", {"reason": "x"}), 403)


def test_after_a_return_the_same_person_signs_their_own_step_again(api):
    doc = opened_in(api, "group_review")
    doc = act(api, "leader", doc, "return", {"reason": "重评"}).json()
    doc = act(api, "evaluator", doc, "zone-evaluation", SCORED)
    assert doc.status_code == 200 and doc.json()["state"] == "group_review"


def test_a_self_check_by_a_member_not_responsible_is_403(api):
    doc = api.open()
    with nothing_recorded(api, doc):
        for user in ("m2", "m4", "leader"):  # members, but not of Z1
            assert_problem(act(api, user, doc, "self-check", SCORED), 403)
    assert api.get("m2", f"/appraisals/{doc['id']}").status_code == 403


def test_a_member_reassigned_in_self_checks_and_the_one_moved_out_no_longer_may(api):
    doc = api.open()
    reassign(api, "Z1", ["M2"])
    assert api.get("m2", f"/appraisals/{doc['id']}").json()["allowed_actions"] == ["self-check"]
    with nothing_recorded(api, doc):
        assert_problem(act(api, "m1", doc, "self-check", SCORED), 403)
    response = act(api, "m2", doc, "self-check", SCORED)
    assert response.status_code == 200, response.text
    assert response.json()["self_check"]["actor"] == "m2"
    history = api.get("inspector", f"/appraisals/{doc['id']}/history").json()["events"]
    assert (history[-1]["actor"], history[-1]["role"]) == ("m2", "responsible_member")
