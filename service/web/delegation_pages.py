"""代签 (signing on behalf): the delegations the reader sees, a deputy named for a signer (the
reader themself, or for a secretary a signer of their branch), and a delegation revoked; each
form through the API's own schema and use case."""

from typing import Any
from urllib.parse import urlencode

from eventsourcing.persistence import IntegrityError
from fastapi import Request
from fastapi.responses import RedirectResponse, Response
from pydantic import ValidationError

from domain.errors import ConflictError, InvalidError
from domain.period import china_date
from service.cases import delegations
from service.cases.directory import users_named
from service.schemas import DelegationIn, ReasonIn
from service.web.i18n import language
from service.web.organisation_pages import Posted, codes
from service.web.pages import PageActor
from service.web.problems import explain
from service.web.rendering import page_router, render, status_of
from service.web.session import runtime_of
from workflows.access import Actor
from workflows.delegations import revoker_role

router = page_router()
PAGE = "/app/delegations"
DONE = ("granted", "revoked")


def page(request: Request, actor: Actor, status: int = 200, **context: Any) -> Response:
    rt = runtime_of(request)
    found = delegations.listed(rt, actor)
    today = china_date().isoformat()
    rows = [{**d, "status": _status(d, today),
             "revocable": d["revoked"] is None and d["to"] >= today
             and revoker_role(actor, rt.workflows.delegation(d["id"]).delegation) is not None}
            for d in found]
    principals = delegations.principals(rt, actor)
    people = {p for d in found for p in (d["principal"], d["deputy"], d["granted_by"],
                                         (d["revoked"] or {}).get("by"))
              if p}
    return render(request, "delegations.html", status, actor=actor, rows=rows,
                  principals=principals, users=users_named(rt, people), today=today,
                  **context)


def _status(delegation: dict[str, Any], today: str) -> str:
    """In force, to come, over, or revoked: as the list says it."""
    if delegation["revoked"] is not None:
        return "revoked"
    if delegation["active"]:
        return "active"
    return "upcoming" if delegation["from"] > today else "ended"


@router.get("/delegations")
def delegations_page(request: Request, actor: PageActor, done: str | None = None) -> Response:
    return page(request, actor, done=done if done in DONE else None)


@router.post("/delegations")
def grant(request: Request, actor: PageActor, form: Posted) -> Response:
    """Name a deputy with `POST /delegations`'s body check and command: a bad field is 422
    beside it, an overlap 409, with nothing recorded."""
    fields = {k: v for k, v in form.items() if isinstance(v, str)}
    try:
        body = DelegationIn.model_validate({**fields, "principal": fields.get("principal")
                                            or None})
        delegations.grant(runtime_of(request).workflows, actor, body)
    except (ValidationError, InvalidError, ConflictError, IntegrityError) as error:
        return _refused(request, actor, "grant", error, fields)
    return RedirectResponse(f"{PAGE}?{urlencode({'done': 'granted'})}", status_code=303)


@router.post("/delegations/{delegation_id}/revoke")
def revoke(delegation_id: str, request: Request, actor: PageActor, form: Posted) -> Response:
    """Revoke with `POST /delegations/{id}/revoke`'s check and command."""
    fields = {k: v for k, v in form.items() if isinstance(v, str)}
    rt = runtime_of(request)
    rt.workflows.readable_delegation(delegation_id, actor)  # 404, then 403, before the form
    try:
        reason = ReasonIn.model_validate(fields).reason
        delegations.revoke(rt.workflows, actor, delegation_id, reason)
    except (ValidationError, InvalidError, ConflictError, IntegrityError) as error:
        return _refused(request, actor, delegation_id, error, fields)
    return RedirectResponse(f"{PAGE}?{urlencode({'done': 'revoked'})}", status_code=303)


def _refused(request: Request, actor: Actor, form: str, error: Exception,
             values: dict[str, str]) -> Response:
    """The page again, with the API's status: a field's error beside it, a conflict said."""
    if isinstance(error, ValidationError):
        status, errors = 422, codes(error)
    elif isinstance(error, InvalidError):
        status, errors = 422, error.errors
    else:
        status, errors = status_of(error), {}
    problem = None if errors else explain(error, status, language(request))
    return page(request, actor, status, failed=form, errors=errors, error_status=status,
                problem=problem, values=values)
