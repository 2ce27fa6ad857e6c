"""Command handlers for appraisals: open (or restart a cancelled one), sign a step, return,
reopen, cancel; reads with time travel."""

import json
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Any
from uuid import UUID

from domain.appraisal import Appraisal
from domain.bounds import check_text
from domain.documents import document
from domain.errors import (
    AlreadyExistsError,
    ForbiddenError,
    InvalidError,
    NotFoundError,
    StaleVersionError,
    StateConflictError,
)
from domain.forms import AssessmentForm
from domain.organisation import Branch, Zone
from domain.period import Period
from domain.process import STEP_OF_ROLE, Role, State
from domain.receipts import Receipt
from domain.scoring import total_of, validate_scores
from domain.users import User
from workflows import machine
from workflows.access import Actor, Place, Standing, standing
from workflows.base import next_instant
from workflows.deputies import Acting, Behalf, Deputies, Principal, delegated
from workflows.organisation import OrganisationCommands
from workflows.process import FORWARD, METHOD_OF, SCORED, UNSIGNED, Action
from workflows.yearend import summarise_months

OPENERS = (Role.ADMIN, Role.BRANCH_SECRETARY)


@dataclass(frozen=True)
class Allowed:
    """What the actor may take on an appraisal now, and for whom their forward step would
    be taken when it is a deputy's (代签; None: in their own right, or none is theirs)."""

    actions: list[str]
    acting_for: str | None = None

    def fields(self) -> dict[str, Any]:
        """As a document answers them: `acting_for` only when there is someone."""
        found = {"acting_for": self.acting_for} if self.acting_for else {}
        return {"allowed_actions": self.actions, **found}


@dataclass(frozen=True)
class Taken:
    """An appraisal just changed, and what the actor may do with it next (and for whom)."""

    appraisal: Appraisal
    allowed_actions: list[str]
    acting_for: str | None = None

    def document(self) -> dict[str, Any]:
        allowed = Allowed(self.allowed_actions, self.acting_for)
        return {**document(self.appraisal), **allowed.fields()}


@dataclass(frozen=True)
class Retry:
    """The request a step answers, as its sender keys it (Idempotency-Key): the outcome is
    kept under that key in the same transaction as the step, for a retry to find."""

    username: str
    key: str
    fingerprint: str  # what makes two requests the same (method, target, body)


@dataclass(frozen=True)
class Submission:
    """What a signer sends: scores and comment for a scored step, a reason for a return."""

    scores: Any = None
    comment: str = ""
    reason: str = ""

    def __post_init__(self) -> None:
        check_text(self.comment, "comment")
        check_text(self.reason, "reason")


def _receipt(retry: Retry, taken: Taken) -> Receipt:
    body = json.dumps(taken.document(), ensure_ascii=False, sort_keys=True)
    return Receipt(username=retry.username, key=retry.key, fingerprint=retry.fingerprint,
                   body=body)


def _record_allows(appraisal: Appraisal, action: str) -> bool:
    """The guard the machine's state cannot tell: an action of UNSIGNED (a cancellation)
    only while no step of the appraisal was ever signed."""
    return action not in UNSIGNED or not appraisal.signed


