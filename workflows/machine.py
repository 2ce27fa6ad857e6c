"""The appraisal process as one `transitions` machine: which step follows which, and who signs.

Its transitions are the rows of `workflows.process.PROCESS`, so the machine, the handlers
and the diagram (`appraisal diagram`) cannot disagree. The machine is never given an
aggregate as its model (STYLE habit 2): it is built once, without models, and queried
with `get_transitions`; as it never changes, each answer is kept (a sign-off asks some ten
questions, and each walks every transition).
"""

from dataclasses import dataclass
from functools import cache
from typing import Any, cast

from transitions import Machine, Transition

from domain.process import State
from workflows import process

# Plain strings: `transitions` names an Enum state by its member's name, not its value.
STATES = [state.value for state in State]
INITIAL = process.INITIAL.value
# A move taken only while nothing was signed carries that as its condition, by name: the
# machine is only queried, never triggered, so the workflow checks it (and the diagram
# draws it).
TRANSITIONS: list[dict[str, Any]] = [
    {"trigger": m.action.value, "source": m.step.value, "dest": m.dest.value,
     "role": m.role.value, "conditions": ["unsigned"] if m.unsigned else []}
    for m in process.PROCESS]


class SignOff(Transition):
    """A transition that also names the role whose holder may take it."""

    dest: str  # every sign-off leads to a state: none is internal

    def __init__(self, *args, role: str, **kwargs):
        super().__init__(*args, **kwargs)
        self.role = role


class ProcessMachine(Machine):
    transition_cls = SignOff


MACHINE = ProcessMachine(
    model=None, states=STATES, transitions=TRANSITIONS, initial=INITIAL, auto_transitions=False
)
ACTIONS: list[str] = list(dict.fromkeys(t["trigger"] for t in TRANSITIONS))


@dataclass(frozen=True)
class Step:
    """The machine's answer: taking `action` from `source` leads to `dest`, signed as `role`."""

    action: str
    source: str
    dest: str
    role: str


@cache
def step(action: str, state: str) -> Step | None:
    """The transition `action` takes from `state`, or None when the state does not allow it."""
    # Plain strings: `transitions` reads an Enum source by its member's name.
    action, state = str(action), str(state)
    found = sign_offs(trigger=action, source=state)
    if not found:
        return None
    (transition,) = found
    return Step(action, state, transition.dest, transition.role)


@cache
def roles_for(action: str) -> frozenset[str]:
    """Every role that may take `action` in some state."""
    return frozenset(t.role for t in sign_offs(trigger=str(action)))


def sign_offs(**query: Any) -> list[SignOff]:
    """The machine's transitions that match `query`: all SignOffs, as its transition_cls."""
    return cast(list[SignOff], MACHINE.get_transitions(**query))


@cache
def steps_from(state: str) -> tuple[Step, ...]:
    """The transitions leaving `state`, in the machine's order."""
    return tuple(s for action in ACTIONS if (s := step(action, state)) is not None)
