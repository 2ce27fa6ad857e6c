"""What the HTTP tests share: problem+json checks, "nothing recorded", and walking an appraisal."""

import re
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from tests.helpers import SCORES, Api

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
