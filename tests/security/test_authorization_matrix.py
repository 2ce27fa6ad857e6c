"""The authorization matrix: every account × own and foreign branch, group and zone × every
route of the app, API and pages.

Who may do what is predicted here from API.md alone (tests/api_model.py), not from
workflows/access.py. A forbidden cell must answer exactly 403 and tell nothing of an
appraisal the caller may not read: no `state`, `allowed_actions`, `version`,
`current_version` or scores, no ETag, no state's name in the text. Appraisals stand in
every state in both branches, and each action is sent with a stale `If-Match` (and, where
forbidden, without one), so a 412 or 409 answered before the 403 shows. An allowed action
sent stale must be exactly 412: nothing is recorded, and the prediction is checked both ways.

The routes are walked from the app, so a route added later without a row here fails the
test; a `/users/...` route not in the table is taken as the administrators' alone.

SQLite only: this is authorization logic, not storage (the storage-bound rules are in
test_two_accounts.py, on both backends).
"""

import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

import pytest
from fastapi import routing

from domain.appraisal import Appraisal
from domain.ids import part_id, stream_id
from domain.period import china_date
from domain.publicity import Publicity
from tests.api_model import READERS, roles_on
from tests.e2e.files import png
from tests.e2e.pages import Pages
from tests.e2e.support import MORE_USERS, SIGNERS, STATES, STEPS, act_ok, add_users, marks
from tests.helpers import ORGANISATION, SCORES, USERS, Api
from tests.unit.test_machine import TABLE

pytestmark = pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)

PLAIN = {"username": "plain", "display_name": "普通党员", "member_id": "M7", "roles": []}
ADMIN = {"username": "admin", "display_name": "管理员", "member_id": None,
         "roles": [{"role": "admin", "scope": None}]}
ACCOUNTS = {a["username"]: a for a in [*USERS, *MORE_USERS, PLAIN, ADMIN]}
BRANCH_OF = {g["id"]: g["branch_id"] for g in ORGANISATION["/groups"]}
PLACE = {z["id"]: (z["id"], z["group_id"], BRANCH_OF[z["group_id"]])
         for z in ORGANISATION["/zones"]}
RESPONSIBLES = {z["id"]: z["responsible_member_ids"] for z in ORGANISATION["/zones"]}
MEMBER_GROUPS = {m["id"]: m["group_id"] for m in [*ORGANISATION["/members"],
                                                   {"id": "M7", "group_id": "G1"}]}
ZONES = ("Z1", "Z3", "Z4")  # own and foreign zone, group (G1, G2) and branch (B1, B2)
BRANCHES = ("B1", "B2")
# 公示 of B1's 2026-05 (build_world): ids are derived, so the table can name them.
POSTING = part_id(Publicity.create_id("B1", "2026-05"), "p", 1)
POSTED = str(Appraisal.create_id("Z1", "2026-05"))  # on the board, objected to
OBJECTION = part_id(Appraisal.create_id("Z1", "2026-05"), "o", 1)
# The posting of each branch's May, made with the world (build_world), and its branch.
POSTINGS = {part_id(stream_id("publicity", b, "2026-05"), "p", 1): b for b in BRANCHES}
ACTIONS = sorted({action for action, _ in TABLE})
BODIES = {"self-check": {"scores": SCORES, "comment": ""},
          "zone-evaluation": {"scores": SCORES, "comment": ""},
          "group-review": {"scores": SCORES, "comment": ""},
          "branch-approval": {"comment": ""}, "return": {"reason": "退回"},
          "reopen": {"reason": "重新打开"}, "cancel": {"reason": "开错了"}}
LEAKS = {"state", "allowed_actions", "version", "current_version", "scores", "score", "grade"}
STALE = "0"  # a version no appraisal ever has
PAGE_STATES = ("self_check", "published", "cancelled")
# Every state an appraisal of the world stands in: the procedure's, and cancelled (opened by
# mistake), none of which a forbidden answer may name.
WORLD_STATES = (*STATES, "cancelled")


@dataclass(frozen=True)
class Probe:
    """One request of the matrix: forbidden to its caller, or with the status expected."""

    method: str
    url: str
    forbidden: bool
    json: Any = None
    form: dict[str, Any] | None = None  # a page's form, sent with the session's CSRF token
    headers: tuple[tuple[str, str], ...] = ()
    expect: int | None = None  # an allowed probe's status; None: any but 403 and 5xx
    secret: bool = False  # of an appraisal the caller may not read


@dataclass(frozen=True)
class Finding:
    """A finding of the world: on a zone itself or on one of its appraisals, naming a file."""

    id: str
    zone: str
    on_appraisal: bool
    sha256: str


# --- what API.md allows, by account ---------------------------------------------------

def holds(account: dict[str, Any], role: str, scope: str | None = None) -> bool:
    return any(g["role"] == role and g["scope"] in (None, scope) for g in account["roles"])


def admin(account: dict[str, Any]) -> bool:
    return holds(account, "admin")


def reads(account: dict[str, Any], zone: str) -> bool:
    return bool(roles_on(account, PLACE[zone], RESPONSIBLES[zone]) & READERS)


def may_act(account: dict[str, Any], zone: str, action: str) -> bool:
    """A reader of it whose roles on the zone allow the action in some state."""
    who = {role for (taken, _), (_, role) in TABLE.items() if taken == action}
    return reads(account, zone) and bool(roles_on(account, PLACE[zone], RESPONSIBLES[zone]) & who)


def opens(account: dict[str, Any], branch: str | None) -> bool:
    if branch is None:
        return any(g["role"] in ("admin", "branch_secretary") for g in account["roles"])
    return admin(account) or holds(account, "branch_secretary", branch)