class AppraisalCommands(OrganisationCommands, Deputies):
    """The appraisal process; the machine decides, the aggregate records."""

    def open_appraisals(self, zone_ids: Iterable[str], period: str, template_id: str,
                        actor: Actor, *, explicit: bool = True) -> tuple[list[Appraisal], int]:
        """Open one appraisal per zone in scope, in one transaction; count those already open.

        With `explicit`, every zone must be in the actor's scope (403 otherwise); without,
        zones outside it are passed over (a secretary opening "every zone in scope").
        """
        if not actor.has_role(*OPENERS):
            raise ForbiddenError("only an administrator or a branch secretary opens appraisals")
        label = str(Period.parse(period))
        form = self.referenced(AssessmentForm, template_id, field="template_id")
        opened, already = [], 0
        for zone_id in zone_ids:
            zone = self.referenced(Zone, zone_id, field="zone_id")
            place = self.place_of(zone)
            role = next((r for r in OPENERS if actor.holds(r, place.scope_for(r))), None)
            if role is None:
                if explicit:
                    raise ForbiddenError(f"zone {zone_id!r} is outside your scope", "scope")
                continue
            found = self.find(Appraisal, zone_id, label)
            if found is None:
                opened.append(self._open(zone, place, label, form, actor, role))
            elif found.state == State.CANCELLED:  # its stream is the zone's and period's
                opened.append(self._restart(found, zone, form, actor, role))
            else:
                already += 1
        self.save(*opened)
        return opened, already

    def _open(self, zone: Zone, place: Place, period: str, form: AssessmentForm,
              actor: Actor, role: str) -> Appraisal:
        appraisal = Appraisal(
            zone_id=zone.zone_id, zone_name=zone.name, line=zone.line, period=period,
            branch_id=place.branch_id, group_id=place.group_id, template_id=form.form_id,
            template_version=form.version, items=dict(form.items),
            responsible_member_ids=list(zone.responsible_member_ids), state=machine.INITIAL,
            actor=actor.username, role=role, timestamp=next_instant(),
        )
        if Period.parse(period).is_year_end:
            summarise_months(self, appraisal, actor.username, role)
        return appraisal

    def _restart(self, appraisal: Appraisal, zone: Zone, form: AssessmentForm, actor: Actor,
                 role: str) -> Appraisal:
        appraisal.restart(
            template_id=form.form_id, template_version=form.version, items=dict(form.items),
            responsible_member_ids=list(zone.responsible_member_ids), state=machine.INITIAL,
            actor=actor.username, role=role, timestamp=next_instant(appraisal),
        )
        if Period.parse(appraisal.period).is_year_end:  # the months as they stand now
            summarise_months(self, appraisal, actor.username, role)
        return appraisal

    def open_appraisal(self, zone_id: str, period: str, template_id: str,
                       actor: Actor) -> Appraisal:
        opened, already = self.open_appraisals([zone_id], period, template_id, actor)
        if already:
            raise AlreadyExistsError(f"zone {zone_id!r} already has an appraisal for {period}")
        return opened[0]

    def act(self, appraisal_id: UUID, action: str, actor: Actor, submission: Submission, *,
            if_match: int | None = None) -> Appraisal:
        """Load the appraisal and take `action` on it."""
        appraisal = self.load_appraisal(appraisal_id)
        return self.take(appraisal, action, actor, submission, if_match=if_match).appraisal

    def take(self, appraisal: Appraisal, action: str, actor: Actor, submission: Submission, *,
             if_match: int | None = None, retry: Retry | None = None) -> Taken:
        """Take `action` on the loaded appraisal, checking in the order API.md fixes.

        Scope comes before state: whoever may not read the appraisal, or whose roles on it
        (then or now, or their principals' for a deputy) never allow the action, is refused
        before its version or state is looked at, so a refusal never tells them either.
        """
        held = self.acting(appraisal, actor)
        self._check_scope(held)
        if not held.could_take(machine.roles_for(action)):
            raise ForbiddenError(f"your roles never allow '{action}' on this appraisal")
        if if_match is not None and if_match != appraisal.version:
            raise StaleVersionError(if_match, appraisal.version)
        step = machine.step(action, appraisal.state)
        if step is None:
            raise StateConflictError(
                f"'{action}' is not allowed in state '{appraisal.state}'",
                appraisal.state, self.allowed_actions(appraisal, actor, held),
            )
        if not _record_allows(appraisal, action):
            raise StateConflictError(
                f"'{action}' is not allowed in state '{appraisal.state}' once a step was "
                "signed (a return keeps the signature)", appraisal.state,
                self.allowed_actions(appraisal, actor, held), "signed",
            )
        if not held.signers(step.role):
            raise ForbiddenError(f"'{action}' now needs '{step.role}'", held.refusal(step.role))
        signers = self._signers(appraisal, step.role, actor, held)
        if not signers:
            raise ForbiddenError("you signed another step of this appraisal", "signed")
        self._record_step(appraisal, step, actor, submission, signers[0])
        # The zone is as it was a moment ago: the standing found above still holds.
        allowed = self.allowed(appraisal, actor, held)
        taken = Taken(appraisal, allowed.actions, allowed.acting_for)
        self.save(appraisal, _receipt(retry, taken) if retry else None)
        return taken

    def _record_step(self, appraisal: Appraisal, step: machine.Step, actor: Actor,
                     submission: Submission, principal: Principal | None) -> None:
        moved = {"state": step.dest, "actor": actor.username, "role": step.role,
                 "timestamp": next_instant(appraisal)}
        if principal is not None:  # 代签: the step names both persons
            moved |= {"on_behalf_of": principal.actor.username,
                      "principal_member_id": principal.actor.member_id or "",
                      "delegation": principal.delegation}
        # A signed step names the person too: separation of duties counts people.
        # '' says "no member" as recorded; None is left to steps stored before members were.
        signed = {**moved, "member_id": actor.member_id or ""}
        record = getattr(appraisal, METHOD_OF[step.action])
        if step.action in SCORED:
            scores = validate_scores(appraisal.items, submission.scores)
            record(scores={code: str(v) for code, v in scores.items()},
                   total=str(total_of(scores)), comment=submission.comment, **signed)
        elif step.action == Action.BRANCH_APPROVAL:
            # The group review fixed the grade; the policy in force now fixes the reward.
            branch = self.recent(Branch, appraisal.branch_id)
            if branch is None:
                raise NotFoundError("branch", appraisal.branch_id)
            reward = branch.policy[str(appraisal.grade)]
            record(comment=submission.comment, reward=reward, **signed)
        else:
            if not submission.reason.strip():
                raise InvalidError("a reason is required", {"reason": "empty"})
            record(reason=submission.reason, **moved)

    def load_appraisal(self, appraisal_id: UUID) -> Appraisal:
        return self.get(appraisal_id, kind="appraisal")

    def load_stream(self, text: str) -> Appraisal:
        """The appraisal a path names; anything that is not one of its ids is not found."""
        try:
            appraisal_id = UUID(text)
        except ValueError:
            raise NotFoundError("appraisal", text) from None
        appraisal = self.load_appraisal(appraisal_id)
        if not isinstance(appraisal, Appraisal):
            raise NotFoundError("appraisal", text)
        return appraisal

    def responsibles_now(self, appraisal: Appraisal) -> list[str]:
        """The responsible members of the appraisal's zone as of now."""
        zone = self.recent(Zone, appraisal.zone_id)
        if zone is None:
            raise NotFoundError("zone", appraisal.zone_id)
        return list(zone.responsible_member_ids)

    def standing(self, appraisal: Appraisal, actor: Actor,
                 now: list[str] | None = None) -> Standing:
        """The actor's standing on this appraisal: its zone's responsibles at opening and
        `now` (read from the zone unless given)."""
        place = Place(appraisal.zone_id, appraisal.group_id, appraisal.branch_id)
        now = self.responsibles_now(appraisal) if now is None else now
        return standing(actor, place, appraisal.responsible_member_ids, now)

    def acting(self, appraisal: Appraisal, actor: Actor, now: list[str] | None = None,
               principals: list[Principal] | None = None,
               own: Standing | None = None) -> Acting:
        """The actor's standing on this appraisal (`own`, if already worked out), and, when
        first asked, those of the principals they act for today (`principals`, if the
        caller has looked them up)."""
        now = self.responsibles_now(appraisal) if now is None else now

        def behalf() -> list[Behalf]:
            found = self.principals_today(actor) if principals is None else principals
            return [Behalf(p, delegated(self.standing(appraisal, p.actor, now))) for p in found]

        return Acting(self.standing(appraisal, actor, now) if own is None else own, behalf)

    def check_readable(self, appraisal: Appraisal, actor: Actor) -> None:
        """Readers in scope, the zone's responsible members then or now, and deputies of
        someone who signs here today; 403 for others."""
        self._check_scope(self.acting(appraisal, actor))

    @staticmethod
    def _check_scope(held: Standing | Acting) -> None:
        if not held.may_read():
            raise ForbiddenError("this appraisal is outside your scope", "scope")

    def allowed(self, appraisal: Appraisal, actor: Actor,
                held: Acting | Standing | None = None) -> Allowed:
        """What the actor may take now, straight from the machine and the guards, and whom
        for, if their forward step is a deputy's. `held`: their standing, if worked out."""
        if not isinstance(held, Acting):
            held = self.acting(appraisal, actor, own=held)
        found = {s.action: self._signers(appraisal, s.role, actor, held)
                 for s in machine.steps_from(appraisal.state)
                 if _record_allows(appraisal, s.action)}
        forward = [signers[0] for action, signers in found.items()
                   if signers and action in FORWARD]
        principal = forward[0] if forward else None
        return Allowed([action for action, signers in found.items() if signers],
                       None if principal is None else principal.actor.username)

    def allowed_actions(self, appraisal: Appraisal, actor: Actor,
                        held: Acting | Standing | None = None) -> list[str]:
        return self.allowed(appraisal, actor, held).actions

    def _signers(self, appraisal: Appraisal, role: str, actor: Actor,
                 held: Acting) -> list[Principal | None]:
        """Whom the actor may sign `role` as here (None: themselves), with separation of
        duties kept for both persons: neither signed another step of the appraisal."""
        step = STEP_OF_ROLE[role]
        return [p for p in held.signers(role) if appraisal.may_sign(
            step, actor.username, actor.member_id, self._member_of,
            None if p is None else p.person)]

    def _member_of(self, username: str) -> str | None:
        """The member behind an account (None for an account of nobody's, or none at all)."""
        user = self.find(User, username)
        return None if user is None else user.member_id

    def appraisal_then(self, appraisal_id: UUID, *, version: int | None = None,
                       as_of: datetime | None = None) -> Appraisal:
        """The appraisal as it stood after event `version`, or at the instant `as_of`."""
        if version is not None:
            return self.at_version(appraisal_id, version, "appraisal")
        if as_of is not None:
            return self.as_of(appraisal_id, as_of, "appraisal")
        return self.load_appraisal(appraisal_id)

    def appraisal_events(self, appraisal_id: UUID) -> list[Any]:
        self.load_appraisal(appraisal_id)
        return list(self.events.get(appraisal_id))

    def keep_answer(self, retry: Retry, status: int, answer: dict[str, Any]) -> None:
        """Keep an answer under a request's key where no step is taken with it (a bulk
        sign-off's refused item, or the bulk request's claim on its key), for a retry to
        get the same; IntegrityError if the key holds one already."""
        body = json.dumps(answer, ensure_ascii=False, sort_keys=True)
        self.save(Receipt(username=retry.username, key=retry.key,
                          fingerprint=retry.fingerprint, body=body, status=status))
