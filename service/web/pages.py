"""The pages around the work: sign in and out, the language switch, the inbox, the list."""

import secrets
from typing import Annotated, Any
from uuid import UUID

from fastapi import Depends, Form, Request
from fastapi.responses import RedirectResponse, Response

from domain.process import State
from service import sign_in as signing
from service.cases.appraisals import lent, listed
from service.cases.deadlines import dated
from service.cases.directory import users_named
from service.cases.inbox import waiting
from service.errors import RetryLaterError, TooManyAttemptsError, UnauthorizedError
from service.params import Page
from service.web.i18n import COOKIE as LANG_COOKIE
from service.web.i18n import LANGUAGES, language
from service.web.navigation import may_sign_in_bulk
from service.web.rendering import page_router, render, waited
from service.web.session import (
    Reader,
    check_csrf,
    check_sign_in,
    end,
    page_actor,
    runtime_of,
    safe_next,
    session_user,
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
async def sign_in(request: Request, username: Annotated[str, Form(max_length=200)],
                  password: Annotated[str, Form(max_length=1000)],
                  next: Annotated[str, Form(max_length=2000)] = HOME) -> Response:
    """The API's sign-in, throttled alike, and the API's token kept in the session cookie.
    Async: the password is checked on its own pool, holding no request thread."""
    rt = runtime_of(request)
    again = {"next": safe_next(next, HOME), "username": username}
    try:
        user = await signing.sign_in(rt, username, password, signing.client_address(request))
    except UnauthorizedError:
        return sign_in_page(request, 401, failed=True, **again)
    except RetryLaterError as error:  # throttled (429), or the password pool is full (503)
        throttled = isinstance(error, TooManyAttemptsError)
        page = sign_in_page(request, 429 if throttled else 503,
                            refused="throttled" if throttled else "busy", **again)
        page.headers["Retry-After"] = str(error.retry_after)
        return page
    response = RedirectResponse(safe_next(next, HOME), status_code=303)
    start(response, rt, user)
    return response


@router.post("/sign-out", dependencies=[Depends(check_csrf)])
def sign_out(request: Request) -> Response:
    """The session ends here and on every other device (as the API's `/auth/logout`)."""
    rt = runtime_of(request)
    user = session_user(request)
    if user is not None:
        rt.workflows.sign_out(user.username)
    response = RedirectResponse("/app/sign-in", status_code=303)
    end(response, rt)
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
    rt.ready("appraisal_index", "directory")
    rows, principals = [], set()
    for doc in dated(rt, waiting(rt, actor, None)):
        if doc.get("acting_for"):
            principals.add(doc["acting_for"])
        appraisal = rt.workflows.load_appraisal(UUID(doc["id"]))
        rows.append({"doc": doc, "zone_name": appraisal.zone_name,
                     "since": appraisal.modified_on,
                     "waited": waited(appraisal.modified_on, language(request))})
    return render(request, "inbox.html", actor=actor, rows=rows,
                  bulk=may_sign_in_bulk(lent(rt, actor)), users=users_named(rt, principals))


@router.get("/appraisals")
def appraisals(request: Request, actor: PageActor, period: str | None = None,
               zone_id: str | None = None, state: str | None = None,
               page: Page = 0) -> Response:
    """Every appraisal the reader may read, by period, zone and state — the API's list,
    paged. A state that is none of the process's lists nothing, as the API's filter."""
    rt = runtime_of(request)
    items = listed(rt, actor, period=period or None, zone_id=zone_id or None, branch_id=None,
                   state=state or None, limit=LIST_PAGE + 1, offset=page * LIST_PAGE)
    return render(request, "list.html", actor=actor, items=items[:LIST_PAGE],
                  more=len(items) > LIST_PAGE, page=page, typed_period=period or "",
                  zone_id=zone_id or "", state_chosen=state or "", states=list(State))