def archives(account: dict[str, Any], branch: str | None) -> bool:
    return admin(account) or holds(account, "archivist") or holds(account, "inspector", branch)


def posts(account: dict[str, Any], branch: str) -> bool:
    """公示 of a branch: its secretary, or an administrator."""
    return admin(account) or holds(account, "branch_secretary", branch)


def oversees(account: dict[str, Any], branch: str | None) -> bool:
    """A posting's objections, with their authors' contacts (None: any branch's)."""
    if branch is None:
        return any(oversees(account, b) for b in BRANCHES)
    return posts(account, branch) or holds(account, "inspector", branch)


def objects(account: dict[str, Any], zone: str) -> bool:
    """An objection to a posted result: a member of its branch, or a reader of it."""
    group = MEMBER_GROUPS.get(account["member_id"] or "")
    return (group is not None and BRANCH_OF[group] == PLACE[zone][2]) or reads(account, zone)


def answers_objections(account: dict[str, Any], zone: str) -> bool:
    """An objection's answer: the branch's secretary, not responsible for the zone."""
    return holds(account, "branch_secretary", PLACE[zone][2]) and \
        account["member_id"] not in RESPONSIBLES[zone]


def reads_log(account: dict[str, Any], _target: Any = None) -> bool:
    """The log's checkpoints: inspectors of any scope, archivists and administrators."""
    return any(g["role"] in ("inspector", "archivist", "admin") for g in account["roles"])


def cosigns(account: dict[str, Any], _target: Any = None) -> bool:
    return admin(account) or holds(account, "archivist")


def uploads(account: dict[str, Any], _target: Any = None) -> bool:
    """Files: for those who write findings (inspectors) and rectifications (secretaries and
    administrators)."""
    return any(g["role"] in ("inspector", "branch_secretary", "admin") for g in account["roles"])


def records(account: dict[str, Any], zone: str) -> bool:
    """A finding, on the zone or any of its appraisals: an inspector of its branch."""
    return holds(account, "inspector", PLACE[zone][2])


def reads_zone(account: dict[str, Any], zone: str) -> bool:
    """A zone's own record (its findings, its history): its branch's inspectors and
    secretary, its responsible members, archivists and administrators."""
    return bool(roles_on(account, PLACE[zone], RESPONSIBLES[zone]) & ZONE_READERS)


def reads_finding(account: dict[str, Any], found: Finding) -> bool:
    """A finding on an appraisal is read with the appraisal; a zone's own with its record."""
    return reads(account, found.zone) if found.on_appraisal else reads_zone(account, found.zone)


def answers(account: dict[str, Any], found: Finding) -> bool:
    """A rectification: the secretary of the zone's branch, or an administrator."""
    return admin(account) or holds(account, "branch_secretary", PLACE[found.zone][2])


# 代签: the leader's delegation to the plain member, from tomorrow (build_world), so that it
# changes what nobody may do today; its id is derived, so the table can name it.
DELEGATION = part_id(stream_id("deputy", "plain"), "d", 1)


def names_deputies(account: dict[str, Any], _target: Any = None) -> bool:
    """A deputy for the leader (G1, B1): the leader, B1's secretary, an administrator."""
    return account["username"] == "leader" or admin(account) or \
        holds(account, "branch_secretary", "B1")


def reads_delegation(account: dict[str, Any], _target: Any = None) -> bool:
    """Its principal (and grantor), deputy, the secretaries of its branch, administrators."""
    return account["username"] in ("leader", "plain") or names_deputies(account)


def covers(account: dict[str, Any], branch: str | None) -> bool:
    if admin(account) or holds(account, "archivist"):
        return True
    scoped = [g["scope"] for g in account["roles"]
              if g["role"] in ("inspector", "branch_secretary")]
    return bool(scoped) if branch is None else (None in scoped or branch in scoped)


def signs_in(account: dict[str, Any], branch: str | None) -> bool:
    """Signs in the branch (None: in any): a zone evaluator or group leader there, or a
    member of it (whose zones they may answer for)."""
    found: set[str] = set()
    for grant in account["roles"]:
        if grant["role"] in ("zone_evaluator", "group_leader") and grant["scope"] is None:
            return True
        if grant["role"] == "zone_evaluator":
            found.add(PLACE[grant["scope"]][2])
        if grant["role"] == "group_leader":
            found.add(BRANCH_OF[grant["scope"]])
    if account["member_id"] in MEMBER_GROUPS:
        found.add(BRANCH_OF[MEMBER_GROUPS[account["member_id"]]])
    return bool(found) if branch is None else branch in found


def reads_deadlines(account: dict[str, Any], branch: str | None) -> bool:
    """A branch's deadlines (None: those of every branch one may read)."""
    return covers(account, branch) or signs_in(account, branch)


# --- the probes of each route ------------------------------------------------------------

class World(dict[tuple[str, str], dict[str, Any]]):
    """(zone, state) → the appraisal's document; and the findings recorded in the zones."""

    findings: tuple[Finding, ...] = ()


Probes = Callable[[dict[str, Any], World], Iterator[Probe]]


def anyone(*urls: str) -> Probes:
    """Readable by every signed-in user."""
    def probes(_account: dict[str, Any], _world: World) -> Iterator[Probe]:
        for url in urls:
            yield Probe("GET", url, False)
    return probes


def fill(url: str, target: str | None) -> str:
    """The URL for one target; for none, without the query parameter that would name it."""
    return url.format(t=target) if target is not None else re.sub(r"[?&]\w+=\{t\}", "", url)


