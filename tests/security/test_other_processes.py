"""Changes another API process makes to what a sign-off decides by (a delegation, a zone's
responsible members) reach this process within a second (workflows.base.RECENT_SECONDS), and
this process's own at once; on both backends."""

import time
from typing import Any

import pytest

from service.app import create_app
from tests.e2e.support import act, assert_problem, opened_in
from tests.e2e.test_delegations import DEPUTIES, SCORED, granted
from tests.helpers import SCORES, Api, Observer
from workflows.base import RECENT_SECONDS

SELF_CHECK = {"scores": SCORES, "comment": "自查"}


@pytest.fixture
def world_users() -> list[dict[str, Any]]:
    return [{**DEPUTIES[0], "member_id": "M6"}]  # the deputy (tests.e2e.test_delegations)


def test_a_delegation_revoked_in_another_process_stops_the_deputy_here_within_a_second(
        api: Api, settings) -> None:
    delegation = granted(api)
    doc = opened_in(api, "group_review")
    assert api.get("deputy", f"/appraisals/{doc['id']}").json()["acting_for"] == "leader"
    with Observer(create_app(settings)) as other:
        there = Api(other, tokens=api.tokens)
        revoked = there.post("leader", f"/delegations/{delegation['id']}/revoke",
                             json={"reason": "提前返岗"})
        assert revoked.status_code == 200, revoked.text
        assert_problem(act(there, "deputy", doc, "group-review", SCORED), 403)  # there: at once
    time.sleep(RECENT_SECONDS)
    assert_problem(act(api, "deputy", doc, "group-review", SCORED), 403)


def test_a_delegation_revoked_here_stops_the_deputy_at_once(api: Api) -> None:
    delegation = granted(api)
    doc = opened_in(api, "group_review")
    assert api.get("deputy", f"/appraisals/{doc['id']}").json()["acting_for"] == "leader"
    revoked = api.post("leader", f"/delegations/{delegation['id']}/revoke",
                       json={"reason": "提前返岗"})
    assert revoked.status_code == 200, revoked.text
    assert_problem(act(api, "deputy", doc, "group-review", SCORED), 403)


def test_a_member_no_longer_responsible_in_another_process_is_refused_here_within_a_second(
        api: Api, settings) -> None:
    doc = api.open("Z1", "2026-10")
    assert "self-check" in api.get("m1", f"/appraisals/{doc['id']}").json()["allowed_actions"]
    with Observer(create_app(settings)) as other:
        there = Api(other, tokens=api.tokens)
        moved = there.put("admin", "/zones/Z1/responsibles",
                          json={"member_ids": ["M2"], "reason": "调岗"})
        assert moved.status_code == 200, moved.text
    time.sleep(RECENT_SECONDS)
    # m1 still reads it (responsible when it opened), but may no longer sign for the zone.
    assert_problem(act(api, "m1", doc, "self-check", SELF_CHECK), 403)
