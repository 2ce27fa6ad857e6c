"""The appraisal of one zone in one period: every step is an immutable event."""

from collections.abc import Callable, Iterator, Mapping
from datetime import datetime
from decimal import Decimal
from typing import TYPE_CHECKING, Any, ClassVar
from uuid import UUID

from eventsourcing.domain import Aggregate, event

from domain.ids import stream_id
from domain.process import STEPS, State
from domain.scoring import Grade
from domain.supervision import with_finding, with_rectification


class Appraisal(Aggregate):
    """One zone, one period. `state` only ever changes by an event that names it."""

    if TYPE_CHECKING:  # the event classes @event makes when the class is created
        Opened: ClassVar[type[Any]]
        SelfCheckSubmitted: ClassVar[type[Any]]
        ZoneEvaluationSubmitted: ClassVar[type[Any]]
        GroupReviewSubmitted: ClassVar[type[Any]]
        BranchApproved: ClassVar[type[Any]]
        Returned: ClassVar[type[Any]]
        Reopened: ClassVar[type[Any]]
        Cancelled: ClassVar[type[Any]]
        Restarted: ClassVar[type[Any]]
        ObjectionRaised: ClassVar[type[Any]]
        ObjectionAnswered: ClassVar[type[Any]]
        Finalised: ClassVar[type[Any]]
        FindingRecorded: ClassVar[type[Any]]
        RectificationRecorded: ClassVar[type[Any]]
        MonthsSummarised: ClassVar[type[Any]]

    # The posting whose closing made the published result final (定稿); a reopening ends it.
    final: str | None = None
    # A year-end appraisal's evidence, the zone's months as they stood when it opened
    # (domain.yearend); None for a month, and for a year-end opened before it was recorded.
    months: dict[str, Any] | None = None
    # Who cancelled it, when and why, while it stands cancelled; a restart ends it.
    cancellation: dict[str, Any] | None = None

    @staticmethod
    def create_id(zone_id: str, period: str) -> UUID:
        return stream_id("appraisal", zone_id, period)

    @event("Opened")
    def __init__(
        self,
        zone_id: str,
        zone_name: str,
        line: str,
        period: str,
        branch_id: str,
        group_id: str,
        template_id: str,
        template_version: int,
        items: dict[str, str],
        responsible_member_ids: list[str],
        state: str,
        actor: str,
        role: str,
        timestamp: datetime,
    ):
        self.zone_id = zone_id
        self.period = period
        self.branch_id = branch_id
        self.group_id = group_id
        self.template_id = template_id
        self.template_version = template_version
        self.items = items
        self.responsible_member_ids = responsible_member_ids
        self.zone_name = zone_name
        self.line = line
        self.state = state
        # Plain strings, not the enum: documents are written by orjson, which takes no enum keys.
        self.steps: dict[str, dict[str, Any] | None] = dict.fromkeys(map(str, STEPS))
        self.reward: str | None = None
        # By id (domain.ids.part_id); each event assigns a new mapping, never changes one.
        self.objections: dict[str, dict[str, Any]] = {}
        self.findings: dict[str, dict[str, Any]] = {}

    @event("SelfCheckSubmitted")
    def submit_self_check(self, scores: dict[str, str], total: str, comment: str, state: str,
                          actor: str, role: str, timestamp: datetime,
                          member_id: str | None = None) -> None:
        self._sign(State.SELF_CHECK, actor, member_id, timestamp, scores, total, comment, state)

    # A deputy's step (代签) names the principal too: `on_behalf_of` (their username), the
    # member behind that account ('' for none) and the `delegation` it was taken under. None
    # for a step signed in one's own right, and in events stored before deputies.

    @event("ZoneEvaluationSubmitted")
    def submit_zone_evaluation(self, scores: dict[str, str], total: str, comment: str,
                               state: str, actor: str, role: str, timestamp: datetime,
                               member_id: str | None = None, on_behalf_of: str | None = None,
                               principal_member_id: str | None = None,
                               delegation: str | None = None) -> None:
        self._sign(State.ZONE_EVALUATION, actor, member_id, timestamp, scores, total, comment,
                   state, on_behalf_of, principal_member_id)

    @event("GroupReviewSubmitted")
    def submit_group_review(self, scores: dict[str, str], total: str, comment: str, state: str,
                            actor: str, role: str, timestamp: datetime,
                            member_id: str | None = None, on_behalf_of: str | None = None,
                            principal_member_id: str | None = None,
                            delegation: str | None = None) -> None:
        self._sign(State.GROUP_REVIEW, actor, member_id, timestamp, scores, total, comment, state,
                   on_behalf_of, principal_member_id)

    @event("BranchApproved")
    def approve(self, comment: str, reward: str, state: str, actor: str, role: str,
                timestamp: datetime, member_id: str | None = None,
                on_behalf_of: str | None = None, principal_member_id: str | None = None,
                delegation: str | None = None) -> None:
        """Publishes the result; `reward` is what the branch's policy pays for it right now."""
        self._sign(State.BRANCH_APPROVAL, actor, member_id, timestamp, None, None, comment, state,
                   on_behalf_of, principal_member_id)
        self.reward = reward

    @event("Returned")
    def return_(self, reason: str, state: str, actor: str, role: str,
                timestamp: datetime, on_behalf_of: str | None = None,
                principal_member_id: str | None = None, delegation: str | None = None) -> None:
        self.state = state

    @event("Reopened")
    def reopen(self, reason: str, state: str, actor: str, role: str,
               timestamp: datetime, objection: str | None = None,
               on_behalf_of: str | None = None, principal_member_id: str | None = None,
               delegation: str | None = None) -> None:
        """Back to the group review to correct a published result; `objection`: the upheld
        objection (异议) that asked for it."""
        self.state = state
        self.final = None

    @event("Cancelled")
    def cancel(self, reason: str, state: str, actor: str, role: str,
               timestamp: datetime) -> None:
        """Opened by mistake: out of the procedure, before anyone signed it. It stays in the
        history; opening the zone's period again restarts it."""
        self.state = state
        self.cancellation = {"reason": reason, "actor": actor, "at": timestamp}

    @event("Restarted")
    def restart(self, template_id: str, template_version: int, items: dict[str, str],
                responsible_member_ids: list[str], state: str, actor: str, role: str,
                timestamp: datetime) -> None:
        """Opened again after its cancellation, afresh: with the form, and the zone's
        responsible members, as `Opened` records them (the zone's place never changes; no
        step was signed before the cancellation, so none is to be cleared)."""
        self.template_id = template_id
        self.template_version = template_version
        self.items = items
        self.responsible_member_ids = responsible_member_ids
        self.state = state
        self.cancellation = None

    # Acts beside the procedure: the state they record is the one the appraisal stays in.

    @event("ObjectionRaised")
    def raise_objection(self, objection: str, posting: str, reason: str, name: str,
                        contact: str, state: str, actor: str, role: str,
                        timestamp: datetime) -> None:
        """An objection (异议) to the result `posting` shows, by a member (`actor`) or by
        someone through the public link (`name` and `contact`)."""
        self.objections = {**self.objections, objection: {
            "posting": posting, "reason": reason, "name": name, "contact": contact,
            "actor": actor, "role": role, "at": timestamp, "answer": None}}

    @event("ObjectionAnswered")
    def answer_objection(self, objection: str, upheld: bool, reason: str, state: str,
                         actor: str, role: str, timestamp: datetime) -> None:
        answered = {**self.objections[objection], "answer": {
            "upheld": upheld, "reason": reason, "actor": actor, "at": timestamp}}
        self.objections = {**self.objections, objection: answered}

    @event("Finalised")
    def finalise(self, posting: str, state: str, actor: str, role: str,
                 timestamp: datetime) -> None:
        """The result `posting` showed is final: its window passed, every objection answered."""
        self.final = posting

    @event("FindingRecorded")
    def record_finding(self, finding: str, method: str, date: str, text: str,
                       attachments: list[dict[str, Any]], state: str, actor: str, role: str,
                       timestamp: datetime, zone_id: str, branch_id: str, period: str) -> None:
        """A supervision finding (督导检查) on this appraisal. `zone_id`, `branch_id` and
        `period` repeat where the appraisal stands, for the read model of findings, which
        reads only the findings' events."""
        self.findings = with_finding(self.findings, finding, method, date, text, attachments,
                                     actor, timestamp)

    @event("RectificationRecorded")
    def record_rectification(self, finding: str, text: str, attachments: list[dict[str, Any]],
                             state: str, actor: str, role: str, timestamp: datetime) -> None:
        self.findings = with_rectification(self.findings, finding, text, attachments, actor,
                                           timestamp)

    @event("MonthsSummarised")
    def summarise_months(self, results: dict[str, dict[str, Any] | None], average: str | None,
                         excellent: int, unqualified: int, offered: dict[str, str] | None,
                         state: str, actor: str, role: str, timestamp: datetime) -> None:
        """The year-end's evidence (domain.yearend.evidence), recorded with its opening."""
        self.months = {"results": results, "average": average, "excellent": excellent,
                       "unqualified": unqualified, "offered": offered}

    @property
    def open_objections(self) -> list[str]:
        """The objections not yet answered, oldest first."""
        return [k for k, o in self.objections.items() if o["answer"] is None]

    def __deepcopy__(self, memo: dict[int, Any]) -> "Appraisal":
        """The working copy a command gets of the cached appraisal (eventsourcing's deep copy
        of it cost a tenth of a sign-off's CPU). Events only ever assign attributes and whole
        steps, never change a value in place, so new attributes, steps and pending events
        keep the cached appraisal apart; the values themselves are shared."""
        copy = object.__new__(type(self))
        copy.__dict__.update(self.__dict__)
        copy.steps = dict(self.steps)
        copy._pending_events = list(self._pending_events)
        return copy

    def _sign(self, step: str, actor: str, member_id: str | None, at: datetime,
              scores: dict[str, str] | None, total: str | None, comment: str,
              state: str, on_behalf_of: str | None = None,
              principal_member_id: str | None = None) -> None:
        self.steps[step] = {"actor": actor, "member_id": member_id, "at": at, "scores": scores,
                            "total": total, "comment": comment, "on_behalf_of": on_behalf_of,
                            "principal_member_id": principal_member_id}
        self.state = state

    @property
    def signed(self) -> bool:
        """Whether any step was ever signed: a return clears no signature."""
        return any(step is not None for step in self.steps.values())

    @property
    def score(self) -> Decimal | None:
        """The latest group review's total: the zone's result."""
        review = self.steps[State.GROUP_REVIEW]
        return Decimal(review["total"]) if review else None

    @property
    def grade(self) -> Grade | None:
        score = self.score
        return None if score is None else Grade.of(score)

    def may_sign(self, step: str, actor: str, member_id: str | None = None,
                 member_of: Callable[[str], str | None] | None = None,
                 principal: tuple[str, str | None] | None = None) -> bool:
        """Nobody signs two different steps of the appraisal as it stands (signs_apart)."""
        return signs_apart(self.steps, step, actor, member_id, member_of, principal)