def only_if(allowed: Callable[[dict[str, Any], Any], bool], method: str, url: str,
            targets: tuple[Any, ...] = (None,), *, page: bool = False,
            body: Callable[[Any], Any] = lambda _t: {}) -> Probes:
    """Forbidden unless `allowed(account, target)`; a write is sent only where forbidden."""
    def probes(account: dict[str, Any], _world: World) -> Iterator[Probe]:
        for target in targets:
            forbidden = not allowed(account, target)
            if method == "GET" or forbidden:
                sent = body(target)
                yield Probe(method, fill(url, target), forbidden,
                            json=None if page else sent, form=sent if page else None)
    return probes


def for_admins(method: str, url: str, body: dict[str, Any] | None = None, *,
               page: bool = False) -> Probes:
    return only_if(lambda a, _t: admin(a), method, url, page=page, body=lambda _t: body or {})


def on_pages(world: World) -> World:
    """The appraisals the pages are tried on: the pages call the API's own checks, which the
    API's rows try in every state; two states keep the matrix fast."""
    return {(zone, state): doc for (zone, state), doc in world.items() if state in PAGE_STATES}


def appraisal_reads(suffix: str, page: bool = False) -> Probes:
    """Reading an appraisal: now, as it stood after event 1, its history."""
    def probes(account: dict[str, Any], world: World) -> Iterator[Probe]:
        for (zone, _state), doc in (on_pages(world) if page else world).items():
            secret = not reads(account, zone)
            base = f"{'/app' if page else ''}/appraisals/{doc['id']}"
            for query in (("",) if suffix else ("", "?version=1")):
                yield Probe("GET", f"{base}{suffix}{query}", secret, expect=200, secret=secret)
    return probes


def appraisal_actions(*actions: str, page: bool = False) -> Probes:
    """The actions on every appraisal: stale, and (where forbidden) without If-Match."""
    def probes(account: dict[str, Any], world: World) -> Iterator[Probe]:
        for (zone, _state), doc in (on_pages(world) if page else world).items():
            secret = not reads(account, zone)
            for action in actions:
                forbidden = not may_act(account, zone, action)
                url = f"{'/app' if page else ''}/appraisals/{doc['id']}/{action}"
                for version in ((STALE, None) if forbidden else (STALE,)):
                    if page:
                        # The form's text fields, valid: a shape the schema refuses is a 422
                        # before any 403 (API.md), on the pages as in the API.
                        form = {k: v for k, v in BODIES[action].items() if isinstance(v, str)}
                        form |= {} if version is None else {"version": version}
                        yield Probe("POST", url, forbidden, form=form, expect=412, secret=secret)
                    else:
                        headers = () if version is None else (("If-Match", f'"{version}"'),)
                        yield Probe("POST", url, forbidden, json=BODIES[action],
                                    headers=headers, expect=412, secret=secret)
    return probes


def bulk_actions(_account: dict[str, Any], world: World) -> Iterator[Probe]:
    """Every appraisal of the world in one bulk request per action, each item stale: the
    request is the caller's (200); each item is checked as its single sign-off (bulk_cells)."""
    for action in ACTIONS:
        items = [{"id": doc["id"], "if_match": f'"{STALE}"', **BODIES[action]}
                 for doc in world.values()]
        yield Probe("POST", "/appraisals/bulk", False, json={"action": action, "items": items},
                    expect=200)


def bulk_cells(account: dict[str, Any], probe: Probe, response: Any, world: World) -> list[str]:
    """Each item of a bulk probe: exactly 403, telling nothing, where the caller may not take
    the action; exactly 412 (stale) where they may."""
    zone_of = {doc["id"]: zone for (zone, _state), doc in world.items()}
    action, wrong = probe.json["action"], []
    for item in response.json()["items"]:
        zone, status = zone_of[item["id"]], item["status"]
        cell = f"{account['username']} bulk {action} {zone} {item['id']}"
        if may_act(account, zone, action):
            wrong += [] if status == 412 else [f"{cell}: allowed, but {status}"]
            continue
        said = str(item.get("problem"))
        told = [f"field {k!r}" for k in LEAKS & set(item.get("problem", {}))]
        if not reads(account, zone):
            told += [f"state {s!r} named" for s in STATES if s in said]
        if status != 403 or told:
            wrong.append(f"{cell}: {status} {', '.join(told)}")
    return wrong


def signs_in_bulk(account: dict[str, Any], _target: Any = None) -> bool:
    """The bulk page: those granted a role that signs a step (not a responsible member's)."""
    signers = {role for (_action, _state), (_dest, role) in TABLE.items()}
    return bool({g["role"] for g in account["roles"]} & (signers - {"responsible_member"}))


def objections_raised(account: dict[str, Any], world: World) -> Iterator[Probe]:
    """An objection to each appraisal: sent only where forbidden (a write)."""
    for (zone, _state), doc in world.items():
        if not objects(account, zone):
            yield Probe("POST", f"/appraisals/{doc['id']}/objections", True,
                        json={"reason": "异议"}, secret=not reads(account, zone))


def objections_answered(account: dict[str, Any], world: World) -> Iterator[Probe]:
    """An answer to each appraisal's first objection (there is none: a 404 for the allowed,
    so a forbidden caller must hear 403 before whether it exists)."""
    for (zone, _state), doc in world.items():
        if not answers_objections(account, zone):
            yield Probe("POST", f"/objections/{doc['id']}-o1/answer", True,
                        json={"upheld": False, "reason": "维持"},
                        secret=not reads(account, zone))


