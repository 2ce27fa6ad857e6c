"""Inbox (我的待办), coverage and progress (进度一览) routes."""

from itertools import islice
from typing import Any, Literal

from fastapi import APIRouter, Query
from pydantic import BaseModel

from service.api.deps import ActorDep, RuntimeDep
from service.cases import progress as progressing
from service.cases.deadlines import dated
from service.cases.inbox import gaps, waiting
from service.downloads import download
from service.params import Limit, Offset
from service.schemas import Inbox, Period

router = APIRouter(tags=["read models"])


class GroupGap(BaseModel):
    """A group that no zone belongs to."""

    id: str
    name: str
    branch_id: str


class MemberGap(GroupGap):
    """A member responsible for no zone."""

    group_id: str


class ZoneGap(MemberGap):
    """A zone nobody is responsible for."""

    line: str
    area: str


class Coverage(BaseModel):
    zones_without_responsible: list[ZoneGap]
    members_without_zone: list[MemberGap]
    groups_without_zone: list[GroupGap]


@router.get("/inbox", response_model=Inbox, response_model_exclude_unset=True)
def inbox(rt: RuntimeDep, actor: ActorDep, period: Period | None = None,
          limit: Limit = None,
          offset: Offset = 0) -> dict[str, Any]:
    """What waits for the caller to sign (我的待办): self-checks of the zones they are
    responsible for now, evaluations, reviews and approvals in their scopes, minus any
    that separation of duties forbids them; oldest first (by the appraisal's last event,
    then id). Returns and reopens are not counted: they are not waiting for anyone. Each
    item has the due date of the step it waits for (`due`, China's calendar) and where it
    stands (`deadline`: `pending`, `due` within two days, `overdue` after its date)."""
    rt.ready("appraisal_index", "directory")
    stop = None if limit is None else offset + limit
    return {"items": dated(rt, islice(waiting(rt, actor, period), offset, stop))}


@router.get("/coverage", response_model=Coverage)
def coverage_gaps(rt: RuntimeDep, actor: ActorDep, branch_id: str | None = None) -> dict[str, Any]:
    """The gaps of coverage (全员覆盖): zones without a responsible member, members without
    a zone, groups without a zone; each sorted by id.

    Readable by administrators and archivists (everything), inspectors (their scope) and
    branch secretaries (their branch). Without `branch_id`, every branch the caller may
    read. An unknown `branch_id` answers 422 (it is a query parameter, not a path id),
    before any 403; a known branch outside the caller's scope answers 403.
    """
    return gaps(rt, actor, branch_id)


@router.get("/progress", responses={200: {"description": "Each branch's counts, as JSON or "
                                                         "(`format=xlsx`) a spreadsheet"}})
def progress(period: Period, rt: RuntimeDep, actor: ActorDep, branch_id: str | None = None,
             as_format: Literal["json", "xlsx"] = Query("json", alias="format")) -> Any:
    """Progress at a glance (进度一览) of a period: per branch, its zones, those not yet
    opened, those at each step, its posting (`none`, `open`, `closed`), the results final,
    the objections not yet answered and the gaps of coverage; with the totals. For the
    readers of `/coverage`: administrators and archivists, inspectors and secretaries of
    their branches."""
    if as_format == "xlsx":
        return download(progressing.xlsx(rt, actor, period, branch_id), tagged=False)
    return progressing.read(rt, actor, period, branch_id)
