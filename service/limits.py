"""Refuse request bodies over the limit with 413, before anything reads them."""

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from service.errors import problem


class BodyTooLargeError(Exception):
    pass


class BodyLimit:
    """Pure ASGI middleware: checks Content-Length, then counts the bytes that stream in."""

    def __init__(self, app: ASGIApp, max_bytes: int):
        self.app = app
        self.max_bytes = max_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        length = dict(scope["headers"]).get(b"content-length", b"0")
        if not length.isdigit() or int(length) > self.max_bytes:
            await self._refuse(scope, receive, send)
            return
        seen = 0

        async def counted() -> Message:
            nonlocal seen
            message = await receive()
            seen += len(message.get("body", b""))
            if seen > self.max_bytes:
                raise BodyTooLargeError
            return message

        try:
            await self.app(scope, counted, send)
        except BodyTooLargeError:
            await self._refuse(scope, receive, send)

    async def _refuse(self, scope: Scope, receive: Receive, send: Send) -> None:
        response = problem(413, "Content too large", f"the body is over {self.max_bytes} bytes")
        await response(scope, receive, send)
