"""What the HTTP tests share: problem+json checks, "nothing recorded", and walking an appraisal."""

import re
import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any
from uuid import UUID

import time_machine

from service.settings import Settings
from tests.helpers import FULL_MARKS, PASSWORD, SCORES, USERS, Api
from workflows.base import next_instant

PROBLEM = "application/problem+json"
INSTANT = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{6}Z$")
STATES = ["self_check", "zone_evaluation", "group_review", "branch_approval", "published"]
# Who takes each forward step of a Z1 appraisal (the small mine), and with what body.
FORWARD = {
    "self_check": ("m1", "self-check", {"scores": SCORES, "comment": "自查"}),
    "zone_evaluation": ("evaluator", "zone-evaluation", {"scores": SCORES, "comment": "评价"}),
    "group_review": ("leader", "group-review", {"scores": SCORES, "comment": "考核"}),
    "branch_approval": ("secretary", "branch-approval", {"comment": "同意"}),
}
# Who may return (or reopen) a Z1 appraisal in each state.
BACKWARD = {"zone_evaluation": "evaluator", "group_review": "leader",
            "branch_approval": "secretary"}


def assert_problem(response: Any, status: int) -> dict[str, Any]:
    """An RFC 9457 answer with this status: content type and the four standard fields."""
    assert response.status_code == status, response.text
    assert response.headers["content-type"].split(";")[0] == PROBLEM
    body = response.json()
    for name in ("type", "title", "detail"):
        assert isinstance(body.get(name), str) and body[name], body
    assert body["status"] == status
    return body


def assert_conflict(response: Any, state: str, allowed: list[str]) -> None:
    """A 409 for the state: the body names the state and what the caller may do in it."""
    body = assert_problem(response, 409)
    assert body["state"] == state
    assert f"in state '{state}'" in body["detail"] and "Action." not in body["detail"]
    assert body["allowed_actions"] == allowed


def act(api: Api, user: str, doc: dict[str, Any], action: str, body: Any,
        **headers: str) -> Any:
    return api.post(user, f"/appraisals/{doc['id']}/{action}", json=body, headers=headers)


def advance(api: Api, doc: dict[str, Any], to: str) -> dict[str, Any]:
    """Take a Z1 appraisal forward from its state to `to`, each step by its signer."""
    while doc["state"] != to:
        user, action, body = FORWARD[doc["state"]]
        response = act(api, user, doc, action, body)
        assert response.status_code == 200, response.text
        doc = response.json()
    return doc


def opened_in(api: Api, state: str, zone_id: str = "Z1", period: str = "2026-10") -> dict:
    return advance(api, api.open(zone_id, period), state)


def events(api: Api, doc: dict[str, Any]) -> list[dict[str, Any]]:
    response = api.get("inspector", f"/appraisals/{doc['id']}/history")
    assert response.status_code == 200, response.text
    return response.json()["events"]


@contextmanager
def nothing_recorded(api: Api, doc: dict[str, Any]) -> Iterator[None]:
    """The appraisal's history and version are the same after the block as before it."""
    before = events(api, doc)
    yield
    assert events(api, doc) == before
    current = api.get("inspector", f"/appraisals/{doc['id']}")
    assert current.headers["etag"] == f'"{before[-1]["version"]}"'


# Publishing with chosen totals, in any zone of the small mine.
PERIOD = "2026-10"
# Z3 (G2) and Z4 (G3, branch B2) have no signers in the small mine: these sign for them.
MORE_USERS = [
    {"username": "m3", "display_name": "李强", "member_id": "M3", "roles": []},
    {"username": "evaluator34", "display_name": "评价员二", "member_id": None,
     "roles": [{"role": "zone_evaluator", "scope": z} for z in ("Z3", "Z4")]},
    {"username": "leader23", "display_name": "组长二", "member_id": None,
     "roles": [{"role": "group_leader", "scope": g} for g in ("G2", "G3")]},
]
SIGNERS = {"Z1": ("m1", "evaluator", "leader", "secretary"),
           "Z2": ("m2", "evaluator", "leader", "secretary"),
           "Z3": ("m3", "evaluator34", "leader23", "secretary"),
           "Z4": ("m4", "evaluator34", "leader23", "secretary2")}
