"""API.md's errors: the order of checks (one test per adjacent pair, both failing at once),
problem+json everywhere, If-Match, Idempotency-Key, body limits, unknown routes, bad JSON."""

from uuid import uuid4

from service.app import create_app
from tests.e2e.support import (
    act,
    assert_conflict,
    assert_problem,
    events,
    nothing_recorded,
    opened_in,
)
from tests.helpers import SCORES, Observer

BAD_SCORES = {"scores": {**SCORES, "talks": 99}}
WRONG_SHAPE = {"scores": "all good"}


def test_401_comes_before_404(api):
    path = f"/appraisals/{uuid4()}/self-check"
    for headers in ({}, {"Authorization": "Bearer expired-or-forged"}):
        assert_problem(api.client.post(path, json={"scores": SCORES}, headers=headers), 401)
        assert_problem(api.client.get(f"/appraisals/{uuid4()}", headers=headers), 401)
        # A sign-off's body and headers are read by FastAPI before its endpoint runs: the
        # route makes the earlier checks first (routes.appraisals.SignOff).
        assert_problem(api.client.post(path, json=WRONG_SHAPE, headers=headers), 401)
        long_tag = {**headers, "If-Match": '"1"' + " " * 200}
        assert_problem(api.client.post(path, json={"scores": SCORES}, headers=long_tag), 401)


def test_404_comes_before_a_body_of_the_wrong_shape(api):
    for ident in (uuid4(), "not-an-id"):
        assert_problem(act(api, "m1", {"id": ident}, "self-check", WRONG_SHAPE), 404)
        assert_problem(act(api, "secretary", {"id": ident}, "return", {"reason": ""}), 404)


def test_404_comes_before_a_body_of_the_wrong_shape_on_organisation_paths(api):
    assert_problem(api.put("admin", "/zones/Z9/responsibles", json={"member_ids": 1}), 404)
    assert_problem(api.put("admin", "/branches/B9/reward-policy", json={}), 404)


def test_401_and_404_come_before_malformed_json(api):
    # Malformed JSON is a body of the wrong shape: it answers only after 401 and 404.
    json = {"Content-Type": "application/json"}
    path = f"/appraisals/{uuid4()}/return"
    assert_problem(api.client.post(path, content=b"{oops", headers=json), 401)
    assert_problem(api.client.post("/branches", content=b"{oops", headers=json), 401)
    assert_problem(api.post("m1", path, content=b"{oops", headers=json), 404)


def test_a_body_of_the_wrong_shape_comes_before_an_idempotent_replay(api):
    doc = api.open()
    key = {"Idempotency-Key": "k-1"}
    assert act(api, "m1", doc, "self-check", {"scores": SCORES}, **key).status_code == 200
    with nothing_recorded(api, doc):
        assert_problem(act(api, "m1", doc, "self-check", WRONG_SHAPE, **key), 422)


def test_an_idempotent_replay_comes_before_412_409_and_not_responsible(api):
    doc = api.open()
    key = {"Idempotency-Key": "k-1"}
    first = act(api, "m1", doc, "self-check", {"scores": SCORES}, **key)
    assert first.status_code == 200
    api.put("admin", "/zones/Z1/responsibles",
            json={"member_ids": ["M2"], "reason": "调整"}).raise_for_status()
    # Now If-Match "1" is stale, the state is zone_evaluation and m1 is no longer responsible.
    with nothing_recorded(api, doc):
        again = act(api, "m1", doc, "self-check", {"scores": SCORES}, **key, **{"If-Match": '"1"'})
    assert again.status_code == 200 and again.json() == first.json()
    assert again.headers["etag"] == first.headers["etag"] == '"2"'


def test_a_role_that_never_allows_the_action_comes_before_412(api):
    doc = api.open()
    with nothing_recorded(api, doc):
        for user, action in [("inspector", "self-check"), ("archivist", "zone-evaluation"),
                             ("evaluator", "branch-approval"), ("leader", "reopen")]:
            body = {"scores": SCORES, "reason": "x"}
            refused = assert_problem(act(api, user, doc, action, body, **{"If-Match": '"7"'}),
                                     403)
            assert refused["detail"] == f"your roles never allow '{action}' on this appraisal"


def test_412_comes_before_a_state_conflict(api):
    doc = api.open()
    with nothing_recorded(api, doc):
        response = act(api, "evaluator", doc, "zone-evaluation", {"scores": SCORES},
                       **{"If-Match": '"3"'})
        assert assert_problem(response, 412)["current_version"] == 1


def test_a_state_conflict_comes_before_not_responsible_and_separation_of_duties(api):
    doc = opened_in(api, "zone_evaluation")
    with nothing_recorded(api, doc):  # m2 may not even read it: scope comes before state
        assert_problem(act(api, "m2", doc, "self-check", {"scores": SCORES}), 403)
    api.put("admin", "/zones/Z1/responsibles",
            json={"member_ids": ["M2"], "reason": "调整"}).raise_for_status()
    with nothing_recorded(api, doc):  # m1 was responsible when it opened, but is no more
        assert_conflict(act(api, "m1", doc, "self-check", {"scores": SCORES}),
                        "zone_evaluation", [])
    reassign_to_the_leader(api)  # a responsible member never takes the group review
    with nothing_recorded(api, doc):
        assert_conflict(act(api, "leader", doc, "group-review", {"scores": SCORES}),
                        "zone_evaluation", [])


