"""A period's ranking (排名公示): the published results in a scope, ranked, with the names
they show; as the API's JSON body or as a spreadsheet."""

from decimal import Decimal
from typing import Any

from domain.documents import number
from domain.scoring import Grade
from projections.check import snapshot
from projections.directory import branches, groups, members
from projections.ranking_query import Scope, names_of, ranked, tally
from reports import ranking_xlsx
from service.cases.files import File
from service.runtime import Runtime


def read(rt: Runtime, scope: Scope, limit: int | None, offset: int,
         with_names: bool = False) -> tuple[dict[str, Any], dict[str, dict[str, str]]]:
    """The ranking's body for a page of the scope, and (if asked) the names it shows: what
    the API answers, the spreadsheet holds and the ranking page shows."""
    rt.ready("ranking", "directory")
    with snapshot(rt.engines.reader) as conn:  # the page and the counts of one moment
        rows = ranked(conn, scope, limit, offset)
        counted = tally(conn, scope)
        names = names_in(conn, scope, rows) if with_names else {}
    body = {"period": scope.period, "entries": [_entry(row) for row in rows],
            "distribution": {g.value: counted[g.value] for g in Grade},
            "unpublished": counted["unpublished"]}
    return body, names


def xlsx(rt: Runtime, scope: Scope, limit: int | None, offset: int) -> File:
    """The ranking as a spreadsheet, for the API and the page alike."""
    body, names = read(rt, scope, limit, offset, with_names=True)
    content = ranking_xlsx.workbook(body, names, _scope_text(scope, names))
    return File(content, ranking_xlsx.MEDIA_TYPE, ranking_xlsx.filename(scope.period))


def _entry(row: dict[str, Any]) -> dict[str, Any]:
    return {"rank": row["rank"], "appraisal_id": row["appraisal_id"],
            "zone_id": row["zone_id"], "zone_name": row["zone_name"],
            "branch_id": row["branch_id"], "group_id": row["group_id"], "line": row["line"],
            "responsible_member_ids": list(row["responsible_member_ids"]),
            "score": number(Decimal(row["score_tenths"]) / 10),
            "grade": row["grade"], "reward": number(row["reward"])}


def names_in(conn: Any, scope: Scope, rows: list[dict[str, Any]]) -> dict[str, dict[str, str]]:
    """Names for the sheet (or a posting of it): of the members, branches and groups it
    shows or filters by."""
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
