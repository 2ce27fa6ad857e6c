"""GET /coverage over HTTP: the gaps, who may read them, and scopes, on both backends."""

import pytest

from tests.e2e.support import assert_problem
from tests.helpers import Api

M5 = {"id": "M5", "name": "陈静", "branch_id": "B1", "group_id": "G1"}
M6 = {"id": "M6", "name": "赵磊", "branch_id": "B2", "group_id": "G3"}
G4 = {"id": "G4", "name": "四组", "branch_id": "B2"}
Z5 = {"id": "Z5", "name": "选煤厂", "branch_id": "B1", "group_id": "G2", "line": "地面",
      "area": "地面"}


@pytest.fixture
def gaps(api: Api) -> Api:
    """The small mine plus a group without a zone (B2) and a zone nobody answers for (B1)."""
    api.post("admin", "/groups", json={"id": "G4", "name": "四组", "branch_id": "B2"}
             ).raise_for_status()
    api.post("admin", "/zones", json={"id": "Z5", "name": "选煤厂", "group_id": "G2",
                                      "line": "地面", "area": "地面",
                                      "responsible_member_ids": [], "teams": []}
             ).raise_for_status()
    return api


def coverage(api: Api, user: str, **params: str) -> dict:
    response = api.get(user, "/coverage", params=params)
    assert response.status_code == 200, response.text
    return response.json()


def test_the_whole_organisation_for_admins_archivists_and_inspectors(gaps: Api) -> None:
    everything = {"zones_without_responsible": [Z5], "members_without_zone": [M5, M6],
                  "groups_without_zone": [G4]}
    for user in ("admin", "archivist", "inspector"):
        assert coverage(gaps, user) == everything
    assert coverage(gaps, "admin", branch_id="B2") == {
        "zones_without_responsible": [], "members_without_zone": [M6],
        "groups_without_zone": [G4]}


def test_a_reassignment_to_nobody_shows_at_once(api: Api) -> None:
    api.put("admin", "/zones/Z2/responsibles",
            json={"member_ids": [], "reason": "王芳调离"}).raise_for_status()
    found = coverage(api, "admin")
    assert [z["id"] for z in found["zones_without_responsible"]] == ["Z2"]
    assert [m["id"] for m in found["members_without_zone"]] == ["M2", "M5", "M6"]


def test_an_inspector_of_a_branch_sees_that_branch_only(gaps: Api) -> None:
    b2 = {"zones_without_responsible": [], "members_without_zone": [M6],
          "groups_without_zone": [G4]}
    assert coverage(gaps, "inspector2") == b2
    assert coverage(gaps, "inspector2", branch_id="B2") == b2
    assert_problem(gaps.get("inspector2", "/coverage", params={"branch_id": "B1"}), 403)


def test_a_branch_secretary_sees_their_branch(gaps: Api) -> None:
    b1 = {"zones_without_responsible": [Z5], "members_without_zone": [M5],
          "groups_without_zone": []}
    assert coverage(gaps, "secretary") == b1
    assert coverage(gaps, "secretary", branch_id="B1") == b1
    assert_problem(gaps.get("secretary", "/coverage", params={"branch_id": "B2"}), 403)
    assert coverage(gaps, "secretary2")["members_without_zone"] == [M6]


def test_members_evaluators_and_leaders_may_not_read_it(api: Api) -> None:
    for user in ("m1", "evaluator", "leader"):
        assert_problem(api.get(user, "/coverage"), 403)
        assert_problem(api.get(user, "/coverage", params={"branch_id": "B1"}), 403)


def test_an_unknown_branch_is_invalid_and_no_token_is_unauthorized(api: Api) -> None:
    body = assert_problem(api.get("admin", "/coverage", params={"branch_id": "B9"}), 422)
    assert body["errors"] == {"branch_id": "B9"}
    assert_problem(api.client.get("/coverage"), 401)
