"""The process's words, written once: roles, states, and the signed steps of the procedure.

These are the words the record itself keeps (an event's `state` and `role`, the keys of
`Appraisal.steps`) and that every layer reads, so they live below all of them. The actions
that move an appraisal between states are the workflow's: `workflows.process` builds its
one table on these. The values are the strings stored events hold: never change one.
"""

from dataclasses import dataclass
from enum import StrEnum


class Role(StrEnum):
    """A role a user is granted, or (the responsible member) holds by being named on a zone."""

    RESPONSIBLE_MEMBER = "responsible_member"
    ZONE_EVALUATOR = "zone_evaluator"
    GROUP_LEADER = "group_leader"
    BRANCH_SECRETARY = "branch_secretary"
    INSPECTOR = "inspector"
    ARCHIVIST = "archivist"
    ADMIN = "admin"


class State(StrEnum):
    """Where an appraisal stands, in the procedure's order (004 §4.4). Each state before
    PUBLISHED awaits the signed step of the same name; CANCELLED, last, is outside the
    procedure: an appraisal opened by mistake and cancelled before anyone signed it."""

    SELF_CHECK = "self_check"
    ZONE_EVALUATION = "zone_evaluation"
    GROUP_REVIEW = "group_review"
    BRANCH_APPROVAL = "branch_approval"
    PUBLISHED = "published"
    CANCELLED = "cancelled"


@dataclass(frozen=True)
class Signing:
    """How a step is signed: by whom, by which of the aggregate's event methods, recording
    which event (its type as documents and archives name it), and whether with scores."""

    role: Role
    method: str
    event: str
    scored: bool


# The procedure's signed steps in order, each named for the state that awaits it.
PROCEDURE: dict[State, Signing] = {
    State.SELF_CHECK: Signing(Role.RESPONSIBLE_MEMBER, "submit_self_check",
                              "self_check_submitted", scored=True),
    State.ZONE_EVALUATION: Signing(Role.ZONE_EVALUATOR, "submit_zone_evaluation",
                                   "zone_evaluation_submitted", scored=True),
    State.GROUP_REVIEW: Signing(Role.GROUP_LEADER, "submit_group_review",
                                "group_review_submitted", scored=True),
    State.BRANCH_APPROVAL: Signing(Role.BRANCH_SECRETARY, "approve", "branch_approved",
                                   scored=False),
}
STEPS: tuple[State, ...] = tuple(PROCEDURE)
SCORED_STEPS: tuple[State, ...] = tuple(s for s in STEPS if PROCEDURE[s].scored)
# The step each role signs: separation of duties counts steps, whatever the action.
STEP_OF_ROLE: dict[str, State] = {signing.role: step for step, signing in PROCEDURE.items()}
# The step each signing event signs: a document shows the latest of each.
STEP_OF_EVENT: dict[str, State] = {signing.event: step for step, signing in PROCEDURE.items()}
