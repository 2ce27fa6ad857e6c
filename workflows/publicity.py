"""Command handlers for 公示: posting a period's results, objections (异议) and their answers,
closing a posting (定稿), and the public link for staff without accounts.

Posting and objections are acts beside the process: they never move an appraisal between
states, except that an upheld objection reopens its published result through the machine's
own `reopen`, with the objection as the reason.
"""

import hashlib
import hmac
import secrets
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any
from uuid import UUID

from domain.appraisal import Appraisal
from domain.bounds import MAX_NAME, check_text
from domain.documents import number
from domain.errors import ConflictError, ForbiddenError, InvalidError, NotFoundError
from domain.ids import parse_part, part_id
from domain.organisation import Branch, Group, Member
from domain.period import Period
from domain.process import Role
from domain.publicity import Publicity, check_days, window_end
from workflows import machine
from workflows.access import Actor
from workflows.appraisals import AppraisalCommands
from workflows.base import next_instant
from workflows.process import Action

POSTERS = (Role.BRANCH_SECRETARY, Role.ADMIN)
PUBLIC = "public"  # the role and actor of an objection raised through the public link
MEMBER = "member"  # the role of one raised by a member of the branch, as such
# Objections waiting on one result: past this, the branch has enough to answer first.
MAX_OPEN_OBJECTIONS = 100


@dataclass(frozen=True)
class Posted:
    """What a posting shows: the ranking as of `as_of` (just now), and the zones not yet
    approved then."""

    as_of: datetime
    entries: list[dict[str, Any]]
    distribution: dict[str, int]
    pending: int


@dataclass(frozen=True)
class Objector:
    """Who objects through the public link, in their own words (no account)."""

    name: str
    contact: str

    def __post_init__(self) -> None:
        check_text(self.name, "name", limit=MAX_NAME, required=True)
        check_text(self.contact, "contact", limit=MAX_NAME, required=True)


def link_digest(secret: str) -> str:
    return hashlib.sha256(secret.encode("utf-8", "surrogatepass")).hexdigest()


