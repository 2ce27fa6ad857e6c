"""Archive route (年度档案): the year-end file as JSON, XLSX or PDF, as of any instant."""

from typing import Literal

from fastapi import APIRouter, Query
from fastapi.responses import Response
from pydantic import AwareDatetime

from service.api.deps import ActorDep, RuntimeDep
from service.cases import archives
from service.downloads import download
from service.schemas import Id

router = APIRouter(tags=["read models"])
RESPONSES = {200: {"content": {t: {} for t in archives.MEDIA_TYPES.values()},
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
    return download(archives.produce(rt, archives.checked(rt, actor, year, branch_id, as_of),
                                     form))
