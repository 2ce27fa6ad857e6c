"""The process drawn by the machine itself, as a mermaid state diagram (offline)."""

from transitions.extensions import GraphMachine
from transitions.extensions.diagrams import TransitionGraphSupport

from workflows.machine import INITIAL, STATES, TRANSITIONS, SignOff


class _DrawnSignOff(TransitionGraphSupport, SignOff):
    pass


class _DrawingMachine(GraphMachine):
    transition_cls = _DrawnSignOff


def mermaid() -> str:
    """The stateDiagram-v2 source; edges are labelled with the action and who takes it."""
    labelled = [{**t, "trigger": f"{t['trigger']} ({t['role']})"} for t in TRANSITIONS]
    probe = type("Probe", (), {})()
    _DrawingMachine(model=probe, states=STATES, transitions=labelled, initial=INITIAL,
                    auto_transitions=False, graph_engine="mermaid", title="appraisal",
                    show_conditions=True)
    return probe.get_graph().source  # type: ignore[attr-defined]
