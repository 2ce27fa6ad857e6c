"""People, not accounts: separation of duties counts the member behind an account, across
all their accounts, and "own zone" counts the zone's responsible members at opening and now.
On SQLite and PostgreSQL, with steps stored as they were before the signer's member was
recorded still loading and still counted by person.
"""

import json
import sqlite3
from contextlib import closing
from typing import Any

import psycopg

from service.app import create_app
from service.settings import Settings
from tests.e2e.support import act, add_users, assert_problem, nothing_recorded, opened_in
from tests.helpers import SCORES, Api, Observer

SCORED = {"scores": SCORES, "comment": ""}
EVENTS_TABLE = {"sqlite": "stored_events", "postgresql": "appraisal_events"}


def account(username: str, member_id: str | None, role: str, scope: str) -> dict[str, Any]:
    return {"username": username, "display_name": username, "member_id": member_id,
            "roles": [{"role": role, "scope": scope}]}


def reassign(api: Api, zone_id: str, member_ids: list[str]) -> None:
    api.put("admin", f"/zones/{zone_id}/responsibles",
            json={"member_ids": member_ids, "reason": "调整"}).raise_for_status()


def refused(response: Any, reason: str) -> None:
    assert assert_problem(response, 403)["reason"] == reason


def allowed(api: Api, username: str, doc: dict[str, Any]) -> list[str]:
    return api.get(username, f"/appraisals/{doc['id']}").json()["allowed_actions"]


def test_a_members_second_account_signs_no_second_step_of_the_round(api, settings):
    # 张伟 (M1) self-checks zone Z1, then is made its evaluator on an account of their own.
    add_users(api, settings, [account("m1_eval", "M1", "zone_evaluator", "Z1")])
    doc = opened_in(api, "zone_evaluation")
    assert allowed(api, "m1_eval", doc) == []
    with nothing_recorded(api, doc):
        refused(act(api, "m1_eval", doc, "zone-evaluation", SCORED), "signed")
        refused(act(api, "m1_eval", doc, "return", {"reason": "重评"}), "signed")
    assert act(api, "evaluator", doc, "zone-evaluation", SCORED).status_code == 200


def test_the_group_leader_made_secretary_on_a_second_account_does_not_approve(api, settings):
    add_users(api, settings, [account("m5_sec", "M5", "branch_secretary", "B1")])
    doc = opened_in(api, "branch_approval")  # the leader (M5) signed its group review
    assert allowed(api, "m5_sec", doc) == []
    assert doc["id"] not in {d["id"] for d in api.get("m5_sec", "/inbox").json()["items"]}
    with nothing_recorded(api, doc):
        refused(act(api, "m5_sec", doc, "branch-approval", {"comment": ""}), "signed")
        refused(act(api, "m5_sec", doc, "return", {"reason": "重审"}), "signed")
    assert act(api, "secretary", doc, "branch-approval", {"comment": ""}).status_code == 200


def test_the_responsible_member_made_group_leader_never_reviews_their_zone(api, settings):
    add_users(api, settings, [account("m1_lead", "M1", "group_leader", "G1")])
    doc = opened_in(api, "group_review")
    with nothing_recorded(api, doc):
        refused(act(api, "m1_lead", doc, "group-review", SCORED), "own_zone")
    reassign(api, "Z1", ["M2"])  # moved away: still responsible when it opened
    with nothing_recorded(api, doc):
        refused(act(api, "m1_lead", doc, "group-review", SCORED), "own_zone")


def test_a_member_moved_out_of_the_zone_still_never_takes_its_group_review(api, settings):
    reassign(api, "Z1", ["M1", "M5"])  # the leader (M5) shares zone Z1 when it opens
    doc = opened_in(api, "group_review")
    reassign(api, "Z1", ["M1"])  # and is re-assigned away before the review
    assert allowed(api, "leader", doc) == []
    assert doc["id"] not in {d["id"] for d in api.get("leader", "/inbox").json()["items"]}
    with nothing_recorded(api, doc):
        refused(act(api, "leader", doc, "group-review", SCORED), "own_zone")
        refused(act(api, "leader", doc, "return", {"reason": "重评"}), "own_zone")
    # Another leader of the group, responsible for nothing, reviews it.
    add_users(api, settings, [account("leader_b", None, "group_leader", "G1")])
    assert act(api, "leader_b", doc, "group-review", SCORED).status_code == 200


