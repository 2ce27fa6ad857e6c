"""Security headers on every answer: pages, API bodies, downloads, problems and error pages.

The pages load only their own scripts and styles (no inline ones), are never framed, and
keep their addresses (which carry ids and filters) to the site. Nothing a person reads
here is stored by the browser or a proxy: scores, names and archives are personal, so
every answer but the shipped assets is `no-store`.
"""

from starlette.types import ASGIApp, Message, Receive, Scope, Send

POLICY = ("default-src 'self'; frame-ancestors 'none'; base-uri 'self'; form-action 'self'; "
          "object-src 'none'")
# FastAPI's own API documentation (/docs, /redoc) loads its viewer from a CDN and starts it
# with an inline script of FastAPI's: those pages show no one's data and reflect nothing
# from the request, so they alone may.
DOCS_POLICY = "; ".join((
    "default-src 'self'", "script-src 'self' 'unsafe-inline' https://cdn.jsdelivr.net",
    "style-src 'self' 'unsafe-inline' https://cdn.jsdelivr.net https://fonts.googleapis.com",
    "font-src 'self' https://fonts.gstatic.com", "worker-src 'self' blob:",
    "img-src 'self' data: https://fastapi.tiangolo.com https://cdn.redoc.ly",
    "frame-ancestors 'none'", "base-uri 'self'", "form-action 'self'", "object-src 'none'"))
DOCS = ("/docs", "/redoc")
STATIC = "/app/static/"  # the shipped CSS and JavaScript: the same for everyone, cacheable
# Same-origin, not no-referrer: with no-referrer a browser posts forms with `Origin: null`.
ALWAYS = [(b"x-content-type-options", b"nosniff"), (b"referrer-policy", b"same-origin"),
          (b"x-frame-options", b"DENY")]


def headers_for(path: str) -> list[tuple[bytes, bytes]]:
    """The headers an answer at `path` carries, beside its own."""
    documentation = path in DOCS or path.startswith("/docs/")
    policy = DOCS_POLICY if documentation else POLICY
    found = [(b"content-security-policy", policy.encode()), *ALWAYS]
    return found if path.startswith(STATIC) else [*found, (b"cache-control", b"no-store")]


class SecurityHeaders:
    """Pure ASGI middleware: adds `headers_for(path)` to the answer's start, except a header
    the answer set itself."""

    def __init__(self, app: ASGIApp):
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        extra = headers_for(scope["path"])

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                own = list(message.get("headers", []))
                named = {name.lower() for name, _ in own}
                message = {**message,
                           "headers": own + [(k, v) for k, v in extra if k not in named]}
            await send(message)

        await self.app(scope, receive, send_with_headers)
