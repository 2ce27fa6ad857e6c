"""The pages around the work: sign in and out, the language switch, the inbox, the list."""

import secrets
from typing import Annotated, Any
from uuid import UUID

from fastapi import Depends, Form, Request
from fastapi.responses import RedirectResponse, Response

from service.auth import check_password
from service.errors import UnauthorizedError
from service.routes.appraisals import list_appraisals
from service.routes.inbox import waiting
from service.web.i18n import COOKIE as LANG_COOKIE
from service.web.i18n import LANGUAGES, language
from service.web.rendering import page_router, render, waited
from service.web.session import (
    Reader,
    check_csrf,
    check_sign_in,
    end,
    page_actor,
    runtime_of,
    safe_next,
    start,
    start_sign_in,
)

router = page_router()
PageActor = Annotated[Reader, Depends(page_actor)]
HOME = "/app/inbox"
LIST_PAGE = 50  # appraisals a list page shows


def home() -> RedirectResponse:
    """`/`: the signed-in reader's inbox (or sign-in first)."""
    return RedirectResponse(HOME, status_code=303)


def sign_in_page(request: Request, status: int = 200, **context: Any) -> Response:
    """The sign-in form, with a fresh pre-session CSRF token in its cookie and field."""
    token = secrets.token_hex(32)
    response = render(request, "sign_in.html", status, csrf=token, **context)
    start_sign_in(response, runtime_of(request), token)
    return response


@router.get("/sign-in")
def sign_in_form(request: Request, next: str | None = None) -> Response:
    return sign_in_page(request, next=safe_next(next, HOME))


@router.post("/sign-in", dependencies=[Depends(check_sign_in)])
def sign_in(request: Request, username: Annotated[str, Form(max_length=200)],
            password: Annotated[str, Form(max_length=1000)],
            next: Annotated[str, Form(max_length=2000)] = HOME) -> Response:
    """The API's password check and the API's token, kept in the session cookie."""
    rt = runtime_of(request)
    try:
        user = check_password(rt.workflows.find_user(username), password)
    except UnauthorizedError:
        return sign_in_page(request, 401, next=safe_next(next, HOME), username=username,
                            failed=True)
    response = RedirectResponse(safe_next(next, HOME), status_code=303)
    start(response, rt, rt.tokens.issue(user.username))
    return response


@router.post("/sign-out", dependencies=[Depends(check_csrf)])
def sign_out(request: Request) -> Response:
    response = RedirectResponse("/app/sign-in", status_code=303)
    end(response, runtime_of(request))
    return response


@router.get("/language/{lang}")
def switch_language(lang: str, request: Request, next: str | None = None) -> Response:
    """Keep the reader's language in a cookie and go back to the page they were on."""
    response = RedirectResponse(safe_next(next, HOME), status_code=303)
    if lang in LANGUAGES:
        response.set_cookie(LANG_COOKIE, lang, max_age=365 * 24 * 3600, path="/",
                            samesite="lax")
    return response


@router.get("/inbox")
def inbox(request: Request, actor: PageActor) -> Response:
    """我的待办: what waits for the reader's signature, oldest first — the API's inbox."""
    rt = runtime_of(request)
    rt.follower.catch_up()
    rows = []
    for doc in waiting(rt, actor, None):
        appraisal = rt.workflows.load_appraisal(UUID(doc["id"]))
        rows.append({"doc": doc, "zone_name": appraisal.zone_name,
                     "since": appraisal.modified_on,
                     "waited": waited(appraisal.modified_on, language(request))})
    return render(request, "inbox.html", actor=actor, rows=rows)


@router.get("/appraisals")
def appraisals(request: Request, actor: PageActor, period: str | None = None,
               zone_id: str | None = None, page: int = 0) -> Response:
    """Every appraisal the reader may read, by period and zone — the API's list, paged."""
    rt = runtime_of(request)
    found: dict[str, Any] = list_appraisals(
        rt, actor, period=period or None, zone_id=zone_id or None, branch_id=None,
        state=None, limit=LIST_PAGE + 1, offset=max(page, 0) * LIST_PAGE)
    items = found["items"]
    return render(request, "list.html", actor=actor, items=items[:LIST_PAGE],
                  more=len(items) > LIST_PAGE, page=page, typed_period=period or "",
                  zone_id=zone_id or "")
