"""The appraisal process in one table: one row per action and the state it is taken from.

Every other list of the process is derived from `PROCESS`: the machine's transitions
(`workflows.machine`), the handlers' event methods, the scored, reasoned and forward actions
of the API, the inbox and the pages. The words themselves (roles, states, the signed steps
and their events) are the domain's, in `domain.process`, so that projections and reports,
which may not import workflows, read the same ones.
"""

from dataclasses import dataclass
from enum import StrEnum

from domain.process import PROCEDURE, Role, State


class Action(StrEnum):
    """What a user does to an appraisal: the API's path segment and the machine's trigger."""

    SELF_CHECK = "self-check"
    ZONE_EVALUATION = "zone-evaluation"
    GROUP_REVIEW = "group-review"
    BRANCH_APPROVAL = "branch-approval"
    RETURN = "return"
    REOPEN = "reopen"
    CANCEL = "cancel"


@dataclass(frozen=True)
class Move:
    """Taking `action` at `step` leads to `dest`; a holder of `role` takes it, and the
    aggregate records it with `method` (an event of type `event`). A forward move signs
    `step` (with scores when `scored`); a reasoned one goes back, or out of the procedure,
    and needs a reason. `unsigned`: only while no step of the appraisal was ever signed (a
    guard the workflow checks on the appraisal's record; the state alone cannot tell)."""

    action: Action
    step: State
    dest: State
    role: Role
    method: str
    event: str
    scored: bool = False
    reasoned: bool = False
    unsigned: bool = False

    @property
    def forward(self) -> bool:
        """Signs its step and moves on: what waits in someone's inbox."""
        return not self.reasoned


def _sign(action: Action, step: State) -> Move:
    """The forward move that signs `step`, as the procedure says it is signed."""
    signing = PROCEDURE[step]
    after = list(State)[list(State).index(step) + 1]
    return Move(action, step, after, signing.role, signing.method, signing.event,
                scored=signing.scored)


def _reasoned(action: Action, step: State, dest: State, role: Role, *,
              unsigned: bool = False) -> Move:
    """A move with a reason: a return one step, a reopening of a published result, or the
    cancellation of an appraisal nobody has signed."""
    method, event = {Action.RETURN: ("return_", "returned"),
                     Action.REOPEN: ("reopen", "reopened"),
                     Action.CANCEL: ("cancel", "cancelled")}[action]
    return Move(action, step, dest, role, method, event, reasoned=True, unsigned=unsigned)


PROCESS: tuple[Move, ...] = (
    _sign(Action.SELF_CHECK, State.SELF_CHECK),
    _sign(Action.ZONE_EVALUATION, State.ZONE_EVALUATION),
    _sign(Action.GROUP_REVIEW, State.GROUP_REVIEW),
    _sign(Action.BRANCH_APPROVAL, State.BRANCH_APPROVAL),
    # Whoever would sign the step may send it back one step instead.
    _reasoned(Action.RETURN, State.ZONE_EVALUATION, State.SELF_CHECK, Role.ZONE_EVALUATOR),
    _reasoned(Action.RETURN, State.GROUP_REVIEW, State.ZONE_EVALUATION, Role.GROUP_LEADER),
    _reasoned(Action.RETURN, State.BRANCH_APPROVAL, State.GROUP_REVIEW, Role.BRANCH_SECRETARY),
    # The branch corrects a published result from the group review on (004 §4.4).
    _reasoned(Action.REOPEN, State.PUBLISHED, State.GROUP_REVIEW, Role.BRANCH_SECRETARY),
    # The branch cancels an appraisal opened by mistake, before anyone signed it; opening
    # the zone's period again starts it afresh (workflows.appraisals).
    _reasoned(Action.CANCEL, State.SELF_CHECK, State.CANCELLED, Role.BRANCH_SECRETARY,
              unsigned=True),
)
INITIAL = State.SELF_CHECK

SCORED = frozenset(m.action for m in PROCESS if m.scored)
REASONED = frozenset(m.action for m in PROCESS if m.reasoned)
FORWARD = frozenset(m.action for m in PROCESS if m.forward)
# Actions taken only while no step of the appraisal was ever signed.
UNSIGNED = frozenset(m.action for m in PROCESS if m.unsigned)
# The step each forward action signs, and the action that signs each step.
STEP_OF: dict[str, State] = {m.action: m.step for m in PROCESS if m.forward}
ACTION_OF: dict[str, Action] = {m.step: m.action for m in PROCESS if m.forward}
# The event each action records, to confirm it by name once taken.
EVENT_OF: dict[str, str] = {m.action: m.event for m in PROCESS}
# The aggregate's event method each action calls.
METHOD_OF: dict[str, str] = {m.action: m.method for m in PROCESS}
