"""The small organisation of tests/helpers.py, built with `Workflows` commands (no HTTP).

Workflow-level tests use it on the in-memory POPO store (speed) or on an SQLite file (the
property tests), so they exercise the same command handlers the routes call.
"""

import atexit
import json
import shutil
import sqlite3
import tempfile
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from domain.users import RoleGrant
from service.auth import actor_of
from service.settings import Settings
from store.engines import event_store_env
from tests.helpers import ORGANISATION, USERS
from workflows.access import Actor
from workflows.application import Workflows

ADMIN = Actor("admin", None, (RoleGrant("admin", None),))
POPO = {"PERSISTENCE_MODULE": "eventsourcing.popo"}


def popo_workflows() -> Workflows:
    """A fresh application on the in-memory store."""
    return Workflows(env=dict(POPO))


def build_small_mine(workflows: Workflows, extra_users: Sequence[dict[str, Any]] = ()) -> None:
    """Branches B1, B2; groups G1, G2 (B1), G3 (B2); zones Z1, Z2 (G1), Z3 (G2), Z4 (G3)."""
    workflows.ensure_default_form()
    for body in ORGANISATION["/branches"]:
        workflows.create_branch(body["id"], body["name"], ADMIN)
    for body in ORGANISATION["/groups"]:
        workflows.create_group(body["id"], body["name"], body["branch_id"], ADMIN)
    for body in ORGANISATION["/members"]:
        workflows.create_member(body["id"], body["name"], body["group_id"], ADMIN)
    for body in ORGANISATION["/zones"]:
        workflows.create_zone(body["id"], ADMIN, name=body["name"], group_id=body["group_id"],
                              line=body["line"], area=body["area"], teams=body["teams"],
                              responsible_member_ids=body["responsible_member_ids"])
    for user in [*USERS, *extra_users]:
        workflows.register_user(user["username"], "not-a-real-hash", user["display_name"],
                                user["member_id"], user["roles"], ADMIN)


def actor(workflows: Workflows, username: str) -> Actor:
    """The signed-in user as the service builds them from the stored account."""
    if username == "admin":
        return ADMIN
    return actor_of(workflows.load_user(username))


def user(username: str, member_id: str | None = None,
         *grants: tuple[str, str | None]) -> dict[str, Any]:
    """A user record in the shape of tests/helpers.py `USERS`."""
    return {"username": username, "display_name": username, "member_id": member_id,
            "roles": [{"role": role, "scope": scope} for role, scope in grants]}


_TEMPLATES: dict[str, Path] = {}


def copy_small_mine(target: Path, extra_users: Sequence[dict[str, Any]] = ()) -> None:
    """An SQLite store of the small mine at `target`: built once per set of extra users
    (argon2 makes building slow), then copied."""
    key = json.dumps(list(extra_users), sort_keys=True)
    if key not in _TEMPLATES:
        folder = tempfile.mkdtemp(prefix="small-mine-")
        atexit.register(shutil.rmtree, folder, ignore_errors=True)
        path = Path(folder) / "appraisal.db"
        app = Workflows(env=event_store_env(Settings(database_url=f"sqlite:///{path}").url))
        build_small_mine(app, extra_users)
        app.close()
        _TEMPLATES[key] = path
    with sqlite3.connect(_TEMPLATES[key]) as old, sqlite3.connect(target) as new:
        old.backup(new)
    old.close()
    new.close()
