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
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import date
from typing import Any

import orjson
from sqlalchemy import Connection

from domain.appraisal import signs_apart
from domain.deadlines import standing as due_standing
from domain.delegations import DELEGABLE
from domain.process import STEP_OF_ROLE, Role
from domain.users import RoleGrant
from projections.deadlines import due_dates_of
from projections.delegations import in_force
from projections.digests import Standings, Waiting, standings
from projections.users import list_accounts
from service.runtime import Runtime
from workflows.access import Actor, Place, standing
from workflows.deputies import Acting, Behalf, Principal, delegated
from workflows.process import PROCESS, Move

# The forward move out of each state that awaits a step: what the inbox offers there.
FORWARD_FROM: dict[str, Move] = {m.step: m for m in PROCESS if m.forward}
VIEWS = ("appraisal_index", "directory", "accounts", "signers", "deadlines", "delegations")
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
    acting_for: str | None = None  # whom a deputy (代签) would sign it for

    def key(self) -> tuple[Any, ...]:
        return ORDER[self.standing], self.due, self.period, self.zone_id, self.id


@dataclass
class Digest:
    """A person's digest of one day."""

    username: str
    display_name: str
    day: date
    items: list[Item] = field(default_factory=list)
    principals: dict[str, str] = field(default_factory=dict)  # whom items are for: names

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
        delegations = in_force(conn, day.isoformat())
        due = _due(rt, conn, stood.waiting)
    wanted = None if usernames is None else set(usernames)
    people = [a for a in accounts if not a["disabled"]
              and (wanted is None or a["username"] in wanted)]
    # A step's signer is looked up by account, disabled or not (as the workflow does).
    member_of = {a["username"]: a["member_id"] for a in accounts}
    names = {a["username"]: a["display_name"] for a in people}
    everyone = {a["username"]: a["display_name"] for a in accounts}
    made: dict[str, Digest] = {}
    matched = _matched(stood, people, member_of, delegations)
    for username, waiting in matched.items():
        items = [_item(w, due[w.period][w.branch_id][w.state], day, acting_for)
                 for w, acting_for in waiting.items()]
        principals = {i.acting_for: everyone[i.acting_for] for i in items if i.acting_for}
        made[username] = Digest(username, names[username], day, sorted(items, key=Item.key),
                                principals)
    return made


def _item(waiting: Waiting, due: tuple[date, str], day: date, acting_for: str | None) -> Item:
    return Item(waiting.id, waiting.zone_id, waiting.zone_name, waiting.period, waiting.state,
                FORWARD_FROM[waiting.state].action, due[0], due_standing(due[0], day),
                acting_for)


def _due(rt: Runtime, conn: Connection,
         waiting: list[Waiting]) -> dict[str, dict[str, dict[str, tuple[date, str]]]]:
    """Each period's due dates of each step, for the branches that have something waiting,
    in one query for every period."""
    branches: dict[str, set[str]] = defaultdict(set)
    for w in waiting:
        branches[w.period].add(w.branch_id)
    return due_dates_of(conn, branches, rt.settings.deadline_days)


Deputies = dict[str, list[tuple[Actor, str]]]  # principal → (deputy, delegation) in force


def _matched(stood: Standings, people: list[dict[str, Any]], member_of: dict[str, str | None],
             delegations: list[tuple[str, str, str]]) -> dict[str, dict[Waiting, str | None]]:
    """Each user's waiting appraisals, each with whom they would sign it for (None: in their
    own right): for each appraisal, the users whose membership or grants could sign its
    step, and their deputies (代签), kept if the workflow's rules let them take it now."""
    actors = {a["username"]: Actor(a["username"], a["member_id"], tuple(
        RoleGrant(g["role"], g["scope"]) for g in a["roles"])) for a in people}
    accounts_of: dict[str, list[Actor]] = defaultdict(list)
    granted: dict[tuple[str, str | None], list[Actor]] = defaultdict(list)
    for actor in actors.values():
        if actor.member_id:
            accounts_of[actor.member_id].append(actor)
        for grant in actor.grants:
            granted[grant.role, grant.scope].append(actor)
    deputies: Deputies = defaultdict(list)
    for key, principal, deputy in delegations:  # both enabled, as the workflow asks
        if principal in actors and deputy in actors:
            deputies[principal].append((actors[deputy], key))
    found: dict[str, dict[Waiting, str | None]] = defaultdict(dict)
    for w in stood.waiting:
        role = FORWARD_FROM[w.state].role
        if role == Role.RESPONSIBLE_MEMBER:
            now = stood.now.get(w.zone_id, [])
            candidates = [a for m in now for a in accounts_of.get(m, [])]
        else:
            scope = Place(w.zone_id, w.group_id, w.branch_id).scope_for(role)
            candidates = granted.get((role, scope), []) + granted.get((role, None), [])
        for username, acting_for in _takers(w, role, candidates, stood, deputies, member_of):
            if acting_for is None:
                found[username][w] = None
            else:
                found[username].setdefault(w, acting_for)
    return found


def _takers(w: Waiting, role: str, candidates: list[Actor], stood: Standings,
            deputies: Deputies, member_of: dict[str, str | None],
            ) -> Iterator[tuple[str, str | None]]:
    """Who may take the step `w` waits for, as the workflow decides (access.standing,
    deputies.Acting, signs_apart): each candidate in their own right (None), and each
    candidate's deputy for them."""
    place = Place(w.zone_id, w.group_id, w.branch_id)
    now, then = stood.now.get(w.zone_id, []), stood.then.get(w.id, [])
    steps, step = stood.steps.get(w.id, {}), STEP_OF_ROLE[role]
    for actor in dict.fromkeys(candidates):
        held = standing(actor, place, then, now)
        if held.may_take(role) and signs_apart(steps, step, actor.username, actor.member_id,
                                               member_of.get):
            yield actor.username, None
        for deputy, key in deputies.get(actor.username, []) if role in DELEGABLE else ():
            principal = Principal(actor, key)
            behalf = [Behalf(principal, delegated(held))]
            acting = Acting(standing(deputy, place, then, now), behalf.copy)
            if principal in acting.signers(role) and signs_apart(
                    steps, step, deputy.username, deputy.member_id, member_of.get,
                    principal.person):
                yield deputy.username, actor.username
