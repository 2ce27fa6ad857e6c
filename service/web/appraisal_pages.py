"""The appraisal pages (考核表, 审计轨迹): read now or as it stood, sign a step, the history."""

from datetime import datetime
from typing import Annotated, Any

from eventsourcing.persistence import IntegrityError
from fastapi import Depends, Request
from fastapi.responses import RedirectResponse, Response

from domain.appraisal import Appraisal
from domain.bounds import count_of
from domain.errors import DomainError, InvalidError, NotFoundError
from domain.process import Role
from service.cases import inclusion
from service.cases.directory import users_named
from service.params import Version
from service.web.i18n import language
from service.web.pages import PageActor
from service.web.problems import explain
from service.web.rendering import SHANGHAI, page_router, render, status_of
from service.web.session import check_csrf, runtime_of
from service.web.views import appraisal_view, history_view, submission_of
from workflows import machine
from workflows.access import Actor
from workflows.application import Workflows
from workflows.process import EVENT_OF

router = page_router()


async def form_fields(request: Request) -> dict[str, str]:
    """The posted form's text fields, once its CSRF token has been checked."""
    await check_csrf(request)
    form = await request.form()
    return {key: value for key, value in form.items() if isinstance(value, str)}


FormFields = Annotated[dict[str, str], Depends(form_fields)]


def readable(workflows: Workflows, appraisal_id: str, actor: Actor) -> Appraisal:
    """The appraisal the path names, if the reader may read it (404, 403 otherwise)."""
    appraisal = workflows.load_stream(appraisal_id)
    workflows.check_readable(appraisal, actor)
    return appraisal


def instant(text: str) -> datetime:
    """A time typed in the page (Beijing time unless it names its zone)."""
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        raise InvalidError("as_of is not a date and time", {"as_of": "not a time"}) from None
    return moment if moment.tzinfo else moment.replace(tzinfo=SHANGHAI)


@router.get("/appraisals/{appraisal_id}")
def appraisal_page(appraisal_id: str, request: Request, actor: PageActor,
                   version: Version = None, as_of: str | None = None,
                   done: str | None = None) -> Response:
    """考核表: the appraisal now with the step the reader may take, or read-only as it stood
    after event `version` or at the instant `as_of`."""
    workflows = runtime_of(request).workflows
    appraisal = readable(workflows, appraisal_id, actor)
    if version is None and not as_of:
        return _page(request, workflows, appraisal, actor, done=EVENT_OF.get(done or ""))
    then = workflows.appraisal_then(appraisal.id, version=version,
                                    as_of=instant(as_of) if as_of else None)
    view = appraisal_view(workflows, then, [])
    return render(request, "appraisal.html", actor=actor, then=True, version=version,
                  as_of=as_of, users=signers(request, view), **view)


def _page(request: Request, workflows: Workflows, appraisal: Appraisal, actor: Actor,
          status: int = 200, **context: Any) -> Response:
    allowed = workflows.allowed(appraisal, actor)
    view = appraisal_view(workflows, appraisal, allowed.actions)
    return render(request, "appraisal.html", status, actor=actor, then=False,
                  users=signers(request, view, allowed.acting_for),
                  acting_for=allowed.acting_for,
                  may_find=actor.holds(Role.INSPECTOR, appraisal.branch_id), **view, **context)


def signers(request: Request, view: dict[str, Any], *more: str | None) -> dict[str, str]:
    """Display names of those who signed the steps shown (and whom for), cancelled it,
    objected or answered, and recorded findings, and of `more`, by username."""
    people = [p for _, s in view["steps"] if s for p in (s["actor"], s.get("on_behalf_of"))
              if p]
    people += [p for p in more if p]
    if view["cancellation"]:
        people.append(view["cancellation"]["actor"])
    for found in (*view["objections"], *view["findings"]):
        people.append(found["actor"])
        people += [later["actor"] for later in (found.get("answer"), found.get("rectification"))
                   if later]
    return users_named(runtime_of(request), people)


@router.post("/appraisals/{appraisal_id}/{action}")
def act(appraisal_id: str, action: str, request: Request, actor: PageActor,
        form: FormFields) -> Response:
    """Take a step with the API's own command; on refusal, the form again with the reason
    beside the field and the status the API would have answered."""
    if action not in machine.ACTIONS:
        raise NotFoundError("action", action)
    rt = runtime_of(request)
    workflows = rt.workflows
    appraisal = readable(workflows, appraisal_id, actor)
    version = count_of(form.get("version", ""))
    try:
        workflows.take(appraisal, action, actor,
                       submission_of(action, form, appraisal.items), if_match=version)
        rt.took(action)
    except (DomainError, IntegrityError) as error:
        fresh = workflows.load_appraisal(appraisal.id)
        status = status_of(error)
        return _page(request, workflows, fresh, actor, status, failed=action,
                     problem=explain(error, status, language(request)), error_status=status,
                     errors=getattr(error, "errors", {}), values=form)
    return RedirectResponse(f"/app/appraisals/{appraisal_id}?done={action}", status_code=303)


@router.get("/appraisals/{appraisal_id}/history")
def history_page(appraisal_id: str, request: Request, actor: PageActor) -> Response:
    """审计轨迹: every event — who, in which role, when, old → new scores, reasons, and the
    first checkpoint of the log that includes it, with its witnesses."""
    rt = runtime_of(request)
    appraisal = readable(rt.workflows, appraisal_id, actor)
    entries = history_view(rt.workflows.events.get(appraisal.id))
    return render(request, "history.html", actor=actor, entries=entries,
                  included=inclusion.per_event(rt, appraisal.id),
                  users=users_named(rt, (p for e in entries
                                         for p in (e["actor"], e["data"].get("on_behalf_of"))
                                         if p)),
                  **appraisal_view(rt.workflows, appraisal, []))
