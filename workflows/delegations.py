"""Command handlers for signing on behalf (代签): granting a deputy a range of days, revoking
it, and who may read each delegation.

A signer names their own deputy; a branch secretary does it for the signers of their branch
(every branch the principal signs in is theirs), an administrator for anyone. The delegation
is kept in the deputy's stream (domain.delegations.Deputy), so the sign-off that asks whether
the deputy may act today loads that one stream.
"""

from dataclasses import dataclass
from typing import Any

from domain.bounds import check_text
from domain.delegations import (
    DELEGABLE,
    DELEGATION,
    MAX_OPEN,
    PRINCIPAL,
    Deputy,
    check_days,
)
from domain.errors import ConflictError, ForbiddenError, InvalidError, NotFoundError
from domain.ids import parse_part
from domain.organisation import Group, Zone
from domain.period import china_date
from domain.process import Role
from domain.users import User
from workflows.access import Actor
from workflows.base import Store, next_instant

MANAGERS = (Role.ADMIN, Role.BRANCH_SECRETARY)  # who grant for others


@dataclass(frozen=True)
class Held:
    """A delegation: the deputy's stream that keeps it, and its id there."""

    deputy: Deputy
    key: str

    @property
    def delegation(self) -> dict[str, Any]:
        return self.deputy.delegations[self.key]


