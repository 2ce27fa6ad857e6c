"""The overdue list (逾期清单) for the organisation department and the secretaries: every
appraisal in their branches waiting past its step's due date, as JSON or a spreadsheet."""

from datetime import UTC, datetime
from typing import Any

from domain.documents import instant
from domain.period import Period, china_date
from projections.check import snapshot
from projections.overdue import overdue
from reports import overdue_xlsx
from service.cases.files import File
from service.cases.inbox import branches_asked
from service.runtime import Runtime
from workflows.access import Actor

VIEWS = ("directory", "appraisal_index", "deadlines")


def read(rt: Runtime, actor: Actor, period: str | None, branch_id: str | None) -> dict[str, Any]:
    """The late appraisals of `period` (None: every period) in `branch_id` or each branch
    the actor oversees (the readers of coverage: service.cases.inbox.branches_asked)."""
    label = None if period is None else str(Period.parse(period))
    within = branches_asked(rt, actor, branch_id, "the overdue list")
    rt.ready(*VIEWS)
    now = datetime.now(UTC)
    today = china_date(now)
    with snapshot(rt.engines.reader) as conn:
        rows = overdue(conn, today, rt.settings.deadline_days, label, within)
    return {"period": label, "branch_id": branch_id, "today": today.isoformat(),
            "as_of": instant(now), "items": rows}


def xlsx(rt: Runtime, actor: Actor, period: str | None, branch_id: str | None) -> File:
    body = read(rt, actor, period, branch_id)
    return File(overdue_xlsx.workbook(body), overdue_xlsx.MEDIA_TYPE,
                overdue_xlsx.filename(body))
