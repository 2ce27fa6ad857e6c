"""Random command sequences on the real SQLite store, checked after every step.

Hypothesis drives random users through open (and open again after a cancellation), every
action, return, reopen, cancel and re-assignment of responsibles. A model written from API.md
predicts each outcome; after each step the appraisals rebuilt from the stored events must
equal the live ones, and the stored history must keep every rule: signed in the step's role
and scope, nobody on two steps of the document, exact totals, the right band, strictly
increasing times.
"""

import itertools
import shutil
import tempfile
from decimal import Decimal
from pathlib import Path

from hypothesis import HealthCheck, event, settings
from hypothesis import strategies as st
from hypothesis.stateful import Bundle, RuleBasedStateMachine, initialize, invariant, multiple, rule

from domain.documents import document, history_entry, replayed
from domain.errors import AlreadyExistsError, DomainError, ForbiddenError
from domain.forms import DEFAULT_ITEMS
from service.settings import Settings
from store.engines import CACHE, event_store_env
from tests.api_model import EVENT_ACTION, band, outcome, roles_on
from tests.helpers import ORGANISATION, USERS
from tests.small_org import ADMIN, actor, copy_small_mine, user
from tests.unit.test_machine import TABLE
from workflows.application import Workflows
from workflows.appraisals import Submission

EXTRA_USERS = [  # two roles each, so that separation of duties has something to refuse
    user("evaluator_leader", None, ("zone_evaluator", "Z1"), ("group_leader", "G1")),
    user("leader_secretary", "M3", ("group_leader", "G1"), ("branch_secretary", "B1")),
    user("evaluator4", None, ("zone_evaluator", "Z4")),
    user("leader3", None, ("group_leader", "G3")),
    user("m4_evaluator", "M4", ("zone_evaluator", "Z4")),  # a second account of m4's member
]
ACCOUNTS = {u["username"]: u for u in [*USERS, *EXTRA_USERS]} | {
    "admin": user("admin", None, ("admin", None))}
BRANCH_OF = {g["id"]: g["branch_id"] for g in ORGANISATION["/groups"]}
PLACE = {z["id"]: (z["id"], z["group_id"], BRANCH_OF[z["group_id"]])
         for z in ORGANISATION["/zones"]}
ACTIONS = sorted({action for action, _ in TABLE})


tenths = {code: st.integers(0, int(Decimal(top) * 10)).map(lambda n: n / 10)
          for code, top in DEFAULT_ITEMS.items()}
valid_scores = st.fixed_dictionaries(tenths)
any_scores = st.one_of(valid_scores, valid_scores.map(lambda s: {**s, "thought": 15.5}),
                       valid_scores.map(lambda s: {**s, "talks": 2.25}))


