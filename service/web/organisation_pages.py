"""The organisation (组织管理): administrators read branches → groups → members and zones with
the coverage gaps, create each of them and re-assign a zone's responsible members;
administrators and branch secretaries open a period's appraisals for a branch. Each form
calls the use case the API calls (service/cases/)."""

from collections.abc import Callable
from typing import Annotated, Any, cast
from urllib.parse import urlencode

from eventsourcing.persistence import IntegrityError
from fastapi import Depends, Request
from fastapi.responses import RedirectResponse, Response
from pydantic import ValidationError
from starlette.datastructures import FormData

from domain.errors import (
    AlreadyExistsError,
    ForbiddenError,
    InvalidError,
    NotFoundError,
    UnknownReferenceError,
)
from domain.process import Role
from service.cases.appraisals import open_period
from service.cases.directory import filter_choices, organisation_of
from service.cases.inbox import gaps
from service.cases.organisation import create_branch, create_group, create_member, create_zone
from service.params import Count
from service.schemas import Body, BranchIn, GroupIn, MemberIn, OpenPeriodIn, ResponsiblesIn, ZoneIn
from service.web.navigation import may_organise
from service.web.pages import PageActor
from service.web.rendering import page_router, render, this_month
from service.web.session import check_csrf, runtime_of
from workflows.access import Actor

router = page_router()
PAGE = "/app/organisation"
# What each create form makes: the API's body, the use case, the word of its notice.
CREATES: dict[str, tuple[type[Body], Callable[..., dict[str, Any]], str]] = {
    "branches": (BranchIn, create_branch, "branch"), "groups": (GroupIn, create_group, "group"),
    "members": (MemberIn, create_member, "member"), "zones": (ZoneIn, create_zone, "zone")}
CREATED = {word for _, _, word in CREATES.values()}
# The schema's error types a reader is told about in words of their own; others are "format".
CODES = {"missing": "empty", "string_too_short": "empty", "int_type": "not a number",
         "float_type": "not a number"}


def openable(request: Request, actor: Actor) -> list[tuple[str, str]]:
    """The branches the reader may open appraisals in (403 for none): all for an
    administrator or a whole-organisation secretary, else the secretary's own."""
    if not may_organise(actor):
        raise ForbiddenError("the organisation is for administrators and branch secretaries")
    branches = filter_choices(runtime_of(request))["branches"]
    return [b for b in branches if actor.holds(Role.ADMIN, None)
            or actor.holds(Role.BRANCH_SECRETARY, b[0])]


def page(request: Request, actor: Actor, branch_id: str | None, status: int = 200,
         **context: Any) -> Response:
    """The page for `branch_id` (default: the first the reader may open in)."""
    branches = openable(request, actor)
    chosen = branch_id if branch_id in {b[0] for b in branches} else \
        (branches[0][0] if branches else "")
    admin = actor.holds(Role.ADMIN, None)
    rt = runtime_of(request)
    tree = organisation_of(rt, chosen) if admin and chosen else {}
    found_gaps = gaps(rt, actor, chosen) if admin and chosen else {}
    lines = filter_choices(rt)["lines"] if admin else []  # a new zone's line is one of these
    return render(request, "organisation.html", status, actor=actor, admin=admin,
                  branches=branches, chosen=chosen, tree=tree, gaps=found_gaps, lines=lines,
                  month=this_month(), **context)


@router.get("/organisation")
def organisation_page(request: Request, actor: PageActor, branch_id: str | None = None,
                      opened: Count | None = None, already: Count | None = None,
                      reassigned: str | None = None, created: str | None = None,
                      created_id: str | None = None) -> Response:
    return page(request, actor, branch_id, opened=opened, already=already,
                reassigned=reassigned, created=created if created in CREATED else None,
                created_id=created_id)


async def posted(request: Request) -> FormData:
    """The posted form, once its CSRF token has been checked (403, nothing recorded)."""
    await check_csrf(request)
    return await request.form()


