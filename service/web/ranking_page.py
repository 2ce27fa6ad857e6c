"""排名公示: a period's published results ranked as the API ranks them, with the grade
distribution, and the same spreadsheet the API gives, for the cookie session."""

from typing import Any

from fastapi import Request
from fastapi.responses import Response

from domain.period import Period
from projections.ranking_query import Scope
from service.cases import rankings
from service.cases.directory import filter_choices, published_periods
from service.downloads import download
from service.params import Page
from service.web.pages import PageActor
from service.web.rendering import page_router, render, this_month
from service.web.session import runtime_of

router = page_router()
PAGE = 50  # entries a ranking page shows


def scope_of(period: str | None, branch_id: str | None, group_id: str | None,
             line: str | None, periods: list[str]) -> Scope:
    """The filters as the API's scope; an empty select means any. Without a period, the
    latest with published results (or this month, before any)."""
    chosen = period or (periods[0] if periods else this_month())
    return Scope(str(Period.parse(chosen)), branch_id or None, group_id or None, line or None)


@router.get("/rankings")
def ranking_page(request: Request, actor: PageActor, period: str | None = None,
                 branch_id: str | None = None, group_id: str | None = None,
                 line: str | None = None, page: Page = 0) -> Response:
    """Ranks, zones, responsible members, scores, grades and rewards; any signed-in reader."""
    rt = runtime_of(request)
    periods = published_periods(rt)
    scope = scope_of(period, branch_id, group_id, line, periods)
    body, names = rankings.read(rt, scope, PAGE + 1, page * PAGE, with_names=True)
    counted = body["distribution"]
    return render(request, "ranking.html", actor=actor, scope=scope, body=body,
                  entries=body["entries"][:PAGE], names=names, page=page,
                  more=len(body["entries"]) > PAGE,
                  periods=sorted({*periods, this_month(), scope.period}, reverse=True),
                  bars=bars(counted), query=_query(scope),
                  **filter_choices(rt))  # type: ignore[arg-type]  # the template's, not `status`


def bars(distribution: dict[str, int]) -> list[tuple[str, int, int]]:
    """(grade, count, percent of the published) for the chart's CSS bars."""
    total = sum(distribution.values())
    return [(grade, count, round(100 * count / total) if total else 0)
            for grade, count in distribution.items()]


def _query(scope: Scope) -> dict[str, Any]:
    """The scope as query parameters, for the pager and the download link."""
    return {key: value for key, value in (("period", scope.period),
                                          ("branch_id", scope.branch_id),
                                          ("group_id", scope.group_id), ("line", scope.line))
            if value is not None}


@router.get("/rankings.xlsx")
def ranking_xlsx(request: Request, _actor: PageActor, period: str,
                 branch_id: str | None = None, group_id: str | None = None,
                 line: str | None = None) -> Response:
    """The whole filtered ranking as the API's spreadsheet (the use case the API calls)."""
    scope = scope_of(period, branch_id, group_id, line, [])
    return download(rankings.xlsx(runtime_of(request), scope, None, 0), tagged=False)
