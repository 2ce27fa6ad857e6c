"""The organisation (组织管理): administrators read branches → groups → members and zones with
the coverage gaps and re-assign a zone's responsible members; administrators and branch
secretaries open a period's appraisals for a branch. Each form calls the API's own code."""

from typing import Annotated, Any
from urllib.parse import urlencode

from fastapi import Depends, Request
from fastapi.responses import RedirectResponse, Response
from pydantic import ValidationError
from starlette.datastructures import FormData

from domain.errors import ForbiddenError, InvalidError
from service.routes.appraisals import open_period
from service.routes.inbox import coverage_gaps
from service.schemas import OpenPeriodIn, ResponsiblesIn
from service.web.directory import filter_choices, organisation_of, this_month
from service.web.navigation import may_organise
from service.web.pages import PageActor
from service.web.rendering import page_router, render
from service.web.session import check_csrf, runtime_of
from workflows.access import Actor

router = page_router()
PAGE = "/app/organisation"


def openable(request: Request, actor: Actor) -> list[tuple[str, str]]:
    """The branches the reader may open appraisals in (403 for none): all for an
    administrator or a whole-organisation secretary, else the secretary's own."""
    if not may_organise(actor):
        raise ForbiddenError("the organisation is for administrators and branch secretaries")
    branches = filter_choices(runtime_of(request))["branches"]
    return [b for b in branches if actor.holds("admin", None)
            or actor.holds("branch_secretary", b[0])]


def page(request: Request, actor: Actor, branch_id: str | None, status: int = 200,
         **context: Any) -> Response:
    """The page for `branch_id` (default: the first the reader may open in)."""
    branches = openable(request, actor)
    chosen = branch_id if branch_id in {b[0] for b in branches} else \
        (branches[0][0] if branches else "")
    admin = actor.holds("admin", None)
    rt = runtime_of(request)
    tree = organisation_of(rt, chosen) if admin and chosen else {}
    gaps = coverage_gaps(rt, actor, chosen) if admin and chosen else {}
    return render(request, "organisation.html", status, actor=actor, admin=admin,
                  branches=branches, chosen=chosen, tree=tree, gaps=gaps,
                  month=this_month(), **context)


@router.get("/organisation")
def organisation_page(request: Request, actor: PageActor, branch_id: str | None = None,
                      opened: int | None = None, already: int | None = None,
                      reassigned: str | None = None) -> Response:
    return page(request, actor, branch_id, opened=opened, already=already,
                reassigned=reassigned)


async def posted(request: Request) -> FormData:
    """The posted form, once its CSRF token has been checked (403, nothing recorded)."""
    await check_csrf(request)
    return await request.form()


Posted = Annotated[FormData, Depends(posted)]


def codes(error: ValidationError) -> dict[str, str]:
    """The API body's errors as the page's field codes: a reason is missing, an id malformed."""
    return {str(e["loc"][0]): "empty" if e["loc"][0] == "reason" else "format"
            for e in error.errors()}


@router.post("/organisation/zones/{zone_id}/responsibles")
def reassign(zone_id: str, request: Request, actor: PageActor, form: Posted) -> Response:
    """Re-assign with the API's body check and command; a missing reason is 422."""
    branch_id = str(form.get("branch_id", ""))
    try:
        body = ResponsiblesIn(member_ids=form.getlist("member_ids"),
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
        done = open_period(period, OpenPeriodIn(branch_id=branch_id or None),
                           runtime_of(request), actor)
    except (InvalidError, ValidationError) as error:
        errors = codes(error) if isinstance(error, ValidationError) else error.errors
        return page(request, actor, branch_id, 422, failed="open", errors=errors,
                    period_typed=period)
    return back(branch_id=branch_id, opened=done["opened"], already=done["already_open"])


def back(**query: Any) -> RedirectResponse:
    """To the page again, saying what was done (post, redirect, get)."""
    return RedirectResponse(f"{PAGE}?{urlencode(query)}", status_code=303)