def page_objections(account: dict[str, Any], world: World) -> Iterator[Probe]:
    """Objecting from the board page to B1's posted Z1: sent where forbidden only."""
    if not objects(account, "Z1"):
        yield Probe("POST", f"/app/postings/{POSTING}/object/{POSTED}", True,
                    form={"reason": "异议"})


def appraisal_proofs(account: dict[str, Any], world: World) -> Iterator[Probe]:
    """An appraisal's proof: for those who may archive its branch."""
    for (zone, _state), doc in world.items():
        yield Probe("GET", f"/appraisals/{doc['id']}/proof", not archives(account, PLACE[zone][2]),
                    expect=200, secret=not reads(account, zone))


def finding_probes(suffix: str, allowed: Callable[[dict[str, Any], Finding], bool],
                   method: str = "GET", body: Any = None, prefix: str = "") -> Probes:
    """Each finding of the world (`{sha256}` in `suffix`: the file it names); a write is sent
    only where forbidden. `prefix`: `/app` for the pages' download."""
    def probes(account: dict[str, Any], world: World) -> Iterator[Probe]:
        for found in world.findings:
            forbidden = not allowed(account, found)
            if method == "GET" or forbidden:
                yield Probe(method, f"{prefix}/findings/{found.id}"
                            f"{suffix.format(sha256=found.sha256)}",
                            forbidden, json=body, expect=200 if method == "GET" else None,
                            secret=found.on_appraisal and not reads(account, found.zone))
    return probes


def page_rectifications(account: dict[str, Any], world: World) -> Iterator[Probe]:
    """The pages' answer to each finding of the world: sent where forbidden only."""
    for found in world.findings:
        if not answers(account, found):
            yield Probe("POST", "/app/findings/rectification", True,
                        form={"finding_id": found.id, "text": "整改"},
                        secret=found.on_appraisal and not reads(account, found.zone))


def inspects(account: dict[str, Any], zone: str | None) -> bool:
    """The finding form: on a zone, its branch's inspectors; without one, any inspector."""
    if zone is None:
        return any(g["role"] == "inspector" for g in account["roles"])
    return records(account, zone)


def appraisal_findings(account: dict[str, Any], world: World) -> Iterator[Probe]:
    """A finding on every appraisal, sent where forbidden."""
    for (zone, _state), doc in world.items():
        if not records(account, zone):
            yield Probe("POST", f"/appraisals/{doc['id']}/findings", True, json=FOUND,
                        secret=not reads(account, zone))


POLICY = {"excellent": 200, "qualified": 0, "basically_qualified": 0, "unqualified": -100}
ZONE = {"id": "Z9", "name": "新区", "group_id": "G1", "line": "采煤线", "area": "井下生产",
        "responsible_member_ids": ["M1"], "teams": []}
REASSIGN = {"member_ids": ["M1"], "reason": "调整"}
ITEMS = {"a": 50, "b": 50}
DATES = {"dates": {"self_check": "2027-02-03"}}
FOUND = {"method": "spot_check", "date": "2026-11-03", "text": "抽查发现台账缺页"}
ZONE_READERS = {"admin", "archivist", "inspector", "branch_secretary", "responsible_member"}
TOMORROW = (china_date() + timedelta(days=1)).isoformat()
DEPUTY = {"deputy": "m2", "principal": "leader", "from": TOMORROW, "to": TOMORROW,
          "reason": "出差"}
