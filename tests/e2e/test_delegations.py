"""Signing on behalf (代签) over HTTP, on SQLite and PostgreSQL: a delegation granted by the
principal, their secretary or an administrator; the deputy's inbox and step, which names both
persons; separation of duties for both, both ways; delegations that have ended, are revoked
or have not started refused; and nobody else told anything."""

import io
from datetime import timedelta
from typing import Any

import openpyxl
import pypdf
import pytest

from domain.delegations import Deputy
from domain.period import china_date
from tests.e2e.support import act, assert_problem, events, nothing_recorded, opened_in
from tests.helpers import SCORES, Api
from workflows.base import next_instant

SCORED = {"scores": SCORES, "comment": "代签考核"}
TODAY = china_date()
DEPUTIES = [
    {"username": "deputy", "display_name": "代签人", "member_id": None, "roles": []},
    # A group leader and zone evaluator of Z1 at once, who evaluates it themself.
    {"username": "lead_eval", "display_name": "组长兼评价", "member_id": None,
     "roles": [{"role": "group_leader", "scope": "G1"}, {"role": "zone_evaluator", "scope": "Z1"}]},
    # The deputy's second account, as branch secretary.
    {"username": "deputy_sec", "display_name": "代签人（书记）", "member_id": "M6",
     "roles": [{"role": "branch_secretary", "scope": "B1"}]},
]


def day(offset: int = 0) -> str:
    return (TODAY + timedelta(days=offset)).isoformat()


def grant(api: Api, user: str, deputy: str = "deputy", principal: str | None = "leader",
          start: int = 0, end: int = 5, reason: str = "井下蹲点") -> Any:
    body = {"deputy": deputy, "from": day(start), "to": day(end), "reason": reason}
    if principal is not None:
        body["principal"] = principal
    return api.post(user, "/delegations", json=body)


def granted(api: Api, user: str = "leader", **changes: Any) -> dict[str, Any]:
    response = grant(api, user, **changes)
    assert response.status_code == 201, response.text
    return response.json()


def inbox(api: Api, user: str) -> list[dict[str, Any]]:
    response = api.get(user, "/inbox")
    assert response.status_code == 200, response.text
    return response.json()["items"]


@pytest.fixture
def world_users() -> list[dict[str, Any]]:
    # M6 (赵磊, G3) stands for the deputy's member in its second account.
    return [{**DEPUTIES[0], "member_id": "M6"}, *DEPUTIES[1:]]


def test_a_leader_names_a_deputy_who_reviews_from_their_inbox_naming_both(api):
    delegation = granted(api)
    assert {k: delegation[k] for k in ("principal", "deputy", "from", "to", "reason",
                                       "branches", "granted_by", "granted_role", "active",
                                       "revoked")} == {
        "principal": "leader", "deputy": "deputy", "from": day(), "to": day(5),
        "reason": "井下蹲点", "branches": ["B1"], "granted_by": "leader",
        "granted_role": "principal", "active": True, "revoked": None}
    doc = opened_in(api, "group_review")
    (item,) = inbox(api, "deputy")
    dated = {"branch_id": "B1", "due": item["due"], "deadline": item["deadline"]}
    assert item == {**api.get("deputy", f"/appraisals/{doc['id']}").json(), **dated}
    assert (item["allowed_actions"], item["acting_for"]) == (["group-review", "return"],
                                                               "leader")
    assert "acting_for" not in api.get("leader", f"/appraisals/{doc['id']}").json()
    response = act(api, "deputy", doc, "group-review", SCORED)
    assert response.status_code == 200, response.text
    step = response.json()["group_review"]
    assert (step["actor"], step["on_behalf_of"]) == ("deputy", "leader")
    assert "on_behalf_of" not in response.json()["zone_evaluation"]
    last = events(api, doc)[-1]
    assert (last["type"], last["actor"], last["role"]) == ("group_review_submitted", "deputy",
                                                           "group_leader")
    assert (last["data"]["on_behalf_of"], last["data"]["delegation"]) == ("leader",
                                                                         delegation["id"])
    assert "on_behalf_of" not in events(api, doc)[-2]["data"]


def test_the_deputy_returns_in_the_principals_role_and_the_step_names_both(api):
    granted(api)
    doc = opened_in(api, "group_review")
    response = act(api, "deputy", doc, "return", {"reason": "评价依据不足"})
    assert response.status_code == 200, response.text
    last = events(api, doc)[-1]
    assert (last["type"], last["actor"], last["data"]["on_behalf_of"]) == ("returned",
                                                                           "deputy", "leader")