Posted = Annotated[FormData, Depends(posted)]


def codes(error: ValidationError) -> dict[str, str]:
    """The API body's errors as the page's field codes: a reason missing, an id malformed."""
    return {str(e["loc"][0]): CODES.get(e["type"], "format") for e in error.errors()}


def refusal(error: Exception) -> tuple[int, dict[str, str]]:
    """A refused form as the page shows it: the API's status and a code beside each field
    (an unknown member is the ticked members' error; a taken id, 409, the id's)."""
    if isinstance(error, ValidationError):
        return 422, codes(error)
    if isinstance(error, UnknownReferenceError):
        return 422, {"responsible_member_ids" if kind == "member_id" else kind: "unknown"
                     for kind in error.errors}
    if isinstance(error, InvalidError):
        return 422, error.errors
    return 409, {"id": "taken"}


@router.post("/organisation/zones/{zone_id}/responsibles")
def reassign(zone_id: str, request: Request, actor: PageActor, form: Posted) -> Response:
    """Re-assign with the API's body check and command; a missing reason is 422."""
    branch_id = str(form.get("branch_id", ""))
    try:
        # A file among them is pydantic's to reject, as any other wrong value.
        body = ResponsiblesIn(member_ids=cast(list[str], form.getlist("member_ids")),
                              reason=str(form.get("reason", "")))
    except ValidationError as error:
        return page(request, actor, branch_id, 422, failed=zone_id, errors=codes(error))
    runtime_of(request).workflows.reassign_zone(zone_id, body.member_ids, body.reason, actor)
    return back(branch_id=branch_id, reassigned=zone_id)


@router.post("/organisation/open")
def open_appraisals(request: Request, actor: PageActor, form: Posted) -> Response:
    """Open the period's appraisals for every zone of the branch: `POST /periods/…`."""
    branch_id, period = str(form.get("branch_id", "")), str(form.get("period", ""))
    try:
        body = OpenPeriodIn(branch_id=branch_id or None)
        done = open_period(runtime_of(request), actor, period, body.branch_id, body.template_id)
    except (InvalidError, ValidationError) as error:
        return page(request, actor, branch_id, 422, failed="open", errors=refusal(error)[1],
                    period_typed=period)
    return back(branch_id=branch_id, opened=done["opened"], already=done["already_open"])


def back(**query: Any) -> RedirectResponse:
    """To the page again, saying what was done (post, redirect, get)."""
    return RedirectResponse(f"{PAGE}?{urlencode(query)}", status_code=303)


def body_of(form: FormData) -> dict[str, Any]:
    """The posted fields as the API's JSON body: the ticked members a list, teams one a line."""
    body: dict[str, Any] = {k: v for k, v in form.items() if isinstance(v, str)}
    body["responsible_member_ids"] = form.getlist("responsible_member_ids")
    body["teams"] = [team.strip() for team in body.get("teams", "").splitlines() if team.strip()]
    return body


@router.post("/organisation/{kind}")
def create(kind: str, request: Request, actor: PageActor, form: Posted) -> Response:
    """Create a branch, group, member or zone with the API's body check and route: a bad
    field is 422, a taken id 409, each beside its field, and nothing is recorded."""
    if kind not in CREATES:
        raise NotFoundError("page", kind)
    schema, create_one, word = CREATES[kind]
    branch_id = str(form.get("branch_id", ""))
    try:
        made = create_one(runtime_of(request).workflows, actor,
                          schema.model_validate(body_of(form)))
    except (ValidationError, InvalidError, AlreadyExistsError, IntegrityError) as error:
        status, errors = refusal(error)
        # Members and zones are created in a form of their group's.
        group = f"-{form.get('group_id', '')}" if kind in ("members", "zones") else ""
        return page(request, actor, branch_id, status, failed=f"new-{kind}{group}",
                    errors=errors, error_status=status, values=form)
    return back(branch_id=made["id"] if kind == "branches" else branch_id, created=word,
                created_id=made["id"])
