"""A request id on every request and every answer, and what each request came to.

It also carries the log positions that keep a caller's reads after their writes
(service.consistency): the position a client echoes in `Appraisal-Position`, and the one
this request's writes reached, sent back in that header.

The id is the client's `X-Request-ID` when it is a sane token, else a new one; every answer
carries it back, problems and refusals of the middlewares inside this one included, and
every log line written while the request is served names it (service.logs). When the
answer is sent, the listeners (the access log, the metrics) are told how it went: its
route's template (never the raw path, which holds ids), status, duration and user.
"""

import random
import re
import time
from collections.abc import Callable, Sequence
from contextvars import ContextVar
from dataclasses import dataclass

from starlette.types import ASGIApp, Message, Receive, Scope, Send

HEADER = b"x-request-id"
POSITION = b"appraisal-position"
STALE = b"appraisal-stale-events"
MAX_DIGITS = 18  # of an echoed position: within a BIGINT, never a big-number parse
# The pages' echo: a browser keeps the position of the last write made through it in a
# cookie, so its next page shows that write whichever API process serves it (and whoever
# signs in next on that browser).
PAGES = "/app"
COOKIE = re.compile(rb"(?:^|;)\s*appraisal_position=(\d{1,%d})\s*(?:;|$)" % MAX_DIGITS)
# A client's id is kept only if it cannot forge a log line or a header: letters, digits and
# `._-`, bounded.
SANE = re.compile(r"[A-Za-z0-9._-]{1,128}")
# In the ASGI scope: the request's id, for answers sent outside every middleware (a 500).
SCOPE_KEY = "appraisal.request_id"
UNMATCHED = "unmatched"  # the route label of a path no route serves: never the path itself


@dataclass
class Trace:
    """One request as the log and the metrics see it; `user` is set once a token or a
    session names one (service.auth)."""

    request_id: str
    method: str
    route: str = UNMATCHED
    status: int = 500
    seconds: float = 0.0
    user: str | None = None
    after: int = 0  # the log position the client says it has seen (its last write's)
    written: int = 0  # the log position this request's writes reached
    stale: int | None = None  # events a read's views stood behind what it had to show


Listener = Callable[[Trace], None]
# Whatever runs for the request, in its task or in threads started from it, sees its trace.
_current: ContextVar[Trace | None] = ContextVar("appraisal_trace", default=None)


def current() -> Trace | None:
    """The trace of the request being served, if any."""
    return _current.get()


def note_user(username: str) -> None:
    """The request being served is this user's (a no-op outside a request)."""
    if (trace := _current.get()) is not None:
        trace.user = username


def request_id_of(scope: Scope) -> str | None:
    return scope.get(SCOPE_KEY)


def _chosen_id(scope: Scope) -> str:
    given = next((v for k, v in scope["headers"] if k == HEADER), b"").decode("latin-1")
    return given if SANE.fullmatch(given) else _new_id()


def _new_id() -> str:
    """128 bits from `random`'s generator (seeded from the system's randomness, again in a
    forked child), not a system call a request: os.urandom gives the GIL up, and the event
    loop then waits for a request thread to hand it back. An id is a label, not a secret."""
    return f"{random.getrandbits(128):032x}"


def _echoed(scope: Scope) -> int:
    """The position the client echoes (header or the pages' cookie); 0 when absent or not a
    position (a hint, not a command: a wrong one only makes a read wait less, or up to its
    bound)."""
    echoed = 0
    for key, value in scope["headers"]:
        if key == POSITION and value.isdigit() and len(value) <= MAX_DIGITS:
            echoed = max(echoed, int(value))
        elif key == b"cookie" and (found := COOKIE.search(value)):
            echoed = max(echoed, int(found[1]))
    return echoed


def _route_of(scope: Scope) -> str:
    """The template of the route that took the request (Starlette records it in the scope,
    also for a 405)."""
    route = scope.get("route")
    return getattr(route, "path", None) or UNMATCHED


class RequestTrace:
    """Pure ASGI middleware, outermost: sets the id, echoes it, and tells the listeners."""

    def __init__(self, app: ASGIApp, listeners: Sequence[Listener] = ()):
        self.app = app
        self.listeners = list(listeners)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        trace = Trace(_chosen_id(scope), scope["method"], after=_echoed(scope))
        scope[SCOPE_KEY] = trace.request_id  # in place: the 500 handler reads this dict

        async def send_with_id(message: Message) -> None:
            if message["type"] == "http.response.start":
                trace.status = message["status"]
                own = [(k, v) for k, v in message.get("headers", []) if k.lower() != HEADER]
                message = {**message, "headers": [*own, *_headers(trace, scope["path"])]}
            await send(message)

        token = _current.set(trace)
        started = time.perf_counter()
        try:
            await self.app(scope, receive, send_with_id)
        except Exception:
            trace.status = 500  # answered by Starlette's last handler, outside this one
            raise
        finally:
            trace.seconds = time.perf_counter() - started
            trace.route = _route_of(scope)
            _current.reset(token)
            for listener in self.listeners:
                listener(trace)


def _headers(trace: Trace, path: str) -> list[tuple[bytes, bytes]]:
    """The request id, and where the log stood for this request: its writes' position (for
    a page, in its cookie too), or how far behind a read answered."""
    headers = [(HEADER, trace.request_id.encode())]
    if trace.written:
        headers.append((POSITION, str(trace.written).encode()))
        if path.startswith(PAGES):
            headers.append((b"set-cookie", b"appraisal_position=%d; Path=%s; HttpOnly; "
                            b"SameSite=Lax" % (trace.written, PAGES.encode())))
    if trace.stale is not None:
        headers.append((STALE, str(trace.stale).encode()))
    return headers
