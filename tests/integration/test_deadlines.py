"""Deadlines set by branches and administrators, recorded as events and read back through
their read model, on SQLite and PostgreSQL."""

from datetime import date

import pytest

from domain.deadlines import DEFAULT_DAYS, Deadlines
from domain.errors import ForbiddenError, InvalidError, UnknownReferenceError
from projections.deadlines import due_dates
from service.runtime import build
from tests.small_org import ADMIN, actor, build_small_mine


@pytest.fixture
def rt(settings):
    runtime = build(settings)
    build_small_mine(runtime.workflows)
    yield runtime
    runtime.close()


def test_branch_and_organisation_dates_are_events_and_read_back(rt):
    workflows = rt.workflows
    secretary = actor(workflows, "secretary")
    workflows.set_deadlines(None, "2026-11", {"self_check": "2026-12-03"}, ADMIN)
    workflows.set_deadlines("B1", "2026-11", {"group_review": "2026-12-09"}, secretary)
    changed = workflows.set_deadlines("B1", "2026-11", {"branch_approval": "2026-12-14"},
                                      secretary)
    assert changed.dates == {"group_review": "2026-12-09", "branch_approval": "2026-12-14"}
    events = list(workflows.events.get(Deadlines.create_id("B1", "2026-11")))
    assert [type(e).__name__ for e in events] == ["Started", "Set", "Set"]
    assert (events[1].actor, events[1].role) == ("secretary", "branch_secretary")
    rt.follower.catch_up()
    with rt.engines.reader.connect() as conn:
        found = due_dates(conn, "2026-11", ["B1", "B2"], DEFAULT_DAYS)
    assert found["B1"] == {"self_check": (date(2026, 12, 3), "organisation"),
                           "zone_evaluation": (date(2026, 12, 8), "default"),
                           "group_review": (date(2026, 12, 9), "branch"),
                           "branch_approval": (date(2026, 12, 14), "branch")}
    assert found["B2"]["group_review"] == (date(2026, 12, 10), "default")


def test_only_a_branch_secretary_or_an_administrator_sets_them(rt):
    workflows = rt.workflows
    dates = {"self_check": "2026-12-03"}
    for username, branch in (("secretary", None), ("secretary", "B2"), ("leader", "B1"),
                             ("m1", "B1"), ("inspector", "B1")):
        with pytest.raises(ForbiddenError):
            workflows.set_deadlines(branch, "2026-11", dates, actor(workflows, username))
    with pytest.raises(UnknownReferenceError):
        workflows.set_deadlines("B9", "2026-11", dates, ADMIN)
    workflows.set_deadlines("B1", "2026-11", {"zone_evaluation": "2026-12-08"}, ADMIN)
    # What a change leaves must still be in step order; a refused change records nothing.
    with pytest.raises(InvalidError):
        workflows.set_deadlines("B1", "2026-11", {"self_check": "2026-12-09"}, ADMIN)
    assert workflows.deadlines("B1", "2026-11").dates == {"zone_evaluation": "2026-12-08"}
    assert workflows.deadlines("B2", "2026-11") is None
