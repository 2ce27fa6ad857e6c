"""Archive route (年度档案): the year-end file as JSON, XLSX or PDF, as of any instant."""

from datetime import datetime
from typing import Literal

from fastapi import APIRouter, Query
from fastapi.responses import Response
from pydantic import AwareDatetime

from domain.errors import ForbiddenError
from domain.organisation import Branch
from service import archive
from service.deps import ActorDep, RuntimeDep
from service.runtime import Runtime
from service.schemas import Id
from workflows.access import Actor, may_archive

router = APIRouter(tags=["read models"])
RESPONSES = {200: {"content": {t: {} for t in archive.MEDIA_TYPES.values()},
                   "description": "The year's file; `ETag` is the SHA-256 of the body"}}


@router.get("/archives/{year}", response_class=Response,
            responses=RESPONSES)  # type: ignore[arg-type]
def year_file(year: str, rt: RuntimeDep, actor: ActorDep, branch_id: Id | None = None,
              as_of: AwareDatetime | None = None,
              form: Literal["json", "xlsx", "pdf"] = Query("json", alias="format")) -> Response:
    """Every appraisal of the year (monthly and year-end) in scope that stood published at
    `as_of` (default: now), as it stood then with its history, and a summary per member
    for the democratic evaluation. The same query with the same `as_of` gives the same
    bytes, whatever happened later. Archivists and administrators may produce any archive;
    an inspector those of their scope. An unknown `branch_id` answers 422, before any 403."""
    return download(archive.produce(rt, checked(rt, actor, year, branch_id, as_of), form))


def download(produced: archive.File) -> Response:
    """A produced file as the answer: its bytes, its SHA-256 as the ETag, its file name."""
    return Response(produced.content, media_type=produced.media_type,
                    headers={"ETag": f'"{produced.sha256}"',
                             "Content-Disposition": produced.filename})


def checked(rt: Runtime, actor: Actor, year: str, branch_id: str | None,
            as_of: datetime | None) -> archive.Request:
    """The file asked for, once the checks the API and the archives page share have passed:
    a year and a past instant (422), a known branch (422), then the right to produce (403)."""
    request = archive.Request.of(year, branch_id, as_of)
    if branch_id is not None:
        rt.workflows.load(Branch, branch_id, kind="branch_id", in_body=True)
    if not may_archive(actor, branch_id):
        raise ForbiddenError("archives are produced by archivists, administrators and "
                             "inspectors of the branch (name it with branch_id)")
    return request