def test_not_responsible_and_separation_of_duties_come_before_scores_that_do_not_fit(api):
    doc = api.open()
    with nothing_recorded(api, doc):
        assert_problem(act(api, "m2", doc, "self-check", BAD_SCORES), 403)
        assert_problem(act(api, "m2", doc, "self-check", {"scores": {}}), 403)
    doc = opened_in(api, "group_review", period="2026-11")
    reassign_to_the_leader(api)
    with nothing_recorded(api, doc):
        assert_problem(act(api, "leader", doc, "group-review", BAD_SCORES), 403)


def reassign_to_the_leader(api):
    """Make the group leader (member M5) a responsible member of zone Z1 too."""
    api.put("admin", "/zones/Z1/responsibles",
            json={"member_ids": ["M1", "M5"], "reason": "调整"}).raise_for_status()


def test_if_match_with_the_current_version_succeeds_and_a_stale_one_is_412(api):
    doc = api.open()
    with nothing_recorded(api, doc):
        for stale in ('"0"', '"2"', '"abc"'):
            assert_problem(act(api, "m1", doc, "self-check", {"scores": SCORES},
                               **{"If-Match": stale}), 412)
    response = act(api, "m1", doc, "self-check", {"scores": SCORES}, **{"If-Match": '"1"'})
    assert response.status_code == 200 and response.headers["etag"] == '"2"'


def test_the_same_idempotency_key_and_request_answer_once_even_after_a_restart(api, settings):
    doc = api.open()
    key = {"Idempotency-Key": "sign-2026-10"}
    first = act(api, "m1", doc, "self-check", {"scores": SCORES, "comment": "自查"}, **key)
    with nothing_recorded(api, doc):
        again = act(api, "m1", doc, "self-check", {"scores": SCORES, "comment": "自查"}, **key)
        with Observer(create_app(settings)) as restarted:
            headers = {**api.headers("m1"), **key}
            after_restart = restarted.post(f"/appraisals/{doc['id']}/self-check",
                                           json={"scores": SCORES, "comment": "自查"},
                                           headers=headers)
    for response in (again, after_restart):
        assert (response.status_code, response.json()) == (200, first.json())
    assert [e["type"] for e in events(api, doc)] == ["opened", "self_check_submitted"]


def test_the_same_key_for_a_different_request_is_409_and_keys_are_per_user(api):
    doc = opened_in(api, "zone_evaluation", period="2026-01")
    other = api.open("Z2", "2026-01")
    key = {"Idempotency-Key": "shared"}
    assert act(api, "evaluator", doc, "return", {"reason": "补充"}, **key).status_code == 200
    with nothing_recorded(api, doc):
        assert_problem(act(api, "evaluator", doc, "return", {"reason": "别的"}, **key), 409)
    with nothing_recorded(api, other):
        assert_problem(act(api, "evaluator", other, "return", {"reason": "补充"}, **key), 409)
    # Another user's same key is another key.
    assert act(api, "m2", other, "self-check", {"scores": SCORES}, **key).status_code == 200


def test_a_body_over_one_mebibyte_is_413_and_records_nothing(api):
    doc = api.open()
    big = b'{"scores": {}, "comment": "' + b"x" * (1024 * 1024) + b'"}'
    headers = {**api.headers("m1"), "Content-Type": "application/json"}
    path = f"/appraisals/{doc['id']}/self-check"
    with nothing_recorded(api, doc):
        assert_problem(api.client.post(path, content=big, headers=headers), 413)
        chunks = (big[i:i + 65536] for i in range(0, len(big), 65536))  # no Content-Length
        assert_problem(api.client.post(path, content=chunks, headers=headers), 413)


def test_an_unknown_route_or_method_is_a_problem_too(api):
    assert_problem(api.client.get("/no/such/route"), 404)
    assert_problem(api.get("admin", "/appraisals/x/dance"), 404)
    assert_problem(api.client.delete("/health"), 405)


def test_malformed_json_is_422(api, subtests):
    doc = api.open()
    headers = {**api.headers("m1"), "Content-Type": "application/json"}
    for body in (b'{"scores": ', b"not json", b"", b"[]", b"null", b"\xff\xfe{}", b"{\"a\": NaN"):
        with subtests.test(body=body), nothing_recorded(api, doc):
            response = api.client.post(f"/appraisals/{doc['id']}/self-check", content=body,
                                       headers=headers)
            assert_problem(response, 422)
    assert_problem(api.post("admin", "/branches", content=b"{",
                            headers={"Content-Type": "application/json"}), 422)

