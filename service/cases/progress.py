"""Progress at a glance (进度一览) for the organisation department and the secretaries: each
branch's period, counted, as JSON or a spreadsheet."""

from datetime import UTC, datetime
from typing import Any

from domain.documents import instant
from domain.period import Period
from projections.check import snapshot
from projections.directory import branches
from projections.progress import progress, totals
from projections.ranking_query import names_of
from reports import progress_xlsx
from service.cases.files import File
from service.cases.inbox import branches_asked
from service.runtime import Runtime
from workflows.access import Actor

VIEWS = ("directory", "appraisal_index", "ranking", "publicity")


def read(rt: Runtime, actor: Actor, period: str, branch_id: str | None) -> dict[str, Any]:
    """The period's progress in `branch_id` or each branch the actor oversees (the readers
    of coverage: service.cases.inbox.branches_asked)."""
    label = str(Period.parse(period))
    within = branches_asked(rt, actor, branch_id, "progress")
    rt.ready(*VIEWS)
    with snapshot(rt.engines.reader) as conn:
        rows = progress(conn, label, within)
        names = names_of(conn, branches, [r["branch_id"] for r in rows])
    return {"period": label, "as_of": instant(datetime.now(UTC)), "branches": rows,
            "totals": totals(rows), "names": {"branch": names}}


def xlsx(rt: Runtime, actor: Actor, period: str, branch_id: str | None) -> File:
    body = read(rt, actor, period, branch_id)
    content = progress_xlsx.workbook(body, body["names"])
    return File(content, progress_xlsx.MEDIA_TYPE, progress_xlsx.filename(body))
