"""The daily digest of each person (每日待办提醒): what waits for them, with each step's due
date, overdue first.

It lists what the inbox (service/cases/inbox.py `waiting`) would list for the user, across
periods, decided by the same rules (workflows.access `standing`, `Standing.may_take`, and
separation of duties by `domain.appraisal.signs_apart`), but for the whole organisation at
once: the read models are read in a few statements (projections.digests), and each
appraisal is matched to the few users whose grants or membership could sign its step,
instead of walking every user's inbox and loading every appraisal.
"""

import hashlib
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date
from typing import Any

import orjson
from sqlalchemy import Connection

from domain.appraisal import signs_apart
from domain.deadlines import standing as due_standing
from domain.process import STEP_OF_ROLE, Role
from domain.users import RoleGrant
from projections.deadlines import due_dates
from projections.digests import Standings, Waiting, standings
from projections.users import list_accounts
from service.runtime import Runtime
from workflows.access import Actor, Place, standing
from workflows.process import PROCESS, Move

# The forward move out of each state that awaits a step: what the inbox offers there.
FORWARD_FROM: dict[str, Move] = {m.step: m for m in PROCESS if m.forward}
VIEWS = ("appraisal_index", "directory", "accounts", "signers", "deadlines")
ORDER = {"overdue": 0, "due": 1, "pending": 2}  # overdue ones first


@dataclass(frozen=True)
class Item:
    """One appraisal waiting for the person's step, and when that step is due."""

    id: str
    zone_id: str
    zone_name: str
    period: str
    state: str
    action: str
    due: date
    standing: str  # domain.deadlines.standing: overdue, due (soon) or pending

    def key(self) -> tuple[Any, ...]:
        return ORDER[self.standing], self.due, self.period, self.zone_id, self.id


@dataclass
class Digest:
    """A person's digest of one day."""

    username: str
    display_name: str
    day: date
    items: list[Item] = field(default_factory=list)

    def counts(self) -> dict[str, int]:
        found = dict.fromkeys(ORDER, 0)
        for item in self.items:
            found[item.standing] += 1
        return {"total": len(self.items), **found}

    def digest_hash(self) -> str:
        """The SHA-256 of what it lists: which appraisal, which step, due when."""
        listed = [(i.id, i.state, i.due.isoformat()) for i in self.items]
        return hashlib.sha256(orjson.dumps(listed)).hexdigest()


def digests(rt: Runtime, day: date, usernames: Iterable[str] | None = None) -> dict[str, Digest]:
    """Every enabled user's digest of `day` that lists something (or only those named), by
    username, each listed overdue first."""
    # Everyone's digest reads the whole log: the views are awaited up to its end (bounded).
    rt.follower.reached(VIEWS, rt.follower.recorder.max_notification_id() or 0,
                        rt.settings.read_wait_seconds)
    with rt.engines.reader.connect() as conn:
        stood = standings(conn)
        accounts = list_accounts(conn)
        due = _due(rt, conn, stood.waiting)
    wanted = None if usernames is None else set(usernames)
    people = [a for a in accounts if not a["disabled"]
              and (wanted is None or a["username"] in wanted)]
    # A step's signer is looked up by account, disabled or not (as the workflow does).
    member_of = {a["username"]: a["member_id"] for a in accounts}
    names = {a["username"]: a["display_name"] for a in people}
    made: dict[str, Digest] = {}
    for username, waiting in _matched(stood, people, member_of).items():
        items = [_item(w, due[w.period][w.branch_id][w.state], day) for w in waiting]
        made[username] = Digest(username, names[username], day, sorted(items, key=Item.key))
    return made


def _item(waiting: Waiting, due: tuple[date, str], day: date) -> Item:
    return Item(waiting.id, waiting.zone_id, waiting.zone_name, waiting.period, waiting.state,
                FORWARD_FROM[waiting.state].action, due[0], due_standing(due[0], day))


def _due(rt: Runtime, conn: Connection,
         waiting: list[Waiting]) -> dict[str, dict[str, dict[str, tuple[date, str]]]]:
    """Each period's due dates of each step, for the branches that have something waiting."""
    branches: dict[str, set[str]] = defaultdict(set)
    for w in waiting:
        branches[w.period].add(w.branch_id)
    return {period: due_dates(conn, period, sorted(found), rt.settings.deadline_days)
            for period, found in branches.items()}


def _matched(stood: Standings, people: list[dict[str, Any]],
             member_of: dict[str, str | None]) -> dict[str, list[Waiting]]:
    """Each user's waiting appraisals: for each appraisal, the users whose membership or
    grants could sign its step, kept if the workflow's rules let them take it now."""
    actors = {a["username"]: Actor(a["username"], a["member_id"], tuple(
        RoleGrant(g["role"], g["scope"]) for g in a["roles"])) for a in people}
    accounts_of: dict[str, list[Actor]] = defaultdict(list)
    granted: dict[tuple[str, str | None], list[Actor]] = defaultdict(list)
    for actor in actors.values():
        if actor.member_id:
            accounts_of[actor.member_id].append(actor)
        for grant in actor.grants:
            granted[grant.role, grant.scope].append(actor)
    found: dict[str, list[Waiting]] = defaultdict(list)
    for w in stood.waiting:
        role = FORWARD_FROM[w.state].role
        place = Place(w.zone_id, w.group_id, w.branch_id)
        now, then = stood.now.get(w.zone_id, []), stood.then.get(w.id, [])
        if role == Role.RESPONSIBLE_MEMBER:
            candidates = [a for m in now for a in accounts_of.get(m, [])]
        else:
            candidates = granted.get((role, place.scope_for(role)), []) + \
                granted.get((role, None), [])
        steps = stood.steps.get(w.id, {})
        for actor in dict.fromkeys(candidates):
            if standing(actor, place, then, now).may_take(role) and signs_apart(
                    steps, STEP_OF_ROLE[role], actor.username, actor.member_id,
                    member_of.get):
                found[actor.username].append(w)
    return found