def test_a_member_moved_out_reads_the_appraisal_but_self_checks_no_more(api):
    doc = api.open()
    reassign(api, "Z1", ["M2"])
    assert allowed(api, "m1", doc) == []
    with nothing_recorded(api, doc):
        refused(act(api, "m1", doc, "self-check", SCORED), "not_responsible")
        # Responsible when it opened: they may read it, so a stale version is theirs to see.
        assert_problem(act(api, "m1", doc, "self-check", SCORED, **{"If-Match": '"9"'}), 412)
    with nothing_recorded(api, doc):  # never responsible: scope first, nothing more
        refused(act(api, "m4", doc, "self-check", SCORED, **{"If-Match": '"9"'}), "scope")


def test_an_idempotency_key_replays_only_to_the_user_who_sent_it(api):
    doc = api.open()
    key = {"Idempotency-Key": "shared-key"}
    first = act(api, "m1", doc, "self-check", SCORED, **key)
    assert first.status_code == 200, first.text
    done = first.json()
    # The same key and request by someone who may not act on it: no replay, just 403.
    for user in ("m2", "m4", "evaluator", "secretary2"):
        answer = act(api, user, doc, "self-check", SCORED, **key)
        assert_problem(answer, 403)
        assert "etag" not in answer.headers and "Idempotent-Replayed" not in answer.headers
    again = act(api, "m1", doc, "self-check", SCORED, **key)
    assert again.json() == done and again.headers["Idempotent-Replayed"] == "true"


def strip_member(settings: Settings, appraisal_id: str, version: int) -> None:
    """Store the event as it was before `member_id` was recorded: the key taken out."""
    table = EVENTS_TABLE[settings.url.get_backend_name()]
    where = "originator_id = %s AND originator_version = %s"
    if settings.is_sqlite:
        ident: Any = appraisal_id.replace("-", "")
        with closing(sqlite3.connect(settings.url.database)) as conn, conn:
            update(conn, table, where.replace("%s", "?"), (ident, version), "?")
        return
    with psycopg.connect(settings.database_url) as conn:
        update(conn, table, where, (appraisal_id, version), "%s")


def update(conn: Any, table: str, where: str, key: tuple[Any, ...], mark: str) -> None:
    (state,) = conn.execute(f"SELECT state FROM {table} WHERE {where}", key).fetchone()
    held = json.loads(bytes(state))
    assert held.pop("member_id") == "M1"
    old = json.dumps(held, separators=(",", ":")).encode()
    conn.execute(f"UPDATE {table} SET state = {mark} WHERE {where}", (old, *key))


def test_a_step_stored_without_its_member_still_loads_and_counts_by_person(api, settings):
    doc = opened_in(api, "zone_evaluation")  # m1 (member M1) signed the self-check
    before = api.get("inspector", f"/appraisals/{doc['id']}").json()
    strip_member(settings, doc["id"], 2)
    add_users(api, settings, [account("m1_eval", "M1", "zone_evaluator", "Z1")])
    # A fresh process: nothing cached, every event read back from the store.
    with Observer(create_app(settings)) as client:
        fresh = Api(client, tokens=api.tokens)
        assert fresh.get("inspector", f"/appraisals/{doc['id']}").json() == before
        history = fresh.get("inspector", f"/appraisals/{doc['id']}/history").json()["events"]
        assert [e["type"] for e in history] == ["opened", "self_check_submitted"]
        # The old step names only the account m1, whose member is M1: still the same person.
        assert fresh.get("m1_eval", f"/appraisals/{doc['id']}").json()["allowed_actions"] == []
        refused(act(fresh, "m1_eval", doc, "zone-evaluation", SCORED), "signed")
        assert act(fresh, "evaluator", doc, "zone-evaluation", SCORED).status_code == 200
