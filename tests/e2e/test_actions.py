"""API.md's actions table over HTTP: each action's states and signer, returns, reopen,
`allowed_actions`, scores, totals, reasons, If-Match and separation of duties."""

from itertools import pairwise

from tests.e2e.support import (
    BACKWARD,
    FORWARD,
    STATES,
    act,
    advance,
    assert_conflict,
    assert_problem,
    events,
    nothing_recorded,
    opened_in,
)
from tests.helpers import FULL_MARKS, SCORES

STEP_OF = {"self_check": "self_check", "zone_evaluation": "zone_evaluation",
           "group_review": "group_review", "branch_approval": "branch_approval"}
# The Z1 appraisal's callers and what each may do in each state.
ALLOWED = {
    "self_check": {"m1": ["self-check"], "secretary": ["cancel"]},  # nothing signed yet
    "zone_evaluation": {"evaluator": ["zone-evaluation", "return"]},
    "group_review": {"leader": ["group-review", "return"]},
    "branch_approval": {"secretary": ["branch-approval", "return"]},
    "published": {"secretary": ["reopen"]},
}
CALLERS = ["m1", "m2", "evaluator", "leader", "secretary", "secretary2", "inspector", "admin"]
SUBMITTED = ["self_check_submitted", "zone_evaluation_submitted", "group_review_submitted"]
OUTSIDE = {"m2", "secretary2"}  # may not even read the Z1 appraisal


def test_each_forward_action_takes_its_state_to_the_next_signed_by_its_signer(api):
    doc = api.open()
    for state, following in pairwise(STATES):
        user, action, body = FORWARD[state]
        response = act(api, user, doc, action, body)
        assert response.status_code == 200, response.text
        doc = response.json()
        assert (doc["state"], doc["version"]) == (following, STATES.index(following) + 1)
        assert response.headers["etag"] == f'"{doc["version"]}"'
        assert doc[STEP_OF[state]]["actor"] == user
    assert (doc["score"], doc["grade"]) == (93.5, "excellent")


def test_only_the_signer_of_a_state_takes_its_action(api, subtests):
    for state in STATES[:-1]:
        doc = opened_in(api, state, period=f"2026-0{STATES.index(state) + 1}")
        signer, action, body = FORWARD[state]
        for user in CALLERS:
            if user != signer:
                with subtests.test(state=state, user=user), nothing_recorded(api, doc):
                    assert_problem(act(api, user, doc, action, body), 403)


def test_allowed_actions_are_what_each_caller_may_do_now(api, subtests):
    doc = api.open()
    for state in STATES:
        doc = advance(api, doc, state)
        for user in CALLERS:
            with subtests.test(state=state, user=user):
                seen = api.get(user, f"/appraisals/{doc['id']}")
                if user in OUTSIDE:
                    assert_problem(seen, 403)
                else:
                    assert seen.json()["allowed_actions"] == ALLOWED[state].get(user, [])


def test_a_return_goes_one_step_back_and_keeps_what_was_submitted(api, subtests):
    for number, state in enumerate(BACKWARD, start=1):
        with subtests.test(state=state):
            doc = opened_in(api, state, period=f"2026-0{number}")
            before = doc
            response = act(api, BACKWARD[state], doc, "return", {"reason": "请补充"})
            assert response.status_code == 200, response.text
            doc = response.json()
            assert doc["state"] == STATES[STATES.index(state) - 1]
            assert {k: doc[k] for k in STEP_OF} == {k: before[k] for k in STEP_OF}
            history = events(api, doc)
            assert [e["type"] for e in history[:-1]] == [
                "opened", *SUBMITTED[:STATES.index(state)]]
            assert (history[-1]["type"], history[-1]["data"]) == ("returned", {"reason": "请补充"})


def test_a_resubmission_replaces_the_step_in_the_document_and_history_keeps_both(api):
    doc = opened_in(api, "zone_evaluation")
    first = doc["self_check"]
    act(api, "evaluator", doc, "return", {"reason": "重新自查"}).raise_for_status()
    again = {"scores": {**SCORES, "skills": 10}, "comment": "再查"}
    doc = act(api, "m1", doc, "self-check", again).json()
    assert doc["self_check"]["total"] == 95 and doc["self_check"]["comment"] == "再查"
    submitted = [e for e in events(api, doc) if e["type"] == "self_check_submitted"]
    assert [e["data"]["total"] for e in submitted] == [first["total"], 95]


def test_return_is_a_conflict_in_self_check_and_published(api):
    doc = api.open()
    with nothing_recorded(api, doc):
        assert_conflict(act(api, "evaluator", doc, "return", {"reason": "x"}), "self_check",
                        [])
    doc = advance(api, doc, "published")
    with nothing_recorded(api, doc):
        assert_conflict(act(api, "secretary", doc, "return", {"reason": "x"}), "published",
                        ["reopen"])