class DelegationCommands(Store):
    """Delegations are granted and revoked by the principal, their branch's secretary or an
    administrator; the principal, the deputy and those read them."""

    def grant_delegation(self, deputy: str, principal: str | None, start: Any, end: Any,
                         reason: str, actor: Actor) -> Held:
        """The deputy acts for the principal (default: the actor) from `start` to `end`."""
        first, last = check_days(start, end, china_date())
        check_text(reason, "reason", required=True)
        principal = principal or actor.username
        if principal != actor.username and not actor.has_role(*MANAGERS):
            raise ForbiddenError("a signer names their own deputy; their branch's secretary "
                                 "or an administrator may do it for them")
        signer = self._principal(principal)
        branches = self.signing_branches(signer)
        role = self._grantor_role(actor, signer, branches)
        self._check_deputy(deputy, signer)
        stream = self.find(Deputy, deputy) or Deputy(deputy, actor.username, next_instant())
        today = china_date()
        if stream.overlapping(principal, first, last, today):
            raise ConflictError(f"{deputy} already acts for {principal} on some of these days",
                                "overlapping")
        if len(stream.pending(today)) >= MAX_OPEN:
            raise ConflictError(f"{deputy} holds {MAX_OPEN} delegations already", "too_many")
        key = stream.next_id()
        stream.grant(key, deputy=deputy, principal=principal,
                     principal_member_id=signer.member_id, branches=branches, start=first,
                     end=last, reason=reason, actor=actor.username, role=role,
                     timestamp=next_instant(stream))
        self.save(stream)
        return Held(stream, key)

    def revoke_delegation(self, delegation_id: str, reason: str, actor: Actor) -> Held:
        """Ends the delegation from now on: by the principal, whoever granted it, a secretary
        of a branch the principal signs in, or an administrator. Once only."""
        held = self.readable_delegation(delegation_id, actor)
        delegation = held.delegation
        role = revoker_role(actor, delegation)
        if role is None:
            raise ForbiddenError("a delegation is revoked by its principal, whoever granted "
                                 "it, their branch's secretary or an administrator")
        check_text(reason, "reason", required=True)
        if delegation["revoked"] is not None:
            raise ConflictError(f"delegation {delegation_id} is revoked already", "revoked")
        if delegation["end"] < china_date().isoformat():
            raise ConflictError(f"delegation {delegation_id} has ended", "ended")
        deputy = self.load(Deputy, held.deputy.deputy, kind="delegation")  # a copy to change
        deputy.revoke(held.key, reason, actor.username, role, next_instant(deputy))
        self.save(deputy)
        return Held(deputy, held.key)

    def delegation(self, delegation_id: str) -> Held:
        """The delegation an id names; NotFoundError for anything else."""
        parsed = parse_part(delegation_id, DELEGATION)
        deputy = None if parsed is None else self.get(parsed[0], kind="delegation",
                                                      label=delegation_id, shared=True)
        if not isinstance(deputy, Deputy) or delegation_id not in deputy.delegations:
            raise NotFoundError("delegation", delegation_id)
        return Held(deputy, delegation_id)

    def readable_delegation(self, delegation_id: str, actor: Actor) -> Held:
        """The delegation (404), if the actor may read it (403 `scope`): the principal, the
        deputy, whoever granted it, secretaries of its branches, administrators."""
        held = self.delegation(delegation_id)
        d = held.delegation
        if not (actor.username in (d["principal"], d["deputy"], d["granted_by"])
                or actor.holds(Role.ADMIN, None)
                or any(actor.holds(Role.BRANCH_SECRETARY, b) for b in d["branches"])):
            raise ForbiddenError("this delegation is outside your scope", "scope")
        return held

    def signing_branches(self, signer: Actor) -> list[str]:
        """The branches a signer signs in, by the roles a deputy may take for them."""
        found = set()
        for grant in signer.grants:
            if grant.role in DELEGABLE and grant.scope is not None:
                found.add(self._branch_of(grant.role, grant.scope))
        return sorted(b for b in found if b is not None)

    def _branch_of(self, role: str, scope: str) -> str | None:
        if role == Role.BRANCH_SECRETARY:
            return scope
        group_id = scope
        if role == Role.ZONE_EVALUATOR:
            zone = self.find(Zone, scope, shared=True)
            group_id = zone.group_id if zone else ""
        group = self.find(Group, group_id, shared=True)
        return group.branch_id if group else None

    def _principal(self, username: str) -> Actor:
        """The principal's account now: an enabled user who signs (422 otherwise)."""
        user = self.find(User, username, shared=True)
        if user is None:
            raise InvalidError(f"user {username!r} does not exist", {"principal": "unknown"})
        signer = Actor.of(user)
        if user.disabled or not any(g.role in DELEGABLE for g in signer.grants):
            raise InvalidError(f"{username} signs no step: only a zone evaluator, group leader "
                               "or branch secretary names a deputy", {"principal": "not signer"})
        return signer

    def _check_deputy(self, username: str, principal: Actor) -> None:
        """The deputy is an enabled user, and not the principal under any of their accounts
        (422 otherwise)."""
        user = self.find(User, username, shared=True)
        if user is None or user.disabled:
            raise InvalidError(f"user {username!r} is not an active user", {"deputy": "unknown"})
        if username == principal.username or (
                user.member_id is not None and user.member_id == principal.member_id):
            raise InvalidError("nobody is their own deputy", {"deputy": "self"})

    @staticmethod
    def _grantor_role(actor: Actor, principal: Actor, branches: list[str]) -> str:
        """The role the actor grants in (403 when none lets them)."""
        if actor.username == principal.username:
            return PRINCIPAL
        if actor.holds(Role.ADMIN, None):
            return Role.ADMIN
        if branches and all(actor.holds(Role.BRANCH_SECRETARY, b) for b in branches):
            return Role.BRANCH_SECRETARY
        raise ForbiddenError("a branch secretary names deputies for the signers of their "
                             "branch only", "scope")


def revoker_role(actor: Actor, delegation: dict[str, Any]) -> str | None:
    """The role the actor may revoke the delegation in; None: they may not (the deputy)."""
    if actor.username == delegation["principal"]:
        return PRINCIPAL
    if actor.holds(Role.ADMIN, None):
        return Role.ADMIN
    if any(actor.holds(Role.BRANCH_SECRETARY, b) for b in delegation["branches"]):
        return Role.BRANCH_SECRETARY
    if actor.username == delegation["granted_by"]:
        return str(delegation["granted_role"])
    return None
