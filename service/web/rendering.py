"""Templates and the pages' answer to failures: HTML with the status the API would give."""

from collections.abc import Callable, Coroutine
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from fastapi import Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from fastapi.routing import APIRoute, APIRouter
from fastapi.templating import Jinja2Templates
from starlette.exceptions import HTTPException

from domain.period import Period
from service.errors import KNOWN, STATUS, headers_of, http_problem
from service.web.i18n import language, words
from service.web.navigation import navigation
from service.web.problems import explain
from service.web.session import (
    BOARD_PATH,
    CsrfError,
    Reader,
    SignInRequiredError,
    csrf_token,
    page_actor,
    sign_in_url,
)

HERE = Path(__file__).parent
SHANGHAI = ZoneInfo("Asia/Shanghai")
PUBLIC = BOARD_PATH  # the public board's pages: no sign-in, no header navigation


def this_month() -> str:
    """The month it is in the mine (Beijing time)."""
    now = datetime.now(SHANGHAI)
    return str(Period(now.year, now.month))
templates = Jinja2Templates(directory=HERE / "templates")


def local_time(moment: datetime | str) -> str:
    """A stored UTC instant as read in the mine: Beijing time, to the minute."""
    if isinstance(moment, str):
        moment = datetime.fromisoformat(moment.replace("Z", "+00:00"))
    return moment.astimezone(SHANGHAI).strftime("%Y-%m-%d %H:%M")


def last_day(closes: datetime | str) -> str:
    """The last day of a window that closes at midnight after it, as read in the mine."""
    if isinstance(closes, str):
        closes = datetime.fromisoformat(closes.replace("Z", "+00:00"))
    return (closes - timedelta(microseconds=1)).astimezone(SHANGHAI).strftime("%Y-%m-%d")


def waited(since: datetime, lang: str) -> str:
    """How long since `since`, in the largest whole unit: 3 天, 5 小时, 12 分钟."""
    t = words(lang)["t"]
    minutes = int((datetime.now(UTC) - since).total_seconds() // 60)
    if minutes >= 24 * 60:
        return f"{minutes // (24 * 60)} {t('days')}"
    if minutes >= 60:
        return f"{minutes // 60} {t('hours')}"
    return f"{max(minutes, 0)} {t('minutes')}"


def name_in(ident: str, names: dict[str, str]) -> str:
    """A person's or a place's name by id; the id itself when no name is known."""
    return names.get(ident, ident)


templates.env.filters["local_time"] = local_time
templates.env.filters["local_date"] = lambda moment: local_time(moment)[:10]
templates.env.filters["last_day"] = last_day
templates.env.filters["name_in"] = name_in


def render(request: Request, name: str, status: int = 200, **context: Any) -> HTMLResponse:
    """A page, with what every page shows: language, the reader's words, the CSRF token."""
    lang = language(request)
    query = f"?{request.url.query}" if request.url.query else ""
    actor = context.get("actor")
    common = {"lang": lang, "csrf": csrf_token(request), "here": request.url.path + query,
              "nav": navigation(actor) if actor else []}
    return templates.TemplateResponse(request, name, {**common, **words(lang), **context},
                                      status_code=status)


def status_of(error: Exception) -> int:
    """The status service.errors gives the same error in the API."""
    return next(s for cls, s, _ in STATUS if isinstance(error, cls))


def failure(request: Request, error: Exception) -> Response:
    """Sign in first; or an error page with the API's status, saying what happened and what
    to do next in the reader's language."""
    if isinstance(error, SignInRequiredError):
        return RedirectResponse(sign_in_url(error.next_path), status_code=303)
    page = error_page(request, error, page_status(error))
    page.headers.update(headers_of(error) or {})  # a 429's or 503's Retry-After
    return page


def page_status(error: Exception) -> int:
    """A failed form's status: the API's for the same error, 403 for a CSRF token."""
    return (403 if isinstance(error, CsrfError) else
            422 if isinstance(error, RequestValidationError) else status_of(error))


def public_failure(request: Request, error: Exception) -> Response:
    """A failure of a page anyone reads without signing in (the public board): said in words
    on a plain page, with nothing of the signed-in pages."""
    status = error.status_code if isinstance(error, HTTPException) else page_status(error)
    page = render(request, "error.html", status, public=True,
                  problem=explain(error, status, language(request)))
    page.headers.update(headers_of(error) or getattr(error, "headers", None) or {})
    return page


def error_page(request: Request, error: Exception, status: int) -> HTMLResponse:
    """The error said in the reader's language, under the header of their own pages."""
    return render(request, "error.html", status, problem=explain(error, status, language(request)),
                  actor=signed_in(request))


def signed_in(request: Request) -> Reader | None:
    """The session's user, if there is one: an error page shows their header."""
    try:
        return page_actor(request)
    except SignInRequiredError:
        return None


def http_failure(request: Request, error: HTTPException) -> Response:
    """No such page, or a page asked for the wrong way (a GET of a form's target): a page
    under `/app`, problem+json elsewhere as for every API error."""
    if request.url.path.startswith(PUBLIC):
        return public_failure(request, error)
    if not request.url.path.startswith("/app/"):
        return http_problem(request, error)
    page = error_page(request, error, error.status_code)
    page.headers.update(error.headers or {})  # a 405's Allow, as the API gives it
    return page


Endpoint = Callable[[Request], Coroutine[Any, Any, Response]]


class PageRoute(APIRoute):
    """A page route: failures (also in its dependencies) answer as HTML, never JSON."""

    failed = staticmethod(failure)

    def get_route_handler(self) -> Endpoint:
        handler = super().get_route_handler()

        async def page(request: Request) -> Response:
            try:
                return await handler(request)
            except (*KNOWN, CsrfError, SignInRequiredError, RequestValidationError) as error:
                return self.failed(request, error)

        return page


class PublicRoute(PageRoute):
    """A page of the public board: its failures are plain pages too (an unknown or revoked
    link is a 404 that says nothing more)."""

    failed = staticmethod(public_failure)


def page_router() -> APIRouter:
    """A router of pages under `/app`, answering failures as pages, kept out of OpenAPI."""
    return APIRouter(prefix="/app", route_class=PageRoute, include_in_schema=False)


def public_router() -> APIRouter:
    """A router of the pages under PUBLIC, read without signing in, kept out of OpenAPI."""
    return APIRouter(prefix=PUBLIC.rstrip("/"), route_class=PublicRoute,
                     include_in_schema=False)
