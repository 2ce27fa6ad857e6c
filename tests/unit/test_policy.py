"""Reward policies: the defaults of seed 000, checked amounts, changes as events, time travel."""

from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest

from domain.errors import ForbiddenError, InvalidError
from domain.organisation import Branch
from domain.policy import DEFAULT_POLICY, check_policy
from tests.small_org import ADMIN, actor, build_small_mine, popo_workflows
from workflows.application import Workflows

SEED = {"excellent": 200, "qualified": 0, "basically_qualified": 0, "unqualified": -100}
GENEROUS = {"excellent": 500, "qualified": 100.5, "basically_qualified": 0, "unqualified": -50}
MICROSECOND = timedelta(microseconds=1)


def test_the_default_policy_is_the_seed_amounts():
    assert {grade: Decimal(amount) for grade, amount in DEFAULT_POLICY.items()} == SEED


def test_a_new_branch_pays_by_the_default_policy():
    assert Branch("B9", "新支部", "admin").policy == DEFAULT_POLICY


def test_a_valid_policy_is_kept_as_exact_yuan():
    checked = check_policy({"excellent": 199.99, "qualified": 0.1, "basically_qualified": 0,
                            "unqualified": -100})
    assert checked == {"excellent": "199.99", "qualified": "0.1", "basically_qualified": "0",
                       "unqualified": "-100"}


@pytest.mark.parametrize("amounts", [
    {"excellent": 200, "qualified": 0, "basically_qualified": 0},
    {**SEED, "outstanding": 300},
    {},
])
def test_a_policy_must_name_exactly_the_four_grades(amounts):
    with pytest.raises(InvalidError):
        check_policy(amounts)


@pytest.mark.parametrize("amount", [
    True, None, "abc", [200], float("nan"), float("inf"), float("-inf"), 0.001, 199.999,
    1e30, 10**40,
])
def test_an_amount_that_is_not_yuan_with_two_decimals_is_rejected(amount):
    with pytest.raises(InvalidError) as raised:
        check_policy({**SEED, "excellent": amount})
    assert "excellent" in raised.value.errors


@pytest.mark.parametrize("amount", [1e17, 100000.01, -100000.01, 10**6])
def test_an_amount_beyond_a_hundred_thousand_yuan_either_way_is_rejected(amount):
    with pytest.raises(InvalidError) as raised:
        check_policy({**SEED, "unqualified": amount})
    assert raised.value.errors == {"unqualified": "amount range"}


def test_amounts_up_to_a_hundred_thousand_yuan_either_way_are_taken():
    policy = check_policy({**SEED, "excellent": 100000, "unqualified": -100000.0})
    assert (policy["excellent"], policy["unqualified"]) == ("100000", "-100000.0")


def test_changing_the_policy_is_an_event_naming_the_amounts_and_who():
    branch = Branch("B9", "新支部", "admin")
    branch.change_policy(check_policy(GENEROUS), "secretary")
    _created, changed = branch.collect_events()
    assert type(changed).__name__ == "RewardPolicyChanged"
    assert changed.amounts == check_policy(GENEROUS)
    assert changed.actor == "secretary"
    assert branch.policy == check_policy(GENEROUS)


@pytest.fixture
def workflows() -> Workflows:
    app = popo_workflows()
    build_small_mine(app)
    return app


def policy_events(workflows: Workflows, branch_id: str) -> list:
    return list(workflows.events.get(Branch.create_id(branch_id)))


def test_the_branch_secretary_sets_their_branchs_policy(workflows):
    branch = workflows.set_policy("B1", GENEROUS, actor(workflows, "secretary"))
    assert branch.policy == check_policy(GENEROUS)
    stored = workflows.load(Branch, "B1", kind="branch")
    assert stored.policy == check_policy(GENEROUS)
    assert [type(e).__name__ for e in policy_events(workflows, "B1")] == [
        "Created", "RewardPolicyChanged"]


@pytest.mark.parametrize("username", ["secretary2", "leader", "inspector", "archivist", "m1"])
def test_nobody_else_sets_a_branchs_policy(workflows, username):
    with pytest.raises(ForbiddenError):
        workflows.set_policy("B1", GENEROUS, actor(workflows, username))
    assert len(policy_events(workflows, "B1")) == 1


def test_an_invalid_policy_records_nothing(workflows):
    with pytest.raises(InvalidError):
        workflows.set_policy("B1", {**SEED, "excellent": 0.001}, ADMIN)
    assert len(policy_events(workflows, "B1")) == 1


def test_the_policy_in_force_at_an_instant_is_the_last_change_up_to_it(workflows):
    workflows.set_policy("B1", GENEROUS, ADMIN)
    workflows.set_policy("B1", SEED | {"excellent": 300}, ADMIN)
    _created, first, second = policy_events(workflows, "B1")
    branch_id = Branch.create_id("B1")

    def in_force(instant: datetime) -> dict[str, str]:
        return workflows.as_of(branch_id, instant, "branch").policy

    assert in_force(first.timestamp - MICROSECOND) == DEFAULT_POLICY
    assert in_force(first.timestamp) == check_policy(GENEROUS)
    assert in_force(second.timestamp - MICROSECOND) == check_policy(GENEROUS)
    assert in_force(second.timestamp)["excellent"] == "300"
    assert in_force(datetime.now(UTC)) == workflows.load(Branch, "B1", kind="branch").policy


def test_a_policy_is_not_asked_for_the_future(workflows):
    with pytest.raises(InvalidError):
        workflows.as_of(Branch.create_id("B1"), datetime.now(UTC) + timedelta(days=1), "branch")
