"""The organisation's administration as the API answers it: branches, groups, members,
zones, assessment forms and reward policies, created or changed and read back."""

from datetime import datetime
from typing import Any

from domain.forms import AssessmentForm
from domain.organisation import Branch, Zone
from service.schemas import BranchIn, FormIn, FormRevisionIn, GroupIn, MemberIn, PolicyIn, ZoneIn
from workflows.access import Actor
from workflows.application import Workflows


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


def create_branch(workflows: Workflows, actor: Actor, body: BranchIn) -> dict[str, Any]:
    branch = workflows.create_branch(body.id, body.name, actor)
    return {"id": branch.branch_id, "name": branch.name}


def create_group(workflows: Workflows, actor: Actor, body: GroupIn) -> dict[str, Any]:
    group = workflows.create_group(body.id, body.name, body.branch_id, actor)
    return {"id": group.group_id, "name": group.name, "branch_id": group.branch_id}


def create_member(workflows: Workflows, actor: Actor, body: MemberIn) -> dict[str, Any]:
    member = workflows.create_member(body.id, body.name, body.group_id, actor)
    return {"id": member.member_id, "name": member.name, "group_id": member.group_id}


def create_zone(workflows: Workflows, actor: Actor, body: ZoneIn) -> dict[str, Any]:
    zone = workflows.create_zone(
        body.id, actor, name=body.name, group_id=body.group_id, line=body.line,
        area=body.area, teams=body.teams, responsible_member_ids=body.responsible_member_ids)
    return zone_out(workflows, zone)


def set_policy(workflows: Workflows, actor: Actor, branch_id: str,
               body: PolicyIn) -> dict[str, Any]:
    return policy_out(workflows.set_policy(branch_id, body.model_dump(), actor))


def policy(workflows: Workflows, branch_id: str, as_of: datetime | None = None) -> dict[str, Any]:
    """The branch's reward policy now, or the one in force at `as_of` (404 for no branch)."""
    branch = workflows.load(Branch, branch_id, kind="branch")
    if as_of is not None:
        branch = workflows.as_of(branch.id, as_of, "branch")
    return policy_out(branch)


def create_form(workflows: Workflows, actor: Actor, body: FormIn) -> dict[str, Any]:
    return form_out(workflows.create_form(body.id, body.name, body.items, actor))


def revise_form(workflows: Workflows, actor: Actor, form_id: str,
                body: FormRevisionIn) -> dict[str, Any]:
    return form_out(workflows.revise_form(form_id, body.items, actor))
