"""Organisation routes: branches, groups, members, zones, forms and reward policies."""

from typing import Any

from fastapi import APIRouter, Depends
from pydantic import AwareDatetime

from domain.forms import AssessmentForm
from domain.organisation import Branch, Zone
from projections.directory import list_zones
from service.deps import ActorDep, RuntimeDep, WorkflowsDep
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
from workflows.application import Workflows

router = APIRouter(tags=["organisation"])


# 404 for an unknown id in the path before the body is looked at (API.md's order of checks):
# a route's dependencies run before FastAPI reports the body's errors.
def zone_exists(zone_id: str, workflows: WorkflowsDep, _actor: ActorDep) -> None:
    workflows.load(Zone, zone_id, kind="zone")


def branch_exists(branch_id: str, workflows: WorkflowsDep, _actor: ActorDep) -> None:
    workflows.load(Branch, branch_id, kind="branch")


def form_exists(form_id: str, workflows: WorkflowsDep, _actor: ActorDep) -> None:
    workflows.load(AssessmentForm, form_id, kind="form")


def zone_out(workflows: Workflows, zone: Zone) -> dict[str, Any]:
    place = workflows.place_of(zone)
    return {"id": zone.zone_id, "name": zone.name, "branch_id": place.branch_id,
            "group_id": zone.group_id, "line": zone.line, "area": zone.area,
            "responsible_member_ids": list(zone.responsible_member_ids),
            "teams": list(zone.teams)}


def policy_out(branch: Branch) -> dict[str, Any]:
    return {"branch_id": branch.branch_id, **{g: float(a) for g, a in branch.policy.items()}}


def form_out(form: AssessmentForm) -> dict[str, Any]:
    return {"id": form.form_id, "name": form.name, "version": form.version,
            "items": {code: float(m) for code, m in form.items.items()}}


@router.post("/branches", status_code=201)
def create_branch(body: BranchIn, workflows: WorkflowsDep, actor: ActorDep) -> dict[str, Any]:
    """Create a party branch (党支部)."""
    branch = workflows.create_branch(body.id, body.name, actor)
    return {"id": branch.branch_id, "name": branch.name}


@router.post("/groups", status_code=201)
def create_group(body: GroupIn, workflows: WorkflowsDep, actor: ActorDep) -> dict[str, Any]:
    """Create a party group (党小组) inside a branch."""
    group = workflows.create_group(body.id, body.name, body.branch_id, actor)
    return {"id": group.group_id, "name": group.name, "branch_id": group.branch_id}


@router.post("/members", status_code=201)
def create_member(body: MemberIn, workflows: WorkflowsDep, actor: ActorDep) -> dict[str, Any]:
    """Register a party member in a group."""
    member = workflows.create_member(body.id, body.name, body.group_id, actor)
    return {"id": member.member_id, "name": member.name, "group_id": member.group_id}


@router.post("/zones", status_code=201)
def create_zone(body: ZoneIn, workflows: WorkflowsDep, actor: ActorDep) -> dict[str, Any]:
    """Set up a responsibility zone (责任区) with its responsible members."""
    zone = workflows.create_zone(
        body.id, actor, name=body.name, group_id=body.group_id, line=body.line,
        area=body.area, teams=body.teams, responsible_member_ids=body.responsible_member_ids)
    return zone_out(workflows, zone)


@router.put("/zones/{zone_id}/responsibles", dependencies=[Depends(zone_exists)])
def reassign_zone(zone_id: str, body: ResponsiblesIn, workflows: WorkflowsDep,
                  actor: ActorDep) -> dict[str, Any]:
    """Re-assign a zone's responsible members, with the reason; the old assignment stays on
    record."""
    zone = workflows.reassign_zone(zone_id, body.member_ids, body.reason, actor)
    return zone_out(workflows, zone)


@router.get("/zones", response_model=Zones)
def zones(rt: RuntimeDep, _actor: ActorDep, branch_id: str | None = None,
          group_id: str | None = None, limit: Limit = None,
          offset: Offset = 0) -> dict[str, Any]:
    """Every zone matching the filters, by id."""
    rt.follower.ready("directory")
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
    return zone_out(workflows, found)


@router.get("/zones/{zone_id}/history")
def zone_history(zone_id: str, workflows: WorkflowsDep, _actor: ActorDep) -> dict[str, Any]:
    """Every assignment of the zone's responsible members, with who made it, when and why."""
    found = workflows.load(Zone, zone_id, kind="zone")
    return {"zone_id": zone_id, "assignments": [
        {"version": e.originator_version, "at": e.timestamp.isoformat(), "actor": e.actor,
         "member_ids": list(e.member_ids if hasattr(e, "member_ids")
                            else e.responsible_member_ids),
         "reason": getattr(e, "reason", None)}
        for e in workflows.events.get(found.id)]}


@router.put("/branches/{branch_id}/reward-policy", dependencies=[Depends(branch_exists)])
def set_policy(branch_id: str, body: PolicyIn, workflows: WorkflowsDep,
               actor: ActorDep) -> dict[str, Any]:
    """Set the yuan a branch pays or fines per grade, from now on."""
    return policy_out(workflows.set_policy(branch_id, body.model_dump(), actor))


@router.get("/branches/{branch_id}/reward-policy")
def policy(branch_id: str, workflows: WorkflowsDep, _actor: ActorDep,
           as_of: AwareDatetime | None = None) -> dict[str, Any]:
    """The branch's reward policy now, or the one in force at `as_of`."""
    branch = workflows.load(Branch, branch_id, kind="branch")
    if as_of is not None:
        branch = workflows.as_of(branch.id, as_of, "branch")
    return policy_out(branch)


@router.post("/forms", status_code=201)
def create_form(body: FormIn, workflows: WorkflowsDep, actor: ActorDep) -> dict[str, Any]:
    """Create an assessment form (考核表); its items' maxima add up to 100."""
    return form_out(workflows.create_form(body.id, body.name, body.items, actor))


@router.put("/forms/{form_id}", dependencies=[Depends(form_exists)])
def revise_form(form_id: str, body: FormRevisionIn, workflows: WorkflowsDep,
                actor: ActorDep) -> dict[str, Any]:
    """Revise a form: a new version; open appraisals keep the version they were opened with."""
    return form_out(workflows.revise_form(form_id, body.items, actor))


@router.get("/forms/{form_id}")
def form(form_id: str, workflows: WorkflowsDep, _actor: ActorDep,
         version: Version = None) -> dict[str, Any]:
    """A form's latest version, or the version named."""
    found = workflows.load(AssessmentForm, form_id, kind="form")
    if version is not None:
        found = workflows.at_version(found.id, version, "form")
    return form_out(found)


