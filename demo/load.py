"""`appraisal demo`: the mine of seed 000 loaded through the real commands, safe to repeat.

Nothing is written behind the workflows' back: the organisation is made by an admin, each
appraisal is opened by its branch secretary and signed by the users whose turn it is, so
every guard and separation-of-duties rule holds for the demo data too. What already exists
is skipped, so a second run changes nothing.
"""

import time
from collections.abc import Callable
from datetime import timedelta
from typing import Any

from demo.mine import Mine, build_mine
from demo.plan import PERIODS, PUBLISHED, Move, Signers, moves
from domain.appraisal import Appraisal
from domain.organisation import Branch, Group, Member, Zone
from domain.period import china_date
from domain.process import Role
from domain.users import RoleGrant
from projections.appraisal_index import find_appraisals
from service.auth import actor_of, hash_password
from service.cases import checkpoints, postings
from service.runtime import Runtime
from workflows.access import Actor
from workflows.application import Workflows
from workflows.machine import STATES

PASSWORD = "demo-2026"  # printed and in the README: for demonstrations only, never production
WALKTHROUGH = ("CM01", "2026-11")  # the README opens this one; the demo leaves 2026-11 alone
# A group leader underground for a week and the leader of the next group signing for them.
PRINCIPAL, DEPUTY = "leader-g01", "leader-g02"
# One branch pays more than the seed's default (000 §2.3: amounts are each branch's policy).
POLICIES = {"B1": {"excellent": 300, "qualified": 50, "basically_qualified": 0,
                   "unqualified": -150}}

Echo = Callable[[str], Any]


def load(runtime: Runtime, echo: Echo, periods: tuple[str, ...] = PERIODS) -> None:
    """Build the demo mine in the configured store, or say that it is already there.

    `periods` are the months to appraise, a suffix of PERIODS (the tests load fewer)."""
    started = time.monotonic()
    workflows, mine = runtime.workflows, build_mine()
    users = demo_users(mine)
    plan = _plan(mine, periods)
    if _loaded(workflows, plan):
        echo("the demo mine is already loaded; nothing to do")
    else:
        _organisation(workflows, mine)
        _register(workflows, users, echo)
        actors = {u["username"]: actor_of(workflows.load_user(u["username"])) for u in users}
        _policies(workflows, actors)
        _history(workflows, mine, plan, actors, echo)
        _post(runtime, mine, [p for p in periods if p in PUBLISHED], actors, echo)
        _delegate(workflows, actors, echo)
    made = checkpoints.make(runtime)  # as the service would after the branch approvals
    if made is not None:
        echo(f"log checkpoint {made.size} signed ({runtime.settings.origin})")
    runtime.follower.catch_up()
    _report(runtime, mine, users, echo, time.monotonic() - started)


def demo_users(mine: Mine) -> list[dict[str, Any]]:
    """A user for every role, and one for every member (username = member id, lower case)."""
    names = mine.names

    def user(username: str, title: str, roles: list[tuple[str, str | None]],
             member_id: str | None = None) -> dict[str, Any]:
        return {"username": username, "display_name": title, "member_id": member_id,
                "roles": [{"role": r, "scope": s} for r, s in roles]}

    # Officers are kept off the member roll, so they never answer for a zone they judge.
    users = [user("admin", "系统管理员", [(Role.ADMIN, None)]),
             user("inspector", f"{names()}（组织干部科）", [(Role.INSPECTOR, None)]),
             user("inspector-b6", f"{names()}（地面支部纪检委员）", [(Role.INSPECTOR, "B6")]),
             user("archivist", f"{names()}（档案室）", [(Role.ARCHIVIST, None)])]
    users += [user(f"secretary-{b.lower()}", f"{names()}（{name}书记）",
                   [(Role.BRANCH_SECRETARY, b)]) for b, name in mine.branches]
    for group_id, name, _ in mine.groups:
        zones = mine.zones_of_group(group_id)
        users.append(user(f"leader-{group_id.lower()}", f"{names()}（{name}组长）",
                          [(Role.GROUP_LEADER, group_id)]))
        if zones:
            users.append(user(f"evaluator-{group_id.lower()}", f"{names()}（{name}评价员）",
                              [(Role.ZONE_EVALUATOR, z["id"]) for z in zones]))
    users += [user(m.lower(), name, [], m) for m, name, _ in mine.members]
    return users


def _plan(mine: Mine, periods: tuple[str, ...]) -> list[tuple[str, str, list[Move]]]:
    """(zone, period, moves) in the order they are played: month by month, zone by zone."""
    branch_of = {g: b for g, _, b in mine.groups}
    plan = []
    for period in periods:
        for index, zone in enumerate(mine.zones):
            heads = mine.responsibles(zone, period)
            group = zone["group_id"]
            signers = Signers(
                member=heads[int(period[-2:]) % len(heads)].lower() if heads else None,
                evaluator=f"evaluator-{group.lower()}", leader=f"leader-{group.lower()}",
                secretary=f"secretary-{branch_of[group].lower()}")
            plan.append((zone["id"], period, moves(zone["id"], index, period, signers)))
    return plan


def _loaded(workflows: Workflows, plan: list[tuple[str, str, list[Move]]]) -> bool:
    """Everything is played in order, so the last appraisal with moves tells for all."""
    zone_id, period, last = next(step for step in reversed(plan) if step[2])
    if not workflows.exists(Appraisal, zone_id, period):
        return False
    return workflows.load_appraisal(Appraisal.create_id(zone_id, period)).version > len(last)


