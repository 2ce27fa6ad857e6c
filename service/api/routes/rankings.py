"""Ranking routes (排名公示): published results of a period, ranked, as JSON or XLSX, now or
as they stood at an instant."""

from typing import Annotated, Any, Literal

from fastapi import APIRouter, Query
from pydantic import AwareDatetime, BaseModel, Field

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
    as_of: str | None = Field(None, description="The instant asked for, in UTC (only when "
                              "`as_of` was given)")
    entries: list[RankingEntry]
    distribution: Distribution
    unpublished: int
    cancelled: int = Field(0, description="Appraisals of the scope cancelled (opened by "
                           "mistake) and not opened again: neither ranked nor waiting")


XLSX_RESPONSE = {200: {"content": {ranking_xlsx.MEDIA_TYPE: {}},
                       "description": "The ranking as JSON, or with `format=xlsx` a spreadsheet"}}
AsOf = Annotated[AwareDatetime | None, Query(
    description="An ISO 8601 instant with its time zone, from 1970 up to now: the ranking "
                "as it stood then",
    openapi_examples={
        "posted": {"summary": "Beijing time",
                   "description": "The ranking as it stood when a branch posted it",
                   "value": "2026-11-05T09:30:00+08:00"},
        "utc": {"summary": "UTC", "value": "2026-11-05T01:30:00Z"}})]


# `as_of` is in the body only when asked for.
@router.get("/rankings/{period}", response_model=Ranking, response_model_exclude_unset=True,
            responses=XLSX_RESPONSE)  # type: ignore[arg-type]
def ranking(period: str, rt: RuntimeDep, _actor: ActorDep, branch_id: Id | None = None,
            group_id: Id | None = None, line: Label | None = None,
            limit: Limit = None,
            offset: Offset = 0,
            as_of: AsOf = None,
            as_format: Literal["json", "xlsx"] = Query("json", alias="format")) -> Any:
    """The period's published results, highest score first; ties share a rank and are
    listed by zone id. Ranks count within the filters, whatever page is asked for; the
    distribution and the unpublished count cover the filtered scope. Each entry says
    whether its result is final (定稿: a closed posting finalised it since it was last
    reopened). Any signed-in user may read it: rankings are posted publicly.

    With `as_of`, the ranking exactly as it stood at that instant, from the appraisals'
    histories: only results published then are ranked; each has the score and grade of its
    latest group review then, the reward its latest approval then recorded, and `final`
    as it stood then; the distribution counts them, `unpublished` counts the
    appraisals in scope opened by then and not published then, and `cancelled` those then
    cancelled (opened by mistake; counted in neither). The body names the instant
    (`as_of`, in UTC). The same query with the same `as_of` gives the same bytes (JSON or
    XLSX), whatever happened later. An `as_of` without a time zone, before 1970 or in the
    future is 422."""
    scope = Scope(str(Period.parse(period)), branch_id, group_id, line)
    if as_format == "xlsx":
        return download(rankings.xlsx(rt, scope, limit, offset, as_of), tagged=False)
    return rankings.read(rt, scope, limit, offset, as_of=as_of)[0]
