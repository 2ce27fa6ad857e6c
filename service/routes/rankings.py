"""Ranking routes (排名公示): published results of a period, ranked, as JSON or XLSX."""

from decimal import Decimal
from typing import Any, Literal

from fastapi import APIRouter, Query
from fastapi.responses import Response
from pydantic import BaseModel

from domain.documents import number
from domain.period import Period
from projections.check import snapshot
from projections.directory import branches, groups, members
from projections.ranking_query import Scope, names_of, ranked, tally
from reports import ranking_xlsx
from service.deps import ActorDep, RuntimeDep
from service.params import Limit, Offset
from service.runtime import Runtime
from service.schemas import Id, Label

router = APIRouter(tags=["read models"])
GradeName = Literal["excellent", "qualified", "basically_qualified", "unqualified"]


class RankingEntry(BaseModel):
    rank: int
    zone_id: str
    zone_name: str
    branch_id: str
    group_id: str
    line: str
    responsible_member_ids: list[str]
    score: int | float
    grade: GradeName
    reward: int | float


class Distribution(BaseModel):
    excellent: int
    qualified: int
    basically_qualified: int
    unqualified: int


class Ranking(BaseModel):
    period: str
    entries: list[RankingEntry]
    distribution: Distribution
    unpublished: int


XLSX_RESPONSE = {200: {"content": {ranking_xlsx.MEDIA_TYPE: {}},
                       "description": "The ranking as JSON, or with `format=xlsx` a spreadsheet"}}


@router.get("/rankings/{period}", response_model=Ranking,
            responses=XLSX_RESPONSE)  # type: ignore[arg-type]
def ranking(period: str, rt: RuntimeDep, _actor: ActorDep, branch_id: Id | None = None,
            group_id: Id | None = None, line: Label | None = None,
            limit: Limit = None,
            offset: Offset = 0,
            as_format: Literal["json", "xlsx"] = Query("json", alias="format")) -> Any:
    """The period's published results, highest score first; ties share a rank and are
    listed by zone id. Ranks count within the filters, whatever page is asked for; the
    distribution and the unpublished count cover the filtered scope. Any signed-in user
    may read it: rankings are posted publicly."""
    scope = Scope(str(Period.parse(period)), branch_id, group_id, line)
    if as_format == "xlsx":
        return xlsx(rt, scope, limit, offset)
    return read(rt, scope, limit, offset)[0]


def read(rt: Runtime, scope: Scope, limit: int | None, offset: int,
         with_names: bool = False) -> tuple[dict[str, Any], dict[str, dict[str, str]]]:
    """The ranking's body for a page of the scope, and (if asked) the names it shows: what
    the API answers, the spreadsheet holds and the ranking page shows."""
    rt.follower.ready("ranking", "directory")
    with snapshot(rt.engines.reader) as conn:  # the page and the counts of one moment
        rows = ranked(conn, scope, limit, offset)
        counted = tally(conn, scope)
        names = _names(conn, scope, rows) if with_names else {}
    body = {"period": scope.period, "entries": [_entry(row) for row in rows],
            "distribution": {g: counted[g] for g in Distribution.model_fields},
            "unpublished": counted["unpublished"]}
    return body, names


def xlsx(rt: Runtime, scope: Scope, limit: int | None, offset: int) -> Response:
    """The ranking as a spreadsheet download, for the API and the page alike."""
    body, names = read(rt, scope, limit, offset, with_names=True)
    content = ranking_xlsx.workbook(body, names, _scope_text(scope, names))
    return Response(content, media_type=ranking_xlsx.MEDIA_TYPE,
                    headers={"Content-Disposition": ranking_xlsx.filename(scope.period)})


def _entry(row: dict[str, Any]) -> dict[str, Any]:
    return {"rank": row["rank"], "zone_id": row["zone_id"], "zone_name": row["zone_name"],
            "branch_id": row["branch_id"], "group_id": row["group_id"], "line": row["line"],
            "responsible_member_ids": list(row["responsible_member_ids"]),
            "score": number(Decimal(row["score_tenths"]) / 10),
            "grade": row["grade"], "reward": number(row["reward"])}


def _names(conn: Any, scope: Scope, rows: list[dict[str, Any]]) -> dict[str, dict[str, str]]:
    """Names for the sheet: of the members, branches and groups it shows or filters by."""
    people = (m for row in rows for m in row["responsible_member_ids"])
    branch_ids = [scope.branch_id or "", *(row["branch_id"] for row in rows)]
    group_ids = [scope.group_id or "", *(row["group_id"] for row in rows)]
    return {"member": names_of(conn, members, people),
            "branch": names_of(conn, branches, branch_ids),
            "group": names_of(conn, groups, group_ids)}


def _scope_text(scope: Scope, names: dict[str, dict[str, str]]) -> str:
    """The filters, for the title: （综采支部、一组、采煤线）."""
    shown = [names[kind].get(value, value) for kind, value in
             (("branch", scope.branch_id), ("group", scope.group_id)) if value is not None]
    shown += [scope.line] if scope.line is not None else []
    return f"（{'、'.join(shown)}）" if shown else ""
