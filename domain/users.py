"""Users and the roles they hold, each role scoped to a zone, group, branch or everything."""

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, ClassVar, cast
from uuid import UUID

from eventsourcing.domain import Aggregate, event

from domain.ids import stream_id
from domain.process import Role

# The kind of record each role's scope names; `None`: the whole organisation only.
SCOPE_KINDS: dict[str, str | None] = {
    Role.ADMIN: None,
    Role.ZONE_EVALUATOR: "zone",
    Role.GROUP_LEADER: "group",
    Role.BRANCH_SECRETARY: "branch",
    Role.INSPECTOR: "branch",
    Role.ARCHIVIST: None,
}
# Roles that may also be held over the whole organisation (scope null).
UNSCOPED_ROLES = frozenset({Role.ADMIN, Role.INSPECTOR, Role.ARCHIVIST})


@dataclass(frozen=True)
class RoleGrant:
    """A role held over a scope: a zone, group or branch id, or None for everything."""

    role: str
    scope: str | None


class User(Aggregate):
    """A person who signs in; the password is kept only as an argon2 hash.

    `sessions` counts the events that end every session of the user (a password set, roles
    changed, disabled, signed out): a token names the count it was issued at and is honoured
    only while that is still the count. Class-level defaults: histories recorded before
    these fields still load."""

    sessions = 0
    disabled = False
    reminders: dict[str, Any] | None = None  # domain.reminders: the channels chosen, if any

    if TYPE_CHECKING:  # the event classes @event makes when the class is created
        Registered: ClassVar[type[Any]]
        PasswordReset: ClassVar[type[Any]]
        RolesChanged: ClassVar[type[Any]]
        Disabled: ClassVar[type[Any]]
        SignedOut: ClassVar[type[Any]]
        RemindersChosen: ClassVar[type[Any]]

    @staticmethod
    def create_id(username: str) -> UUID:
        return stream_id("user", username)

    @event("Registered")
    def __init__(self, username: str, display_name: str, member_id: str | None,
                 roles: list[dict[str, str | None]], password_hash: str, actor: str):
        self.username = username
        self.display_name = display_name
        self.member_id = member_id
        self.roles = roles
        self.password_hash = password_hash

    @event("PasswordReset")
    def reset_password(self, password_hash: str, actor: str) -> None:
        self.password_hash = password_hash
        self.sessions += 1

    @event("RolesChanged")
    def change_roles(self, roles: list[dict[str, str | None]], actor: str) -> None:
        self.roles = roles
        self.sessions += 1

    @event("Disabled")
    def disable(self, actor: str) -> None:
        self.disabled = True
        self.sessions += 1

    @event("SignedOut")
    def sign_out(self) -> None:
        self.sessions += 1

    @event("RemindersChosen")
    def choose_reminders(self, reminders: dict[str, Any], actor: str) -> None:
        """Where the daily digest goes from now on (domain.reminders.check_choice)."""
        self.reminders = reminders

    @property
    def grants(self) -> list[RoleGrant]:
        return [RoleGrant(cast(str, r["role"]), r["scope"]) for r in self.roles]  # never None
