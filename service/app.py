"""The FastAPI app factory: one runtime per process, built in the lifespan."""

import functools
from collections.abc import AsyncIterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import asynccontextmanager
from importlib import metadata

import anyio.to_thread
from fastapi import FastAPI

from domain.supervision import MAX_ATTACHMENT_BYTES
from service import errors, logs
from service.api import openapi_links
from service.api.deps import RuntimeDep
from service.api.metrics import Metrics
from service.api.metrics import router as metrics_route
from service.api.routes import (
    appraisals,
    archives,
    bulk,
    checkpoints,
    deadlines,
    delegations,
    inbox,
    organisation,
    postings,
    rankings,
    reminders,
    supervision,
    users,
)
from service.cases import checkpoints as checkpointing
from service.checkpointer import Checkpointer
from service.headers import SecurityHeaders
from service.limits import BodyLimit
from service.request_id import RequestTrace
from service.runtime import build
from service.schemas import Health, ViewHealth
from service.settings import Settings
from service.web import finding_pages
from service.web import mount as web

PROBLEM = {"content": {"application/problem+json": {}}, "description": "RFC 9457 problem"}
ERRORS = {status: PROBLEM for status in (400, 401, 403, 404, 409, 412, 413, 422, 429, 503)}


def create_app(settings: Settings | None = None) -> FastAPI:
    """The HTTP API over the store the settings name."""
    settings = settings or Settings()
    metrics = Metrics(settings.metrics_allow)  # this app's own registry

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        anyio.to_thread.current_default_thread_limiter().total_tokens = settings.threads
        app.state.sign_offs = ThreadPoolExecutor(settings.threads, "sign-off")
        runtime = app.state.runtime = build(settings)
        if settings.follow:
            runtime.follow()
        runtime.checkpointer = Checkpointer(functools.partial(checkpointing.make, runtime),
                                            settings.checkpoint_minutes * 60)
        runtime.checkpointer.start()
        metrics.watch(runtime)
        try:
            yield
        finally:
            app.state.sign_offs.shutdown()  # the sign-offs under way end first
            runtime.close()

    # FastAPI's OpenTelemetry hooks off: the service's metrics are Prometheus's and its logs
    # its own (service.logs); on, FastAPI looked for a tracer on every request.
    app = FastAPI(title="党员责任区考核 · Zone appraisal", version=metadata.version("appraisal"),
                  lifespan=lifespan, responses=ERRORS,  # type: ignore[arg-type]
                  telemetry={"tracing": False, "metrics": False, "logs": False})
    appraisals.add_sign_offs(app.router)  # matched first, of all routes
    errors.install(app)
    app.add_middleware(BodyLimit, max_bytes=settings.max_body_bytes,
                       streamed={supervision.UPLOAD: MAX_ATTACHMENT_BYTES,
                                 **finding_pages.STREAMED})
    app.add_middleware(SecurityHeaders)  # a 413 carries them too
    app.add_middleware(RequestTrace, listeners=(logs.access, metrics.observe))  # outermost
    app.state.metrics = metrics

    @app.get("/health", response_model=Health, response_model_exclude_none=True,
             tags=["health"])
    def health(rt: RuntimeDep) -> Health:
        """Liveness: no authentication. Writes go on while a read model has failed on an
        event, so it is still ok; the failed ones are named (what `appraisal projections
        check` reports, with the error's text)."""
        failed = rt.follower.failed()
        # Only the error's kind: anyone may ask, and its text may quote the event's data.
        return Health(status="ok", views={name: ViewHealth(
            status="failed", position=f.position, error=f.error.partition(":")[0])
            for name, f in failed.items()} or None)

    for module in (appraisals, users, organisation, rankings, inbox, archives, checkpoints,
                   postings, supervision, deadlines, reminders, delegations):
        app.include_router(module.router)
    app.include_router(bulk.router)
    app.include_router(postings.public)
    app.include_router(metrics_route)
    web.install(app)
    openapi_links.install(app)
    return app
