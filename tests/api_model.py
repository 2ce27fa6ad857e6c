"""What API.md says an appraisal command must do, written independently of workflows/access.py.

The property tests compare the application against this model: every outcome (accepted, and
to which state, or which error) is predicted here from the documented rules alone.
"""

from decimal import Decimal
from typing import Any

from domain.errors import ForbiddenError, InvalidError, StateConflictError
from domain.forms import DEFAULT_ITEMS
from tests.unit.test_machine import TABLE

# The kind of place each scoped role names: index into (zone, group, branch).
SCOPE_INDEX = {"zone_evaluator": 0, "group_leader": 1, "branch_secretary": 2, "inspector": 2}
SIGNERS = {"group_leader", "branch_secretary"}  # never taken by the zone's responsible member
SCORED = {"self-check", "zone-evaluation", "group-review"}
ROLE_STEP = {"responsible_member": "self_check", "zone_evaluator": "zone_evaluation",
             "group_leader": "group_review", "branch_secretary": "branch_approval"}
# Who may read an appraisal at all (in scope, or a responsible member then or now).
READERS = {"admin", "archivist", "inspector", "branch_secretary", "group_leader",
           "zone_evaluator", "responsible_member"}
EVENT_ACTION = {"SelfCheckSubmitted": "self-check", "ZoneEvaluationSubmitted": "zone-evaluation",
                "GroupReviewSubmitted": "group-review", "BranchApproved": "branch-approval",
                "Returned": "return", "Reopened": "reopen", "Cancelled": "cancel"}
# Issue 18: an appraisal is cancelled only while no step of it was ever signed (a return
# clears no signature); otherwise its state refuses it (409).
BEFORE_ANY_SIGNATURE = {"cancel"}


def roles_on(account: dict[str, Any], place: tuple[str, str, str],
             responsibles: list[str]) -> set[str]:
    """The roles an account (tests/helpers.py `USERS` shape) holds on the zone at `place`."""
    held = {g["role"] for g in account["roles"] if g["scope"] is None
            or (g["role"] in SCOPE_INDEX and g["scope"] == place[SCOPE_INDEX[g["role"]]])}
    if account["member_id"] is not None and account["member_id"] in responsibles:
        held.add("responsible_member")
    return held


def fits(scores: Any) -> bool:
    """Every item of the default form, each 0..max with one decimal at most."""
    return isinstance(scores, dict) and set(scores) == set(DEFAULT_ITEMS) and all(
        0 <= Decimal(str(v)) <= Decimal(DEFAULT_ITEMS[c]) and Decimal(str(v)) * 10 % 1 == 0
        for c, v in scores.items())


def band(total: Decimal) -> str:
    for floor, grade in [(90, "excellent"), (80, "qualified"), (70, "basically_qualified")]:
        if total >= floor:
            return grade
    return "unqualified"


def outcome(account: dict[str, Any], roles: set[str], action: str, state: str,
            steps: dict[str, Any], scores: Any, reason: str,
            ever: set[str] | None = None) -> str | type[Exception]:
    """API.md's check order: not a reader of it, or roles that never allow the action (403),
    state (409; a cancellation after any signature too), the state's role (403), separation
    of duties (403), the body (422); else the next state. `roles` are held now (responsible
    members as of now), `ever` then or now (responsible members at opening or now; `roles`
    when not given)."""
    ever = roles if ever is None else ever
    if not ever & READERS or not ever & {who for (taken, _), (_, who) in TABLE.items()
                                         if taken == action}:
        return ForbiddenError
    if (action, state) not in TABLE or (action in BEFORE_ANY_SIGNATURE and any(steps.values())):
        return StateConflictError
    dest, who = TABLE[(action, state)]
    if who not in roles or (who in SIGNERS and "responsible_member" in ever):
        return ForbiddenError
    member = account["member_id"]
    if any(signed and (signed["actor"] == account["username"]
                       or (member is not None and signed.get("member_id") == member))
           for step, signed in steps.items() if step != ROLE_STEP[who]):
        return ForbiddenError
    valid = fits(scores) if action in SCORED else action == "branch-approval" or reason.strip()
    return dest if valid else InvalidError
