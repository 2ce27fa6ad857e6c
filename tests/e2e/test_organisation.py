"""API.md "Organisation (admin)": creates, duplicates, unknown ids, zones, policies, forms."""

from tests.e2e.support import assert_problem
from tests.helpers import ORGANISATION

BRANCH = {"id": "B3", "name": "机关支部"}
GROUP = {"id": "G4", "name": "四组", "branch_id": "B3"}
MEMBER = {"id": "M7", "name": "孙丽", "group_id": "G4"}
ZONE = {"id": "Z5", "name": "调度室", "group_id": "G4", "line": "机关", "area": "地面",
        "responsible_member_ids": ["M7"], "teams": ["调度室", "信息站"]}
CREATES = [("/branches", BRANCH), ("/groups", GROUP), ("/members", MEMBER), ("/zones", ZONE)]
ZONE_FIELDS = {"id", "name", "branch_id", "group_id", "line", "area", "responsible_member_ids",
               "teams"}
POLICY = {"excellent": 300, "qualified": 50.5, "basically_qualified": 0, "unqualified": -150}


def zone_ids(response) -> list[str]:
    assert response.status_code == 200, response.text
    return [zone["id"] for zone in response.json()["items"]]


def test_admin_creates_a_branch_group_member_and_zone(api):
    for path, body in CREATES:
        response = api.post("admin", path, json=body)
        assert response.status_code == 201, response.text
        assert {k: v for k, v in response.json().items() if k in body} == body
    (zone,) = api.get("m1", "/zones", params={"branch_id": "B3"}).json()["items"]
    assert zone == {**ZONE, "branch_id": "B3"}


def test_a_second_create_with_a_taken_id_is_409(api, subtests):
    for path, bodies in ORGANISATION.items():
        with subtests.test(path=path):
            assert_problem(api.post("admin", path, json={**bodies[-1], "name": "重复"}), 409)
    assert zone_ids(api.get("admin", "/zones")) == ["Z1", "Z2", "Z3", "Z4"]


def test_an_unknown_id_in_a_body_is_422_and_creates_nothing(api, subtests):
    for path, body in [("/groups", {**GROUP, "branch_id": "B9"}),
                       ("/members", {**MEMBER, "group_id": "G9"}),
                       ("/zones", {**ZONE, "group_id": "G9"}),
                       ("/zones", {**ZONE, "group_id": "G1", "responsible_member_ids": ["M99"]}),
                       ("/zones", {**ZONE, "group_id": "G1",
                                   "responsible_member_ids": ["M1", "M99"]})]:
        with subtests.test(path=path, body=body):
            assert_problem(api.post("admin", path, json=body), 422)
    assert zone_ids(api.get("admin", "/zones")) == ["Z1", "Z2", "Z3", "Z4"]
    assert api.post("admin", "/branches", json=BRANCH).status_code == 201
    assert api.post("admin", "/groups", json=GROUP).status_code == 201


def test_a_body_of_the_wrong_shape_is_422(api, subtests):
    for path, body in [("/branches", {"id": "B3"}), ("/branches", {"id": "", "name": "x"}),
                       ("/branches", {"id": "a b", "name": "x"}),
                       ("/zones", {**ZONE, "responsible_member_ids": "M1"}),
                       ("/zones", {**ZONE, "teams": [1]}), ("/members", [MEMBER])]:
        with subtests.test(path=path, body=body):
            assert_problem(api.post("admin", path, json=body), 422)


def test_only_an_admin_changes_the_organisation(api, subtests):
    api.post("admin", "/branches", json=BRANCH)
    changes = [("post", path, body) for path, body in CREATES[1:]] + [
        ("post", "/branches", {"id": "B4", "name": "x"}),
        ("put", "/zones/Z1/responsibles", {"member_ids": ["M2"], "reason": "调整"})]
    for user in ("secretary", "leader", "inspector", "archivist", "m1"):
        for method, path, body in changes:
            with subtests.test(user=user, path=path):
                assert_problem(getattr(api, method)(user, path, json=body), 403)
    assert api.get("admin", "/zones/Z1").json()["responsible_member_ids"] == ["M1"]


def test_any_user_lists_zones_with_every_field(api, subtests):
    for user in ("m1", "evaluator", "inspector2", "archivist", "admin"):
        with subtests.test(user=user):
            items = api.get(user, "/zones").json()["items"]
            assert [z["id"] for z in items] == ["Z1", "Z2", "Z3", "Z4"]
            assert all(set(z) == ZONE_FIELDS for z in items)
    z1 = api.get("m1", "/zones").json()["items"][0]
    assert z1 == {**ORGANISATION["/zones"][0], "branch_id": "B1"}


