"""Appraisal routes: open, read (now or as it stood), history, and the sign-off actions."""

import asyncio
import contextvars
import functools
import keyword
from collections.abc import Callable, Coroutine
from dataclasses import dataclass
from typing import Annotated, Any

import orjson
from eventsourcing.persistence import IntegrityError
from fastapi import APIRouter, Depends, Header, Request, Response
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from fastapi.routing import APIRoute
from fastapi.security.utils import get_authorization_scheme_param
from pydantic import AwareDatetime, ValidationError

from domain.appraisal import Appraisal
from domain.documents import history_entry
from domain.errors import DomainError
from service.api.deps import ActorDep, BearerToken, RuntimeDep, WorkflowsDep, actor_for
from service.api.idempotency import fingerprint, replay
from service.cases import appraisals, checkpoints
from service.cases.appraisals import as_document, expected_version
from service.limits import PARSED, is_json
from service.params import Limit, Offset, Version
from service.schemas import (
    ApprovalIn,
    Body,
    Document,
    Documents,
    History,
    Opened,
    OpenIn,
    OpenPeriodIn,
    Period,
    Proof,
    ReasonIn,
    ScoredIn,
)
from workflows.access import Actor
from workflows.application import Workflows
from workflows.appraisals import Retry, Submission
from workflows.process import Action

router = APIRouter(tags=["appraisals"])
# The sign-off's headers and their longest values, checked in this order.
HEADER_LIMITS = {"If-Match": 100, "Idempotency-Key": 200}
IfMatch = Annotated[str | None, Header(alias="If-Match", max_length=HEADER_LIMITS["If-Match"])]
IdempotencyKey = Annotated[str | None, Header(alias="Idempotency-Key",
                                              max_length=HEADER_LIMITS["Idempotency-Key"])]


@dataclass(frozen=True)
class Named:
    """The caller and the appraisal the path names."""

    actor: Actor
    appraisal: Appraisal


def appraisal_in_path(appraisal_id: str, rt: RuntimeDep, token: BearerToken) -> Named:
    """The caller (401), then the appraisal the path names (404), before the body is looked
    at; in one hand-off to the thread pool, which costs the event loop more than either
    lookup (docs/PERFORMANCE.md)."""
    return Named(actor_for(rt, token), rt.workflows.load_stream(appraisal_id))


AppraisalDep = Annotated[Named, Depends(appraisal_in_path)]


class SignOff(APIRoute):
    """A sign-off action's route: documented by FastAPI from its endpoint's signature, served
    by a handler of its own. FastAPI's request machinery (the dependency graph, a validation
    per parameter, the hand-offs) cost the event loop more than the action itself
    (docs/PERFORMANCE.md); this handler reads the body and makes one hand-off to the thread
    pool, where the checks run in API.md's order: 401, 404, then 422 for the body and headers.
    """

    def get_route_handler(self) -> Callable[[Request], Coroutine[Any, Any, Response]]:
        action = Action(self.path.rsplit("/", 1)[1])
        body_type = BODIES[action]

        async def handle(request: Request) -> Response:
            # On the sign-offs' own threads (service.app), straight through asyncio: anyio's
            # hand-off (a capacity limiter, a cancel scope, its lookups) cost the event loop
            # as much again. The request's context goes with it: its trace names the user.
            act = functools.partial(contextvars.copy_context().run, _act, action, body_type,
                                    request, await request.body())
            return await asyncio.get_running_loop().run_in_executor(
                request.app.state.sign_offs, act)

        return handle


class _Document(JSONResponse):
    """JSONResponse's bytes for a document (compact UTF-8, keys as they come), written by
    orjson: `json.dumps` was a twentieth of a sign-off's work (docs/PERFORMANCE.md)."""

    def render(self, content: Any) -> bytes:
        return orjson.dumps(content)


def respond(body: dict[str, Any], status: int = 200) -> JSONResponse:
    return _Document(body, status_code=status, headers={"ETag": f'"{body["version"]}"'})


@router.post("/appraisals", status_code=201, response_model=Document)
def open_appraisal(body: OpenIn, workflows: WorkflowsDep, actor: ActorDep) -> JSONResponse:
    """Open the appraisal of one zone for one period."""
    opened = workflows.open_appraisal(body.zone_id, body.period, body.template_id, actor)
    return respond(as_document(workflows, opened, actor), 201)


