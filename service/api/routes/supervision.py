"""Supervision routes (督导检查): attachments, findings on an appraisal or a zone, the branch's
rectification (整改), their listings, and a zone's whole history."""

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import Response
from pydantic import BaseModel, ConfigDict

from domain.organisation import Zone as ZoneRecord
from domain.supervision import MAX_ATTACHMENT_BYTES, MEDIA_TYPES
from service.api.deps import ActorDep, BearerToken, RuntimeDep, WorkflowsDep, actor_for
from service.api.routes.appraisals import AppraisalDep
from service.cases import attachments, supervision
from service.downloads import download
from service.limits import read_capped
from service.params import Limit, Offset
from service.schemas import (
    ANSWERED,
    FOUND,
    Attachment,
    FindingIn,
    Id,
    Name,
    Period,
    RectificationIn,
)
from workflows.access import Actor

router = APIRouter(tags=["supervision"])
UPLOAD = ("POST", "/attachments")  # the one route that takes files (service.limits.BodyLimit)
FILES = {media: {"schema": {"type": "string", "format": "binary"}}
         for media in ("application/octet-stream", *MEDIA_TYPES.values())}
STREAM = "6f1c3a52-8f7e-4d1b-9a43-2b7c0d5e9a10"
FINDING: dict[str, Any] = {
    "id": f"{STREAM}-f1", "zone_id": "Z1", "appraisal_id": STREAM, "branch_id": "B1",
    "period": "2026-11", **FOUND, "actor": "inspector", "at": "2026-11-03T06:12:40.120553Z",
    "rectification": {**ANSWERED, "actor": "secretary", "at": "2026-11-06T02:30:00.000000Z"}}


class Rectification(BaseModel):
    text: str
    attachments: list[Attachment]
    actor: str
    at: str


class Finding(BaseModel):
    """A supervision finding (督导检查) and the branch's answer, once given (整改)."""

    model_config = ConfigDict(json_schema_extra={"examples": [FINDING]})

    id: str
    zone_id: str
    appraisal_id: str | None
    branch_id: str
    period: str | None
    method: str
    date: str
    text: str
    attachments: list[Attachment]
    actor: str
    at: str
    rectification: Rectification | None


class Findings(BaseModel):
    items: list[Finding]


class ZoneEvent(BaseModel):
    """An event of the zone: `type` is its class in snake case (`created`,
    `responsibles_reassigned`, `finding_recorded`, `rectification_recorded`); `role` the
    role acted in, where the event records one."""

    version: int
    type: str
    at: str
    actor: str
    role: str | None
    data: dict[str, Any]


class Assignment(BaseModel):
    version: int
    at: str
    actor: str
    member_ids: list[str]
    reason: str | None


class ZoneHistory(BaseModel):
    zone_id: str
    events: list[ZoneEvent]
    assignments: list[Assignment]


def zone_in_path(zone_id: str, rt: RuntimeDep, token: BearerToken) -> tuple[Actor, ZoneRecord]:
    """The caller (401), then the zone the path names (404), before the body is looked at."""
    return actor_for(rt, token), rt.workflows.load(ZoneRecord, zone_id, kind="zone")


def finding_exists(finding_id: str, workflows: WorkflowsDep, _actor: ActorDep) -> None:
    workflows.finding(finding_id, shared=True)


ZoneDep = Annotated[tuple[Actor, ZoneRecord], Depends(zone_in_path)]


@router.post("/attachments", status_code=201, response_model=Attachment,
             openapi_extra={"requestBody": {"required": True, "content": FILES}})
async def upload(request: Request, rt: RuntimeDep, actor: ActorDep,
                 name: Annotated[Name, Query(examples=["现场照片.jpg"])]) -> dict[str, Any]:
    """Upload a file for a finding or a rectification: the raw bytes as the body, whatever
    its Content-Type. A JPEG or PNG photo or a PDF (read from its bytes, not its name: 422
    otherwise) of up to 10 MB (413). The same bytes are kept once. Inspectors, branch
    secretaries and administrators only, checked before the body is read. Name the file in
    a finding by the answer."""
    attachments.check_uploader(actor)
    content = await read_capped(request, MAX_ATTACHMENT_BYTES)
    return await run_in_threadpool(attachments.upload, rt, actor, name, content)