STEPS = ("self-check", "zone-evaluation", "group-review", "branch-approval")


def marks(total: str) -> dict[str, float]:
    """Item scores adding up to `total`: full marks, less the difference from the top items."""
    short, scores = 100 - Decimal(total), {}
    for code, maximum in FULL_MARKS.items():
        taken = min(short, Decimal(maximum))
        scores[code], short = float(maximum - taken), short - taken
    return scores


def act_ok(api: Api, user: str, doc: dict[str, Any], action: str, body: dict) -> dict[str, Any]:
    """Take the action; it must succeed: the new document."""
    response = api.post(user, f"/appraisals/{doc['id']}/{action}", json=body)
    assert response.status_code == 200, response.text
    return response.json()


def publish(api: Api, zone: str, total: str, period: str = PERIOD) -> dict[str, Any]:
    doc = api.open(zone, period)
    for user, action in zip(SIGNERS[zone], STEPS, strict=True):
        body = {"comment": "同意"} if action == "branch-approval" else \
            {"scores": marks(total), "comment": action}
        doc = act_ok(api, user, doc, action, body)
    return doc


def republish(api: Api, doc: dict[str, Any], total: str) -> dict[str, Any]:
    """Reopen a published result, review it again with `total` and publish it again."""
    _member, _evaluator, leader, secretary = SIGNERS[doc["zone_id"]]
    doc = act_ok(api, secretary, doc, "reopen", {"reason": "复核"})
    doc = act_ok(api, leader, doc, "group-review", {"scores": marks(total), "comment": "复核"})
    return act_ok(api, secretary, doc, "branch-approval", {"comment": "同意"})


def add_users(api: Api, settings: Settings, users: list[dict[str, Any]]) -> None:
    """Register the users (USERS shape) and give each a token."""
    rt = api.client.app.state.runtime
    for user in users:
        api.post("admin", "/users", json={**user, "password": PASSWORD}).raise_for_status()
        # Issued as the service issues them: a sign-in would spend an argon2 check each.
        api.tokens[user["username"]] = rt.tokens.issue(rt.workflows.load_user(user["username"]))


def four_published(api: Api, settings: Settings) -> None:
    """Z1 95, Z2 and Z3 90, Z4 80: ranks 1, 2, 2, 4 across both branches."""
    add_users(api, settings, MORE_USERS)
    for zone, total in (("Z3", "90"), ("Z1", "95"), ("Z4", "80"), ("Z2", "90")):
        publish(api, zone, total)


def finalise(api: Api, doc: dict[str, Any], posting: str = "x-p1") -> None:
    """Record that a closed posting made the published result final (定稿), through the
    aggregate: the posting commands that do it are not this suite's subject."""
    workflows = api.client.app.state.runtime.workflows
    appraisal = workflows.get(UUID(doc["id"]), kind="appraisal")
    appraisal.finalise(posting=posting, state=appraisal.state, actor="sec",
                       role="branch_secretary", timestamp=next_instant(appraisal))
    workflows.save(appraisal)


def instant(moment: datetime) -> str:
    return moment.strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def a_moment_passes() -> str:
    """An instant strictly between what was written before and what is written after."""
    time.sleep(0.002)
    moment = instant(datetime.now(UTC))
    time.sleep(0.002)
    return moment


@contextmanager
def on(api: Api, day: str) -> Iterator[None]:
    """The clock at 10:00 China time of `day`, every user's token issued there."""
    with time_machine.travel(datetime.fromisoformat(f"{day}T10:00:00+08:00"), tick=True):
        rt = api.client.app.state.runtime
        names = [u["username"] for u in [*USERS, *MORE_USERS]] + ["admin"]
        api.tokens.clear()
        api.tokens.update({name: rt.tokens.issue(rt.workflows.load_user(name))
                           for name in names if rt.workflows.find_user(name)})
        yield
