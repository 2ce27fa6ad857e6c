"""Who may do what where: roles matched to a zone's place, reads in scope, separation of duties."""

from dataclasses import dataclass

from domain.process import Role
from domain.users import SCOPE_KINDS, RoleGrant, User

# Roles a zone's responsible member may never act in on that zone.
NOT_FOR_RESPONSIBLES = frozenset({Role.GROUP_LEADER, Role.BRANCH_SECRETARY})
# Every granted role reads in its scope: all but the responsible member's, which is the zone's.
READER_ROLES = frozenset(Role) - {Role.RESPONSIBLE_MEMBER}


@dataclass(frozen=True)
class Actor:
    """The signed-in user as the workflow sees them."""

    username: str
    member_id: str | None
    grants: tuple[RoleGrant, ...]

    @classmethod
    def of(cls, user: User) -> "Actor":
        """A user as they stand now, with their roles."""
        return cls(user.username, user.member_id, tuple(user.grants))

    def has_role(self, *roles: str) -> bool:
        return any(g.role in roles for g in self.grants)

    def holds(self, role: str, scope: str | None) -> bool:
        """Holds `role` over `scope`, directly or through a whole-organisation grant."""
        return any(g.role == role and g.scope in (None, scope) for g in self.grants)


@dataclass(frozen=True)
class Place:
    """Where a zone sits in the organisation."""

    zone_id: str
    group_id: str
    branch_id: str

    def scope_for(self, role: str) -> str | None:
        scopes: dict[str, str] = {
            Role.ZONE_EVALUATOR: self.zone_id,
            Role.GROUP_LEADER: self.group_id,
            Role.BRANCH_SECRETARY: self.branch_id,
            Role.INSPECTOR: self.branch_id,
        }
        return scopes.get(role)


def roles_at(actor: Actor, place: Place, responsibles: list[str]) -> set[str]:
    """The roles `actor` holds on the zone at `place`, whose responsibles are given."""
    roles = {g.role for g in actor.grants if actor.holds(g.role, place.scope_for(g.role))}
    if actor.member_id is not None and actor.member_id in responsibles:
        roles.add(Role.RESPONSIBLE_MEMBER)
    return roles


@dataclass(frozen=True)
class Standing:
    """What an actor is on one appraisal: the roles they hold on its zone now (with the
    responsible member's for a responsible member now), and those they held then or now
    (with it for a member responsible when the appraisal opened or now)."""

    roles: frozenset[str]
    ever: frozenset[str]

    @property
    def own_zone(self) -> bool:
        """One of the zone's responsible members, as recorded at opening or as of now."""
        return Role.RESPONSIBLE_MEMBER in self.ever

    def may_read(self) -> bool:
        """Readers in scope, and the zone's responsible members then or now."""
        return bool(self.ever & (READER_ROLES | {Role.RESPONSIBLE_MEMBER}))

    def could_take(self, roles: frozenset[str]) -> bool:
        """Holds, or held, one of `roles` here: the coarse check made before any state."""
        return bool(self.ever & roles)

    def may_take(self, role: str) -> bool:
        """Holding `role` here now, and not as a responsible member judging their own zone."""
        return role in self.roles and not (self.own_zone and role in NOT_FOR_RESPONSIBLES)


def standing(actor: Actor, place: Place, then: list[str], now: list[str]) -> Standing:
    """The actor's standing on the appraisal at `place`, whose zone's responsible members
    were `then` when it opened and are `now`."""
    roles = roles_at(actor, place, now)
    ever = roles_at(actor, place, [*then, *now])
    return Standing(frozenset(roles), frozenset(ever))


def reach(actor: Actor) -> dict[str, set[str]] | None:
    """The branches, groups and zones the actor's reading roles cover; None for everything."""
    if any(g.scope is None and g.role in READER_ROLES for g in actor.grants):
        return None
    found: dict[str, set[str]] = {"branch": set(), "group": set(), "zone": set()}
    for grant in actor.grants:
        kind = SCOPE_KINDS.get(grant.role)
        if kind is not None and grant.scope is not None:
            found[kind].add(grant.scope)
    return found


ARCHIVISTS = (Role.ADMIN, Role.ARCHIVIST)
# Who oversees branches: the organisation department's inspectors and the secretaries.
SUPERVISORS = (Role.INSPECTOR, Role.BRANCH_SECRETARY)


def supervised_branches(actor: Actor) -> set[str] | None:
    """The branches the actor oversees as inspector or secretary (empty: none); None for
    every one: administrators, archivists and whole-organisation inspectors."""
    scopes = [g.scope for g in actor.grants if g.role in SUPERVISORS]
    if actor.has_role(*ARCHIVISTS) or None in scopes:
        return None
    return {s for s in scopes if s is not None}


def may_archive(actor: Actor, branch_id: str | None) -> bool:
    """Archivists and administrators produce any archive; an inspector those of their scope
    (a whole-organisation inspector, the whole year's too)."""
    return actor.has_role(*ARCHIVISTS) or actor.holds(Role.INSPECTOR, branch_id)


def may_set_policy(actor: Actor, branch_id: str) -> bool:
    """An administrator sets any branch's reward policy, a branch secretary their own's."""
    return actor.holds(Role.ADMIN, None) or actor.holds(Role.BRANCH_SECRETARY, branch_id)
