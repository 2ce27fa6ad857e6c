"""Puts the web pages on the app: their routers, `/` → the inbox, and the shipped assets."""

from fastapi import FastAPI
from fastapi.staticfiles import StaticFiles
from starlette.exceptions import HTTPException

from service.web import (
    appraisal_pages,
    archive_pages,
    board_pages,
    bulk_pages,
    deadline_pages,
    delegation_pages,
    finding_pages,
    form_pages,
    organisation_pages,
    pages,
    policy_page,
    posting_pages,
    progress_page,
    ranking_page,
    reminder_pages,
    user_pages,
)
from service.web.rendering import HERE, http_failure


def install(app: FastAPI) -> None:
    app.include_router(pages.router)
    app.include_router(appraisal_pages.router)
    app.include_router(bulk_pages.router)
    app.include_router(ranking_page.router)
    app.include_router(archive_pages.router)
    app.include_router(organisation_pages.router)
    app.include_router(policy_page.router)
    app.include_router(progress_page.router)
    app.include_router(user_pages.router)
    app.include_router(reminder_pages.router)
    app.include_router(form_pages.router)
    app.include_router(posting_pages.router)
    app.include_router(finding_pages.router)
    app.include_router(board_pages.router)
    app.include_router(board_pages.public)
    app.include_router(deadline_pages.router)
    app.include_router(delegation_pages.router)
    app.add_api_route("/", pages.home, include_in_schema=False)
    app.mount("/app/static", StaticFiles(directory=HERE / "static"), name="static")
    app.add_exception_handler(HTTPException, http_failure)  # type: ignore[arg-type]
