"""进度一览: a period's progress in each branch the reader oversees, as bars of its zones by
step, with its posting, finals, open objections and gaps; and the same spreadsheet the API
gives. For the organisation department and the secretaries (the readers of coverage)."""

from typing import Any

from fastapi import Request
from fastapi.responses import Response

from domain.period import Period
from domain.process import State
from service.cases import progress
from service.downloads import download
from service.web.pages import PageActor
from service.web.rendering import page_router, render, this_month
from service.web.session import runtime_of

router = page_router()
# A bar's parts, left to right: not yet opened, then each state in the procedure's order.
PARTS = ("not_opened", *map(str, State))


@router.get("/progress")
def progress_page(request: Request, actor: PageActor, period: str | None = None) -> Response:
    chosen = str(Period.parse(period or this_month()))
    body = progress.read(runtime_of(request), actor, chosen, None)
    rows = [{**row, "parts": parts(row)} for row in body["branches"]]
    return render(request, "progress.html", actor=actor, body=body, rows=rows,
                  period_chosen=chosen, totals=body["totals"],
                  total_parts=parts(body["totals"]))


def parts(row: dict[str, Any]) -> list[tuple[str, int, float, float]]:
    """(part, count, x and width in percent of the zones) of a branch's stacked bar."""
    counts = [row["not_opened"], *(row["states"][s] for s in map(str, State))]
    whole = sum(counts) or 1
    drawn, x = [], 0.0
    for part, count in zip(PARTS, counts, strict=True):
        width = 100 * count / whole
        drawn.append((part, count, round(x, 2), round(width, 2)))
        x += width
    return drawn


@router.get("/progress.xlsx")
def progress_xlsx(request: Request, actor: PageActor, period: str) -> Response:
    """The API's spreadsheet, by the same use case."""
    return download(progress.xlsx(runtime_of(request), actor, period, None), tagged=False)