def test_a_step_signed_on_behalf_bars_both_persons_from_the_next(api):
    granted(api)
    doc = act(api, "deputy", opened_in(api, "group_review"), "group-review", SCORED).json()
    # The deputy's other account (member M6), a secretary, may not approve it.
    assert api.get("deputy_sec", f"/appraisals/{doc['id']}").json()["allowed_actions"] == []
    with nothing_recorded(api, doc):
        refused = act(api, "deputy_sec", doc, "branch-approval", {"comment": ""})
        assert assert_problem(refused, 403)["reason"] == "signed"
    assert act(api, "secretary", doc, "branch-approval", {"comment": ""}).status_code == 200


def test_neither_a_deputy_nor_a_principal_who_signed_before_signs_on_behalf(api):
    granted(api, deputy="evaluator")  # the evaluator signed the zone evaluation
    doc = opened_in(api, "group_review")
    assert api.get("evaluator", f"/appraisals/{doc['id']}").json()["allowed_actions"] == []
    with nothing_recorded(api, doc):
        assert assert_problem(act(api, "evaluator", doc, "group-review", SCORED),
                              403)["reason"] == "signed"
    # A principal who evaluated Z1 themself: their deputy does not review it for them.
    granted(api, user="lead_eval", principal="lead_eval", deputy="deputy")
    other = api.open("Z1", "2026-11")
    other = act(api, "m1", other, "self-check", SCORED).json()
    other = act(api, "lead_eval", other, "zone-evaluation", SCORED).json()
    with nothing_recorded(api, other):
        body = assert_problem(act(api, "deputy", other, "group-review", SCORED), 403)
        assert body["reason"] == "signed"


def test_a_responsible_member_never_reviews_their_own_zone_on_behalf(api):
    granted(api, deputy="m1")  # 张伟 is responsible for Z1
    doc = opened_in(api, "group_review")
    with nothing_recorded(api, doc):
        assert assert_problem(act(api, "m1", doc, "group-review", SCORED),
                              403)["reason"] == "own_zone"


def plant(api: Api, start: str, end: str) -> str:
    """A delegation from the leader to the deputy on days the command refuses (gone by),
    recorded through the aggregate as it stood when it was granted."""
    workflows = api.client.app.state.runtime.workflows
    deputy = Deputy("deputy", "leader", next_instant())
    key = deputy.next_id()
    deputy.grant(key, deputy="deputy", principal="leader", principal_member_id="M5",
                 branches=["B1"], start=start, end=end, reason="出差", actor="leader",
                 role="principal", timestamp=next_instant(deputy))
    workflows.save(deputy)
    return key


def test_a_delegation_ended_revoked_or_to_come_lets_the_deputy_do_and_see_nothing(api):
    doc = opened_in(api, "group_review")
    plant(api, day(-10), day(-1))  # ended yesterday

    def listed() -> list[str]:
        return [d["id"] for d in api.get("deputy", "/appraisals").json()["items"]]

    def refused() -> None:
        assert inbox(api, "deputy") == [] and listed() == []
        assert assert_problem(api.get("deputy", f"/appraisals/{doc['id']}"), 403)["reason"] \
            == "scope"
        with nothing_recorded(api, doc):
            body = assert_problem(act(api, "deputy", doc, "group-review", SCORED), 403)
            assert body["reason"] == "scope" and "state" not in body

    refused()
    later = granted(api, start=1, end=3)  # from tomorrow
    assert later["active"] is False
    refused()
    current = granted(api, start=0, end=0)  # today alone: it meets no other day
    assert api.get("deputy", f"/appraisals/{doc['id']}").json()["acting_for"] == "leader"
    assert doc["id"] in listed()  # the list shows what the single read does
    revoked = api.post("leader", f"/delegations/{current['id']}/revoke",
                       json={"reason": "已返岗"})
    assert revoked.status_code == 200, revoked.text
    assert (revoked.json()["revoked"]["by"], revoked.json()["active"]) == ("leader", False)
    refused()


