"""Separation of duties by person, in the aggregate: who signed a step, and when a step's
signer has to be looked up (only for steps stored before signers' members were recorded)."""

from datetime import UTC, datetime

import pytest

from domain.appraisal import Appraisal
from tests.small_org import ADMIN, actor, build_small_mine, popo_workflows
from workflows.appraisals import Submission

AT = datetime(2026, 10, 31, 8, tzinfo=UTC)


def evaluated(evaluator_member: str | None) -> Appraisal:
    """Self-checked by m1 (member M1), evaluated by `evaluator` with the member given
    (None: a step stored before members were recorded)."""
    appraisal = Appraisal(zone_id="Z1", zone_name="综采一队", line="采煤线", period="2026-10",
                          branch_id="B1", group_id="G1", template_id="default",
                          template_version=1, items={"duty": "100"},
                          responsible_member_ids=["M1"], state="self_check", actor="secretary",
                          role="branch_secretary", timestamp=AT)
    signed = {"scores": {"duty": "90"}, "total": "90", "comment": "", "timestamp": AT}
    appraisal.submit_self_check(state="zone_evaluation", actor="m1", role="responsible_member",
                                member_id="M1", **signed)
    step = {"member_id": evaluator_member} if evaluator_member is not None else {}
    appraisal.submit_zone_evaluation(state="group_review", actor="evaluator",
                                     role="zone_evaluator", **step, **signed)
    return appraisal


def never(_username: str) -> str | None:
    raise AssertionError("a recorded signer was looked up")


def test_another_account_of_the_self_checker_may_not_sign_another_step() -> None:
    assert not evaluated("").may_sign("group_review", "m1-leader", "M1", never)


def test_a_step_by_an_account_without_a_member_is_not_looked_up() -> None:
    assert evaluated("").may_sign("group_review", "leader", "M5", never)


@pytest.mark.parametrize(("member", "allowed"), [("M5", False), (None, True)])
def test_a_step_stored_without_a_member_is_matched_through_its_account(
        member: str | None, allowed: bool) -> None:
    looked_up = []

    def member_of(username: str) -> str | None:
        looked_up.append(username)
        return member

    assert evaluated(None).may_sign("group_review", "leader", "M5", member_of) is allowed
    assert looked_up == ["evaluator"]


def test_the_workflow_records_a_signer_without_a_member_as_such() -> None:
    """The evaluator's account has no member: its step says so (''), so later decisions
    on the appraisal never look the account up."""
    workflows = popo_workflows()
    build_small_mine(workflows)
    opened = workflows.open_appraisal("Z1", "2026-10", "default", ADMIN)
    for username, action in [("m1", "self-check"), ("evaluator", "zone-evaluation")]:
        workflows.act(opened.id, action, actor(workflows, username),
                      Submission(scores={"thought": 15, "study": 15, "talks": 10, "order": 20,
                                         "policy": 10, "duty": 20, "skills": 10}))
    steps = workflows.load_appraisal(opened.id).steps
    assert (steps["self_check"]["member_id"], steps["zone_evaluation"]["member_id"]) == ("M1", "")