def test_reopening_a_published_result_sends_it_back_to_group_review(api):
    doc = opened_in(api, "published")
    response = act(api, "secretary", doc, "reopen", {"reason": "分数有误"})
    assert response.status_code == 200, response.text
    doc = response.json()
    assert (doc["state"], doc["score"], doc["version"]) == ("group_review", 93.5, 6)
    assert events(api, doc)[-1] | {"at": None} == {
        "version": 6, "type": "reopened", "at": None, "actor": "secretary",
        "role": "branch_secretary", "state": "group_review", "data": {"reason": "分数有误"}}
    lower = {**SCORES, "duty": 10}
    doc = act(api, "leader", doc, "group-review", {"scores": lower, "comment": "更正"}).json()
    assert (doc["state"], doc["score"], doc["grade"]) == ("branch_approval", 84.5, "qualified")


def test_reopen_is_the_secretarys_and_only_from_published(api):
    doc = opened_in(api, "branch_approval")
    with nothing_recorded(api, doc):
        assert_problem(act(api, "leader", doc, "reopen", {"reason": "x"}), 403)
        assert_conflict(act(api, "secretary", doc, "reopen", {"reason": "x"}),
                        "branch_approval", ["branch-approval", "return"])


BAD_SCORES = {
    "an item missing": {k: v for k, v in SCORES.items() if k != "duty"},
    "an extra item": {**SCORES, "bonus": 1},
    "over the maximum": {**SCORES, "talks": 10.1},
    "below zero": {**SCORES, "talks": -0.5},
    "two decimals": {**SCORES, "talks": 9.25},
    "a string": {**SCORES, "talks": "9"},
    "a boolean": {**SCORES, "talks": True},
    "null": {**SCORES, "talks": None},
    "not an object": [9, 9, 9],
    "empty": {},
}


def test_scores_that_do_not_fit_the_form_are_422_and_record_nothing(api, subtests):
    docs = {state: opened_in(api, state, "Z1", f"2026-0{n}")
            for n, state in enumerate(STATES[:3], start=1)}
    for why, scores in BAD_SCORES.items():
        for state, doc in docs.items():
            user, action, _ = FORWARD[state]
            with subtests.test(why, state=state), nothing_recorded(api, doc):
                assert_problem(act(api, user, doc, action, {"scores": scores}), 422)


def test_the_total_is_the_exact_decimal_sum_and_a_client_total_is_ignored(api):
    # Summed as floats, these give 91.50000000000001 and 91.49999999999999.
    above = {"thought": 13.0, "study": 13.1, "talks": 9.2, "order": 18.6, "policy": 8.8,
             "duty": 19.1, "skills": 9.7}
    below = {"thought": 12.2, "study": 13.3, "talks": 10.0, "order": 19.8, "policy": 8.3,
             "duty": 19.3, "skills": 8.6}
    doc = api.open()
    doc = act(api, "m1", doc, "self-check", {"scores": above, "total": 100}).json()
    doc = act(api, "evaluator", doc, "zone-evaluation", {"scores": below}).json()
    doc = act(api, "leader", doc, "group-review", {"scores": FULL_MARKS, "total": 1}).json()
    assert [doc[step]["total"] for step in ("self_check", "zone_evaluation", "group_review")] \
        == [91.5, 91.5, 100]
    assert (doc["score"], doc["grade"]) == (100, "excellent")
    assert [e["data"].get("total") for e in events(api, doc)[1:]] == [91.5, 91.5, 100]


def test_grades_follow_the_bands_of_the_latest_group_review(api, subtests):
    for number, (duty, grade) in enumerate([(15.4, "qualified"), (15.5, "excellent"),
                                            (0, "basically_qualified")], start=1):
        with subtests.test(grade=grade):
            scores = {**SCORES, "duty": duty}  # 93.5 - 19 + duty: 89.9 / 90 / 74.5
            doc = opened_in(api, "group_review", period=f"2026-0{number}")
            doc = act(api, "leader", doc, "group-review", {"scores": scores}).json()
            assert doc["grade"] == grade
    low = opened_in(api, "group_review", period="2026-09")
    low = act(api, "leader", low, "group-review",
              {"scores": dict.fromkeys(SCORES, 0)}).json()
    assert (low["score"], low["grade"]) == (0, "unqualified")


def test_a_return_or_reopen_needs_a_non_empty_reason(api, subtests):
    returned = opened_in(api, "zone_evaluation", period="2026-01")
    published = opened_in(api, "published", period="2026-02")
    for body in ({"reason": ""}, {"reason": "   "}, {}, {"reason": None}):
        for user, doc, action in [("evaluator", returned, "return"),
                                  ("secretary", published, "reopen")]:
            with subtests.test(body=body, action=action), nothing_recorded(api, doc):
                assert_problem(act(api, user, doc, action, body), 422)
