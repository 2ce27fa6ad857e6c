"""Reminders on the pages: each user chooses the channels of their daily digest on their
account page (我的账户 → 待办提醒), and administrators read the day's deliveries (提醒记录).
The form is checked against the API's schema and calls the same use case as
`PUT /users/{username}/reminders`."""

from typing import Any

from fastapi import Request
from fastapi.responses import Response
from pydantic import ValidationError

from domain.errors import InvalidError
from domain.reminders import SECRET_FIELDS
from service.cases import reminders
from service.schemas import ReminderChoiceIn
from service.web.organisation_pages import Posted
from service.web.pages import PageActor
from service.web.posting import back, field_errors
from service.web.rendering import page_router, render
from service.web.session import runtime_of
from service.web.user_pages import ACCOUNT, account_page
from workflows.access import Actor
from workflows.organisation import require_admin

router = page_router()
LOG = "/app/reminders"


def typed_choice(form: Any) -> dict[str, Any]:
    """The form as the API's body: the e-mail address as typed ("" removes it); a webhook
    or secret left empty keeps the one stored (the page shows only its beginning)."""
    body: dict[str, Any] = {"channels": [str(c) for c in form.getlist("channel")],
                            "email": str(form.get("email", "")).strip()}
    for name in SECRET_FIELDS:
        typed = str(form.get(name, "")).strip()
        body[name] = typed or None
    return body


@router.post("/account/reminders")
def choose(request: Request, actor: PageActor, form: Posted) -> Response:
    """The reader's own channels: the API's `PUT /users/{username}/reminders`."""
    body = typed_choice(form)
    try:
        checked = ReminderChoiceIn.model_validate(body)
        reminders.choose(runtime_of(request), actor, actor.username, checked.model_dump())
    except ValidationError as error:
        errors = field_errors(error, lambda loc: str(loc[0]))
        return account_page(request, actor, 422, failed="reminders", errors=errors,
                            values=body)
    except InvalidError as error:
        return account_page(request, actor, 422, failed="reminders",
                            errors=dict(error.errors) or {"channels": "format"}, values=body)
    return back(ACCOUNT, reminded=1)


@router.get("/reminders")
def deliveries(request: Request, actor: PageActor, day: str | None = None) -> Response:
    """提醒记录: the day's deliveries, failures first (administrators)."""
    return log_page(request, actor, day)


def log_page(request: Request, actor: Actor, day: str | None) -> Response:
    require_admin(actor)
    found = reminders.deliveries(runtime_of(request), actor, reminders.day_of(day), 1000)
    return render(request, "reminders.html", 200, actor=actor, log=found)