@router.post("/periods/{period}/appraisals", response_model=Opened)
def open_period(period: Period, body: OpenPeriodIn, rt: RuntimeDep,
                actor: ActorDep) -> dict[str, int]:
    """Open an appraisal for every zone in scope that has none for the period; repeatable."""
    return appraisals.open_period(rt, actor, period, body.branch_id, body.template_id)


# Unset: a document's `months` only where it has them (a year-end), as one read alone.
@router.get("/appraisals", response_model=Documents, response_model_exclude_unset=True)
def list_appraisals(rt: RuntimeDep, actor: ActorDep, period: str | None = None,
                    zone_id: str | None = None, branch_id: str | None = None,
                    state: str | None = None,
                    limit: Limit = None,
                    offset: Offset = 0) -> dict[str, Any]:
    """The appraisals matching the filters that the caller may read, by period and zone."""
    return {"items": appraisals.listed(rt, actor, period=period, zone_id=zone_id,
                                       branch_id=branch_id, state=state, limit=limit,
                                       offset=offset)}


@router.get("/appraisals/{appraisal_id}", response_model=Document)
def get_appraisal(named: AppraisalDep, workflows: WorkflowsDep, version: Version = None,
                  as_of: AwareDatetime | None = None) -> JSONResponse:
    """The appraisal now; as it stood after event `version`; or as it stood at `as_of`."""
    appraisal, actor = named.appraisal, named.actor
    workflows.check_readable(appraisal, actor)
    if version is None and as_of is None:
        return respond(as_document(workflows, appraisal, actor))
    then = workflows.appraisal_then(appraisal.id, version=version, as_of=as_of)
    return respond(as_document(workflows, then, None))


@router.get("/appraisals/{appraisal_id}/history", response_model=History)
def history(named: AppraisalDep, workflows: WorkflowsDep) -> dict[str, Any]:
    """Every event of the appraisal, oldest first: who did what, in which role, when."""
    appraisal = named.appraisal
    workflows.check_readable(appraisal, named.actor)
    events = workflows.events.get(appraisal.id)
    return {"appraisal_id": str(appraisal.id), "events": [history_entry(e) for e in events]}


@router.get("/appraisals/{appraisal_id}/proof", response_model=Proof)
def proof(named: AppraisalDep, rt: RuntimeDep) -> dict[str, Any]:
    """Every event of the appraisal as stored, with its chain hash, its leaf hash and its
    inclusion proof in the latest checkpoint (made now if that does not hold them all;
    a ledger that lacks one of them, changed by hand, is 503): what an inspector checks
    offline (ledger/offline.py). Archivists, administrators and the inspectors of its
    branch only."""
    checkpoints.check_prover(named.actor, named.appraisal)
    return checkpoints.appraisal_proof(rt, named.appraisal)


def _act(action: Action, body_type: type[Body], request: Request, raw: bytes) -> JSONResponse:
    scheme, token = get_authorization_scheme_param(request.headers.get("Authorization"))
    rt = request.app.state.runtime
    named = appraisal_in_path(request.path_params["appraisal_id"], rt,
                              token if scheme.lower() == "bearer" else None)
    body, if_match, key = _checked(body_type, request, raw)
    workflows: Workflows = rt.workflows
    appraisal, actor = named.appraisal, named.actor
    retry = Retry(actor.username, key, fingerprint(
        action, str(appraisal.id), body.model_dump(mode="json"))) if key else None
    if retry and (first := replay(workflows, retry)):
        return first
    try:
        taken = workflows.take(appraisal, action, actor, _submission(body),
                               if_match=expected_version(if_match, appraisal.version),
                               retry=retry)
    except (IntegrityError, DomainError):
        # A racing request with the same key may have won, and this one then lost the race
        # or found the state moved on (409) or its version stale (412): answer as it did.
        if retry and (first := replay(workflows, retry)):
            return first
        raise
    rt.took(action)
    return respond(taken.document())


def _checked(body_type: type[Body], request: Request,
             raw: bytes) -> tuple[Body, str | None, str | None]:
    """The body and the If-Match and Idempotency-Key headers, validated as FastAPI would
    (the same models, errors and locations; a 422 names every fault)."""
    errors: list[dict[str, Any]] = []
    headers = {name: request.headers.get(name) for name in HEADER_LIMITS}
    for name, limit in HEADER_LIMITS.items():
        if (value := headers[name]) is not None and len(value) > limit:
            errors.append({"type": "string_too_long", "loc": ("header", name),
                           "msg": f"String should have at most {limit} characters"})
    try:
        body = _validated(body_type, request, raw)
    except ValidationError as invalid:
        errors += [{**e, "loc": ("body", *e["loc"])} for e in invalid.errors()]
    if errors:
        raise RequestValidationError(errors)
    return body, headers["If-Match"], headers["Idempotency-Key"]