def _organisation(workflows: Workflows, mine: Mine) -> None:
    admin = Actor("admin", None, (RoleGrant(Role.ADMIN, None),))
    for branch_id, name in mine.branches:
        if not workflows.exists(Branch, branch_id):
            workflows.create_branch(branch_id, name, admin)
    for group_id, name, branch_id in mine.groups:
        if not workflows.exists(Group, group_id):
            workflows.create_group(group_id, name, branch_id, admin)
    for member_id, name, group_id in mine.members:
        if not workflows.exists(Member, member_id):
            workflows.create_member(member_id, name, group_id, admin)
    for zone in mine.zones:
        if not workflows.exists(Zone, zone["id"]):
            workflows.create_zone(zone["id"], admin, **{k: v for k, v in zone.items()
                                                         if k != "id"})


def _register(workflows: Workflows, users: list[dict[str, Any]], echo: Echo) -> None:
    # One hash for the one demo password: argon2 is slow on purpose, ~240 users add up.
    password_hash = hash_password(PASSWORD)
    for user in users:
        if workflows.find_user(user["username"]) is None:
            workflows.register_first(user["username"], password_hash, user["display_name"],
                                     user["member_id"], user["roles"], "demo")
        elif user["username"] == "admin":
            echo("user admin already exists: its password is left as it was")


def _policies(workflows: Workflows, actors: dict[str, Actor]) -> None:
    for branch_id, amounts in POLICIES.items():
        if workflows.load(Branch, branch_id, kind="branch").version == 1:  # never set yet
            workflows.set_policy(branch_id, amounts, actors[f"secretary-{branch_id.lower()}"])


def _history(workflows: Workflows, mine: Mine, plan: list[tuple[str, str, list[Move]]],
             actors: dict[str, Actor], echo: Echo) -> None:
    """Month by month: hand over a zone if due, open the month, play every appraisal."""
    zone_id, heads, since, reason = mine.handover()
    branch_of = {g: b for g, _, b in mine.groups}
    for period in dict.fromkeys(p for _, p, _ in plan):
        if period >= since:
            zone = workflows.load(Zone, zone_id, kind="zone")
            if zone.responsible_member_ids != heads:
                workflows.reassign_zone(zone_id, heads, reason, actors["admin"])
        fresh: set[str] = set()  # opened just now: at version 1, no need to load them again
        for branch_id, _ in mine.branches:
            zones = [z["id"] for z in mine.zones if branch_of[z["group_id"]] == branch_id]
            opened, _ = workflows.open_appraisals(zones, period, "default",
                                                  actors[f"secretary-{branch_id.lower()}"])
            fresh.update(a.zone_id for a in opened)
        played = sum(_play(workflows, zone, period, steps, actors, zone in fresh)
                     for zone, p, steps in plan if p == period)
        echo(f"{period}: opened for {len(mine.zones)} zones, {played} steps signed")


def _play(workflows: Workflows, zone_id: str, period: str, steps: list[Move],
          actors: dict[str, Actor], fresh: bool) -> int:
    """Take the moves this appraisal has not had yet (version 1 is its opening)."""
    appraisal_id = Appraisal.create_id(zone_id, period)
    version = 1 if fresh else workflows.load_appraisal(appraisal_id).version
    todo = steps[version - 1:]
    for move in todo:
        workflows.act(appraisal_id, move.action, actors[move.username], move.submission)
    return len(todo)


def _post(runtime: Runtime, mine: Mine, published: list[str], actors: dict[str, Actor],
          echo: Echo) -> None:
    """The last published month on every branch's board (公示), its window open from now
    (partial: a zone nobody answers for is never appraised)."""
    if not published:
        return
    for branch_id, _ in mine.branches:
        # A posting is the ranking as of now: the views first, up to the last posting too,
        # which the read waits for (read_wait_seconds) when nothing else follows the log.
        runtime.follower.catch_up()
        postings.post(runtime, actors[f"secretary-{branch_id.lower()}"], branch_id,
                      published[-1], None, partial=True)
    echo(f"{published[-1]}: posted on the board of every branch (公示)")


def _delegate(workflows: Workflows, actors: dict[str, Actor], echo: Echo) -> None:
    """A group leader underground this week: their deputy (代签) signs their reviews, as
    the secretary arranged it (the days count from the demo's run)."""
    today = china_date()
    workflows.grant_delegation(DEPUTY, PRINCIPAL, today.isoformat(),
                               (today + timedelta(days=6)).isoformat(),
                               "下井蹲点一周，由本支部组长代签", actors["secretary-b1"])
    echo(f"{DEPUTY} signs for {PRINCIPAL} this week (代签)")


def _report(runtime: Runtime, mine: Mine, users: list[dict[str, Any]], echo: Echo,
            seconds: float) -> None:
    with runtime.engines.reader.connect() as conn:
        states = {s: len(find_appraisals(conn, state=s)) for s in STATES}
    echo(f"demo mine: {len(mine.branches)} branches, {len(mine.groups)} groups, "
         f"{len(mine.zones)} zones, {len(mine.members)} members, {len(users)} users "
         f"({seconds:.1f} s)")
    echo("appraisals by state: " + ", ".join(f"{s} {n}" for s, n in states.items()))
    echo(f'demo users, all with the password "{PASSWORD}" (DEMO ONLY, never in production):')
    echo("  admin, inspector, inspector-b6, archivist, secretary-b1..b7, leader-g01..g28,")
    echo(f"  evaluator-g01..g27, members m001..m{len(mine.members):03d}")
    zone_id, period = WALKTHROUGH
    echo(f"walkthrough (README): zone {zone_id}, period {period} (not opened by the demo)")
