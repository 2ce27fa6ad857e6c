"""Command handlers for users: register, reset a password; role grants are checked here."""

from typing import Any

from eventsourcing.application import AggregateNotFoundError

from domain.errors import AlreadyExistsError, InvalidError
from domain.organisation import Branch, Group, Member, Zone
from domain.users import SCOPE_KINDS, UNSCOPED_ROLES, User
from workflows.access import Actor
from workflows.base import Store
from workflows.organisation import require_admin

SCOPE_RECORDS: dict[str, type] = {"zone": Zone, "group": Group, "branch": Branch}


class UserCommands(Store):
    """Accounts are event-sourced too: who held which role when stays on record."""

    def register_user(self, username: str, password_hash: str, display_name: str,
                      member_id: str | None, roles: list[dict[str, Any]], actor: Actor) -> User:
        require_admin(actor)
        return self.register_first(username, password_hash, display_name, member_id, roles,
                                   actor.username)

    def register_first(self, username: str, password_hash: str, display_name: str,
                       member_id: str | None, roles: list[dict[str, Any]], actor: str) -> User:
        """Register without an acting admin: the start-up admin and the demo loader."""
        if member_id is not None:
            self.load(Member, member_id, kind="member_id", in_body=True)
        for grant in roles:
            self._check_grant(grant["role"], grant.get("scope"))
        if self.exists(User, username):
            raise AlreadyExistsError(f"user {username!r} already exists")
        user = User(username, display_name, member_id,
                    [{"role": g["role"], "scope": g.get("scope")} for g in roles],
                    password_hash, actor)
        self.save(user)
        return user

    def _check_grant(self, role: str, scope: str | None) -> None:
        if role not in SCOPE_KINDS:
            raise InvalidError(f"unknown role {role!r}", {"role": role})
        kind = SCOPE_KINDS[role]
        if scope is None:
            if role not in UNSCOPED_ROLES:
                raise InvalidError(f"role {role!r} needs a {kind} as its scope", {"scope": "null"})
            return
        if kind is None:
            raise InvalidError(f"role {role!r} is held over everything: scope must be null",
                               {"scope": scope})
        self.load(SCOPE_RECORDS[kind], scope, kind="scope", in_body=True)

    def load_user(self, username: str) -> User:
        return self.load(User, username, kind="user")

    def reset_password(self, username: str, password_hash: str, actor: str) -> User:
        user = self.load_user(username)
        user.reset_password(password_hash, actor)
        self.save(user)
        return user

    def find_user(self, username: str) -> User | None:
        try:
            return self.repository.get(User.create_id(username))
        except AggregateNotFoundError:
            return None
