"""年度档案: the year's file in each form, as `GET /archives/{year}` gives it (its checks,
its bytes), and on request the SHA-256 of each form with the instant pinned, so a download
can be produced again and verified years later."""

from datetime import datetime
from typing import Any

import orjson
from fastapi import Request
from fastapi.responses import Response

from domain.errors import ForbiddenError, InvalidError
from service.cases import archives
from service.cases.directory import filter_choices
from service.downloads import download
from service.runtime import Runtime
from service.web.appraisal_pages import instant
from service.web.pages import PageActor
from service.web.rendering import SHANGHAI, page_router, render
from service.web.session import runtime_of
from workflows.access import Actor, may_archive

router = page_router()
FORMS = tuple(archives.MEDIA_TYPES)


def scopes(rt: Runtime, actor: Actor) -> dict[str, Any]:
    """The scopes the reader may produce: every branch (`whole`) and the branches allowed."""
    allowed = [b for b in filter_choices(rt)["branches"] if may_archive(actor, b[0])]
    if not allowed:
        raise ForbiddenError("archives are produced by archivists, administrators and "
                             "inspectors of a branch")
    return {"whole": may_archive(actor, None), "branches": allowed}


def asked_for(request: Request, actor: Actor, year: str, branch_id: str | None,
              as_of: str | None) -> archives.Request | Response:
    """The file asked for, after the API's checks; or the form again, 422, with the reason
    beside the field (an empty as-of is now; a time without a zone is Beijing time)."""
    try:
        moment = instant(as_of) if as_of else None
        return archives.checked(runtime_of(request), actor, year, branch_id or None, moment)
    except InvalidError as error:  # the year is parsed as a period: its error is the year's
        errors = {"year" if key == "period" else key: code for key, code in error.errors.items()}
        return page(request, actor, year, branch_id, as_of, 422, errors=errors)


def page(request: Request, actor: Actor, year: str, branch_id: str | None, as_of: str | None,
         status: int = 200, **context: Any) -> Response:
    fields = {"year": year, "branch_id": branch_id or "", "as_of": as_of or ""}
    return render(request, "archives.html", status, actor=actor, fields=fields,
                  **scopes(runtime_of(request), actor), **context)


@router.get("/archives")
def archives_page(request: Request, actor: PageActor, year: str | None = None,
                  branch_id: str | None = None, as_of: str | None = None,
                  check: str | None = None) -> Response:
    """The form; with `check`, the manifest and the SHA-256 of each form as of a pinned
    instant, with downloads of exactly those bytes."""
    year = year or str(datetime.now(SHANGHAI).year)
    if not check:
        return page(request, actor, year, branch_id, as_of)
    asked = asked_for(request, actor, year, branch_id, as_of)
    if isinstance(asked, Response):
        return asked
    files = {form: archives.produce(runtime_of(request), asked, form) for form in FORMS}
    return page(request, actor, year, branch_id, as_of, asked=asked, files=files,
                manifest=orjson.loads(files["json"].content)["manifest"])


@router.get("/archives/file")
def archive_file(request: Request, actor: PageActor, year: str, form: str = "json",
                 branch_id: str | None = None, as_of: str | None = None) -> Response:
    """The bytes, ETag and file name `GET /archives/{year}` answers, for the cookie session."""
    if form not in FORMS:
        raise InvalidError(f"{form!r} is not one of {', '.join(FORMS)}", {"format": "format"})
    asked = asked_for(request, actor, year, branch_id, as_of)
    if isinstance(asked, Response):
        return asked
    return download(archives.produce(runtime_of(request), asked, form))