MATRIX: dict[tuple[str, str], Probes] = {
    # The API.
    ("GET", "/me"): anyone("/me"),
    ("POST", "/users"): for_admins("POST", "/users", {
        "username": "newcomer", "password": "password-9", "display_name": "新人",
        "member_id": None, "roles": []}),
    ("PUT", "/users/{username}/password"): only_if(
        lambda a, t: admin(a) or a["username"] == t, "PUT", "/users/{t}/password", ("m1",),
        body=lambda _t: {"password": "password-9", "current_password": "password-1"}),
    ("PUT", "/users/{username}/roles"): for_admins(
        "PUT", "/users/m1/roles", {"roles": [{"role": "inspector", "scope": None}]}),
    ("POST", "/users/{username}/disable"): for_admins("POST", "/users/m1/disable"),
    ("GET", "/users/{username}/reminders"): only_if(
        lambda a, t: admin(a) or a["username"] == t, "GET", "/users/{t}/reminders", ("m1",)),
    ("PUT", "/users/{username}/reminders"): only_if(
        lambda a, t: admin(a) or a["username"] == t, "PUT", "/users/{t}/reminders", ("m1",),
        body=lambda _t: {"channels": ["email"], "email": "zhangwei@example.cn"}),
    ("GET", "/reminders"): for_admins("GET", "/reminders"),
    ("POST", "/branches"): for_admins("POST", "/branches", {"id": "B9", "name": "新支部"}),
    ("POST", "/groups"): for_admins("POST", "/groups",
                                    {"id": "G9", "name": "新组", "branch_id": "B1"}),
    ("POST", "/members"): for_admins("POST", "/members",
                                     {"id": "M9", "name": "新党员", "group_id": "G1"}),
    ("POST", "/zones"): for_admins("POST", "/zones", ZONE),
    ("PUT", "/zones/{zone_id}/responsibles"): only_if(
        lambda a, _t: admin(a), "PUT", "/zones/{t}/responsibles", ZONES,
        body=lambda _t: REASSIGN),
    ("GET", "/zones"): anyone("/zones", "/zones?branch_id=B2"),
    ("GET", "/zones/{zone_id}"): anyone(*(f"/zones/{z}" for z in ZONES)),
    ("GET", "/zones/{zone_id}/history"): only_if(reads_zone, "GET", "/zones/{t}/history", ZONES),
    ("PUT", "/branches/{branch_id}/reward-policy"): only_if(
        lambda a, t: admin(a) or holds(a, "branch_secretary", t), "PUT",
        "/branches/{t}/reward-policy", BRANCHES, body=lambda _t: POLICY),
    ("GET", "/branches/{branch_id}/reward-policy"): anyone(
        *(f"/branches/{b}/reward-policy" for b in BRANCHES)),
    ("POST", "/forms"): for_admins("POST", "/forms", {"id": "f9", "name": "新表",
                                                      "items": ITEMS}),
    ("PUT", "/forms/{form_id}"): for_admins("PUT", "/forms/default", {"items": ITEMS}),
    ("GET", "/forms/{form_id}"): anyone("/forms/default"),
    ("POST", "/appraisals"): only_if(
        lambda a, t: opens(a, PLACE[t][2]), "POST", "/appraisals", ZONES,
        body=lambda t: {"zone_id": t, "period": "2027-01"}),
    ("POST", "/periods/{period}/appraisals"): only_if(
        opens, "POST", "/periods/2027-02/appraisals", (*BRANCHES, None),
        body=lambda t: {"branch_id": t}),
    ("GET", "/appraisals"): anyone("/appraisals", "/appraisals?branch_id=B2&state=published"),
    ("GET", "/appraisals/{appraisal_id}"): appraisal_reads(""),
    ("GET", "/appraisals/{appraisal_id}/history"): appraisal_reads("/history"),
    **{("POST", f"/appraisals/{{appraisal_id}}/{action}"): appraisal_actions(action)
       for action in ACTIONS},
    ("POST", "/appraisals/bulk"): bulk_actions,
    ("GET", "/rankings/{period}"): anyone("/rankings/2026-05", "/rankings/2026-05?branch_id=B2"),
    ("GET", "/inbox"): anyone("/inbox"),
    ("GET", "/coverage"): only_if(covers, "GET", "/coverage?branch_id={t}", (*BRANCHES, None)),
    ("GET", "/archives/{year}"): only_if(archives, "GET", "/archives/2026?branch_id={t}",
                                         (*BRANCHES, None)),
    ("GET", "/appraisals/{appraisal_id}/proof"): appraisal_proofs,
    ("GET", "/checkpoints/latest"): only_if(reads_log, "GET", "/checkpoints/latest"),
    ("GET", "/checkpoints/{size}"): only_if(reads_log, "GET", "/checkpoints/1"),
    ("GET", "/checkpoints/consistency"): only_if(reads_log, "GET",
                                                 "/checkpoints/consistency?from=1&to=2"),
    ("POST", "/checkpoints/{size}/cosignatures"): only_if(
        cosigns, "POST", "/checkpoints/1/cosignatures",
        body=lambda _t: {"signature": "— w1 AAAAAAAA"}),
    ("POST", "/witnesses"): for_admins("POST", "/witnesses", {"vkey": "w1+00000000+AAAA"}),
    ("POST", "/branches/{branch_id}/postings"): only_if(
        posts, "POST", "/branches/{t}/postings", BRANCHES,
        body=lambda _t: {"period": "2026-05", "partial": True}),
    ("GET", "/branches/{branch_id}/postings"): anyone(
        *(f"/branches/{b}/postings" for b in BRANCHES), "/branches/B2/postings?period=2026-05"),
    ("PUT", "/branches/{branch_id}/posting-days"): only_if(
        posts, "PUT", "/branches/{t}/posting-days", BRANCHES, body=lambda _t: {"days": 5}),
    ("POST", "/branches/{branch_id}/postings/link"): only_if(
        posts, "POST", "/branches/{t}/postings/link", BRANCHES,
        body=lambda _t: {"period": "2026-05"}),
    ("DELETE", "/branches/{branch_id}/postings/link"): only_if(
        posts, "DELETE", "/branches/{t}/postings/link?period=2026-05", BRANCHES),
    ("GET", "/postings/{posting_id}"): anyone(*(f"/postings/{p}" for p in POSTINGS)),
    ("GET", "/postings/{posting_id}/board"): anyone(*(f"/postings/{p}/board" for p in POSTINGS)),
    ("POST", "/postings/{posting_id}/close"): only_if(
        lambda a, t: posts(a, POSTINGS[t]), "POST", "/postings/{t}/close", tuple(POSTINGS)),
    ("GET", "/postings/{posting_id}/objections"): only_if(
        lambda a, t: oversees(a, POSTINGS[t]), "GET", "/postings/{t}/objections",
        tuple(POSTINGS)),
    ("POST", "/appraisals/{appraisal_id}/objections"): objections_raised,
    ("POST", "/objections/{objection_id}/answer"): objections_answered,
    ("GET", "/progress"): only_if(covers, "GET", "/progress?period=2026-05&branch_id={t}",
                                  (*BRANCHES, None)),
    ("POST", "/attachments"): only_if(uploads, "POST", "/attachments?name=x.png"),
    ("POST", "/zones/{zone_id}/findings"): only_if(records, "POST", "/zones/{t}/findings", ZONES,
                                                   body=lambda _t: FOUND),
    ("POST", "/appraisals/{appraisal_id}/findings"): appraisal_findings,
    ("GET", "/zones/{zone_id}/findings"): only_if(reads_zone, "GET", "/zones/{t}/findings",
                                                  ZONES),
    ("GET", "/findings"): only_if(covers, "GET", "/findings?branch_id={t}", (*BRANCHES, None)),
    ("GET", "/findings/{finding_id}"): finding_probes("", reads_finding),
    ("GET", "/findings/{finding_id}/attachments/{sha256}"): finding_probes(
        "/attachments/{sha256}", reads_finding),
    ("POST", "/findings/{finding_id}/rectification"): finding_probes(
        "/rectification", answers, "POST", {"text": "已整改"}),
    ("PUT", "/branches/{branch_id}/deadlines/{period}"): only_if(
        posts, "PUT", "/branches/{t}/deadlines/2027-01", BRANCHES, body=lambda _t: DATES),
    ("PUT", "/deadlines/{period}"): for_admins("PUT", "/deadlines/2027-01", DATES),
    ("GET", "/deadlines/{period}"): only_if(reads_deadlines, "GET",
                                            "/deadlines/2027-01?branch_id={t}", (*BRANCHES, None)),
    ("GET", "/overdue"): only_if(covers, "GET", "/overdue?branch_id={t}", (*BRANCHES, None)),
    ("POST", "/delegations"): only_if(names_deputies, "POST", "/delegations",
                                      body=lambda _t: DEPUTY),
    ("GET", "/delegations"): anyone("/delegations", "/delegations?active=true"),
    ("GET", "/delegations/{delegation_id}"): only_if(reads_delegation, "GET",
                                                     f"/delegations/{DELEGATION}"),
    ("POST", "/delegations/{delegation_id}/revoke"): only_if(
        names_deputies, "POST", f"/delegations/{DELEGATION}/revoke",
        body=lambda _t: {"reason": "撤销"}),
    # Administrators alone, from an address outside APPRAISAL_METRICS_ALLOW (none here).
    ("GET", "/metrics"): for_admins("GET", "/metrics"),
    # The pages.
    ("GET", "/app/inbox"): anyone("/app/inbox"),
    ("GET", "/app/reminders"): for_admins("GET", "/app/reminders", page=True),
    ("GET", "/app/appraisals"): anyone("/app/appraisals", "/app/appraisals?zone_id=Z4"),
    ("GET", "/app/appraisals/{appraisal_id}"): appraisal_reads("", page=True),
    ("GET", "/app/appraisals/{appraisal_id}/history"): appraisal_reads("/history", page=True),
    ("POST", "/app/appraisals/{appraisal_id}/{action}"): appraisal_actions(*ACTIONS, page=True),
    ("GET", "/app/bulk"): only_if(signs_in_bulk, "GET", "/app/bulk"),
    ("POST", "/app/bulk/review"): only_if(
        signs_in_bulk, "POST", "/app/bulk/review", page=True,
        body=lambda _t: {"action": "branch-approval", "id": str(POSTED)}),
    ("POST", "/app/bulk"): only_if(
        signs_in_bulk, "POST", "/app/bulk", page=True,
        body=lambda _t: {"action": "branch-approval", "item": f"{POSTED} 1"}),
    ("GET", "/app/rankings"): anyone("/app/rankings", "/app/rankings?period=2026-05"),
    ("GET", "/app/rankings.xlsx"): anyone("/app/rankings.xlsx?period=2026-05"),
    ("GET", "/app/archives"): only_if(lambda a, _t: any(archives(a, b) for b in BRANCHES),
                                      "GET", "/app/archives"),
    ("GET", "/app/archives/file"): only_if(
        archives, "GET", "/app/archives/file?year=2026&branch_id={t}", (*BRANCHES, None)),
    ("GET", "/app/organisation"): only_if(lambda a, _t: opens(a, None), "GET",
                                          "/app/organisation"),
    ("POST", "/app/organisation/zones/{zone_id}/responsibles"): only_if(
        lambda a, _t: admin(a), "POST", "/app/organisation/zones/{t}/responsibles", ZONES,
        page=True, body=lambda _t: {**REASSIGN, "branch_id": "B1"}),
    ("POST", "/app/organisation/open"): only_if(
        opens, "POST", "/app/organisation/open", BRANCHES, page=True,
        body=lambda t: {"branch_id": t, "period": "2027-03"}),
    ("POST", "/app/organisation/{kind}"): only_if(
        lambda a, _t: admin(a), "POST", "/app/organisation/branches", page=True,
        body=lambda _t: {"id": "B9", "name": "新支部"}),
    ("GET", "/app/policy"): only_if(lambda a, t: admin(a) or holds(a, "branch_secretary", t),
                                    "GET", "/app/policy?branch_id={t}", BRANCHES),
    ("POST", "/app/policy"): only_if(
        lambda a, t: admin(a) or holds(a, "branch_secretary", t), "POST", "/app/policy",
        BRANCHES, page=True, body=lambda t: {**POLICY, "branch_id": t}),
    ("GET", "/app/users"): for_admins("GET", "/app/users", page=True),
    ("POST", "/app/users"): for_admins("POST", "/app/users", {
        "username": "newcomer", "password": "password-9", "display_name": "新人"}, page=True),
    ("POST", "/app/users/password"): for_admins(
        "POST", "/app/users/password", {"username": "m1", "password": "password-9"}, page=True),
    ("POST", "/app/users/roles"): for_admins(
        "POST", "/app/users/roles", {"username": "m1", "role-1": "inspector"}, page=True),
    ("POST", "/app/users/disable"): for_admins(
        "POST", "/app/users/disable", {"username": "m1"}, page=True),
    ("GET", "/app/account"): anyone("/app/account"),
    ("GET", "/app/progress"): only_if(covers, "GET", "/app/progress?period=2026-05"),
    ("GET", "/app/progress.xlsx"): only_if(covers, "GET", "/app/progress.xlsx?period=2026-05"),
    ("GET", "/app/deadlines"): only_if(lambda a, _t: any(posts(a, b) for b in BRANCHES), "GET",
                                       "/app/deadlines?period=2027-01"),
    ("POST", "/app/deadlines"): only_if(
        lambda a, t: posts(a, t) if t else admin(a), "POST", "/app/deadlines",
        (*BRANCHES, None), page=True,
        body=lambda t: {"period": "2027-01", "scope": t or "", **DATES["dates"]}),
    ("GET", "/app/overdue"): only_if(covers, "GET", "/app/overdue?branch_id={t}",
                                     (*BRANCHES, None)),
    ("GET", "/app/overdue.xlsx"): only_if(covers, "GET", "/app/overdue.xlsx?branch_id={t}",
                                          (*BRANCHES, None)),
    ("GET", "/app/forms"): for_admins("GET", "/app/forms", page=True),
    ("POST", "/app/forms"): for_admins("POST", "/app/forms",
                                       {"id": "f9", "name": "新表", "code": "a", "max": "100"},
                                       page=True),
    ("POST", "/app/forms/{form_id}"): for_admins("POST", "/app/forms/default",
                                                 {"code": "a", "max": "100"}, page=True),
    ("GET", "/app/board"): anyone("/app/board", "/app/board?branch_id=B2"),
    ("GET", "/app/findings"): only_if(covers, "GET", "/app/findings?branch_id={t}",
                                      (*BRANCHES, None)),
    ("GET", "/app/findings/new"): only_if(inspects, "GET", "/app/findings/new?zone_id={t}",
                                          (*ZONES, None)),
    ("POST", "/app/findings"): only_if(
        records, "POST", "/app/findings", ZONES, page=True,
        body=lambda t: {"zone_id": t, **FOUND}),
    ("POST", "/app/findings/rectification"): page_rectifications,
    ("GET", "/app/findings/{finding_id}/attachments/{sha256}"): finding_probes(
        "/attachments/{sha256}", reads_finding, prefix="/app"),
    ("GET", "/app/postings"): only_if(oversees, "GET", "/app/postings?branch_id={t}",
                                      (*BRANCHES, None)),
    ("GET", "/app/postings/{posting_id}"): anyone(f"/app/postings/{POSTING}"),
    ("GET", "/app/postings/{posting_id}/board.pdf"): anyone(f"/app/postings/{POSTING}/board.pdf"),
    ("GET", "/app/postings/{posting_id}/object/{appraisal_id}"): anyone(
        f"/app/postings/{POSTING}/object/{POSTED}"),
    ("POST", "/app/postings/{posting_id}/object/{appraisal_id}"): page_objections,
    ("POST", "/app/postings"): only_if(
        posts, "POST", "/app/postings", BRANCHES, page=True,
        body=lambda t: {"branch_id": t, "period": "2027-05", "partial": "1"}),
    ("POST", "/app/postings/{posting_id}/close"): only_if(
        lambda a, _t: posts(a, "B1"), "POST", f"/app/postings/{POSTING}/close", page=True),
    ("POST", "/app/postings/link"): only_if(
        posts, "POST", "/app/postings/link", BRANCHES, page=True,
        body=lambda t: {"branch_id": t, "period": "2026-05"}),
    ("POST", "/app/postings/link/revoke"): only_if(
        posts, "POST", "/app/postings/link/revoke", BRANCHES, page=True,
        body=lambda t: {"branch_id": t, "period": "2026-05"}),
    ("GET", "/app/delegations"): anyone("/app/delegations"),
    ("POST", "/app/delegations"): only_if(names_deputies, "POST", "/app/delegations",
                                          page=True, body=lambda _t: DEPUTY),
    ("POST", "/app/delegations/{delegation_id}/revoke"): only_if(
        names_deputies, "POST", f"/app/delegations/{DELEGATION}/revoke", page=True,
        body=lambda _t: {"reason": "撤销"}),
    ("POST", "/app/objections/{objection_id}/answer"): only_if(
        lambda a, _t: answers_objections(a, "Z1"), "POST", f"/app/objections/{OBJECTION}/answer",
        page=True, body=lambda _t: {"upheld": "false", "reason": "维持", "branch_id": "B1",
                                    "period": "2026-05"}),
}
# Open to all, or for signing in and out: no role is asked for. Sign-out and one's own
# password end or change the session, so they are left to the tests of sessions.
UNGUARDED = {
    ("GET", "/health"), ("POST", "/auth/token"), ("POST", "/auth/logout"), ("GET", "/"),
    ("GET", "/openapi.json"), ("GET", "/docs"), ("GET", "/docs/oauth2-redirect"),
    ("GET", "/redoc"), ("GET", "/app/sign-in"), ("POST", "/app/sign-in"),
    ("POST", "/app/sign-out"), ("GET", "/app/language/{lang}"),
    ("POST", "/app/account/password"),
    # One's own reminders: whoever is signed in, for themself alone (no username is sent).
    ("POST", "/app/account/reminders"),
    # The public link's board: its secret is the key (tests/e2e/test_postings.py).
    ("GET", "/public/boards/{secret}"), ("POST", "/public/boards/{secret}/objections"),
    ("GET", "/board/{secret}"), ("GET", "/board/{secret}/object/{appraisal_id}"),
    ("POST", "/board/{secret}/object/{appraisal_id}"),
}


