"""The appraisal process as one `transitions` machine: which step follows which, and who signs.

The machine is never given an aggregate as its model (STYLE habit 2): it is built once,
without models, and queried with `get_transitions`.
"""

from dataclasses import dataclass

from transitions import Machine, Transition

STATES = ["self_check", "zone_evaluation", "group_review", "branch_approval", "published"]
INITIAL = "self_check"

TRANSITIONS = [
    {"trigger": "self-check", "source": "self_check", "dest": "zone_evaluation",
     "role": "responsible_member"},
    {"trigger": "zone-evaluation", "source": "zone_evaluation", "dest": "group_review",
     "role": "zone_evaluator"},
    {"trigger": "group-review", "source": "group_review", "dest": "branch_approval",
     "role": "group_leader"},
    {"trigger": "branch-approval", "source": "branch_approval", "dest": "published",
     "role": "branch_secretary"},
    {"trigger": "return", "source": "zone_evaluation", "dest": "self_check",
     "role": "zone_evaluator"},
    {"trigger": "return", "source": "group_review", "dest": "zone_evaluation",
     "role": "group_leader"},
    {"trigger": "return", "source": "branch_approval", "dest": "group_review",
     "role": "branch_secretary"},
    {"trigger": "reopen", "source": "published", "dest": "group_review",
     "role": "branch_secretary"},
]


class SignOff(Transition):
    """A transition that also names the role whose holder may take it."""

    def __init__(self, *args, role: str, **kwargs):
        super().__init__(*args, **kwargs)
        self.role = role


class ProcessMachine(Machine):
    transition_cls = SignOff


MACHINE = ProcessMachine(
    model=None, states=STATES, transitions=TRANSITIONS, initial=INITIAL, auto_transitions=False
)
ACTIONS = list(dict.fromkeys(t["trigger"] for t in TRANSITIONS))


@dataclass(frozen=True)
class Step:
    """The machine's answer: taking `action` from `source` leads to `dest`, signed as `role`."""

    action: str
    source: str
    dest: str
    role: str


def step(action: str, state: str) -> Step | None:
    """The transition `action` takes from `state`, or None when the state does not allow it."""
    found = MACHINE.get_transitions(trigger=action, source=state)
    if not found:
        return None
    (transition,) = found
    return Step(action, state, transition.dest, transition.role)


def roles_for(action: str) -> set[str]:
    """Every role that may take `action` in some state."""
    return {t.role for t in MACHINE.get_transitions(trigger=action)}


def steps_from(state: str) -> list[Step]:
    """The transitions leaving `state`, in the machine's order."""
    return [s for action in ACTIONS if (s := step(action, state)) is not None]
