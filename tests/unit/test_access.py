"""Who may act where: scope matching, separation of duties, the responsible member at the time.

The pure rules of workflows/access.py first, then the same rules through `Workflows.act`
on the in-memory store.
"""

import pytest

from domain.errors import ForbiddenError
from domain.users import RoleGrant
from tests.helpers import SCORES
from tests.small_org import ADMIN, actor, build_small_mine, popo_workflows, user
from workflows.access import Actor, Place, reach, roles_at, standing
from workflows.application import Workflows
from workflows.appraisals import Submission

Z1 = Place("Z1", "G1", "B1")
Z3 = Place("Z3", "G2", "B1")
Z4 = Place("Z4", "G3", "B2")


def holder(role: str, scope: str | None, member_id: str | None = None) -> Actor:
    return Actor("someone", member_id, (RoleGrant(role, scope),))


@pytest.mark.parametrize(("role", "scope", "place", "holds"), [
    ("zone_evaluator", "Z1", Z1, True), ("zone_evaluator", "Z1", Z3, False),
    ("group_leader", "G1", Z1, True), ("group_leader", "G1", Z3, False),
    ("branch_secretary", "B1", Z1, True), ("branch_secretary", "B1", Z3, True),
    ("branch_secretary", "B1", Z4, False), ("inspector", "B2", Z4, True),
    ("inspector", "B2", Z1, False), ("inspector", None, Z1, True), ("admin", None, Z4, True),
    ("archivist", None, Z4, True),
    # A scope names one kind of record: a group id is no zone, a zone id no branch.
    ("zone_evaluator", "G1", Z1, False), ("group_leader", "B1", Z1, False),
    ("branch_secretary", "G1", Z1, False),
])
def test_a_role_counts_on_a_zone_only_when_its_scope_is_the_zones_place(role, scope, place,
                                                                          holds):
    assert (role in roles_at(holder(role, scope), place, [])) is holds


def test_a_member_is_the_responsible_member_only_of_zones_naming_them():
    member = Actor("m1", "M1", ())
    assert roles_at(member, Z1, ["M1", "M2"]) == {"responsible_member"}
    assert roles_at(member, Z1, ["M2"]) == set()
    assert roles_at(Actor("nobody", None, ()), Z1, ["M1"]) == set()


@pytest.mark.parametrize("role", ["group_leader", "branch_secretary"])
@pytest.mark.parametrize(("then", "now", "takes"), [
    ([], [], True), (["M1"], [], False), ([], ["M1"], False), (["M1"], ["M1"], False),
])
def test_a_responsible_member_then_or_now_never_takes_the_review_or_approval(role, then, now,
                                                                             takes):
    scope = Z1.scope_for(role)
    assert standing(holder(role, scope, "M1"), Z1, then, now).may_take(role) is takes


def test_a_role_not_held_is_never_taken():
    held = standing(Actor("x", None, (RoleGrant("zone_evaluator", "Z1"),)), Z1, [], [])
    assert not held.may_take("group_leader")


def test_the_self_check_is_for_those_responsible_now_and_reading_for_then_or_now():
    member = Actor("m1", "M1", ())
    moved_away = standing(member, Z1, ["M1"], ["M2"])
    assert moved_away.may_read() and moved_away.could_take({"responsible_member"})
    assert not moved_away.may_take("responsible_member")
    assert standing(member, Z1, [], ["M1"]).may_take("responsible_member")
    stranger = standing(member, Z3, ["M3"], ["M3"])
    assert not stranger.may_read() and not stranger.could_take({"responsible_member"})


def test_reading_reach_is_everything_for_a_whole_organisation_reader_else_the_scopes():
    assert reach(holder("inspector", None)) is None
    assert reach(holder("archivist", None)) is None
    assert reach(holder("inspector", "B2")) == {"branch": {"B2"}, "group": set(), "zone": set()}
    assert reach(holder("group_leader", "G1"))["group"] == {"G1"}


# Through the command handlers: users who hold two roles, to see the rules that bind them.
EXTRA_USERS = [
    user("z1_evaluator", None, ("zone_evaluator", "Z1")),
    user("evaluator_leader", None, ("zone_evaluator", "Z1"), ("group_leader", "G1")),
    user("leader_secretary", None, ("group_leader", "G1"), ("branch_secretary", "B1")),
    user("member_evaluator", "M1", ("zone_evaluator", "Z1")),
    user("member_leader", "M1", ("group_leader", "G1")),
    user("member_secretary", "M1", ("branch_secretary", "B1")),
    user("m1_evaluator", "M1", ("zone_evaluator", "Z1")),  # a second account of M1
    user("m5_secretary", "M5", ("branch_secretary", "B1")),  # the leader's second account
]
SUBMISSION = Submission(scores=dict(SCORES), comment="意见", reason="退回补充材料")
TO_GROUP_REVIEW = [("m1", "self-check"), ("evaluator", "zone-evaluation")]
TO_APPROVAL = [*TO_GROUP_REVIEW, ("leader", "group-review")]


@pytest.fixture
def workflows() -> Workflows:
    app = popo_workflows()
    build_small_mine(app, EXTRA_USERS)
    return app


def opened(workflows: Workflows, zone_id: str = "Z1", *steps: tuple[str, str]):
    appraisal = workflows.open_appraisal(zone_id, "2026-10", "default", ADMIN)
    for username, action in steps:
        workflows.act(appraisal.id, action, actor(workflows, username), SUBMISSION)
    return appraisal.id


def take(workflows: Workflows, appraisal_id, username: str, action: str):
    return workflows.act(appraisal_id, action, actor(workflows, username), SUBMISSION)