def routes(api: Api) -> set[tuple[str, str]]:
    """Every (method, path) the app serves."""
    walk = getattr(routing, "iter_route_contexts", None)  # FastAPI ≥ 0.16x includes lazily
    found = walk(api.client.app.routes) if walk else api.client.app.routes
    return {(method, route.path) for route in found
            for method in (getattr(route, "methods", None) or ()) if method != "HEAD"}


def matrix(api: Api) -> dict[tuple[str, str], Probes]:
    """The table; a route without a row fails here, so a new route is never left out."""
    served = routes(api) - UNGUARDED
    unlisted = served - set(MATRIX)
    assert not unlisted, f"routes without a row in the authorization matrix: {sorted(unlisted)}"
    return {key: MATRIX[key] for key in served}


# --- the world and the run ---------------------------------------------------------------

def build_world(api: Api, settings: Any) -> World:
    """An appraisal in every state, cancelled included, in Z1 (G1, B1), Z3 (G2, B1) and Z4
    (G3, B2)."""
    api.post("admin", "/members", json={"id": "M7", "name": "普通党员", "group_id": "G1"}) \
        .raise_for_status()
    add_users(api, settings, [*MORE_USERS, PLAIN])
    world = World()
    for zone in ZONES:
        for number, state in enumerate(STATES, start=1):
            doc = api.open(zone, f"2026-0{number}")
            for user, action in list(zip(SIGNERS[zone], STEPS, strict=True))[:number - 1]:
                body = BODIES[action] if action == "branch-approval" else \
                    {"scores": marks("93"), "comment": ""}
                doc = act_ok(api, user, doc, action, body)
            assert doc["state"] == state
            world[(zone, state)] = doc
        opened = api.open(zone, "2026-06")  # opened by mistake, and cancelled
        world[(zone, "cancelled")] = act_ok(api, SIGNERS[zone][3], opened, "cancel",
                                            BODIES["cancel"])
    for branch in BRANCHES:  # May's results, posted
        api.post("admin", f"/branches/{branch}/postings",
                 json={"period": "2026-05", "partial": True}).raise_for_status()
    api.post("m1", f"/appraisals/{POSTED}/objections", json={"reason": "请复核"}) \
        .raise_for_status()  # an objection to Z1's result, on B1's board
    api.post("leader", "/delegations", json={**DEPUTY, "deputy": "plain"}).raise_for_status()
    world.findings = tuple(record_findings(api, world))
    return world


