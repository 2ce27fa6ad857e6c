"""Deadlines (截止日期) and the overdue list (逾期清单) routes."""

from typing import Any, Literal

from fastapi import APIRouter, Depends, Query

from reports import overdue_xlsx
from service.api.deps import ActorDep, RuntimeDep
from service.api.routes.organisation import branch_exists
from service.cases import deadlines, overdue
from service.downloads import download
from service.schemas import DeadlinesIn, Period

router = APIRouter(tags=["deadlines"])


@router.put("/branches/{branch_id}/deadlines/{period}", dependencies=[Depends(branch_exists)])
def set_branch_deadlines(branch_id: str, period: Period, body: DeadlinesIn, rt: RuntimeDep,
                         actor: ActorDep) -> dict[str, Any]:
    """Set some steps' due dates (YYYY-MM-DD) of the period for the branch, keeping the
    others: its secretary or an administrator. Answers the branch's effective dates, each
    with its source (`branch`, `organisation` or `default`). 422 for an unknown step, a date
    that is not one, outside the period's first day to a year after it, or out of step
    order (with the dates already set)."""
    return deadlines.set_for(rt, actor, branch_id, period, body.dates)


@router.put("/deadlines/{period}")
def set_deadlines(period: Period, body: DeadlinesIn, rt: RuntimeDep,
                  actor: ActorDep) -> dict[str, Any]:
    """Set some steps' due dates of the period for every branch (administrators): a
    branch's own dates still win. Answers the organisation's effective dates (what a branch
    without its own has), each with its source (`organisation` or `default`)."""
    return deadlines.set_for(rt, actor, None, period, body.dates)


@router.get("/deadlines/{period}")
def read_deadlines(period: Period, rt: RuntimeDep, actor: ActorDep,
                   branch_id: str | None = None) -> dict[str, Any]:
    """Each branch's four due dates of the period with their sources, for `branch_id` or
    every branch the caller oversees (administrators, archivists, inspectors, secretaries)
    or signs in (zone evaluators, group leaders, members of the branch); 422 for an unknown
    branch, 403 outside."""
    return deadlines.read(rt, actor, period, branch_id)


# Both forms documented, so that a client (and schemathesis) knows either may come.
OVERDUE_RESPONSE: dict[int | str, dict[str, Any]] = {200: {
    "content": {"application/json": {}, overdue_xlsx.MEDIA_TYPE: {}},
    "description": "The late appraisals, as JSON or (`format=xlsx`) a spreadsheet"}}


@router.get("/overdue", responses=OVERDUE_RESPONSE)
def overdue_list(rt: RuntimeDep, actor: ActorDep, period: Period | None = None,
                 branch_id: str | None = None,
                 as_format: Literal["json", "xlsx"] = Query("json", alias="format")) -> Any:
    """The overdue list (逾期清单): every appraisal of `period` (default: every period)
    waiting past its step's due date, most overdue first, with its period, branch, group,
    zone, the step and the role that signs it, the responsible members for a self-check,
    the due date and the days overdue. For the readers of `/coverage`: administrators and
    archivists, inspectors and secretaries of their branches."""
    if as_format == "xlsx":
        return download(overdue.xlsx(rt, actor, period, branch_id), tagged=False)
    return overdue.read(rt, actor, period, branch_id)
