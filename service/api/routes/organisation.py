"""Organisation routes: branches, groups, members, zones, forms and reward policies."""

from typing import Any

from fastapi import APIRouter, Depends
from pydantic import AwareDatetime

from domain.forms import AssessmentForm
from domain.organisation import Branch, Zone
from projections.directory import list_zones
from service.api.deps import ActorDep, RuntimeDep, WorkflowsDep
from service.cases import organisation
from service.params import Limit, Offset, Version
from service.schemas import (
    BranchIn,
    FormIn,
    FormRevisionIn,
    GroupIn,
    MemberIn,
    PolicyIn,
    ResponsiblesIn,
    ZoneIn,
    Zones,
)

router = APIRouter(tags=["organisation"])


# 404 for an unknown id in the path before the body is looked at (API.md's order of checks):
# a route's dependencies run before FastAPI reports the body's errors.
def zone_exists(zone_id: str, workflows: WorkflowsDep, _actor: ActorDep) -> None:
    workflows.load(Zone, zone_id, kind="zone")


def branch_exists(branch_id: str, workflows: WorkflowsDep, _actor: ActorDep) -> None:
    workflows.load(Branch, branch_id, kind="branch")


def form_exists(form_id: str, workflows: WorkflowsDep, _actor: ActorDep) -> None:
    workflows.load(AssessmentForm, form_id, kind="form")


@router.post("/branches", status_code=201)
def create_branch(body: BranchIn, workflows: WorkflowsDep, actor: ActorDep) -> dict[str, Any]:
    """Create a party branch (党支部)."""
    return organisation.create_branch(workflows, actor, body)


@router.post("/groups", status_code=201)
def create_group(body: GroupIn, workflows: WorkflowsDep, actor: ActorDep) -> dict[str, Any]:
    """Create a party group (党小组) inside a branch."""
    return organisation.create_group(workflows, actor, body)


@router.post("/members", status_code=201)
def create_member(body: MemberIn, workflows: WorkflowsDep, actor: ActorDep) -> dict[str, Any]:
    """Register a party member in a group."""
    return organisation.create_member(workflows, actor, body)


@router.post("/zones", status_code=201)
def create_zone(body: ZoneIn, workflows: WorkflowsDep, actor: ActorDep) -> dict[str, Any]:
    """Set up a responsibility zone (责任区) with its responsible members."""
    return organisation.create_zone(workflows, actor, body)


@router.put("/zones/{zone_id}/responsibles", dependencies=[Depends(zone_exists)])
def reassign_zone(zone_id: str, body: ResponsiblesIn, workflows: WorkflowsDep,
                  actor: ActorDep) -> dict[str, Any]:
    """Re-assign a zone's responsible members, with the reason; the old assignment stays on
    record."""
    zone = workflows.reassign_zone(zone_id, body.member_ids, body.reason, actor)
    return organisation.zone_out(workflows, zone)


@router.get("/zones", response_model=Zones)
def zones(rt: RuntimeDep, _actor: ActorDep, branch_id: str | None = None,
          group_id: str | None = None, limit: Limit = None,
          offset: Offset = 0) -> dict[str, Any]:
    """Every zone matching the filters, by id."""
    rt.ready("directory")
    with rt.engines.reader.connect() as conn:
        rows = list_zones(conn, branch_id=branch_id, group_id=group_id, limit=limit,
                          offset=offset)
    return {"items": rows}


@router.get("/zones/{zone_id}")
def zone(zone_id: str, workflows: WorkflowsDep, _actor: ActorDep,
         as_of: AwareDatetime | None = None) -> dict[str, Any]:
    """A zone now, or as it stood at `as_of` (who was responsible then)."""
    found = workflows.load(Zone, zone_id, kind="zone")
    if as_of is not None:
        found = workflows.as_of(found.id, as_of, "zone")
    return organisation.zone_out(workflows, found)


@router.put("/branches/{branch_id}/reward-policy", dependencies=[Depends(branch_exists)])
def set_policy(branch_id: str, body: PolicyIn, workflows: WorkflowsDep,
               actor: ActorDep) -> dict[str, Any]:
    """Set the yuan a branch pays or fines per grade, from now on."""
    return organisation.set_policy(workflows, actor, branch_id, body)


@router.get("/branches/{branch_id}/reward-policy")
def policy(branch_id: str, workflows: WorkflowsDep, _actor: ActorDep,
           as_of: AwareDatetime | None = None) -> dict[str, Any]:
    """The branch's reward policy now, or the one in force at `as_of`."""
    return organisation.policy(workflows, branch_id, as_of)


@router.post("/forms", status_code=201)
def create_form(body: FormIn, workflows: WorkflowsDep, actor: ActorDep) -> dict[str, Any]:
    """Create an assessment form (考核表); its items' maxima add up to 100."""
    return organisation.create_form(workflows, actor, body)


@router.put("/forms/{form_id}", dependencies=[Depends(form_exists)])
def revise_form(form_id: str, body: FormRevisionIn, workflows: WorkflowsDep,
                actor: ActorDep) -> dict[str, Any]:
    """Revise a form: a new version; open appraisals keep the version they were opened with."""
    return organisation.revise_form(workflows, actor, form_id, body)


@router.get("/forms/{form_id}")
def form(form_id: str, workflows: WorkflowsDep, _actor: ActorDep,
         version: Version = None) -> dict[str, Any]:
    """A form's latest version, or the version named."""
    found = workflows.load(AssessmentForm, form_id, kind="form")
    if version is not None:
        found = workflows.at_version(found.id, version, "form")
    return organisation.form_out(found)