def refused(workflows: Workflows, appraisal_id, username: str, action: str) -> ForbiddenError:
    version = workflows.load_appraisal(appraisal_id).version
    with pytest.raises(ForbiddenError) as raised:
        take(workflows, appraisal_id, username, action)
    assert workflows.load_appraisal(appraisal_id).version == version
    return raised.value


@pytest.mark.parametrize(("zone_id", "steps", "username", "action"), [
    ("Z2", [("m2", "self-check")], "z1_evaluator", "zone-evaluation"),
    ("Z3", [], "m1", "self-check"),
    ("Z4", [], "m1", "self-check"),
])
def test_nobody_acts_on_a_zone_outside_their_scope(workflows, zone_id, steps, username, action):
    refused(workflows, opened(workflows, zone_id, *steps), username, action)


def test_a_secretary_acts_only_in_their_own_branch(workflows):
    refused(workflows, opened(workflows, "Z1", *TO_APPROVAL), "secretary2", "branch-approval")
    with pytest.raises(ForbiddenError) as raised:
        workflows.open_appraisal("Z4", "2026-10", "default", actor(workflows, "secretary"))
    assert raised.value.reason == "scope"


def test_the_self_checker_cannot_evaluate_their_own_self_check(workflows):
    appraisal_id = opened(workflows, "Z1", ("member_evaluator", "self-check"))
    assert refused(workflows, appraisal_id, "member_evaluator", "zone-evaluation").reason == \
        "signed"
    assert take(workflows, appraisal_id, "evaluator", "zone-evaluation").state == "group_review"


def test_the_zone_evaluator_cannot_also_review(workflows):
    appraisal_id = opened(workflows, "Z1", ("m1", "self-check"),
                          ("evaluator_leader", "zone-evaluation"))
    assert refused(workflows, appraisal_id, "evaluator_leader", "group-review").reason == "signed"
    refused(workflows, appraisal_id, "evaluator_leader", "return")
    assert workflows.allowed_actions(workflows.load_appraisal(appraisal_id),
                                     actor(workflows, "evaluator_leader")) == []


def test_the_reviewer_cannot_also_approve(workflows):
    appraisal_id = opened(workflows, "Z1", *TO_GROUP_REVIEW, ("leader_secretary", "group-review"))
    assert refused(workflows, appraisal_id, "leader_secretary", "branch-approval").reason == \
        "signed"
    assert take(workflows, appraisal_id, "secretary", "branch-approval").state == "published"


def test_signing_the_same_step_again_after_a_return_is_no_second_step(workflows):
    appraisal_id = opened(workflows, "Z1", *TO_GROUP_REVIEW, ("leader", "return"))
    assert take(workflows, appraisal_id, "evaluator", "zone-evaluation").state == "group_review"


@pytest.mark.parametrize(("username", "steps", "action"), [
    ("member_leader", TO_GROUP_REVIEW, "group-review"),
    ("member_leader", TO_GROUP_REVIEW, "return"),
    ("member_secretary", TO_APPROVAL, "branch-approval"),
    ("member_secretary", TO_APPROVAL, "return"),
])
def test_a_responsible_member_never_reviews_or_approves_their_zone(workflows, username, steps,
                                                                   action):
    assert refused(workflows, opened(workflows, "Z1", *steps), username, action).reason == \
        "own_zone"


def test_a_leader_made_responsible_for_the_zone_can_no_longer_review_it(workflows):
    appraisal_id = opened(workflows, "Z1", *TO_GROUP_REVIEW)
    workflows.reassign_zone("Z1", ["M1", "M5"], "组长兼任区长", ADMIN)  # M5 is the leader
    refused(workflows, appraisal_id, "leader", "group-review")


def test_only_a_member_responsible_at_the_time_submits_the_self_check(workflows):
    appraisal_id = opened(workflows, "Z1")
    # Never responsible for the zone: outside their scope, before anything else.
    assert refused(workflows, appraisal_id, "m2", "self-check").reason == "scope"
    workflows.reassign_zone("Z1", ["M2"], "张伟调离", ADMIN)
    # Responsible when it opened, so they may read it; but the self-check is for those now.
    assert refused(workflows, appraisal_id, "m1", "self-check").reason == "not_responsible"
    done = take(workflows, appraisal_id, "m2", "self-check")
    assert done.state == "zone_evaluation"
    assert done.steps["self_check"]["actor"] == "m2"
    # The document still names the responsibles when it was opened.
    assert done.responsible_member_ids == ["M1"]


def test_two_accounts_of_one_member_never_sign_two_steps(workflows):
    appraisal_id = opened(workflows, "Z1", ("m1", "self-check"))
    assert refused(workflows, appraisal_id, "m1_evaluator", "zone-evaluation").reason == \
        "signed"
    appraisal_id = opened(workflows, "Z2", ("m2", "self-check"), ("evaluator", "zone-evaluation"),
                          ("leader", "group-review"))
    assert refused(workflows, appraisal_id, "m5_secretary", "branch-approval").reason == \
        "signed"
    assert workflows.allowed_actions(workflows.load_appraisal(appraisal_id),
                                     actor(workflows, "m5_secretary")) == []


def test_a_member_responsible_when_it_opened_never_reviews_it_after_moving_away(workflows):
    workflows.reassign_zone("Z1", ["M1", "M5"], "组长兼任区长", ADMIN)  # M5 is the leader
    appraisal_id = opened(workflows, "Z1", ("m1", "self-check"), ("evaluator", "zone-evaluation"))
    workflows.reassign_zone("Z1", ["M1"], "组长卸任区长", ADMIN)
    assert refused(workflows, appraisal_id, "leader", "group-review").reason == "own_zone"
