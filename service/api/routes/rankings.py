"""Ranking routes (排名公示): published results of a period, ranked, as JSON or XLSX."""

from typing import Any, Literal

from fastapi import APIRouter, Query
from pydantic import BaseModel, Field

from domain.period import Period
from projections.ranking_query import Scope
from reports import ranking_xlsx
from service.api.deps import ActorDep, RuntimeDep
from service.cases import rankings
from service.downloads import download
from service.params import Limit, Offset
from service.schemas import Id, Label

router = APIRouter(tags=["read models"])
GradeName = Literal["excellent", "qualified", "basically_qualified", "unqualified"]


class RankingEntry(BaseModel):
    rank: int
    appraisal_id: str
    zone_id: str
    zone_name: str
    branch_id: str
    group_id: str
    line: str
    responsible_member_ids: list[str]
    score: int | float
    grade: GradeName
    reward: int | float
    final: bool = Field(description="Final (定稿): a closed posting finalised the result "
                        "since it was last reopened")


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
        return download(rankings.xlsx(rt, scope, limit, offset), tagged=False)
    return rankings.read(rt, scope, limit, offset)[0]