def signs_apart(steps: Mapping[str, dict[str, Any] | None], step: str, actor: str,
                member_id: str | None = None,
                member_of: Callable[[str], str | None] | None = None,
                principal: tuple[str, str | None] | None = None) -> bool:
    """Whether `actor` may sign `step` beside the `steps` signed: not with the same account,
    nor with another account of the same member. A step signed on someone's behalf counts
    for both persons, and so does signing one: `principal` is the (username, member) the
    actor would sign for. A step stored before signers' members were recorded names its
    account only (`None`): `member_of` gives that account's member. A step by an account
    without a member records '' and is not looked up again (a store read a signed step, on
    every decision). The reminders' digests read the steps from a read model.
    """
    signers = [(actor, member_id), *([principal] if principal else [])]
    for name, signed in steps.items():
        if name == step or signed is None:
            continue
        for username, member in _persons(signed, member_of):
            if any(username == who or (mine and member == mine) for who, mine in signers):
                return False
    return True


def _persons(signed: dict[str, Any], member_of: Callable[[str], str | None] | None,
             ) -> Iterator[tuple[str, str | None]]:
    """Who signed a step, each (username, member): its signer, and whoever they signed for.
    A member is looked up (`member_of`) only when asked for, and only if none was recorded."""
    for username, recorded in ((signed["actor"], signed.get("member_id")),
                               (signed.get("on_behalf_of"), signed.get("principal_member_id"))):
        if username is None:
            continue
        yield username, recorded if recorded is not None or member_of is None \
            else member_of(username)
