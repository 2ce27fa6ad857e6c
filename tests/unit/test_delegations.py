"""Signing on behalf (代签) below HTTP: the days a delegation may cover, the deputy's stream,
separation of duties for both persons in the aggregate, and the workflow deciding from one
deputy's stream (on the in-memory store) whom a deputy may act for today."""

from datetime import date, timedelta

import pytest

from domain.appraisal import Appraisal
from domain.delegations import DELEGABLE, Deputy, check_days
from domain.documents import document, history_entry, replayed
from domain.errors import ConflictError, ForbiddenError, InvalidError
from domain.period import china_date
from domain.process import Role
from service.web.problems import explain
from tests.helpers import SCORES
from tests.small_org import ADMIN, actor, build_small_mine, popo_workflows, user
from tests.unit.test_signers import AT, evaluated, never
from workflows.application import Workflows
from workflows.appraisals import Submission

DAY = date(2026, 11, 3)
TODAY = china_date()


def test_a_deputy_signs_in_every_signers_role_but_the_self_check() -> None:
    assert {Role.ZONE_EVALUATOR, Role.GROUP_LEADER, Role.BRANCH_SECRETARY} == DELEGABLE


@pytest.mark.parametrize(("start", "end", "field"), [
    ("2026-11-02", "2026-11-05", "from"),  # yesterday
    ("2026-11-05", "2026-11-04", "to"),  # ends before it starts
    ("2026-11-03", "2027-11-04", "to"),  # 367 days
    ("2027-11-05", "2027-11-06", "from"),  # starts more than a year away
    ("2026-11-3", "2026-11-05", "from"), ("2026/11/03", "2026-11-05", "from"),
    ("２０２６-11-03", "2026-11-05", "from"), (20261103, "2026-11-05", "from"),
    ("2026-11-03", "2026-02-30", "to"), ("2026-11-03", None, "to"),
])
def test_a_delegation_covers_days_from_today_for_a_year_at_most(start, end, field) -> None:
    with pytest.raises(InvalidError) as refused:
        check_days(start, end, DAY)
    assert field in refused.value.errors


def test_a_delegation_of_today_alone_or_of_a_whole_year_is_taken() -> None:
    assert check_days("2026-11-03", "2026-11-03", DAY) == ("2026-11-03", "2026-11-03")
    assert check_days("2027-11-03", "2028-11-02", DAY) == ("2027-11-03", "2028-11-02")


def deputy_with(*ranges: tuple[str, str], principal: str = "leader") -> Deputy:
    deputy = Deputy("deputy", "leader", AT)
    for start, end in ranges:
        deputy.grant(deputy.next_id(), deputy="deputy", principal=principal,
                     principal_member_id="M5", branches=["B1"], start=start, end=end,
                     reason="出差", actor="leader", role="principal", timestamp=AT)
    return deputy


def test_a_deputys_stream_says_which_delegations_hold_on_a_day() -> None:
    deputy = deputy_with(("2026-11-01", "2026-11-03"), ("2026-11-04", "2026-11-09"),
                         ("2026-10-01", "2026-10-02"))
    first, second, third = deputy.delegations
    assert first == f"{deputy.id}-d1" and third == f"{deputy.id}-d3"
    assert [key for key, _ in deputy.active(DAY)] == [first]
    assert [key for key, _ in deputy.pending(DAY)] == [first, second]
    deputy.revoke(first, "已返岗", "leader", "principal", AT)
    assert deputy.active(DAY) == []
    assert deputy.delegations[first]["revoked"]["by"] == "leader"
    assert deputy.overlapping("leader", "2026-11-09", "2026-11-20", DAY) == second
    assert deputy.overlapping("leader", "2026-11-10", "2026-11-20", DAY) is None
    assert deputy.overlapping("evaluator", "2026-11-04", "2026-11-04", DAY) is None


def reviewed(on_behalf_of: str | None, principal_member: str | None) -> Appraisal:
    """An appraisal of Z1 self-checked by m1 (M1), evaluated by the evaluator and reviewed
    by the deputy (member M6), for whom `on_behalf_of` says."""
    appraisal = evaluated("")
    appraisal.submit_group_review(scores={"duty": "90"}, total="90", comment="",
                                  timestamp=AT, state="branch_approval", actor="deputy",
                                  role="group_leader", member_id="M6",
                                  on_behalf_of=on_behalf_of,
                                  principal_member_id=principal_member)
    return appraisal


def test_a_step_signed_on_behalf_bars_both_persons_from_any_other_step() -> None:
    appraisal = reviewed("leader", "M5")
    assert appraisal.steps["group_review"]["on_behalf_of"] == "leader"
    for username, member in (("leader", None), ("leader-2", "M5"), ("deputy", None),
                             ("deputy-2", "M6")):
        assert not appraisal.may_sign("branch_approval", username, member, never), username
    assert appraisal.may_sign("branch_approval", "secretary", None, never)
    # The same step again (after a reopening): the same persons may sign it.
    assert appraisal.may_sign("group_review", "leader", "M5", never)


def test_signing_on_behalf_counts_the_principal_too() -> None:
    appraisal = reviewed(None, None)  # the deputy reviewed in their own right
    assert appraisal.may_sign("branch_approval", "secretary", None, never)
    assert not appraisal.may_sign("branch_approval", "secretary", None, never,
                                  principal=("evaluator", None))
    assert not appraisal.may_sign("branch_approval", "secretary", None, never,
                                  principal=("m1-secretary", "M1"))


