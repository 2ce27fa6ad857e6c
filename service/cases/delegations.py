"""Signing on behalf (代签) as the API and the pages use it: a delegation granted, revoked,
read and listed, and the signers a reader may name a deputy for."""

from typing import Any

from domain.delegations import DELEGABLE
from domain.documents import instant
from domain.period import china_date
from domain.process import Role
from domain.users import RoleGrant
from projections.delegations import find_delegations
from projections.users import list_accounts
from service.runtime import Runtime
from service.schemas import DelegationIn
from workflows.access import Actor
from workflows.application import Workflows
from workflows.delegations import Held


def grant(workflows: Workflows, actor: Actor, body: DelegationIn) -> dict[str, Any]:
    return document(workflows.grant_delegation(body.deputy, body.principal, body.from_,
                                               body.to, body.reason, actor))


def revoke(workflows: Workflows, actor: Actor, delegation_id: str, reason: str) -> dict[str, Any]:
    return document(workflows.revoke_delegation(delegation_id, reason, actor))


def read(workflows: Workflows, actor: Actor, delegation_id: str) -> dict[str, Any]:
    return document(workflows.readable_delegation(delegation_id, actor))


def listed(rt: Runtime, actor: Actor, *, active: bool | None = None, limit: int | None = None,
           offset: int = 0) -> list[dict[str, Any]]:
    """The delegations the actor sees, the latest granted first: their own as principal,
    deputy or grantor, their branches' as a secretary, every one as an administrator.
    `active`: only those in force today (false: only the others)."""
    rt.ready("delegations")
    with rt.engines.reader.connect() as conn:
        ids = find_delegations(conn, username=None if actor.holds(Role.ADMIN, None)
                               else actor.username, branches=_branches(actor), active=active,
                               today=china_date().isoformat(), limit=limit, offset=offset)
    return [document(rt.workflows.delegation(i)) for i in ids]


def _branches(actor: Actor) -> list[str]:
    return [g.scope for g in actor.grants if g.role == Role.BRANCH_SECRETARY and g.scope]


def document(held: Held) -> dict[str, Any]:
    """A delegation as the API answers it."""
    d = held.delegation
    revoked = d["revoked"]
    today = china_date().isoformat()
    return {"id": held.key, "principal": d["principal"], "deputy": d["deputy"],
            "from": d["start"], "to": d["end"], "reason": d["reason"],
            "branches": list(d["branches"]), "granted_by": d["granted_by"],
            "granted_role": d["granted_role"], "granted_at": instant(d["granted_at"]),
            "active": revoked is None and d["start"] <= today <= d["end"],
            "revoked": None if revoked is None else {
                "by": revoked["by"], "role": revoked["role"], "at": instant(revoked["at"]),
                "reason": revoked["reason"]}}


def principals(rt: Runtime, actor: Actor) -> list[dict[str, Any]]:
    """The signers the actor may name a deputy for, by username: themselves if they sign,
    the signers of their branches for a secretary, every signer for an administrator.
    Each `{"username", "display_name"}`."""
    rt.ready("accounts")
    with rt.engines.reader.connect() as conn:
        accounts = [a for a in list_accounts(conn) if not a["disabled"]
                    and any(g["role"] in DELEGABLE for g in a["roles"])]
    admin = actor.holds(Role.ADMIN, None)
    mine = set(_branches(actor))
    found = []
    for account in accounts:
        if account["username"] == actor.username or admin or (mine and _within(
                rt.workflows, account, mine)):
            found.append({"username": account["username"],
                          "display_name": account["display_name"]})
    return found


def _within(workflows: Workflows, account: dict[str, Any], branches: set[str]) -> bool:
    """Whether every branch the account signs in is among `branches` (what the command
    asks of a secretary)."""
    signer = Actor(account["username"], account["member_id"],
                   tuple(RoleGrant(g["role"], g["scope"]) for g in account["roles"]))
    signs_in = workflows.signing_branches(signer)
    return bool(signs_in) and set(signs_in) <= branches