@router.post("/appraisals/{appraisal_id}/findings", status_code=201, response_model=Finding)
def appraisal_finding(named: AppraisalDep, body: FindingIn, rt: RuntimeDep) -> dict[str, Any]:
    """Record a supervision finding on an appraisal, in whatever state it stands: an
    inspector of its branch only (403 before anything else). Its files are uploaded first;
    each must be held with the size and type named (422)."""
    return supervision.record(rt, named.actor, named.appraisal, body)


@router.post("/zones/{zone_id}/findings", status_code=201, response_model=Finding)
def zone_finding(named: ZoneDep, body: FindingIn, rt: RuntimeDep) -> dict[str, Any]:
    """Record a supervision finding on a zone itself (its work order, its records), not on
    one appraisal: an inspector of its branch only."""
    actor, zone = named
    return supervision.record(rt, actor, zone, body)


@router.get("/zones/{zone_id}/findings", response_model=Findings)
def zone_findings(zone_id: str, rt: RuntimeDep, actor: ActorDep, limit: Limit = None,
                  offset: Offset = 0) -> dict[str, Any]:
    """The zone's own findings and those on its appraisals, oldest first: for the
    inspectors and secretary of its branch, its responsible members, archivists and
    administrators."""
    return {"items": supervision.of_zone(rt, actor, zone_id, limit, offset)}


@router.get("/findings", response_model=Findings)
def findings(rt: RuntimeDep, actor: ActorDep, branch_id: Id | None = None,
             period: Period | None = None,
             rectified: Annotated[bool | None, Query(alias="open")] = None,
             limit: Limit = None, offset: Offset = 0) -> dict[str, Any]:
    """The findings in the caller's branches (or in `branch_id`), oldest first: for
    inspectors and branch secretaries, archivists and administrators. `period`: findings
    on that period's appraisals and the zones' own findings dated in it; `open=true`: those
    not yet answered, `open=false`: those answered. An unknown `branch_id` answers 422
    before any 403."""
    return {"items": supervision.listed(
        rt, actor, branch_id=branch_id, period=period, limit=limit, offset=offset,
        rectified=None if rectified is None else not rectified)}


@router.get("/findings/{finding_id}", response_model=Finding)
def finding(finding_id: str, workflows: WorkflowsDep, actor: ActorDep) -> dict[str, Any]:
    """A finding with its rectification, if given. A finding on an appraisal is read by the
    appraisal's readers; a zone's own by those of the zone's record."""
    return supervision.read(workflows, actor, finding_id)


@router.post("/findings/{finding_id}/rectification", response_model=Finding,
             dependencies=[Depends(finding_exists)])
def rectification(finding_id: str, body: RectificationIn, rt: RuntimeDep,
                  actor: ActorDep) -> dict[str, Any]:
    """The branch's answer to a finding (整改): by the secretary of the zone's branch or an
    administrator, once (409 after)."""
    return supervision.rectify(rt, actor, finding_id, body)


@router.get("/zones/{zone_id}/history", response_model=ZoneHistory)
def zone_history(zone_id: str, workflows: WorkflowsDep, actor: ActorDep) -> dict[str, Any]:
    """Every event of the zone, oldest first (its findings and their rectifications among
    them), and every assignment of its responsible members with who made it, when and why:
    for the readers of the zone's record."""
    return supervision.zone_history(workflows, actor, zone_id)


@router.get("/findings/{finding_id}/attachments/{sha256}", response_class=Response,
            responses={200: {"content": {t: {} for t in MEDIA_TYPES.values()},
                             "description": "The file, as an attachment"}})
def attachment(finding_id: str, sha256: str, rt: RuntimeDep, actor: ActorDep) -> Response:
    """A file the finding or its rectification names, for the finding's readers: 404 for
    any other."""
    answer = download(attachments.download(rt, actor, finding_id, sha256), tagged=False)
    answer.headers["X-Content-Type-Options"] = "nosniff"
    return answer