def test_a_principal_stored_without_a_member_is_looked_up_once_asked() -> None:
    appraisal = reviewed("leader", None)
    asked = []

    def member_of(username: str) -> str | None:
        asked.append(username)
        return {"leader": "M5"}.get(username)

    assert not appraisal.may_sign("branch_approval", "leader-2", "M5", member_of)
    assert "leader" in asked


@pytest.fixture
def workflows() -> Workflows:
    workflows = popo_workflows()
    build_small_mine(workflows, [user("deputy"), user("lead_sec", "M5",
                                                      ("branch_secretary", "B1"))])
    return workflows


def in_group_review(workflows: Workflows) -> Appraisal:
    appraisal = workflows.open_appraisal("Z1", "2026-10", "default", actor(workflows, "secretary"))
    for username, action in (("m1", "self-check"), ("evaluator", "zone-evaluation")):
        appraisal = workflows.act(appraisal.id, action, actor(workflows, username),
                                  Submission(SCORES))
    return appraisal


def grant(workflows: Workflows, principal: str = "leader", start: int = 0, end: int = 3,
          deputy: str = "deputy", by: str | None = None) -> str:
    held = workflows.grant_delegation(deputy, principal, (TODAY + timedelta(start)).isoformat(),
                                      (TODAY + timedelta(end)).isoformat(), "出差",
                                      actor(workflows, by or principal))
    return held.key


def test_the_deputy_takes_the_principals_step_and_both_are_recorded(workflows) -> None:
    appraisal = in_group_review(workflows)
    deputy = actor(workflows, "deputy")
    assert workflows.allowed(appraisal, deputy).actions == []
    key = grant(workflows)
    allowed = workflows.allowed(appraisal, deputy)
    assert (allowed.actions, allowed.acting_for) == (["group-review", "return"], "leader")
    # Given the deputy's own standing, as callers before deputies did, the same answer.
    assert workflows.allowed_actions(appraisal, deputy, workflows.standing(
        appraisal, deputy)) == allowed.actions
    taken = workflows.act(appraisal.id, "group-review", deputy, Submission(SCORES))
    (last,) = list(workflows.events.get(taken.id))[-1:]
    assert (last.actor, last.on_behalf_of, last.principal_member_id, last.delegation) == (
        "deputy", "leader", "M5", key)
    # The leader's second account (M5), a secretary, may not approve what was reviewed for them.
    with pytest.raises(ForbiddenError) as refused:
        workflows.act(taken.id, "branch-approval", actor(workflows, "lead_sec"), Submission())
    assert refused.value.reason == "signed"


def test_a_principal_who_no_longer_holds_the_role_lends_it_to_nobody(workflows) -> None:
    appraisal = in_group_review(workflows)
    grant(workflows)
    workflows.change_roles("leader", [], ADMIN)
    with pytest.raises(ForbiddenError) as refused:
        workflows.act(appraisal.id, "group-review", actor(workflows, "deputy"),
                      Submission(SCORES))
    assert refused.value.reason == "scope"


def test_a_disabled_principal_lends_nothing_either(workflows) -> None:
    grant(workflows)
    assert [p.actor.username for p in workflows.principals_today(actor(workflows, "deputy"))] \
        == ["leader"]
    workflows.disable_user("leader", ADMIN)
    assert workflows.principals_today(actor(workflows, "deputy")) == []


def test_who_grants_for_whom(workflows) -> None:
    assert grant(workflows, by="secretary").endswith("-d1")
    assert grant(workflows, principal="evaluator", by="admin").endswith("-d2")
    with pytest.raises(ForbiddenError):  # a signer names nobody's deputy but their own
        grant(workflows, principal="leader", by="evaluator", start=5, end=6)
    with pytest.raises(ForbiddenError):  # B2's secretary, for a signer of B1
        grant(workflows, principal="leader", by="secretary2", start=5, end=6)
    with pytest.raises(InvalidError):  # the leader's own second account (M5)
        grant(workflows, deputy="lead_sec", start=5, end=6)
    with pytest.raises(ConflictError):  # a day already covered
        grant(workflows, start=3, end=4)


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_the_pages_say_why_a_delegation_was_refused(lang: str) -> None:
    overlap = explain(ConflictError("overlaps", "overlapping"), 409, lang)
    assert ("已经代" if lang == "zh" else "already acts") in overlap.message
    invalid = explain(InvalidError("bad", {"deputy": "self", "from": "past"}), 422, lang)
    assert invalid.points == ({"zh": ["代签人（用户名）：不能指定本人", "开始日期：不能早于今天"],
                               "en": ["Deputy (username): not the principal themself",
                                      "From: cannot be before today"]}[lang])


def test_a_document_replayed_from_the_history_names_the_principal_as_the_aggregates_does(
        ) -> None:
    appraisal = reviewed("leader", "M5")
    history = [history_entry(e) for e in appraisal.collect_events()]
    assert history[-1]["data"]["on_behalf_of"] == "leader"
    assert "on_behalf_of" not in history[-2]["data"]
    assert replayed(str(appraisal.id), history) == document(appraisal)
    assert document(appraisal)["group_review"]["on_behalf_of"] == "leader"
    assert "on_behalf_of" not in document(appraisal)["zone_evaluation"]
