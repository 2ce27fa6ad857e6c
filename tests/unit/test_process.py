"""The process's one table and everything derived from it agree: the machine, the aggregate,
the separation of duties, the archive's step tables, the inbox and the labels."""

import pytest

from domain.appraisal import Appraisal
from domain.delegations import PRINCIPAL
from domain.documents import event_type
from domain.process import PROCEDURE, SCORED_STEPS, STEP_OF_EVENT, STEP_OF_ROLE, STEPS, Role, State
from domain.users import SCOPE_KINDS
from reports import archive_view
from reports.labels import LABELS, label
from service.schemas import RoleIn
from service.web.i18n import LANGUAGES, action_label
from workflows import machine
from workflows.process import (
    ACTION_OF,
    EVENT_OF,
    FORWARD,
    INITIAL,
    METHOD_OF,
    PROCESS,
    REASONED,
    SCORED,
    STEP_OF,
    UNSIGNED,
    Action,
)
from workflows.publicity import MEMBER, PUBLIC


def test_the_machines_transitions_are_exactly_the_tables_rows() -> None:
    rows = [(m.action, m.step, m.dest, m.role) for m in PROCESS]
    assert [(t["trigger"], t["source"], t["dest"], t["role"]) for t in machine.TRANSITIONS] == rows
    assert list(State) == machine.STATES
    assert machine.INITIAL == INITIAL
    for move in PROCESS:
        step = machine.step(move.action, move.step)
        assert step is not None
        assert (step.dest, step.role) == (move.dest, move.role)
    assert set(machine.ACTIONS) == set(Action)


def test_the_machine_speaks_plain_strings_for_the_stored_events() -> None:
    # `transitions` names an Enum state by its name: states and roles go in as values.
    step = machine.step(Action.SELF_CHECK, State.SELF_CHECK)
    assert step is not None
    assert type(step.dest) is str
    assert type(step.role) is str
    assert step.dest == "zone_evaluation"


def test_one_forward_action_signs_each_step_in_order_and_moves_to_the_next_state() -> None:
    assert tuple(STEP_OF.values()) == STEPS
    assert set(STEP_OF) == FORWARD
    assert {ACTION_OF[step] for step in STEPS} == FORWARD
    states = list(State)
    for move in PROCESS:
        assert move.forward == (states.index(move.dest) == states.index(move.step) + 1)


def test_every_action_is_scored_reasoned_or_the_approval() -> None:
    assert SCORED | REASONED | {Action.BRANCH_APPROVAL} == set(Action)
    assert not SCORED & REASONED
    assert {ACTION_OF[step] for step in SCORED_STEPS} == SCORED


def test_every_row_names_an_event_method_of_the_aggregate_recording_its_event() -> None:
    for move in PROCESS:
        name = getattr(Appraisal, move.method).event_decorator.event_cls_name
        recorded = object.__new__(getattr(Appraisal, name))  # its type is all event_type reads
        assert event_type(recorded) == move.event == EVENT_OF[move.action]
        assert METHOD_OF[move.action] == move.method


def test_the_procedure_signs_each_step_as_its_forward_row_does() -> None:
    for move in PROCESS:
        if move.forward:
            signing = PROCEDURE[move.step]
            assert (signing.role, signing.method, signing.event, signing.scored) == \
                (move.role, move.method, move.event, move.scored)
    assert {STEP_OF_ROLE[r] for r in STEP_OF_ROLE} == set(STEPS)
    assert set(STEP_OF_EVENT.values()) == set(STEPS)


def test_every_role_that_takes_an_action_may_be_held() -> None:
    granted = set(SCOPE_KINDS)
    for move in PROCESS:
        assert move.role in Role
        # The responsible member's role comes from the zone, every other one from a grant.
        assert move.role == Role.RESPONSIBLE_MEMBER or move.role in granted
    assert granted == set(Role) - {Role.RESPONSIBLE_MEMBER}
    api_roles = RoleIn.model_json_schema()["properties"]["role"]["enum"]
    assert set(api_roles) == granted


def test_the_archive_names_each_steps_event_and_usual_signer_from_the_procedure() -> None:
    for step in STEPS:
        assert archive_view.SIGNING_EVENT[step] == PROCEDURE[step].event
        assert archive_view.USUAL_ROLE[step] == PROCEDURE[step].role


@pytest.mark.parametrize("lang", LANGUAGES)
def test_every_action_role_and_state_has_a_label(lang: str) -> None:
    for action in Action:
        assert action_label(action, lang) != action
    for role in Role:
        assert label("role", role, lang) != role
    for state in State:
        assert label("step", state, lang) != state
    for move in PROCESS:
        assert label("event", move.event, lang) != move.event
    # And those who object to a posted result without a role (workflows.publicity), and
    # whoever names their own deputy (domain.delegations).
    assert set(LABELS[lang]["role"]) == set(Role) | {MEMBER, PUBLIC, PRINCIPAL}
    assert set(LABELS[lang]["step"]) == set(State)


def test_the_vocabulary_keeps_the_strings_stored_events_hold() -> None:
    assert [str(s) for s in State] == ["self_check", "zone_evaluation", "group_review",
                                       "branch_approval", "published", "cancelled"]
    assert Role.RESPONSIBLE_MEMBER == "responsible_member"
    assert [str(a) for a in Action] == ["self-check", "zone-evaluation", "group-review",
                                        "branch-approval", "return", "reopen", "cancel"]


def test_a_cancellation_is_the_one_move_out_of_the_procedure_and_only_before_any_signature():
    (cancel,) = [m for m in PROCESS if m.dest == State.CANCELLED]
    assert (cancel.action, cancel.step, cancel.role) == (
        Action.CANCEL, State.SELF_CHECK, Role.BRANCH_SECRETARY)
    assert cancel.reasoned and not cancel.forward
    assert {Action.CANCEL} == UNSIGNED
    # The machine carries the guard as its condition (drawn on the diagram); nothing leaves
    # the cancelled state: opening the period again restarts the appraisal.
    conditions = {t["trigger"]: t["conditions"] for t in machine.TRANSITIONS}
    assert conditions == {m.action: (["unsigned"] if m.unsigned else []) for m in PROCESS}
    assert machine.steps_from(State.CANCELLED) == ()
    assert State.CANCELLED not in STEPS and list(State)[-1] == State.CANCELLED