def record_findings(api: Api, world: World) -> Iterator[Finding]:
    """In each zone: a finding on the zone itself and one on its published appraisal, each
    naming a file."""
    photo = api.post("inspector", "/attachments?name=x.png", content=png()).json()
    for zone in ZONES:
        for on_appraisal in (False, True):
            path = f"/appraisals/{world[(zone, 'published')]['id']}" if on_appraisal \
                else f"/zones/{zone}"
            found = api.post("inspector", f"{path}/findings",
                             json={**FOUND, "attachments": [photo]})
            assert found.status_code == 201, found.text
            yield Finding(found.json()["id"], zone, on_appraisal, photo["sha256"])


def send(api: Api, pages: Pages, csrf: str, username: str, probe: Probe) -> Any:
    if probe.url.startswith("/app/"):
        pages.as_user(username)
        if probe.method == "GET":
            return pages.get(probe.url)
        return api.client.post(probe.url, data={"csrf": csrf, **(probe.form or {})},
                               follow_redirects=False)
    return api.client.request(probe.method, probe.url, json=probe.json,
                              headers=api.headers(username, **dict(probe.headers)))


def leaks(response: Any, probe: Probe, world: World) -> list[str]:
    """What a forbidden answer tells that it must not."""
    found = []
    if response.status_code != 403:
        found.append(f"status {response.status_code}")
    if "etag" in response.headers:
        found.append("an ETag")
    if not probe.url.startswith("/app/") and "json" in response.headers["content-type"]:
        found += [f"field {k!r}" for k in LEAKS & set(response.json())]
    if probe.secret:
        text = response.text
        found += [f"state {s!r} named" for s in WORLD_STATES if s in text]
        if 'name="version"' in text:
            found.append("its version in a form")
    return found