def _validated(body_type: type[Body], request: Request, raw: bytes) -> Body:
    """FastAPI's reading: no body, or JSON's null, is a missing one; a body not said to be
    JSON (no Content-Type included) is validated as bytes, and refused. service.limits parsed
    the JSON (standing in for malformed JSON) and bounded its depth."""
    said_json = "content-type" in request.headers and is_json(request.scope)
    parsed = request.scope[PARSED] if raw and said_json else raw or None
    if parsed is None:
        raise ValidationError.from_exception_data(
            "body", [{"type": "missing", "loc": (), "input": None}])
    return body_type.model_validate(parsed, from_attributes=True)


def submission_in(body_type: type[Body], sent: Any) -> Submission:
    """What a signer sent, read by the action's body as the single sign-off reads it: 422
    (RequestValidationError, its errors under `body`) if it does not fit."""
    try:
        return _submission(body_type.model_validate(sent))
    except ValidationError as invalid:
        raise RequestValidationError(
            [{**e, "loc": ("body", *e["loc"])} for e in invalid.errors()]) from None


def _submission(body: Body) -> Submission:
    """What the signer sends, checked (422) only once the caller and appraisal are known."""
    if isinstance(body, ScoredIn):
        return Submission(body.scores, body.comment)
    if isinstance(body, ReasonIn):
        return Submission(reason=body.reason)
    return Submission(comment=body.comment if isinstance(body, ApprovalIn) else "")


# Each sign-off action's route: the body it takes, and what it does (its OpenAPI summary).
ACTION_ROUTES: list[tuple[Action, type[Body], str]] = [
    (Action.SELF_CHECK, ScoredIn, "The responsible member's self-check (自查)."),
    (Action.ZONE_EVALUATION, ScoredIn,
     "The zone evaluation (责任区评价): the assessment form filled in."),
    (Action.GROUP_REVIEW, ScoredIn,
     "The group leader's review (党小组长考核), which fixes the zone's result."),
    (Action.BRANCH_APPROVAL, ApprovalIn,
     "The branch's approval (党支部审核), which publishes the result."),
    (Action.RETURN, ReasonIn, "Send the appraisal one step back (退回), with a reason."),
    (Action.REOPEN, ReasonIn,
     "Reopen a published result for correction, with a reason; it goes back to group review."),
    (Action.CANCEL, ReasonIn,
     "Cancel an appraisal opened by mistake (撤销), with a reason: the branch's secretary, "
     "before any step was signed (a return keeps the signature: 409 after one). It leaves "
     "the inbox and the ranking and stays in the history; opening the zone's period again "
     "restarts it."),
]


BODIES = {action: body for action, body, _ in ACTION_ROUTES}


def _endpoint(action: Action, body_type: type[Body], summary: str) -> Callable[..., JSONResponse]:
    """What FastAPI documents of the action (its OpenAPI operation); SignOff serves it."""

    def endpoint(appraisal_id: str, body: Body, token: BearerToken, if_match: IfMatch = None,
                 idempotency_key: IdempotencyKey = None) -> JSONResponse:
        raise AssertionError("served by SignOff's handler")

    endpoint.__annotations__["body"] = body_type  # what FastAPI validates and documents
    name = action.replace("-", "_")
    endpoint.__name__ = f"{name}_" if keyword.iskeyword(name) else name  # operation ids
    endpoint.__doc__ = summary
    return endpoint


def add_sign_offs(app_router: APIRouter) -> None:
    """The sign-off actions' routes, added to the app's own router ahead of every other:
    a route of an included router costs FastAPI a nested match, twice a request, and routes
    are tried in order (docs/PERFORMANCE.md)."""
    for action, body, summary in ACTION_ROUTES:
        app_router.add_api_route(f"/appraisals/{{appraisal_id}}/{action}",
                                 _endpoint(action, body, summary), methods=["POST"],
                                 response_model=Document, route_class_override=SignOff,
                                 tags=["appraisals"])
