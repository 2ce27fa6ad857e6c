"""Signing on behalf (代签): delegations granted, listed, read and revoked."""

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query

from service.api.deps import ActorDep, RuntimeDep, WorkflowsDep
from service.cases import delegations
from service.params import Limit, Offset
from service.schemas import Delegation, DelegationIn, Delegations, ReasonIn

router = APIRouter(tags=["delegations"])


def delegation_exists(delegation_id: str, workflows: WorkflowsDep, _actor: ActorDep) -> None:
    """The caller (401), then the delegation the path names (404), before the body."""
    workflows.delegation(delegation_id)


@router.post("/delegations", status_code=201, response_model=Delegation)
def grant(body: DelegationIn, workflows: WorkflowsDep, actor: ActorDep) -> dict[str, Any]:
    """Name a deputy (代签) who takes the principal's steps, in the principal's roles, on the
    days given (China's calendar, both included; from today on, a year at most). The
    principal (default: the caller) is a zone evaluator, group leader or branch secretary; a
    branch secretary names deputies for the signers of their branch, an administrator for
    anyone, others for themselves alone (403). The deputy is an active user, not the
    principal (422). A second delegation from the same principal to the same deputy on some
    of the same days is a 409. The deputy's step records both persons, and separation of
    duties holds for both."""
    return delegations.grant(workflows, actor, body)


@router.get("/delegations", response_model=Delegations)
def listing(rt: RuntimeDep, actor: ActorDep,
            active: Annotated[bool | None, Query()] = None, limit: Limit = None,
            offset: Offset = 0) -> dict[str, Any]:
    """The delegations the caller sees, the latest granted first: their own as principal,
    deputy or grantor; their branches' for a branch secretary; every one for an
    administrator. `active=true`: those in force today; `active=false`: the others."""
    return {"items": delegations.listed(rt, actor, active=active, limit=limit, offset=offset)}


@router.get("/delegations/{delegation_id}", response_model=Delegation)
def read(delegation_id: str, workflows: WorkflowsDep, actor: ActorDep) -> dict[str, Any]:
    """A delegation: for its principal, its deputy, whoever granted it, the secretaries of
    the branches its principal signs in, and administrators."""
    return delegations.read(workflows, actor, delegation_id)


@router.post("/delegations/{delegation_id}/revoke", response_model=Delegation,
             dependencies=[Depends(delegation_exists)])
def revoke(delegation_id: str, body: ReasonIn, workflows: WorkflowsDep,
           actor: ActorDep) -> dict[str, Any]:
    """End a delegation from now on, with a reason: its principal, whoever granted it, a
    secretary of its branches, or an administrator (not the deputy). A revoked or ended
    delegation is a 409."""
    return delegations.revoke(workflows, actor, delegation_id, body.reason)
