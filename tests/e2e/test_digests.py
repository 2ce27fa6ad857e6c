"""The daily digests (service/cases/digests.py), computed for the whole organisation at once,
list for every user exactly what their inbox lists, on both backends: across periods, after
returns and a reopening, with separation of duties by person, for a reassigned zone, and
never for a disabled user; each item with its step's due date, overdue first."""

from datetime import date, timedelta
from typing import Any

import pytest

from domain.period import china_date
from service.cases.digests import digests
from tests.e2e.support import MORE_USERS, SCORES, act, advance
from tests.helpers import USERS, Api

# A second account of M1 that evaluates its zones; a second account of the leader's member
# M5 that approves in B1; a disabled secretary of B1.
SECOND_ACCOUNTS = [
    {"username": "m1eval", "display_name": "张伟", "member_id": "M1",
     "roles": [{"role": "zone_evaluator", "scope": "Z1"}, {"role": "zone_evaluator",
                                                          "scope": "Z2"}]},
    {"username": "m5sec", "display_name": "陈静", "member_id": "M5",
     "roles": [{"role": "branch_secretary", "scope": "B1"}]},
    {"username": "gone", "display_name": "离任书记", "member_id": None,
     "roles": [{"role": "branch_secretary", "scope": "B1"}]},
]
SELF_CHECK = {"scores": SCORES, "comment": "自查"}


def inbox_ids(api: Api, user: str) -> list[str]:
    response = api.get(user, "/inbox")
    assert response.status_code == 200, response.text
    return sorted(doc["id"] for doc in response.json()["items"])


def digest_ids(api: Api, day: date = date(2026, 11, 6)) -> dict[str, list[str]]:
    made = digests(api.client.app.state.runtime, day)
    return {user: sorted(item.id for item in d.items) for user, d in made.items()}


@pytest.fixture
def world_users() -> list[dict[str, Any]]:
    return [*MORE_USERS, *SECOND_ACCOUNTS]


@pytest.fixture
def month_end(api: Api) -> dict[str, Any]:
    """Appraisals in every state, some signed by second accounts of the same person."""
    api.post("admin", "/users/gone/disable").raise_for_status()
    docs = {}
    # Z1: self-checked by m1eval (M1), so only `evaluator` may evaluate it.
    docs["z1"] = act(api, "m1eval", api.open("Z1"), "self-check", SELF_CHECK).json()
    # Z2: reviewed by the leader (M5), so m5sec may not approve it; `secretary` may.
    z2 = api.open("Z2")
    for user, action, body in [("m2", "self-check", SELF_CHECK),
                               ("evaluator", "zone-evaluation", SELF_CHECK),
                               ("leader", "group-review", SELF_CHECK)]:
        z2 = act(api, user, z2, action, body).json()
    docs["z2"] = z2
    docs["z3"] = api.open("Z3")  # waits for m3's self-check
    docs["z4"] = advance(api, api.open("Z4"), "self_check")
    # Z1 of September: returned from the group review to the evaluation.
    september = advance(api, api.open("Z1", "2026-09"), "group_review")
    docs["z1-09"] = act(api, "leader", september, "return", {"reason": "评价偏高"}).json()
    # Z1 of August: published, then reopened to the group review.
    august = advance(api, api.open("Z1", "2026-08"), "published")
    docs["z1-08"] = act(api, "secretary", august, "reopen", {"reason": "更正"}).json()
    docs["z2-year"] = api.open("Z2", "2026")  # the year-end, waiting for m2
    return docs


def test_every_users_digest_lists_what_their_inbox_lists(api: Api, month_end: dict) -> None:
    found = digest_ids(api)
    users = [u["username"] for u in [*USERS, *MORE_USERS, *SECOND_ACCOUNTS]
             if u["username"] != "gone"] + ["admin"]
    for user in users:
        assert found.get(user, []) == inbox_ids(api, user), user
    assert "gone" not in found  # disabled: no digest


def test_the_digest_leaves_out_what_separation_of_duties_forbids(api: Api,
                                                                  month_end: dict) -> None:
    found = digest_ids(api)
    z1, z2 = month_end["z1"]["id"], month_end["z2"]["id"]
    assert z1 in found["evaluator"] and z1 not in found.get("m1eval", [])
    assert z2 in found["secretary"] and z2 not in found.get("m5sec", [])


def test_a_reassigned_zone_is_in_its_new_members_digest(api: Api, month_end: dict) -> None:
    api.put("admin", "/zones/Z3/responsibles",
            json={"member_ids": ["M2"], "reason": "调整"}).raise_for_status()
    found = digest_ids(api)
    assert month_end["z3"]["id"] in found["m2"]
    assert found.get("m3", []) == inbox_ids(api, "m3") == []


def test_items_carry_due_dates_overdue_first(api: Api, month_end: dict) -> None:
    # By default the self-check of October is due on 5 November, the evaluation on the 8th;
    # September's evaluation on 8 October; August's review on 10 September.
    made = digests(api.client.app.state.runtime, date(2026, 11, 7))
    evaluator = [(i.period, i.state, i.due.isoformat(), i.standing)
                 for i in made["evaluator"].items]
    assert evaluator == [("2026-09", "zone_evaluation", "2026-10-08", "overdue"),
                         ("2026-10", "zone_evaluation", "2026-11-08", "due")]
    assert made["evaluator"].counts() == {"total": 2, "overdue": 1, "due": 1, "pending": 0}
    m2 = [(i.period, i.standing) for i in made["m2"].items]
    assert m2 == [("2026", "pending")]  # the year-end's self-check: due 5 January


def test_a_branchs_own_deadline_moves_the_due_date(api: Api, month_end: dict) -> None:
    api.client.app.state.runtime.workflows.set_deadlines(
        "B1", "2026-10", {"zone_evaluation": "2026-11-20"},
        api.client.app.state.runtime.actors.of(api.token("secretary")))
    made = digests(api.client.app.state.runtime, date(2026, 11, 7))
    october = [i for i in made["evaluator"].items if i.period == "2026-10"]
    assert [(i.due.isoformat(), i.standing) for i in october] == [("2026-11-20", "pending")]


def test_a_deputys_digest_lists_what_they_sign_for_their_principal(api: Api,
                                                                   month_end: dict) -> None:
    """代签: the leader's deputy finds the leader's reviews in their digest, marked as for
    the leader, as in their inbox; once the deputy signed one for the leader, the leader's
    other account (M5) may not approve it, in the digest as in the inbox."""
    today = china_date()
    span = {"from": today.isoformat(), "to": (today + timedelta(days=2)).isoformat()}
    api.post("leader", "/delegations",
             json={"deputy": "m4", **span, "reason": "井下蹲点"}).raise_for_status()
    made = digests(api.client.app.state.runtime, today)
    reopened = month_end["z1-08"]["id"]
    assert {i.id: i.acting_for for i in made["m4"].items} == {
        doc["id"]: doc.get("acting_for") for doc in api.get("m4", "/inbox").json()["items"]}
    assert {i.id: i.acting_for for i in made["m4"].items}[reopened] == "leader"
    assert made["m4"].principals == {"leader": "组长"}
    doc = api.get("m4", f"/appraisals/{reopened}").json()
    act(api, "m4", doc, "group-review", SELF_CHECK).raise_for_status()
    found = {user: sorted(i.id for i in d.items) for user, d in digests(
        api.client.app.state.runtime, today).items()}
    assert reopened in found["secretary"] and reopened not in found.get("m5sec", [])
    for user in ("m4", "leader", "m5sec", "secretary"):
        assert found.get(user, []) == inbox_ids(api, user), user
