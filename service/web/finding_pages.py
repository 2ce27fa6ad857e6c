"""督导检查: the findings of the branches the reader oversees, with their files and the
branch's answer (整改) or 待整改; an inspector records a finding on a zone of their branches or
on an appraisal, with photos and PDFs; the branch secretary answers it. Each form calls the
use cases the API calls (service.cases.supervision and .attachments), in the same order of
checks, and is refused as the API refuses it, in words.

The two forms that carry files are read by their routes (BodyLimit's `streamed`, as the API's
`POST /attachments`): the caller's role is checked first, then the body is counted as it is
read (413 past STREAMED's limit), each file spooled by the multipart parser, not held."""

from typing import Any

from fastapi import Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import Response
from pydantic import ValidationError
from starlette.datastructures import FormData, UploadFile
from starlette.requests import ClientDisconnect
from starlette.types import Message

from domain.appraisal import Appraisal
from domain.errors import ConflictError, ForbiddenError, InvalidError
from domain.organisation import Zone
from domain.period import Period
from domain.process import Role
from domain.supervision import MAX_ATTACHMENT_BYTES, MAX_ATTACHMENTS, Method
from service.cases import attachments, supervision
from service.cases.directory import filter_choices, organisation_of, users_named
from service.downloads import download
from service.errors import ContentTooLargeError
from service.runtime import Runtime
from service.schemas import FindingIn, RectificationIn
from service.web.i18n import language
from service.web.organisation_pages import codes
from service.web.pages import PageActor
from service.web.posting import back
from service.web.problems import explain
from service.web.rendering import page_router, page_status, render
from service.web.session import check_csrf_of, runtime_of
from workflows.access import Actor, supervised_branches
from workflows.supervision import Target

router = page_router()
PAGE = "/app/findings"
ANSWER = "/app/findings/rectification"
# The forms with files: up to MAX_ATTACHMENTS files of MAX_ATTACHMENT_BYTES, and the text.
FILES_LIMIT = MAX_ATTACHMENTS * MAX_ATTACHMENT_BYTES + 1024 * 1024
STREAMED = {("POST", PAGE): FILES_LIMIT, ("POST", ANSWER): FILES_LIMIT}
ANSWERERS = (Role.BRANCH_SECRETARY, Role.ADMIN)
Refusal = ValidationError | InvalidError | ConflictError | ContentTooLargeError


def _branches(rt: Runtime, actor: Actor) -> list[tuple[str, str]]:
    """The branches (id, name) whose findings the reader oversees."""
    scope = supervised_branches(actor)
    return [b for b in filter_choices(rt)["branches"] if scope is None or b[0] in scope]


def _zones(rt: Runtime, branches: list[tuple[str, str]]) -> list[tuple[str, str]]:
    """The zones (id, name) of the branches, in the organisation's order."""
    return [(z["id"], z["name"]) for b, _ in branches
            for g in organisation_of(rt, b)["groups"] for z in g["zones"]]


@router.get("/findings")
def findings_page(request: Request, actor: PageActor, branch_id: str | None = None,
                  period: str | None = None, open: str | None = None,
                  done: str | None = None) -> Response:
    """The findings, oldest first, filtered by branch, period and still open."""
    return page(request, actor, branch_id or None, period or None, open == "1",
                done=done if done in ("recorded", "rectified") else None)


def page(request: Request, actor: Actor, branch_id: str | None, period: str | None,
         only_open: bool, status: int = 200, **context: Any) -> Response:
    rt = runtime_of(request)
    typed = str(Period.parse(period)) if period else None
    items = supervision.listed(rt, actor, branch_id=branch_id, period=typed,
                               rectified=False if only_open else None, limit=None, offset=0)
    branches = _branches(rt, actor)
    people = supervision.actors(items)
    return render(request, "findings.html", status, actor=actor, items=items,
                  branches=branches, chosen=branch_id or "", typed_period=typed or "",
                  only_open=only_open, zones=dict(_zones(rt, branches)),
                  users=users_named(rt, people),
                  may_record=actor.has_role(Role.INSPECTOR),
                  answerable={f["id"] for f in items if f["rectification"] is None and (
                      actor.holds(Role.ADMIN, None)
                      or actor.holds(Role.BRANCH_SECRETARY, f["branch_id"]))},
                  **context)


def _target(rt: Runtime, appraisal_id: str | None, zone_id: str | None) -> Target | None:
    if appraisal_id:
        return rt.workflows.load_stream(appraisal_id)
    if zone_id:
        return rt.workflows.load(Zone, zone_id, kind="zone")
    return None


def new_page(request: Request, actor: Actor, appraisal_id: str | None, zone_id: str | None,
             status: int = 200, **context: Any) -> Response:
    """The form: on the appraisal or zone named (403 unless an inspector of its branch), or
    with the zones of the inspector's branches to choose from."""
    rt = runtime_of(request)
    if not actor.has_role(Role.INSPECTOR):
        raise ForbiddenError("findings are recorded by inspectors")
    target = _target(rt, appraisal_id, zone_id)
    if target is not None:
        rt.workflows.check_recorder(target, actor)
    inspected = [b for b in filter_choices(rt)["branches"] if actor.holds(Role.INSPECTOR, b[0])]
    appraisal = target if isinstance(target, Appraisal) else None
    return render(request, "finding_new.html", status, actor=actor, appraisal=appraisal,
                  zone_id=zone_id if appraisal is None else appraisal.zone_id,
                  zones=_zones(rt, inspected), methods=[m.value for m in Method],
                  most=MAX_ATTACHMENTS, failed="new", **context)