class AppraisalProcess(RuleBasedStateMachine):
    """The live application on an SQLite file, and what API.md says it must do."""

    appraisals = Bundle("appraisals")

    def __init__(self) -> None:
        super().__init__()
        self.folder = Path(tempfile.mkdtemp(prefix="appraisal-props-"))
        copy_small_mine(self.folder / "appraisal.db", EXTRA_USERS)
        env = event_store_env(Settings(database_url=f"sqlite:///{self.folder}/appraisal.db").url)
        self.live = Workflows(env=env)
        # No cache: every read rebuilds the aggregate from the stored events.
        self.fresh = Workflows(env={k: v for k, v in env.items() if k not in CACHE})
        self.responsibles = {z["id"]: list(z["responsible_member_ids"])
                             for z in ORGANISATION["/zones"]}
        self.opened: dict[tuple[str, str], object] = {}

    def teardown(self) -> None:
        self.live.close()
        self.fresh.close()
        shutil.rmtree(self.folder, ignore_errors=True)

    def expect(self, username: str, action: str, appraisal, submission: Submission):
        account = ACCOUNTS[username]
        now = self.responsibles[appraisal.zone_id]
        roles = roles_on(account, PLACE[appraisal.zone_id], now)
        ever = roles_on(account, PLACE[appraisal.zone_id], [*appraisal.responsible_member_ids,
                                                            *now])
        return outcome(account, roles, action, appraisal.state, appraisal.steps,
                       submission.scores, submission.reason, ever)

    def attempt(self, appraisal_id, username: str, action: str, submission: Submission) -> None:
        before = self.live.load_appraisal(appraisal_id)
        expected = self.expect(username, action, before, submission)
        event(f"{action} in {before.state}: {getattr(expected, '__name__', expected)}")
        position = self.live.recorder.max_notification_id()
        try:
            done = self.live.act(appraisal_id, action, actor(self.live, username), submission)
        except DomainError as error:
            assert type(error) is expected, f"{username} {action}: {error!r}"
            assert self.live.recorder.max_notification_id() == position
            assert self.live.load_appraisal(appraisal_id).version == before.version
            return
        assert done.state == expected, f"{username} {action} was accepted, not {expected}"
        assert done.version == before.version + 1
        *_, last = self.fresh.events.get(appraisal_id)
        assert (last.actor, last.role) == (username, TABLE[(action, before.state)][1])

    @initialize(target=appraisals)
    def open_the_first(self):
        return self.open("secretary", "Z1", "2026-10")

    @rule(target=appraisals, username=st.sampled_from(sorted(ACCOUNTS)),
          zone_id=st.sampled_from(["Z1", "Z2", "Z4"]), period=st.sampled_from(["2026-10", "2026"]))
    def open_one(self, username: str, zone_id: str, period: str):
        return self.open(username, zone_id, period)

    def open(self, username: str, zone_id: str, period: str):
        """Open the zone's period: anew, or again after a cancellation (restarted in the
        same stream); already open otherwise."""
        roles = roles_on(ACCOUNTS[username], PLACE[zone_id], self.responsibles[zone_id])
        may = roles & {"admin", "branch_secretary"}
        earlier = self.opened.get((zone_id, period))
        taken = earlier is not None and self.live.load_appraisal(earlier).state != "cancelled"
        position = self.live.recorder.max_notification_id()
        try:
            appraisal = self.live.open_appraisal(zone_id, period, "default",
                                                 actor(self.live, username))
        except (ForbiddenError, AlreadyExistsError) as error:
            expected = AlreadyExistsError if may and taken else ForbiddenError
            assert type(error) is expected, f"{username} opening {zone_id}: {error!r}"
            assert self.live.recorder.max_notification_id() == position
            return multiple()
        assert may and not taken, f"{username} opened {zone_id}"
        assert earlier in (None, appraisal.id)
        event("opened" if earlier is None else "opened again after a cancellation")
        self.opened[(zone_id, period)] = appraisal.id
        return appraisal.id

    @rule(appraisal_id=appraisals, username=st.sampled_from(sorted(ACCOUNTS)),
          action=st.sampled_from(ACTIONS), scores=any_scores,
          reason=st.sampled_from(["材料不全", " ", ""]))
    def act_at_random(self, appraisal_id, username, action, scores, reason):
        self.attempt(appraisal_id, username, action, Submission(scores, "随机", reason))

    def by_someone_in_role(self, appraisal_id, data, scores, *, back: bool) -> None:
        """An action of the current state, by a user holding its role on the zone: allowed,
        or refused only by separation of duties (the near misses worth trying)."""
        appraisal = self.live.load_appraisal(appraisal_id)
        actions = sorted(a for a, source in TABLE if source == appraisal.state
                         and (back or a not in ("return", "cancel")))
        if not actions:  # cancelled: nothing to take but opening it again
            return
        action = data.draw(st.sampled_from(actions))
        who = TABLE[(action, appraisal.state)][1]
        zone_id = appraisal.zone_id
        holders = [u for u, account in sorted(ACCOUNTS.items())
                   if who in roles_on(account, PLACE[zone_id], self.responsibles[zone_id])]
        username = data.draw(st.sampled_from(holders or sorted(ACCOUNTS)))
        self.attempt(appraisal_id, username, action, Submission(scores, "意见", "退回重做"))

    @rule(appraisal_id=appraisals, data=st.data(), scores=valid_scores)
    def act_as_someone_who_may(self, appraisal_id, data, scores):
        self.by_someone_in_role(appraisal_id, data, scores, back=True)

    @rule(appraisal_id=appraisals, data=st.data(), scores=valid_scores, count=st.integers(1, 4))
    def advance(self, appraisal_id, data, scores, count):
        """Forward steps in a row, each checked, so that sequences reach publication."""
        for _ in range(count):
            self.by_someone_in_role(appraisal_id, data, scores, back=False)
            self.stored_events_rebuild_each_live_appraisal_and_keep_the_rules()

    @rule(appraisal_id=appraisals)
    def cancel_and_open_again(self, appraisal_id) -> None:
        """Its branch's secretary cancels it (refused once anything was signed), then its
        period is opened again: restarted in the same stream if it was cancelled."""
        appraisal = self.live.load_appraisal(appraisal_id)
        secretary = {"B1": "secretary", "B2": "secretary2"}[appraisal.branch_id]
        self.attempt(appraisal_id, secretary, "cancel", Submission(reason="开错了"))
        self.open("admin", appraisal.zone_id, appraisal.period)

    @rule(zone_id=st.sampled_from(["Z1", "Z2", "Z4"]),
          members=st.lists(st.sampled_from(["M1", "M2", "M3", "M4", "M5"]), unique=True,
                           max_size=2))
    def reassign(self, zone_id: str, members: list[str]) -> None:
        self.live.reassign_zone(zone_id, members, "调整责任区", ADMIN)
        self.responsibles[zone_id] = members

    @invariant()
    def stored_events_rebuild_each_live_appraisal_and_keep_the_rules(self) -> None:
        for appraisal_id in self.opened.values():
            live = self.live.load_appraisal(appraisal_id)
            rebuilt = self.fresh.load_appraisal(appraisal_id)
            assert document(rebuilt) == document(live)
            events = list(self.fresh.events.get(appraisal_id))
            self.check_history(events, rebuilt)
            # What an archive replays from the history alone is the document, every prefix.
            history = [history_entry(e) for e in events]
            for version in range(1, len(events) + 1):
                then = self.fresh.at_version(appraisal_id, version, "appraisal")
                assert replayed(str(appraisal_id), history[:version]) == document(then)

    def check_history(self, events: list, appraisal) -> None:
        assert [e.originator_version for e in events] == list(range(1, len(events) + 1))
        assert all(a.timestamp < b.timestamp for a, b in itertools.pairwise(events))
        state = "self_check"
        for signed in events[1:]:
            if signed.originator_version == 2 and type(signed).__name__ == "MonthsSummarised":
                continue  # a year-end's months, saved with its opening: no action, no move
            if type(signed).__name__ == "Restarted":  # opened again, only once cancelled
                assert (state, signed.state) == ("cancelled", "self_check")
                state = signed.state
                continue
            assert TABLE[(EVENT_ACTION[type(signed).__name__], state)] == (signed.state,
                                                                          signed.role)
            state = signed.state
            if getattr(signed, "scores", None) is not None:
                assert Decimal(signed.total) == sum(map(Decimal, signed.scores.values()))
        # A year-end, and only a year-end, holds its twelve months from its opening on.
        year_end = len(appraisal.period) == 4
        assert ([type(e).__name__ for e in events[1:2]] == ["MonthsSummarised"]) is year_end
        assert (appraisal.months is not None) is year_end
        if year_end:
            assert list(appraisal.months["results"]) == [f"2026-{m:02d}" for m in range(1, 13)]
        signers = [s["actor"] for s in appraisal.steps.values() if s is not None]
        assert len(signers) == len(set(signers)), appraisal.steps
        people = [s["member_id"] for s in appraisal.steps.values() if s and s["member_id"]]
        assert len(people) == len(set(people)), appraisal.steps
        review = appraisal.steps["group_review"]
        if review is not None:
            assert appraisal.score == Decimal(review["total"])
            assert appraisal.grade == band(appraisal.score)


AppraisalProcess.TestCase.settings = settings(
    max_examples=40, stateful_step_count=20, deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much])
test_random_commands_keep_the_rules_and_the_store_rebuilds_the_live_state = (
    AppraisalProcess.TestCase)
