"""A command's working copy of a cached appraisal (Appraisal.__deepcopy__, which
eventsourcing's repository calls): what the command does to it never reaches the cached one."""

from copy import deepcopy

from tests.unit.test_signers import AT, evaluated


def test_steps_taken_on_the_copy_leave_the_cached_appraisal_as_it_was() -> None:
    cached = evaluated("E1")
    cached.collect_events()  # as the repository caches it: saved, nothing pending
    before = (dict(cached.__dict__), {k: dict(v) if v else v for k, v in cached.steps.items()})

    copy = deepcopy(cached)
    copy.submit_group_review(scores={"duty": "95"}, total="95", comment="好",
                             state="branch_approval", actor="leader", role="group_leader",
                             member_id="M3", timestamp=AT)
    copy.approve(comment="", reward="100.00", state="published", actor="secretary",
                 role="branch_secretary", member_id="M4", timestamp=AT)

    assert (copy.state, copy.reward, copy.version) == ("published", "100.00", cached.version + 2)
    assert len(copy.collect_events()) == 2 and cached.collect_events() == []
    assert (cached.__dict__, cached.steps) == before
    assert cached.steps["group_review"] is None and cached.score is None


def test_the_copy_is_an_appraisal_with_the_same_facts() -> None:
    cached = evaluated("E1")
    copy = deepcopy(cached)
    assert type(copy) is type(cached) and copy is not cached
    assert copy.steps == cached.steps and copy.steps is not cached.steps
    assert (copy.id, copy.version, copy.state, copy.items) == (
        cached.id, cached.version, cached.state, cached.items)
