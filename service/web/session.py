"""The browser session: the API's bearer token in a cookie, and CSRF tokens bound to it.

The cookie holds the very JWT `/auth/token` issues, so a page and an API call of the same
user are authorised by the same rules and expire together (and end together: a password
set, roles changed, the user disabled or signed out). Every form that writes carries
an HMAC of that token (keyed by the signing secret): another site can make the browser send
the cookie, but cannot read the page to learn the HMAC, so its forged POST is refused.
"""

import hashlib
import hmac
import secrets
from dataclasses import dataclass
from urllib.parse import quote

from fastapi import Request
from fastapi.responses import Response
from starlette.datastructures import FormData

from domain.users import User
from service.errors import UnauthorizedError
from service.runtime import Runtime
from workflows.access import Actor

# `__Host-`: the browser keeps it only if Secure, Path=/ and without Domain, so neither a
# sibling subdomain nor a plain-HTTP page can set or shadow the session. Chromium and
# Firefox take Secure cookies from http://localhost and http://127.0.0.1 too (the browser
# tests run there). With `cookie_secure` off (a plain-HTTP test proxy) the prefix would make
# browsers drop the cookie, so the plain name is used then.
COOKIE = "__Host-appraisal_session"
PLAIN_COOKIE = "appraisal_session"
CSRF_FIELD = "csrf"
SIGN_IN_COOKIE = "appraisal_sign_in"
SIGN_IN_SECONDS = 15 * 60  # a sign-in form left open longer is refused; reload it
BOARD_COOKIE = "appraisal_board"
BOARD_PATH = "/board/"
BOARD_SECONDS = 60 * 60  # an objection takes a while to write


class SignInRequiredError(Exception):
    """A page was asked for without a valid session: the browser goes to sign in first."""

    def __init__(self, next_path: str):
        super().__init__(next_path)
        self.next_path = next_path


class CsrfError(Exception):
    """A writing form came without the CSRF token of the session it was sent with."""


@dataclass(frozen=True)
class Reader(Actor):
    """The signed-in user of a page: the workflow's actor, and the name the header shows."""

    display_name: str


def runtime_of(request: Request) -> Runtime:
    return request.app.state.runtime


def cookie_name(rt: Runtime) -> str:
    return COOKIE if rt.settings.cookie_secure else PLAIN_COOKIE


def session_token(request: Request) -> str:
    """The session cookie's token ('' without one)."""
    return request.cookies.get(cookie_name(runtime_of(request)), "")


def start(response: Response, rt: Runtime, user: User) -> None:
    """Put a bearer token of the signed-in user into the session cookie."""
    response.set_cookie(cookie_name(rt), rt.tokens.issue(user),
                        max_age=rt.settings.token_minutes * 60, path="/",
                        secure=rt.settings.cookie_secure, httponly=True, samesite="lax")


def end(response: Response, rt: Runtime) -> None:
    response.delete_cookie(cookie_name(rt), path="/", secure=rt.settings.cookie_secure,
                           httponly=True, samesite="lax")


def session_user(request: Request) -> User | None:
    """The user of the session cookie while the session lasts (None: sign in again)."""
    rt = runtime_of(request)
    token = session_token(request)
    try:
        return rt.tokens.user(token, rt.workflows.find_user) if token else None
    except UnauthorizedError:
        return None


def page_actor(request: Request) -> Reader:
    """The user of the session cookie, with their roles as they are now; or off to sign in."""
    user = session_user(request)
    if user is None:
        raise SignInRequiredError(_here(request))
    return Reader(user.username, user.member_id, tuple(user.grants), user.display_name)


def _here(request: Request) -> str:
    query = f"?{request.url.query}" if request.url.query else ""
    return f"{request.url.path}{query}"


def csrf_token(request: Request) -> str:
    """The CSRF token of this request's session ('' without one)."""
    token = session_token(request)
    if not token:
        return ""
    key = runtime_of(request).tokens.secret.encode()
    return hmac.new(key, b"csrf:" + token.encode(), hashlib.sha256).hexdigest()


async def check_csrf(request: Request) -> None:
    """Refuse a writing form whose CSRF field is not this session's (403, nothing recorded)."""
    await _require(request, csrf_token(request))


def start_sign_in(response: Response, rt: Runtime, token: str) -> None:
    """A pre-session token for the sign-in form, in a short-lived SameSite=Strict cookie:
    another site cannot read the form to learn it, so it cannot sign the browser in to an
    account of its own (login CSRF)."""
    _pre_session(response, rt, SIGN_IN_COOKIE, token, SIGN_IN_SECONDS, "/app/sign-in")


async def check_sign_in(request: Request) -> None:
    """Refuse a sign-in whose CSRF field is not the one its form was given (403)."""
    await _require(request, request.cookies.get(SIGN_IN_COOKIE, ""))


def board_token(request: Request) -> str:
    """The public board's form token: the browser's own while its cookie lasts (a second
    form opened beside the first keeps it working), else a new one."""
    kept = request.cookies.get(BOARD_COOKIE, "")
    return kept if len(kept) == 64 and kept.isalnum() else secrets.token_hex(32)


def start_board(response: Response, rt: Runtime, token: str) -> None:
    """The public board's objection form is sent without a session, as the sign-in form is:
    its token in a SameSite=Strict cookie of the board's pages, so another site cannot post
    objections from a visitor's browser (and address)."""
    _pre_session(response, rt, BOARD_COOKIE, token, BOARD_SECONDS, BOARD_PATH)


async def check_board(request: Request) -> None:
    """Refuse a public objection whose CSRF field is not the one its form was given (403)."""
    await _require(request, request.cookies.get(BOARD_COOKIE, ""))


def _pre_session(response: Response, rt: Runtime, name: str, token: str, seconds: int,
                 path: str) -> None:
    response.set_cookie(name, token, max_age=seconds, path=path,
                        secure=rt.settings.cookie_secure, httponly=True, samesite="strict")


async def _require(request: Request, expected: str) -> None:
    _matches(await request.form(), expected)


def check_csrf_of(request: Request, form: FormData) -> None:
    """As check_csrf, for a form its route has read itself (one with files)."""
    _matches(form, csrf_token(request))


def _matches(form: FormData, expected: str) -> None:
    sent = form.get(CSRF_FIELD)
    if not expected or not isinstance(sent, str) or not hmac.compare_digest(sent, expected):
        raise CsrfError("the form's CSRF token is missing or not this session's")


def safe_next(path: str | None, default: str) -> str:
    """Only a path of this site: `next=https://evil.example` must not redirect away."""
    if not path or not path.startswith("/") or path.startswith("//") or "\\" in path:
        return default
    return path


def sign_in_url(next_path: str) -> str:
    return f"/app/sign-in?next={quote(next_path, safe='/')}"
