"""Check request bodies before the app reads them: over the limit → 413; not JSON → 422 later."""

import json
from collections.abc import Mapping
from typing import Any
from urllib.parse import unquote_to_bytes

import orjson
from starlette.requests import ClientDisconnect, Request
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from domain.errors import InvalidError
from service.errors import MALFORMED_JSON, ContentTooLargeError, problem

# What the app reads instead of a JSON body that does not parse: a JSON string, which no
# request model accepts. So the app still answers 401 and 404 first (API.md's order of
# checks), then 422 for the body; FastAPI alone would answer 422 (or 400, for bytes that are
# not UTF-8) before looking at the token or the path.
STAND_IN = b'"malformed JSON"'
# In the ASGI scope: the JSON body as parsed here (or the stand-in's string), so that a route
# reading it again (the sign-offs' own handler) does not parse it twice.
PARSED = "appraisal.json"
# No request of the API nests deeper; past this, parsers and encoders start to recurse
# towards Python's limit (a RecursionError is a 500).
MAX_DEPTH = 32


class BodyLimit:
    """Pure ASGI middleware: checks Content-Length, then reads the body (up to the limit)
    before the app sees it, so a streamed body over the limit is refused with 413 too.

    Raising from inside `receive` would not do: FastAPI turns any error while it reads the
    body into a 400.

    `streamed` names routes (method, exact path) that take larger bodies, each with its own
    limit: only a Content-Length over it is refused here, and the body is left to the route,
    which checks the caller before it reads the body as a stream and counts it (read_capped):
    nobody without the right gets a large body held in memory for them.
    """

    def __init__(self, app: ASGIApp, max_bytes: int,
                 streamed: Mapping[tuple[str, str], int] | None = None):
        self.app = app
        self.max_bytes = max_bytes
        self.streamed = dict(streamed or {})

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        if not _clean_target(scope):
            response = problem(400, "Bad request", "the URL holds a NUL character or bytes "
                               "that are not UTF-8")
            await response(scope, receive, send)
            return
        length = dict(scope["headers"]).get(b"content-length", b"0")
        own = self.streamed.get((scope["method"], scope["path"]))
        if not length.isdigit() or int(length) > (own or self.max_bytes):
            await self._refuse(scope, receive, send, own or self.max_bytes)
            return
        if own is not None:
            await self.app(scope, receive, send)
            return
        chunks: list[bytes] = []
        seen, more = 0, True
        while more:
            message = await receive()
            if message["type"] != "http.request":  # the client left: nothing to answer
                return
            chunks.append(message.get("body", b""))
            seen += len(chunks[-1])
            if seen > self.max_bytes:
                await self._refuse(scope, receive, send, self.max_bytes)
                return
            more = message.get("more_body", False)
        scope, content = _stand_in_for_malformed_json(scope, b"".join(chunks))
        body: Message | None = {"type": "http.request", "body": content, "more_body": False}

        async def replay() -> Message:
            nonlocal body
            if body is None:  # after the body, what the server says next (a disconnect)
                return await receive()
            message, body = body, None
            return message

        await self.app(scope, replay, send)

    async def _refuse(self, scope: Scope, receive: Receive, send: Send, limit: int) -> None:
        response = problem(413, "Content too large", f"the body is over {limit} bytes")
        await response(scope, receive, send)


async def read_capped(request: Request, limit: int) -> bytes:
    """A body the route reads itself (BodyLimit's `streamed`), up to `limit` bytes:
    ContentTooLargeError past it, however it is sent (chunked, or with a Content-Length that
    understates it)."""
    chunks: list[bytes] = []
    seen = 0
    try:
        async for chunk in request.stream():
            seen += len(chunk)
            if seen > limit:
                raise ContentTooLargeError(f"the body is over {limit} bytes")
            chunks.append(chunk)
    except ClientDisconnect:
        raise InvalidError("the body ended before it was complete") from None
    return b"".join(chunks)


def _clean_target(scope: Scope) -> bool:
    """Whether the path and query, percent-decoded, are UTF-8 text without NUL: no store can
    hold a NUL (PostgreSQL refuses it in text), and Starlette would turn invalid bytes into
    U+FFFD, a value the client never sent."""
    raw = scope.get("raw_path") or scope["path"].encode()
    for part in (raw, scope.get("query_string", b"").replace(b"+", b" ")):
        try:
            text = unquote_to_bytes(part).decode("utf-8")
        except UnicodeDecodeError:
            return False
        if "\x00" in text:
            return False
    return True


def is_json(scope: Scope) -> bool:
    # FastAPI reads a body that names no content type as JSON, too.
    media = dict(scope["headers"]).get(b"content-type", b"application/json")
    media = media.split(b";")[0].strip().lower()
    main, _, sub = media.partition(b"/")
    return main == b"application" and (sub == b"json" or sub.endswith(b"+json"))


def _stand_in_for_malformed_json(scope: Scope, content: bytes) -> tuple[Scope, bytes]:
    """The scope and body the app gets: a JSON body that does not parse is stood in for."""
    if not content or not is_json(scope):
        return scope, content
    try:
        parsed = _parsed(content)
    except ValueError as error:  # JSONDecodeError, and UnicodeDecodeError for non-UTF bytes
        return _stood_in(scope, str(error))
    except RecursionError:
        return _stood_in(scope, "the JSON is nested too deeply")
    if _deeper_than(parsed, MAX_DEPTH):
        return _stood_in(scope, f"the JSON is nested deeper than {MAX_DEPTH} levels")
    scope[PARSED] = parsed
    return scope, content


def _parsed(content: bytes) -> Any:
    """The body as `json.loads` reads it. orjson reads the same, in C, whatever it accepts;
    what it refuses (NaN, integers past 64 bits, lone surrogates, malformed JSON) is left to
    `json`, which accepts some of it and says why it refuses the rest."""
    try:
        return orjson.loads(content)
    except orjson.JSONDecodeError:
        return json.loads(content)


def _stood_in(scope: Scope, why: str) -> tuple[Scope, bytes]:
    headers = [(k, v) for k, v in scope["headers"] if k != b"content-length"]
    headers.append((b"content-length", str(len(STAND_IN)).encode()))
    # In place: the middleware outside this one reads the route matched from the same scope.
    scope.update({"headers": headers, MALFORMED_JSON: why, PARSED: json.loads(STAND_IN)})
    return scope, STAND_IN


def _deeper_than(value: Any, limit: int) -> bool:
    """Whether arrays and objects nest deeper than `limit`; walked without recursion."""
    stack = [(value, 1)]
    while stack:
        item, depth = stack.pop()
        children = item.values() if isinstance(item, dict) else item if isinstance(
            item, list) else ()
        for child in children:
            if isinstance(child, dict | list):
                if depth + 1 > limit:
                    return True
                stack.append((child, depth + 1))
    return False
