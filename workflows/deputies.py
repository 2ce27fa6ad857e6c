"""Acting for someone (代签): whom a deputy may act for today, and what that lets them do on an
appraisal. A deputy takes the principal's step only in a role the principal holds on its zone
now, and only where neither of them judges their own zone."""

from collections.abc import Callable
from dataclasses import dataclass, field

from domain.delegations import DELEGABLE, Deputy
from domain.period import china_date
from domain.process import Role
from domain.users import User
from workflows.access import NOT_FOR_RESPONSIBLES, Actor, Standing
from workflows.base import Store


@dataclass(frozen=True)
class Principal:
    """Someone a deputy acts for today: their account as it is now, and the delegation."""

    actor: Actor
    delegation: str

    @property
    def person(self) -> tuple[str, str | None]:
        return self.actor.username, self.actor.member_id


@dataclass(frozen=True)
class Behalf:
    """A principal and their standing on one appraisal, in the roles a deputy may sign in
    (with the responsible member's, which bars them from judging their own zone)."""

    principal: Principal
    held: Standing

    def reads(self) -> bool:
        return bool(self.held.ever & DELEGABLE)


def delegated(held: Standing) -> Standing:
    """A principal's standing, cut to what a deputy may act in."""
    return Standing(held.roles & DELEGABLE,
                    held.ever & (DELEGABLE | {Role.RESPONSIBLE_MEMBER}))


@dataclass
class Acting:
    """An actor on one appraisal: their own standing and, looked up the first time it is
    needed (most sign-offs never need it), the principals' they act for today."""

    own: Standing
    lookup: Callable[[], list[Behalf]]
    _behalf: list[Behalf] | None = field(default=None, repr=False)

    @property
    def behalf(self) -> list[Behalf]:
        if self._behalf is None:
            self._behalf = self.lookup()
        return self._behalf

    def may_read(self) -> bool:
        """A reader in scope, a responsible member then or now, or a deputy of someone who
        signs here."""
        return self.own.may_read() or any(b.reads() for b in self.behalf)

    def could_take(self, roles: frozenset[str]) -> bool:
        return self.own.could_take(roles) or any(
            b.held.could_take(roles & DELEGABLE) for b in self.behalf)

    def signers(self, role: str) -> list[Principal | None]:
        """Whom the actor may take `role` as here: themselves (None) when they hold it, else
        each principal who does, unless the actor is responsible for the zone and the role
        judges it (separation of duties holds for the deputy as for anyone)."""
        if self.own.may_take(role):
            return [None]
        if role not in DELEGABLE or (self.own.own_zone and role in NOT_FOR_RESPONSIBLES):
            return []
        return [b.principal for b in self.behalf if b.held.may_take(role)]

    def refusal(self, role: str) -> str | None:
        """Why nobody here may take `role`, as ForbiddenError's reason; None: not this role."""
        if role == Role.RESPONSIBLE_MEMBER:
            return "not_responsible"
        holders = [self.own, *(b.held for b in self.behalf)]
        return "own_zone" if any(role in held.roles for held in holders) else None


class Deputies(Store):
    """Whom a deputy acts for: the delegations to them in force today (one stream), each
    principal's account, each as the store held it at most a second ago (Store.recent)."""

    def principals_today(self, actor: Actor) -> list[Principal]:
        deputy = self.recent(Deputy, actor.username)
        found = []
        for key, delegation in deputy.active(china_date()) if deputy else ():
            user = self.recent(User, delegation["principal"])
            if user is not None and not user.disabled:
                found.append(Principal(Actor.of(user), key))
        return found
