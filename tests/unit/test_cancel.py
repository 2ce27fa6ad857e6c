"""Cancelling an appraisal opened by mistake, at the workflow (the in-memory store): whoever
holds the branch's secretary grant, an organisation-wide one included; the guard the
machine's state cannot tell; opening again restarts the same stream."""

import pytest

from domain.documents import document, history_entry, replayed
from domain.errors import ForbiddenError, StateConflictError
from domain.users import RoleGrant
from tests.helpers import SCORES
from tests.small_org import ADMIN, actor, build_small_mine, popo_workflows
from workflows.access import Actor
from workflows.application import Workflows
from workflows.appraisals import Submission

# No account can be granted it (a secretary's grant names a branch), but an actor's grants
# are honoured as they stand: one over the whole organisation reaches every branch.
EVERY_BRANCH = Actor("chief", None, (RoleGrant("admin", None),
                                     RoleGrant("branch_secretary", None)))
WHY = Submission(reason="开错了")


@pytest.fixture
def workflows() -> Workflows:
    app = popo_workflows()
    build_small_mine(app)
    return app


def test_an_organisation_wide_secretary_grant_cancels_in_any_branch(workflows) -> None:
    for zone_id in ("Z1", "Z4"):
        opened = workflows.open_appraisal(zone_id, "2026-10", "default", ADMIN)
        assert workflows.allowed_actions(opened, EVERY_BRANCH) == ["cancel"]
        assert workflows.act(opened.id, "cancel", EVERY_BRANCH, WHY).state == "cancelled"


def test_the_guard_is_the_record_a_return_keeps_the_signature(workflows) -> None:
    opened = workflows.open_appraisal("Z1", "2026-10", "default", ADMIN)
    assert not opened.signed
    workflows.act(opened.id, "self-check", actor(workflows, "m1"), Submission(SCORES))
    back = workflows.act(opened.id, "return", actor(workflows, "evaluator"),
                         Submission(reason="补充"))
    assert (back.state, back.signed) == ("self_check", True)
    secretary = actor(workflows, "secretary")
    assert workflows.allowed_actions(back, secretary) == []
    with pytest.raises(StateConflictError) as refused:
        workflows.act(opened.id, "cancel", secretary, WHY)
    assert (refused.value.state, refused.value.reason) == ("self_check", "signed")
    with pytest.raises(ForbiddenError):  # roles first: an outsider learns nothing of it
        workflows.act(opened.id, "cancel", actor(workflows, "secretary2"), WHY)


def test_opening_again_restarts_the_stream_counted_as_opened(workflows) -> None:
    first = workflows.open_appraisal("Z1", "2026-10", "default", ADMIN)
    workflows.act(first.id, "cancel", actor(workflows, "secretary"), WHY)
    workflows.reassign_zone("Z1", ["M2"], "调整", ADMIN)
    opened, already = workflows.open_appraisals(["Z1", "Z2"], "2026-10", "default", ADMIN)
    assert (len(opened), already) == (2, 0)
    again = workflows.load_appraisal(first.id)
    assert (again.state, again.version, again.responsible_member_ids) == ("self_check", 3, ["M2"])
    assert again.cancellation is None
    history = [history_entry(e) for e in workflows.events.get(first.id)]
    for version in range(1, len(history) + 1):  # what an archive replays is the document
        then = workflows.appraisal_then(first.id, version=version)
        assert replayed(str(first.id), history[:version]) == document(then)