@router.get("/findings/new")
def new_finding(request: Request, actor: PageActor, appraisal_id: str | None = None,
                zone_id: str | None = None) -> Response:
    return new_page(request, actor, appraisal_id or None, zone_id or None)


async def files_form(request: Request) -> FormData:
    """The multipart form, counted as it is read (413 past FILES_LIMIT), then its CSRF token
    checked (403): nothing is kept before both."""
    seen = 0
    receive = request.receive

    async def counted() -> Message:
        nonlocal seen
        message = await receive()
        seen += len(message.get("body", b""))
        if seen > FILES_LIMIT:
            raise ContentTooLargeError(f"the body is over {FILES_LIMIT} bytes")
        return message

    try:
        form = await Request(request.scope, counted).form(max_files=MAX_ATTACHMENTS,
                                                          max_fields=20)
    except ClientDisconnect:
        raise InvalidError("the body ended before it was complete") from None
    check_csrf_of(request, form)
    return form


async def uploaded(rt: Runtime, actor: Actor, form: FormData) -> list[dict[str, Any]]:
    """Each chosen file kept (attachments.upload: 422 unless a photo or PDF) and named as a
    finding names it; a file input left empty is no file."""
    files = [f for f in form.getlist("files") if isinstance(f, UploadFile) and f.filename]
    if len(files) > MAX_ATTACHMENTS:
        raise InvalidError(f"attachments: at most {MAX_ATTACHMENTS}", {"files": "count"})
    kept = []
    for file in files:
        content = await file.read(MAX_ATTACHMENT_BYTES + 1)
        if len(content) > MAX_ATTACHMENT_BYTES:
            raise ContentTooLargeError(f"{file.filename} is over {MAX_ATTACHMENT_BYTES} bytes")
        try:
            kept.append(await run_in_threadpool(attachments.upload, rt, actor,
                                                file.filename or "", content))
        except InvalidError as error:
            raise InvalidError(str(error), {"files": "kind"}) from None
    return kept


def _refusal(request: Request, error: Refusal) -> dict[str, Any]:
    """A refused form as the page shows it: the API's status, a code beside each field, the
    error in words; nothing was recorded."""
    if isinstance(error, ValidationError):
        status, errors = 422, codes(error)
    elif isinstance(error, ContentTooLargeError):
        status, errors = 413, {"files": "too large"}
    else:
        status, errors = page_status(error), getattr(error, "errors", {})
    return {"error_status": status, "errors": errors,
            "problem": explain(error, status, language(request))}


@router.post("/findings")
async def record(request: Request, actor: PageActor) -> Response:
    """Record the finding (`POST …/findings`): an inspector only, before the body is read;
    the target's inspector, before any file is kept; then the files, then the finding."""
    rt = runtime_of(request)
    if not actor.has_role(Role.INSPECTOR):
        raise ForbiddenError("findings are recorded by inspectors")
    form = await files_form(request)
    appraisal_id = str(form.get("appraisal_id", "")) or None
    zone_id = str(form.get("zone_id", "")) or None
    target = await run_in_threadpool(_target, rt, appraisal_id, zone_id)
    if target is None:
        raise InvalidError("choose the zone of the finding", {"zone_id": "empty"})
    await run_in_threadpool(rt.workflows.check_recorder, target, actor)
    fields = {"method": form.get("method", ""), "date": form.get("date", ""),
              "text": form.get("text", "")}
    try:
        FindingIn.model_validate(fields)
        files = await uploaded(rt, actor, form)
        body = FindingIn.model_validate({**fields, "attachments": files})
        await run_in_threadpool(supervision.record, rt, actor, target, body)
    except (ValidationError, InvalidError, ConflictError, ContentTooLargeError) as error:
        refusal = _refusal(request, error)
        return await run_in_threadpool(
            lambda: new_page(request, actor, appraisal_id, zone_id, refusal["error_status"],
                             values=form, **refusal))
    if appraisal_id:
        return back(f"/app/appraisals/{appraisal_id}", done="finding")
    return back(PAGE, done="recorded")


@router.post("/findings/rectification")
async def rectify(request: Request, actor: PageActor) -> Response:
    """The branch's answer (`POST /findings/{id}/rectification`): a secretary or an
    administrator before the body is read; who may answer this one and whether it is still
    due before any file is kept; then the files, then the answer."""
    rt = runtime_of(request)
    if not actor.has_role(*ANSWERERS):
        raise ForbiddenError("a finding is answered by the secretary of the zone's branch")
    form = await files_form(request)
    finding_id = str(form.get("finding_id", ""))
    try:
        await run_in_threadpool(rt.workflows.rectifiable, finding_id, actor)
        RectificationIn.model_validate({"text": form.get("text", "")})
        files = await uploaded(rt, actor, form)
        body = RectificationIn.model_validate({"text": form.get("text", ""),
                                               "attachments": files})
        await run_in_threadpool(supervision.rectify, rt, actor, finding_id, body)
    except (ValidationError, InvalidError, ConflictError, ContentTooLargeError) as error:
        refusal = _refusal(request, error)
        return await run_in_threadpool(
            lambda: page(request, actor, str(form.get("branch_id", "")) or None, None, False,
                         refusal["error_status"], failed=finding_id, values=form, **refusal))
    return back(PAGE, done="rectified")


@router.get("/findings/{finding_id}/attachments/{sha256}")
def attachment(finding_id: str, sha256: str, request: Request, actor: PageActor) -> Response:
    """A file the finding or its answer names, for the finding's readers (the API's rule)."""
    answer = download(attachments.download(runtime_of(request), actor, finding_id, sha256),
                      tagged=False)
    answer.headers["X-Content-Type-Options"] = "nosniff"
    return answer
