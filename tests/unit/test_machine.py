"""The process machine against API.md's action table, then the same table through `act`.

The expectation is written out from API.md, never derived from the machine, so a wrong
transition or signer in workflows/machine.py fails here.
"""

import itertools

import pytest

from domain.errors import ForbiddenError, StateConflictError
from tests.helpers import SCORES
from tests.small_org import ADMIN, actor, build_small_mine, popo_workflows, user
from workflows import machine
from workflows.application import Workflows
from workflows.appraisals import Submission

STATES = ["self_check", "zone_evaluation", "group_review", "branch_approval", "published",
          "cancelled"]
ACTIONS = ["self-check", "zone-evaluation", "group-review", "branch-approval", "return", "reopen",
           "cancel"]
ROLES = ["responsible_member", "zone_evaluator", "group_leader", "branch_secretary", "inspector",
         "archivist", "admin"]

# API.md, "Actions": (action, from state) → (to state, who signs). `return` is taken by
# "whoever may act in the current state" and goes one step back. Issue 18: the branch's
# secretary cancels an appraisal opened by mistake, before any signature.
TABLE = {
    ("self-check", "self_check"): ("zone_evaluation", "responsible_member"),
    ("zone-evaluation", "zone_evaluation"): ("group_review", "zone_evaluator"),
    ("group-review", "group_review"): ("branch_approval", "group_leader"),
    ("branch-approval", "branch_approval"): ("published", "branch_secretary"),
    ("return", "zone_evaluation"): ("self_check", "zone_evaluator"),
    ("return", "group_review"): ("zone_evaluation", "group_leader"),
    ("return", "branch_approval"): ("group_review", "branch_secretary"),
    ("reopen", "published"): ("group_review", "branch_secretary"),
    ("cancel", "self_check"): ("cancelled", "branch_secretary"),
}
CASES = list(itertools.product(STATES, ACTIONS, ROLES))


def test_the_machine_has_the_documented_states_and_actions():
    assert machine.STATES == STATES
    assert machine.INITIAL == "self_check"
    assert sorted(machine.ACTIONS) == sorted(ACTIONS)


@pytest.mark.parametrize(("state", "action", "role"), CASES)
def test_the_machine_allows_an_action_only_where_and_to_whom_the_table_says(state, action, role):
    found = machine.step(action, state)
    expected = TABLE.get((action, state))
    assert (found is None) == (expected is None)
    if expected is not None:
        assert found is not None
        assert (found.action, found.source, found.dest) == (action, state, expected[0])
        assert (found.role == role) == (expected[1] == role)


# Each role held alone and in scope for zone Z1 (group G1, branch B1). Only the responsible
# member has a member id, so no one else could be taken for a responsible member.
SOLE = {
    "responsible_member": "m1",
    "zone_evaluator": "only_evaluator",
    "group_leader": "only_leader",
    "branch_secretary": "only_secretary",
    "inspector": "only_inspector",
    "archivist": "only_archivist",
    "admin": "only_admin",
}
# Who brings the appraisal to the state under test: never one of the users above, so
# separation of duties cannot be what answers.
PATH = [("self-check", "m2"), ("zone-evaluation", "prep_evaluator"),
        ("group-review", "prep_leader"), ("branch-approval", "prep_secretary")]
CANCELLING = [("cancel", "prep_secretary")]
EXTRA_USERS = [
    user("only_evaluator", None, ("zone_evaluator", "Z1")),
    user("only_leader", None, ("group_leader", "G1")),
    user("only_secretary", None, ("branch_secretary", "B1")),
    user("only_inspector", None, ("inspector", "B1")),
    user("only_archivist", None, ("archivist", None)),
    user("only_admin", None, ("admin", None)),
    user("prep_evaluator", None, ("zone_evaluator", "Z1")),
    user("prep_leader", None, ("group_leader", "G1")),
    user("prep_secretary", None, ("branch_secretary", "B1")),
]
SUBMISSION = Submission(scores=dict(SCORES), comment="意见", reason="材料不全，退回")


@pytest.fixture
def workflows() -> Workflows:
    app = popo_workflows()
    build_small_mine(app, EXTRA_USERS)
    # M2 shares Z1 with M1, so m2 can bring the appraisal past the self-check.
    app.reassign_zone("Z1", ["M1", "M2"], "两人共管", ADMIN)
    return app


def appraisal_in(workflows: Workflows, state: str):
    opened = workflows.open_appraisal("Z1", "2026-10", "default", ADMIN)
    path = CANCELLING if state == "cancelled" else PATH[: STATES.index(state)]
    for action, signer in path:
        workflows.act(opened.id, action, actor(workflows, signer), SUBMISSION)
    appraisal = workflows.load_appraisal(opened.id)
    assert appraisal.state == state
    return appraisal


def documented_outcome(state: str, action: str, role: str) -> str | type[Exception]:
    """API.md's check order: a role that never takes the action → 403; then state → 409;
    then the role this state needs → 403. Allowed: the state it leads to."""
    if role not in {who for (taken, _), (_, who) in TABLE.items() if taken == action}:
        return ForbiddenError
    if (action, state) not in TABLE:
        return StateConflictError
    dest, who = TABLE[(action, state)]
    return dest if who == role else ForbiddenError


@pytest.mark.parametrize(("state", "action", "role"), CASES)
def test_a_user_holding_only_one_role_gets_the_documented_outcome(workflows, state, action,
                                                                    role):
    appraisal = appraisal_in(workflows, state)
    caller = actor(workflows, SOLE[role])
    expected = documented_outcome(state, action, role)
    if isinstance(expected, str):
        done = workflows.act(appraisal.id, action, caller, SUBMISSION)
        assert done.state == expected
        assert workflows.load_appraisal(appraisal.id).version == appraisal.version + 1
        return
    with pytest.raises(expected) as raised:
        workflows.act(appraisal.id, action, caller, SUBMISSION)
    assert workflows.load_appraisal(appraisal.id).version == appraisal.version
    if expected is StateConflictError:
        assert raised.value.state == state
        assert sorted(raised.value.allowed_actions) == sorted(
            taken for (taken, source), (_, who) in TABLE.items()
            if source == state and who == role
        )
