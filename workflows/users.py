"""Command handlers for users: register, set a password, change roles, disable, sign out;
role grants are checked here."""

from collections.abc import Collection
from typing import Any

from domain.errors import AlreadyExistsError, ForbiddenError, InvalidError
from domain.organisation import Branch, Group, Member, Zone
from domain.reminders import check_choice
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
            self.referenced(Member, member_id, field="member_id")
        grants = self._checked(roles)
        if self.exists(User, username):
            raise AlreadyExistsError(f"user {username!r} already exists")
        user = User(username, display_name, member_id, grants, password_hash, actor)
        self.save(user)
        return user

    def change_roles(self, username: str, roles: list[dict[str, Any]], actor: Actor) -> User:
        """The user's roles from now on; the sessions they have end (their rights changed)."""
        require_admin(actor)
        user = self.load_user(username)
        user.change_roles(self._checked(roles), actor.username)
        self.save(user)
        return user

    def disable_user(self, username: str, actor: Actor) -> User:
        """The user signs in no more and their sessions end; disabling twice records once.
        Not oneself: the last administrator could lock everyone out."""
        require_admin(actor)
        user = self.load_user(username)
        if username == actor.username:
            raise ForbiddenError("an administrator cannot disable their own account")
        if not user.disabled:
            user.disable(actor.username)
            self.save(user)
        return user

    def sign_out(self, username: str) -> None:
        """End every session of the user (each device signs in again)."""
        user = self.load_user(username)
        user.sign_out()
        self.save(user)

    def choose_reminders(self, username: str, body: dict[str, Any], actor: Actor,
                         origins: Collection[str]) -> User:
        """Where the user's daily digest goes: the user themself, or an administrator for
        anyone (`origins`: the webhook origins the operator allows beside the official).
        The same choice again records nothing."""
        user = self.load_user(username)
        if username != actor.username:
            require_admin(actor)
        choice = check_choice(body, user.reminders, origins)
        if choice != user.reminders:
            user.choose_reminders(choice, actor.username)
            self.save(user)
        return user

    def _checked(self, roles: list[dict[str, Any]]) -> list[dict[str, str | None]]:
        for grant in roles:
            self._check_grant(grant["role"], grant.get("scope"))
        return [{"role": g["role"], "scope": g.get("scope")} for g in roles]

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
        self.referenced(SCOPE_RECORDS[kind], scope, field="scope")

    def load_user(self, username: str) -> User:
        return self.load(User, username, kind="user")

    def reset_password(self, username: str, password_hash: str, actor: str) -> User:
        user = self.load_user(username)
        user.reset_password(password_hash, actor)
        self.save(user)
        return user

    def find_user(self, username: str) -> User | None:
        return self.find(User, username)