def test_a_signer_names_their_own_deputy_a_secretary_their_branchs_an_admin_anyones(api):
    assert_problem(grant(api, "m2"), 403)  # a member, for the leader
    assert assert_problem(grant(api, "secretary2"), 403)["reason"] == "scope"  # B2, for B1's
    assert granted(api, "secretary")["granted_role"] == "branch_secretary"
    assert granted(api, "admin", principal="lead_eval")["granted_role"] == "admin"
    assert granted(api, "evaluator", principal=None, end=1)["principal"] == "evaluator"
    for user, changes, field in [
        ("m1", {"principal": None}, "principal"),  # signs no step: a self-check is theirs
        ("admin", {"principal": "nobody"}, "principal"),
        ("leader", {"deputy": "leader"}, "deputy"),
        ("leader", {"deputy": "nobody"}, "deputy"),
        ("leader", {"start": -1}, "from"),
        ("leader", {"start": 3, "end": 2}, "to"),
        ("leader", {"end": 366}, "to"),
        ("leader", {"start": 367, "end": 370}, "from"),
    ]:
        body = assert_problem(grant(api, user, **{"deputy": "m2", **changes}), 422)
        assert field in body["errors"], (changes, body)
    # The same principal and deputy on some of the same days: the first stands.
    assert assert_problem(grant(api, "leader", start=5, end=9), 409)["reason"] == "overlapping"
    assert granted(api, "leader", start=6, end=9)["from"] == day(6)


def test_a_delegation_is_read_by_those_it_concerns_and_revoked_once(api):
    found = granted(api, "secretary")
    path = f"/delegations/{found['id']}"
    for user in ("leader", "deputy", "secretary", "admin"):
        assert api.get(user, path).json() == found
    for user in ("secretary2", "m2", "inspector"):
        assert assert_problem(api.get(user, path), 403)["reason"] == "scope"
    assert_problem(api.get("leader", path.replace("-d1", "-d2")), 404)
    assert_problem(api.get("leader", f"/delegations/{found['id'].upper()}"), 404)
    assert_problem(api.post("leader", f"{path.replace('-d1', '-d2')}/revoke", json={}), 404)
    assert_problem(api.post("deputy", f"{path}/revoke", json={"reason": "不需要"}), 403)
    assert_problem(api.post("leader", f"{path}/revoke", json={"reason": " "}), 422)
    revoked = api.post("secretary", f"{path}/revoke", json={"reason": "组长已返岗"})
    assert revoked.status_code == 200, revoked.text
    assert {k: revoked.json()["revoked"][k] for k in ("by", "role", "reason")} == {
        "by": "secretary", "role": "branch_secretary", "reason": "组长已返岗"}
    again = api.post("leader", f"{path}/revoke", json={"reason": "再撤"})
    assert assert_problem(again, 409)["reason"] == "revoked"


def test_each_reader_lists_the_delegations_that_concern_them(api):
    first = granted(api)
    second = granted(api, "admin", principal="lead_eval", deputy="m2", start=1, end=2)

    def ids(user: str, query: str = "") -> list[str]:
        response = api.get(user, f"/delegations{query}")
        assert response.status_code == 200, response.text
        return [d["id"] for d in response.json()["items"]]

    assert ids("admin") == [second["id"], first["id"]]  # the latest granted first
    assert ids("secretary") == [second["id"], first["id"]]  # both stand in B1
    assert ids("deputy") == ids("leader") == [first["id"]]
    assert ids("m2") == [second["id"]]
    assert ids("secretary2") == ids("m1") == []
    assert ids("admin", "?active=true") == [first["id"]]
    assert ids("admin", "?active=false") == [second["id"]]
    assert ids("admin", "?limit=1&offset=1") == [first["id"]]


def test_the_archive_shows_who_signed_for_whom(api):
    granted(api)
    doc = act(api, "deputy", opened_in(api, "group_review", period="2026-09"), "group-review",
              SCORED).json()
    act(api, "secretary", doc, "branch-approval", {"comment": "同意"}).raise_for_status()
    archive = api.get("archivist", "/archives/2026").json()
    (found,) = [a for a in archive["appraisals"] if a["id"] == doc["id"]]
    assert found["group_review"]["on_behalf_of"] == "leader"
    assert "on_behalf_of" not in found["branch_approval"]
    assert archive["names"]["users"]["leader"] == "组长"
    sheet = api.get("archivist", "/archives/2026?format=xlsx")
    assert sheet.status_code == 200
    book = openpyxl.load_workbook(io.BytesIO(sheet.content))
    cells = {str(c.value) for ws in book.worksheets for row in ws.iter_rows() for c in row
             if c.value is not None}
    assert "代签人（deputy） 代 组长（leader）签" in cells
    pdf = api.get("archivist", "/archives/2026?format=pdf")
    text = "".join(page.extract_text() for page in pypdf.PdfReader(io.BytesIO(pdf.content)).pages)
    assert "代 组长（leader）签" in text.replace("\n", "")
