"""截止日期 and 逾期清单: a secretary sets their branch's due dates of a period (an
administrator every branch's, or one branch's) and sees the dates in force with their
source; the organisation department and the secretaries see what is overdue, with the API's
spreadsheet. The same use cases, body check and command as the API."""

from typing import Any
from urllib.parse import urlencode

from fastapi import Request
from fastapi.responses import RedirectResponse, Response
from pydantic import ValidationError

from domain.errors import ForbiddenError, InvalidError
from domain.period import Period
from domain.process import STEPS
from service.cases import deadlines, overdue
from service.cases.directory import filter_choices
from service.downloads import download
from service.schemas import DeadlinesIn
from service.web.organisation_pages import Posted, refusal
from service.web.pages import PageActor
from service.web.rendering import page_router, render, this_month
from service.web.session import runtime_of
from workflows.access import Actor, may_set_policy, supervised_branches

router = page_router()
PAGE = "/app/deadlines"
EVERY = ""  # the scope field's value for every branch (an administrator's)


def page(request: Request, actor: Actor, period: str, status: int = 200,
         **context: Any) -> Response:
    """The dates in force of each branch the reader sets, and the form that sets them."""
    rt = runtime_of(request)
    # Who sets a branch's deadlines is who sets its reward policy (workflows.deadlines).
    scopes = [b for b in filter_choices(rt)["branches"] if may_set_policy(actor, b[0])]
    if not scopes:
        raise ForbiddenError("a branch's secretary sets its deadlines; an administrator sets "
                             "every branch's")
    label = str(Period.parse(period))
    body = deadlines.read(rt, actor, label, None)
    mine = {b for b, _name in scopes}
    rows = [row for row in body["branches"] if row["branch_id"] in mine]
    every = actor.has_role("admin")
    return render(request, "deadlines.html", status, actor=actor, period_chosen=label,
                  body=body, rows=rows, scopes=scopes, every=every, steps=list(STEPS),
                  **context)


@router.get("/deadlines")
def deadlines_page(request: Request, actor: PageActor, period: str | None = None,
                   saved: str | None = None) -> Response:
    return page(request, actor, period or this_month(), saved=bool(saved))


@router.post("/deadlines")
def set_deadlines(request: Request, actor: PageActor, form: Posted) -> Response:
    """Set the typed dates with the API's body check and command; an empty field is left
    as it was. A refused date is 422 beside its field, with nothing recorded."""
    period = str(form.get("period", ""))
    scope = str(form.get("scope", EVERY))
    typed = {step: str(form.get(step, "")).strip() for step in STEPS}
    try:
        body = DeadlinesIn.model_validate({"dates": {s: d for s, d in typed.items() if d}})
        deadlines.set_for(runtime_of(request), actor, scope or None, period, body.dates)
    except (ValidationError, InvalidError) as error:
        status, errors = refusal(error)
        return page(request, actor, period if _is_period(period) else this_month(), status,
                    failed="deadlines", errors=errors, values=form)
    return RedirectResponse(f"{PAGE}?{urlencode({'period': period, 'saved': 1})}",
                            status_code=303)


def _is_period(text: str) -> bool:
    try:
        Period.parse(text)
    except InvalidError:
        return False
    return True


@router.get("/overdue")
def overdue_page(request: Request, actor: PageActor, period: str | None = None,
                 branch_id: str | None = None) -> Response:
    """逾期清单: the API's overdue list, filtered by period and branch."""
    rt = runtime_of(request)
    body = overdue.read(rt, actor, period or None, branch_id or None)
    overseen = supervised_branches(actor)
    branches = [b for b in filter_choices(rt)["branches"] if overseen is None or b[0] in overseen]
    query = urlencode({k: v for k, v in (("period", period), ("branch_id", branch_id)) if v})
    return render(request, "overdue.html", actor=actor, body=body, branches=branches,
                  chosen=branch_id or "", typed_period=period or "", query=query)


@router.get("/overdue.xlsx")
def overdue_xlsx(request: Request, actor: PageActor, period: str | None = None,
                 branch_id: str | None = None) -> Response:
    """The API's spreadsheet, by the same use case."""
    return download(overdue.xlsx(runtime_of(request), actor, period or None, branch_id or None),
                    tagged=False)
