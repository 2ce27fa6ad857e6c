"""The benchmark's organisation, users, tokens and open appraisals; made before any timing.

One branch B1 with one group G1 of `zones` zones; zone i has member Mi responsible for it,
signed in as user `m<i>`. One evaluator (all zones), one group leader, one branch secretary.
The organisation and users go through the HTTP API; appraisals are opened through the
`Workflows` commands on the same database, many per transaction, which is quicker.
"""

import math
from dataclasses import dataclass, field
from typing import Any

from bench.servers import ADMIN_PASSWORD, SECRET_KEY, call
from service.auth import actor_of
from service.settings import Settings
from store.engines import event_store_env
from workflows.application import Workflows

SCORES = {"thought": 14.5, "study": 15, "talks": 9, "order": 18, "policy": 9.5, "duty": 19,
          "skills": 8.5}
# The four sign-off steps, in order, each with the body its signer sends.
STEPS = [
    {"path": "/appraisals/{id}/self-check", "body": {"scores": SCORES, "comment": "自查"}},
    {"path": "/appraisals/{id}/zone-evaluation", "body": {"scores": SCORES, "comment": "评价"}},
    {"path": "/appraisals/{id}/group-review", "body": {"scores": SCORES, "comment": "考核"}},
    {"path": "/appraisals/{id}/branch-approval", "body": {"comment": "同意"}},
]
PASSWORD = "bench-password"


@dataclass
class Mine:
    """The made organisation: zone ids and a token per username."""

    zones: list[str]
    tokens: dict[str, str] = field(default_factory=dict)
    next_period: int = 0

    def signers(self, zone_index: int) -> list[str]:
        """The tokens of the four signers of an appraisal of zone `zone_index`, in step order."""
        users = [f"m{zone_index}", "evaluator", "leader", "secretary"]
        return [self.tokens[u] for u in users]


def make_mine(base_url: str, zones: int) -> Mine:
    """Create the organisation and users through the API, and sign everyone in."""
    mine = Mine([f"Z{i}" for i in range(zones)])
    admin = _token(base_url, "admin", ADMIN_PASSWORD)
    for path, body in _organisation(mine.zones):
        call(base_url, path, json_body=body, token=admin)
    for body in _users(mine.zones):
        call(base_url, "/users", json_body={**body, "password": PASSWORD}, token=admin)
        mine.tokens[body["username"]] = _token(base_url, body["username"], PASSWORD)
    return mine


def _token(base_url: str, username: str, password: str) -> str:
    answer = call(base_url, "/auth/token", form={"username": username, "password": password})
    return str(answer["access_token"])


def _organisation(zones: list[str]) -> list[tuple[str, dict[str, Any]]]:
    made: list[tuple[str, dict[str, Any]]] = [
        ("/branches", {"id": "B1", "name": "综采支部"}),
        ("/groups", {"id": "G1", "name": "一组", "branch_id": "B1"}),
    ]
    for i, zone in enumerate(zones):
        made.append(("/members", {"id": f"M{i}", "name": f"党员{i}", "group_id": "G1"}))
        made.append(("/zones", {"id": zone, "name": f"责任区{i}", "group_id": "G1",
                                "line": "采煤线", "area": "井下生产",
                                "responsible_member_ids": [f"M{i}"], "teams": [f"队{i}"]}))
    return made


def _users(zones: list[str]) -> list[dict[str, Any]]:
    members = [{"username": f"m{i}", "display_name": f"党员{i}", "member_id": f"M{i}",
                "roles": []} for i in range(len(zones))]
    return [*members,
            {"username": "evaluator", "display_name": "评价员", "member_id": None,
             "roles": [{"role": "zone_evaluator", "scope": z} for z in zones]},
            {"username": "leader", "display_name": "组长", "member_id": None,
             "roles": [{"role": "group_leader", "scope": "G1"}]},
            {"username": "secretary", "display_name": "书记", "member_id": None,
             "roles": [{"role": "branch_secretary", "scope": "B1"}]}]


def period(n: int) -> str:
    """The n-th month from 2000-01 on: periods never repeat within one run."""
    return f"{2000 + n // 12:04d}-{n % 12 + 1:02d}"


def open_appraisals(mine: Mine, database_url: str, clients: int,
                    per_client: int) -> list[list[dict[str, Any]]]:
    """Open at least `per_client` fresh appraisals for each client; each client's jobs.

    Zones are dealt out round robin, so each client owns the appraisals of its zones and no
    two clients ever act on one appraisal.
    """
    owned = [list(range(c, len(mine.zones), clients)) for c in range(clients)]
    months = math.ceil(per_client / min(len(z) for z in owned))
    settings = Settings(database_url=database_url, secret_key=SECRET_KEY)
    workflows = Workflows(env=event_store_env(settings.url))
    try:
        secretary = actor_of(workflows.load_user("secretary"))
        jobs: list[list[dict[str, Any]]] = [[] for _ in range(clients)]
        for _ in range(months):
            label = period(mine.next_period)
            mine.next_period += 1
            opened, _already = workflows.open_appraisals(mine.zones, label, "default", secretary)
            by_zone = {a.zone_id: a for a in opened}
            for c, zone_indexes in enumerate(owned):
                jobs[c] += [{"id": str(by_zone[mine.zones[i]].id), "tokens": mine.signers(i)}
                            for i in zone_indexes]
        return jobs
    finally:
        workflows.close()
