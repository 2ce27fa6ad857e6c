"""A thin client over the HTTP app for tests: sign in as someone, call, read problems."""

from dataclasses import dataclass, field
from typing import Any

from fastapi.testclient import TestClient

POSITION = "Appraisal-Position"


class Observer(TestClient):
    """A client that has seen every answer it got: each request echoes the highest log
    position any earlier answer carried, so it reads every write made through it, whoever
    made it (as a client of several API processes does; service.consistency)."""

    def __init__(self, *args: Any, **kwargs: Any):
        super().__init__(*args, **kwargs)
        self.seen = 0
        self.event_hooks = {"request": [self._echo], "response": [self._note]}

    def _echo(self, request: Any) -> None:  # an httpx Request
        if self.seen and POSITION not in request.headers:
            request.headers[POSITION] = str(self.seen)

    def _note(self, response: Any) -> None:
        self.seen = max(self.seen, int(response.headers.get(POSITION, 0)))


PASSWORD = "password-1"
FULL_MARKS = {"thought": 15, "study": 15, "talks": 10, "order": 20, "policy": 10, "duty": 20,
              "skills": 10}
SCORES = {"thought": 14.5, "study": 15, "talks": 9, "order": 18, "policy": 9.5, "duty": 19,
          "skills": 8.5}  # 93.5

# B1 has groups G1 (zones Z1, Z2) and G2 (zone Z3); B2 has G3 (zone Z4).
ORGANISATION = {
    "/branches": [{"id": "B1", "name": "综采支部"}, {"id": "B2", "name": "地面支部"}],
    "/groups": [{"id": "G1", "name": "一组", "branch_id": "B1"},
                {"id": "G2", "name": "二组", "branch_id": "B1"},
                {"id": "G3", "name": "三组", "branch_id": "B2"}],
    "/members": [{"id": f"M{i}", "name": name, "group_id": group}
                 for i, (name, group) in enumerate(
                     [("张伟", "G1"), ("王芳", "G1"), ("李强", "G2"), ("刘洋", "G3"),
                      ("陈静", "G1"), ("赵磊", "G3")], start=1)],
    "/zones": [
        {"id": "Z1", "name": "综采一队", "group_id": "G1", "line": "采煤线", "area": "井下生产",
         "responsible_member_ids": ["M1"], "teams": ["综采一队"]},
        {"id": "Z2", "name": "掘进二队", "group_id": "G1", "line": "开掘线", "area": "井下生产",
         "responsible_member_ids": ["M2"], "teams": ["掘进二队"]},
        {"id": "Z3", "name": "机电队", "group_id": "G2", "line": "机电运输线", "area": "井下辅助",
         "responsible_member_ids": ["M3"], "teams": ["机电队"]},
        {"id": "Z4", "name": "材料库", "group_id": "G3", "line": "地面", "area": "地面",
         "responsible_member_ids": ["M4"], "teams": ["材料库"]},
    ],
}

USERS = [
    {"username": "m1", "display_name": "张伟", "member_id": "M1", "roles": []},
    {"username": "m2", "display_name": "王芳", "member_id": "M2", "roles": []},
    {"username": "m4", "display_name": "刘洋", "member_id": "M4", "roles": []},
    {"username": "evaluator", "display_name": "评价员", "member_id": None,
     "roles": [{"role": "zone_evaluator", "scope": "Z1"},
               {"role": "zone_evaluator", "scope": "Z2"}]},
    {"username": "leader", "display_name": "组长", "member_id": "M5",
     "roles": [{"role": "group_leader", "scope": "G1"}]},
    {"username": "secretary", "display_name": "书记", "member_id": None,
     "roles": [{"role": "branch_secretary", "scope": "B1"}]},
    {"username": "secretary2", "display_name": "地面书记", "member_id": "M6",
     "roles": [{"role": "branch_secretary", "scope": "B2"}]},
    {"username": "inspector", "display_name": "组织干部科", "member_id": None,
     "roles": [{"role": "inspector", "scope": None}]},
    {"username": "inspector2", "display_name": "地面巡查", "member_id": None,
     "roles": [{"role": "inspector", "scope": "B2"}]},
    {"username": "archivist", "display_name": "档案员", "member_id": None,
     "roles": [{"role": "archivist", "scope": None}]},
]


@dataclass
class Api:
    """Calls the app as a named user: `api.post("m1", "/appraisals/…", json=…)`."""

    client: TestClient
    tokens: dict[str, str] = field(default_factory=dict)
    password: str | None = None  # everyone's (the demo's); else the small mine's

    @classmethod
    def with_small_mine(cls, client: TestClient) -> "Api":
        api = cls(client)
        for path, bodies in ORGANISATION.items():
            for body in bodies:
                api.post("admin", path, json=body).raise_for_status()
        for user in USERS:
            api.post("admin", "/users", json={**user, "password": PASSWORD}).raise_for_status()
        return api

    def token(self, username: str) -> str:
        if username not in self.tokens:
            password = self.password or ("admin-password" if username == "admin" else PASSWORD)
            response = self.client.post("/auth/token",
                                        data={"username": username, "password": password})
            response.raise_for_status()
            self.tokens[username] = response.json()["access_token"]
        return self.tokens[username]

    def headers(self, username: str, **extra: str) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.token(username)}", **extra}

    def get(self, username: str, path: str, **kwargs: Any):
        return self.client.get(path, headers=self.headers(username, **kwargs.pop("headers", {})),
                               **kwargs)

    def post(self, username: str, path: str, **kwargs: Any):
        return self.client.post(path, headers=self.headers(username, **kwargs.pop("headers", {})),
                                **kwargs)

    def put(self, username: str, path: str, **kwargs: Any):
        return self.client.put(path, headers=self.headers(username, **kwargs.pop("headers", {})),
                               **kwargs)

    def open(self, zone_id: str = "Z1", period: str = "2026-10") -> dict[str, Any]:
        response = self.post("secretary" if zone_id != "Z4" else "secretary2", "/appraisals",
                             json={"zone_id": zone_id, "period": period})
        assert response.status_code == 201, response.text
        return response.json()

    def publish(self, zone_id: str = "Z1", period: str = "2026-10",
                scores: dict[str, float] = SCORES) -> dict[str, Any]:
        """Take a B1/G1 zone's appraisal through every step to published."""
        doc = self.open(zone_id, period)
        member = {"Z1": "m1", "Z2": "m2"}[zone_id]
        for user, action, body in [
            (member, "self-check", {"scores": scores, "comment": "自查"}),
            ("evaluator", "zone-evaluation", {"scores": scores, "comment": "评价"}),
            ("leader", "group-review", {"scores": scores, "comment": "考核"}),
            ("secretary", "branch-approval", {"comment": "同意"}),
        ]:
            response = self.post(user, f"/appraisals/{doc['id']}/{action}", json=body)
            assert response.status_code == 200, response.text
            doc = response.json()
        return doc