class PublicityCommands(AppraisalCommands):
    """A branch's postings, objections to the results they show, and their closing."""

    def check_may_post(self, branch_id: str, actor: Actor) -> Branch:
        """The branch, if the actor may post for it (its secretary, or an administrator)."""
        branch = self.load(Branch, branch_id, kind="branch", shared=True)
        if not any(actor.holds(role, branch_id) for role in POSTERS):
            raise ForbiddenError("the branch's secretary posts its results", "scope")
        return branch

    def publicity(self, branch_id: str, period: str) -> Publicity | None:
        return self.find(Publicity, branch_id, str(Period.parse(period)))

    def post_results(self, branch_id: str, period: str, days: int | None, partial: bool,
                     posted: Posted, actor: Actor) -> tuple[Publicity, int]:
        """Posts the period's results for the branch's window (or `days` working days); a
        later posting supersedes the one before. With zones still pending, only `partial`."""
        branch = self.check_may_post(branch_id, actor)
        label = str(Period.parse(period))
        window = branch.posting_days if days is None else check_days(days)
        if posted.pending and not partial:
            raise ConflictError(f"{posted.pending} zones of {label} are not approved yet: "
                                "post with partial to post the others", "pending",
                                pending=posted.pending)
        if not posted.entries:
            raise ConflictError(f"no result of {label} is published in this branch yet",
                                "nothing_published")
        publicity = self.find(Publicity, branch_id, label)
        if publicity is None:
            publicity = Publicity(branch_id, label, actor=actor.username,
                                  timestamp=next_instant())
        at = next_instant(publicity)
        publicity.post(as_of=min(posted.as_of, at), closes=window_end(at, window), days=window,
                       entries=posted.entries, distribution=posted.distribution,
                       pending=posted.pending, actor=actor.username, role=self._poster(actor,
                       branch_id), timestamp=at)
        self.save(publicity)
        return publicity, len(publicity.postings)

    def set_posting_days(self, branch_id: str, days: int, actor: Actor) -> Branch:
        branch = self.load(Branch, branch_id, kind="branch")
        self.check_may_post(branch_id, actor)
        branch.set_posting_days(check_days(days), actor.username)
        self.save(branch)
        return branch

    def load_posting(self, posting_id: str) -> tuple[Publicity, int]:
        """The publicity and number a posting id names; NotFoundError for anything else."""
        found = parse_part(posting_id, "p")
        publicity = self._stream_of(found, Publicity, "posting", posting_id)
        assert found is not None  # _stream_of found the stream
        if publicity.posting(found[1]) is None:
            raise NotFoundError("posting", posting_id)
        return publicity, found[1]

    def close_posting(self, posting_id: str, actor: Actor) -> tuple[Publicity, int]:
        """Closes the posting once its window has passed and every objection to its results
        is answered: its results become final (定稿), each by an event of its own."""
        publicity, n = self.load_posting(posting_id)
        self.check_may_post(publicity.branch_id, actor)
        state, posting = publicity.state(n), publicity.postings[n - 1]
        if state != "open":
            raise ConflictError(f"posting {posting_id} is {state}", f"posting_{state}")
        if datetime.now(UTC) < posting["closes"]:
            raise ConflictError(f"the window of posting {posting_id} is open until "
                                f"{posting['closes'].isoformat()}", "window_open",
                                closes=posting["closes"])
        appraisals = [self.load_appraisal(UUID(e["appraisal_id"])) for e in posting["entries"]]
        waiting = [o for a in appraisals for o in a.open_objections]
        if waiting:
            raise ConflictError(f"{len(waiting)} objections are not answered: "
                                f"{', '.join(waiting[:10])}", "objections_open",
                                count=len(waiting))
        changed = [a.zone_id for a, e in zip(appraisals, posting["entries"], strict=True)
                   if a.state != "published" or number(a.score) != e["score"]]
        if changed:
            raise ConflictError(f"results changed since they were posted ({', '.join(changed)}):"
                                " post them again", "results_changed", zones=changed)
        role = self._poster(actor, publicity.branch_id)
        publicity.close(n, actor=actor.username, role=role, timestamp=next_instant(publicity))
        for appraisal in appraisals:
            appraisal.finalise(posting=posting_id, state=appraisal.state, actor=actor.username,
                               role=role, timestamp=next_instant(appraisal))
        self.save(publicity, *appraisals)
        return publicity, n

    def raise_objection(self, appraisal_id: UUID, reason: str, actor: Actor | None,
                        objector: Objector | None = None, link: str | None = None) -> str:
        """An objection to a posted result, during its window: by a member of the branch
        (or anyone who may read the appraisal), or through the public link by name and
        contact. Answers the objection's id."""
        appraisal = self.load_appraisal(appraisal_id)
        if actor is not None:
            self._check_may_object(appraisal, actor)
        publicity = self.find(Publicity, appraisal.branch_id, appraisal.period)
        if actor is None and not (publicity and link and publicity.link
                                  and hmac.compare_digest(publicity.link, link_digest(link))):
            raise ForbiddenError("this link does not post this result", "link")
        check_text(reason, "reason", required=True)
        board = None if publicity is None else publicity.board(datetime.now(UTC))
        if board is None or all(e["appraisal_id"] != str(appraisal.id)
                                for e in board["entries"]):
            raise ConflictError("no open posting shows this result: objections are raised "
                                "during the window", "window_closed")
        if len(appraisal.open_objections) >= MAX_OPEN_OBJECTIONS:
            raise ConflictError("this result has as many open objections as are taken",
                                "objections_full")
        assert publicity is not None  # a board was found on it
        objection = part_id(appraisal.id, "o", len(appraisal.objections) + 1)
        who = {"name": "", "contact": "", "actor": actor.username, "role": MEMBER} \
            if actor is not None else {"name": objector.name if objector else "",
                                       "contact": objector.contact if objector else "",
                                       "actor": PUBLIC, "role": PUBLIC}
        appraisal.raise_objection(objection=objection,
                                  posting=publicity.posting_id(board["number"]), reason=reason,
                                  state=appraisal.state, timestamp=next_instant(appraisal),
                                  **who)
        self.save(appraisal)
        return objection

    def answer_objection(self, objection_id: str, upheld: Any, reason: str,
                         actor: Actor) -> Appraisal:
        """The branch's answer, with its reason. Upheld, the result is reopened to be
        corrected (and posted again); dismissed, it stands."""
        found = parse_part(objection_id, "o")
        appraisal = self._stream_of(found, Appraisal, "objection", objection_id)
        held = self.standing(appraisal, actor)
        self._check_scope(held)  # refused before whether the objection exists is told
        if not held.may_take(Role.BRANCH_SECRETARY):
            raise ForbiddenError("the branch's secretary answers objections", "own_zone"
                                 if Role.BRANCH_SECRETARY in held.roles else None)
        objection = appraisal.objections.get(objection_id)
        if objection is None:
            raise NotFoundError("objection", objection_id)
        if not isinstance(upheld, bool):
            raise InvalidError("upheld is true or false", {"upheld": "type"})
        check_text(reason, "reason", required=True)
        if objection["answer"] is not None:
            raise ConflictError(f"objection {objection_id} is answered already", "answered")
        moved = {"actor": actor.username, "role": Role.BRANCH_SECRETARY}
        appraisal.answer_objection(objection=objection_id, upheld=upheld, reason=reason,
                                   state=appraisal.state, timestamp=next_instant(appraisal),
                                   **moved)
        step = machine.step(Action.REOPEN, appraisal.state)
        if upheld and step is not None:
            appraisal.reopen(reason=f"异议成立（{objection_id}）：{reason}", state=step.dest,
                             objection=objection_id, timestamp=next_instant(appraisal), **moved)
        self.save(appraisal)
        return appraisal

    def issue_link(self, branch_id: str, period: str, actor: Actor) -> str:
        """A new public link's secret (the last one stops working); only its hash is kept."""
        self.check_may_post(branch_id, actor)
        publicity = self.publicity(branch_id, period)
        if publicity is None or not publicity.postings:
            raise ConflictError("nothing is posted for this period yet", "nothing_posted")
        secret = publicity.id.hex + secrets.token_urlsafe(24)
        publicity.issue_link(link_digest(secret), actor=actor.username,
                             timestamp=next_instant(publicity))
        self.save(publicity)
        return secret

    def revoke_link(self, branch_id: str, period: str, actor: Actor) -> None:
        self.check_may_post(branch_id, actor)
        publicity = self.publicity(branch_id, period)
        if publicity is not None and publicity.link is not None:
            publicity.revoke_link(actor=actor.username, timestamp=next_instant(publicity))
            self.save(publicity)

    def by_link(self, secret: str) -> Publicity:
        """The branch's period a public link shows; NotFoundError for any other text."""
        try:
            publicity = self.get(UUID(hex=secret[:32]), kind="link", label="link")
        except ValueError:
            raise NotFoundError("link", "link") from None
        if not isinstance(publicity, Publicity) or publicity.link is None \
                or not hmac.compare_digest(publicity.link, link_digest(secret)):
            raise NotFoundError("link", "link")
        return publicity

    def member_branch(self, actor: Actor) -> str | None:
        """The branch of the actor's member (None: no member, or one no longer on record)."""
        member = None if actor.member_id is None else self.find(Member, actor.member_id)
        group = None if member is None else self.find(Group, member.group_id)
        return None if group is None else group.branch_id

    def _check_may_object(self, appraisal: Appraisal, actor: Actor) -> None:
        """Members of the appraisal's branch, and whoever may read the appraisal."""
        if self.member_branch(actor) != appraisal.branch_id:
            self.check_readable(appraisal, actor)

    def _stream_of(self, found: tuple[UUID, int] | None, cls: type, kind: str,
                   ident: str) -> Any:
        """The aggregate a part id names, if it is of `cls`; NotFoundError otherwise."""
        if found is None:
            raise NotFoundError(kind, ident)
        aggregate = self.get(found[0], kind=kind, label=ident)
        if not isinstance(aggregate, cls):
            raise NotFoundError(kind, ident)
        return aggregate

    @staticmethod
    def _poster(actor: Actor, branch_id: str) -> str:
        return next(role for role in POSTERS if actor.holds(role, branch_id))