def test_zones_filter_by_branch_and_group_and_limit(api, subtests):
    for params, expected in [({"branch_id": "B1"}, ["Z1", "Z2", "Z3"]),
                             ({"branch_id": "B2"}, ["Z4"]), ({"group_id": "G1"}, ["Z1", "Z2"]),
                             ({"group_id": "G2"}, ["Z3"]),
                             ({"branch_id": "B1", "group_id": "G3"}, []),
                             ({"branch_id": "B9"}, []), ({"limit": 2}, ["Z1", "Z2"]),
                             ({"branch_id": "B1", "limit": 1}, ["Z1"]), ({"limit": 0}, [])]:
        with subtests.test(params=params):
            assert zone_ids(api.get("m2", "/zones", params=params)) == expected


def test_reassigning_a_zone_replaces_its_responsibles(api):
    body = {"member_ids": ["M2", "M3"], "reason": "人员调整"}
    response = api.put("admin", "/zones/Z1/responsibles", json=body)
    assert response.status_code == 200, response.text
    assert response.json()["responsible_member_ids"] == ["M2", "M3"]
    assert api.get("m1", "/zones").json()["items"][0]["responsible_member_ids"] == ["M2", "M3"]


def test_a_zone_may_be_left_without_a_responsible(api):
    response = api.put("admin", "/zones/Z4/responsibles", json={"member_ids": [], "reason": "调离"})
    assert response.status_code == 200, response.text
    assert response.json()["responsible_member_ids"] == []
    assert api.get("admin", "/zones", params={"branch_id": "B2"}).json()["items"][0][
        "responsible_member_ids"] == []


def test_reassigning_refuses_unknown_zone_unknown_member_and_no_reason(api):
    body = {"member_ids": ["M2"], "reason": "调整"}
    assert_problem(api.put("admin", "/zones/Z99/responsibles", json=body), 404)
    assert_problem(api.put("admin", "/zones/Z1/responsibles",
                           json={**body, "member_ids": ["M99"]}), 422)
    for reason in ("", "   "):
        assert_problem(api.put("admin", "/zones/Z1/responsibles",
                               json={**body, "reason": reason}), 422)
    assert_problem(api.put("admin", "/zones/Z1/responsibles", json={"member_ids": ["M2"]}), 422)
    assert api.get("admin", "/zones/Z1").json()["responsible_member_ids"] == ["M1"]


def test_the_reward_policy_is_set_by_an_admin_or_that_branchs_secretary(api, subtests):
    for user, branch in [("admin", "B1"), ("admin", "B2"), ("secretary", "B1"),
                         ("secretary2", "B2")]:
        with subtests.test(user=user, branch=branch):
            response = api.put(user, f"/branches/{branch}/reward-policy", json=POLICY)
            assert response.status_code == 200, response.text
    for user, branch in [("secretary", "B2"), ("secretary2", "B1"), ("inspector", "B1"),
                         ("leader", "B1"), ("archivist", "B1"), ("m1", "B1")]:
        with subtests.test(user=user, branch=branch):
            assert_problem(api.put(user, f"/branches/{branch}/reward-policy", json=POLICY), 403)


def test_the_default_reward_policy_is_the_seeds_and_a_new_one_replaces_it(api):
    default = {"excellent": 200, "qualified": 0, "basically_qualified": 0, "unqualified": -100}
    assert api.get("admin", "/branches/B1/reward-policy").json() == {"branch_id": "B1", **default}
    api.put("secretary", "/branches/B1/reward-policy", json=POLICY).raise_for_status()
    assert api.get("admin", "/branches/B1/reward-policy").json() == {"branch_id": "B1", **POLICY}


def test_a_reward_policy_for_an_unknown_branch_is_404_and_a_bad_one_422(api, subtests):
    assert_problem(api.put("admin", "/branches/B9/reward-policy", json=POLICY), 404)
    for body in ({k: v for k, v in POLICY.items() if k != "qualified"},
                 {**POLICY, "excellent": "lots"}, {**POLICY, "excellent": 1.005},
                 {**POLICY, "excellent": True}, {**POLICY, "excellent": None}, []):
        with subtests.test(body=body):
            assert_problem(api.put("admin", "/branches/B1/reward-policy", json=body), 422)


def test_the_default_form_has_the_seven_items_of_the_domain(api):
    form = api.get("admin", "/forms/default").json()
    assert form["id"] == "default"
    assert form["items"] == {"thought": 15, "study": 15, "talks": 10, "order": 20, "policy": 10,
                             "duty": 20, "skills": 10}
