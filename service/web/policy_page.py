"""奖惩标准: a branch's reward policy in force, as `GET /branches/{id}/reward-policy` gives it,
and the form that changes it with `PUT`'s own body check and command; administrators set any
branch's, a branch secretary their own's. A new policy pays the results published from then
on: a result already published keeps the reward it was published with."""

import contextlib
from typing import Any
from urllib.parse import urlencode

from fastapi import Request
from fastapi.responses import RedirectResponse, Response
from pydantic import ValidationError
from starlette.datastructures import FormData

from domain.documents import number
from domain.errors import ForbiddenError, InvalidError
from domain.scoring import Grade
from service.cases.directory import filter_choices
from service.cases.organisation import policy, set_policy
from service.schemas import PolicyIn
from service.web.organisation_pages import Posted, refusal
from service.web.pages import PageActor
from service.web.rendering import page_router, render
from service.web.session import runtime_of
from workflows.access import Actor, may_set_policy

router = page_router()
PAGE = "/app/policy"
GRADES = [grade.value for grade in Grade]


def page(request: Request, actor: Actor, branch_id: str | None, status: int = 200,
         **context: Any) -> Response:
    """The policy of `branch_id` (default: the first the reader may set); 403 for a branch
    that is not the reader's to set, 404 for one that does not exist."""
    rt = runtime_of(request)
    branches = [b for b in filter_choices(rt)["branches"] if may_set_policy(actor, b[0])]
    chosen = branch_id or (branches[0][0] if branches else "")
    if not may_set_policy(actor, chosen):
        raise ForbiddenError("a reward policy is set by an administrator or the branch's "
                             "secretary")
    found = policy(rt.workflows, chosen) if chosen else {}  # none before a branch
    in_force = {g: number(str(found[g])) for g in GRADES if found}
    return render(request, "policy.html", status, actor=actor, branches=branches,
                  chosen=chosen, branch_name=dict(branches).get(chosen, chosen),
                  in_force=in_force, **context)


@router.get("/policy")
def policy_page(request: Request, actor: PageActor, branch_id: str | None = None,
                saved: str | None = None) -> Response:
    return page(request, actor, branch_id or None, saved=bool(saved))


def amounts(form: FormData) -> dict[str, Any]:
    """The typed amounts as the JSON numbers a client sends: an empty field is left out (a
    missing amount), text that is no number stays text, for the API's schema to refuse."""
    typed = {g: str(form.get(g, "")).strip() for g in GRADES}
    return {g: _number_or_text(text) for g, text in typed.items() if text}


def _number_or_text(text: str) -> int | float | str:
    for parse in (int, float):
        with contextlib.suppress(ValueError):
            return parse(text)
    return text


@router.post("/policy")
def change_policy(request: Request, actor: PageActor, form: Posted) -> Response:
    """Set the branch's policy with the API's body check and command (`PUT …/reward-policy`);
    a bad amount is 422 beside its field, with nothing recorded."""
    branch_id = str(form.get("branch_id", ""))
    try:
        set_policy(runtime_of(request).workflows, actor, branch_id,
                   PolicyIn.model_validate(amounts(form)))
    except (ValidationError, InvalidError) as error:
        status, errors = refusal(error)
        return page(request, actor, branch_id, status, failed="policy", errors=errors,
                    values=form)
    return RedirectResponse(f"{PAGE}?{urlencode({'branch_id': branch_id, 'saved': 1})}",
                            status_code=303)
