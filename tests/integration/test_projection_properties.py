"""Random histories of commands on an SQLite store: the read models, caught up now and
then as requests would, hold the same rows as a rebuild from the first event.

Every read model service.runtime.build registers is covered, those added later included.
"""

import contextlib
import shutil
import tempfile
from pathlib import Path

from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from domain.errors import DomainError
from projections.rebuild import rebuild
from service.runtime import Runtime, build
from service.settings import Settings
from tests.helpers import SCORES, USERS
from tests.integration.test_projections import live_rows, sign
from tests.small_org import ADMIN, copy_small_mine, user
from workflows.appraisals import Submission

EXTRA_USERS = [user("evaluator4", None, ("zone_evaluator", "Z4")),
               user("leader3", None, ("group_leader", "G3"))]
SIGNERS = [u["username"] for u in [*USERS, *EXTRA_USERS]]
FORWARD = {"self_check": "self-check", "zone_evaluation": "zone-evaluation",
           "group_review": "group-review", "branch_approval": "branch-approval",
           "published": "reopen"}
QUALIFIED = {"thought": 13, "study": 13, "talks": 8, "order": 17, "policy": 8, "duty": 17,
             "skills": 9}  # 85
POOR = {"thought": 9, "study": 9, "talks": 6, "order": 12, "policy": 6, "duty": 12,
        "skills": 6}  # 60
SECRET = "test-secret-" + "x" * 32

opens = st.tuples(st.just("open"), st.sampled_from(["Z1", "Z2", "Z4"]),
                  st.sampled_from(["2024-01", "2024-02", "2024"]))
commands = st.one_of(
    opens,
    *[st.tuples(st.just("forward"), st.integers(0, 5),
                st.sampled_from([SCORES, QUALIFIED, POOR]), st.integers(1, 5))] * 3,
    st.tuples(st.just("back"), st.integers(0, 5)),
    st.tuples(st.just("reassign"), st.sampled_from(["Z1", "Z2", "Z4"]),
              st.lists(st.sampled_from(["M1", "M2", "M4", "M5"]), unique=True, max_size=2)),
    st.tuples(st.just("policy"), st.sampled_from(["B1", "B2"]), st.integers(-5, 50)),
    st.just(("catch_up",)),
)


def run(rt: Runtime, opened: list, command: tuple) -> None:
    workflows = rt.workflows
    match command:
        case ("open", zone_id, period):
            done, _ = workflows.open_appraisals([zone_id], period, "default", ADMIN)
            opened += [a.id for a in done]
        case ("forward", index, scores, steps) if opened:
            appraisal_id = opened[index % len(opened)]
            for _ in range(steps):  # several in a row, so that histories reach publication
                state = workflows.load_appraisal(appraisal_id).state
                sign(workflows, appraisal_id, FORWARD[state], SIGNERS,
                     Submission(scores, "意见", "重新评审"))
        case ("back", index) if opened:
            sign(workflows, opened[index % len(opened)], "return", SIGNERS)
        case ("reassign", zone_id, members):
            workflows.reassign_zone(zone_id, members, "调整", ADMIN)
        case ("policy", branch_id, excellent):
            workflows.set_policy(branch_id, {"excellent": excellent * 10, "qualified": 0,
                                             "basically_qualified": 0, "unqualified": -50},
                                 ADMIN)
        case ("catch_up",):
            rt.follower.catch_up()


@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(history=st.lists(opens, min_size=1, max_size=3).flatmap(
    lambda first: st.lists(commands, max_size=12).map(lambda rest: first + rest)))
def test_read_models_caught_up_along_random_histories_equal_a_rebuild(history):
    folder = Path(tempfile.mkdtemp(prefix="projections-props-"))
    copy_small_mine(folder / "a.db", EXTRA_USERS)
    rt = build(Settings(database_url=f"sqlite:///{folder}/a.db", secret_key=SECRET))
    try:
        opened: list = []
        for command in history:
            with contextlib.suppress(DomainError):  # refused: nothing recorded, as a 4xx
                run(rt, opened, command)
        rt.follower.catch_up()
        incremental = live_rows(rt)
        states = {row["state"] for row in incremental["appraisal_index"].values()}
        event(f"furthest state: {max(states, key=list(FORWARD).index, default=None)}")
        rebuild(rt.follower, echo=lambda _: None)
        assert live_rows(rt) == incremental
    finally:
        rt.close()
        shutil.rmtree(folder, ignore_errors=True)