def test_every_forbidden_cell_is_exactly_403_and_tells_nothing(api, settings):
    world = build_world(api, settings)
    table = matrix(api)
    pages = Pages(api)
    failures, counted = [], {"forbidden": 0, "allowed": 0}
    for username, account in ACCOUNTS.items():
        csrf = pages.as_user(username).csrf("/app/account")
        for (method, path), probes in table.items():
            for probe in probes(account, world):
                response = send(api, pages, csrf, username, probe)
                cell = f"{username} {probe.method} {probe.url} {dict(probe.headers)}"
                if probe.forbidden:
                    counted["forbidden"] += 1
                    if wrong := leaks(response, probe, world):
                        failures.append(f"{cell}: {', '.join(wrong)}")
                    continue
                counted["allowed"] += 1
                status = response.status_code
                if (probe.expect is not None and status != probe.expect) or \
                        status in (403, 500) or status > 500:
                    failures.append(f"{cell}: allowed, but {status}")
                elif path == "/appraisals/bulk":
                    failures += bulk_cells(account, probe, response, world)
                elif method == "GET" and path in ("/appraisals", "/inbox") and status == 200:
                    failures += [f"{cell}: lists {item['id']}" for item in response.json()["items"]
                                 if not reads(account, item["zone_id"])]
                elif method == "GET" and path in ("/findings", "/zones/{zone_id}/findings"):
                    failures += [f"{cell}: lists {item['id']}" for item in response.json()["items"]
                                 if not reads_finding(account, Finding(
                                     item["id"], item["zone_id"], item["appraisal_id"] is not None,
                                     ""))]
    assert not failures, f"{len(failures)} wrong cells:\n" + "\n".join(failures[:60])
    assert counted["forbidden"] > 2000 and counted["allowed"] > 500, counted
