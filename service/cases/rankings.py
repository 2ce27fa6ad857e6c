"""A period's ranking (排名公示): the published results in a scope, ranked, with the names
they show; as the API's JSON body or as a spreadsheet; now, or as it stood at an instant."""

from datetime import datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import Connection

from domain.bounds import past_instant
from domain.documents import instant, number
from domain.scoring import Grade
from projections import ranking_query, ranking_then
from projections.archive import Streams
from projections.check import snapshot
from projections.directory import branches, groups, members
from projections.ranking_query import Scope, names_of
from reports import ranking_xlsx
from service.cases.files import File
from service.runtime import Runtime

Rows = list[dict[str, Any]]


def read(rt: Runtime, scope: Scope, limit: int | None, offset: int,
         with_names: bool = False, as_of: datetime | None = None
         ) -> tuple[dict[str, Any], dict[str, dict[str, str]]]:
    """The ranking's body for a page of the scope, and (if asked) the names it shows: what
    the API answers, the spreadsheet holds and the ranking page shows. With `as_of` (a past
    instant: InvalidError otherwise), the ranking exactly as it stood then, from the archive
    read model's histories; its body names the instant."""
    at = None if as_of is None else instant(past_instant(as_of))
    rt.ready("ranking" if at is None else "archive", "directory", whole=at is not None)
    with snapshot(rt.engines.reader) as conn:  # the page and the counts of one moment
        rows, counted = _ranked(conn, rt.follower.streams, scope, limit, offset, at)
        names = names_in(conn, scope, rows) if with_names else {}
    body = {"period": scope.period, **({} if at is None else {"as_of": at}),
            "entries": [_entry(row) for row in rows],
            "distribution": {g.value: counted[g.value] for g in Grade},
            "unpublished": counted["unpublished"], "cancelled": counted["cancelled"]}
    return body, names


def xlsx(rt: Runtime, scope: Scope, limit: int | None, offset: int,
         as_of: datetime | None = None) -> File:
    """The ranking (now, or as it stood at `as_of`) as a spreadsheet, for the API and the
    page alike."""
    body, names = read(rt, scope, limit, offset, with_names=True, as_of=as_of)
    content = ranking_xlsx.workbook(body, names, _scope_text(scope, names))
    return File(content, ranking_xlsx.MEDIA_TYPE,
                ranking_xlsx.filename(scope.period, body.get("as_of")))


def _ranked(conn: Connection, streams: Streams, scope: Scope, limit: int | None, offset: int,
            at: str | None) -> tuple[Rows, dict[str, int]]:
    """A page of ranked rows and the scope's counts: of the ranking view now, or worked out
    from the archive's histories cut at `at`."""
    if at is None:
        return ranking_query.ranked(conn, scope, limit, offset), ranking_query.tally(conn, scope)
    then = list(ranking_then.rows_then(conn, streams, scope, at))
    return ranking_then.ranked(then, limit, offset), ranking_then.tally(then)


def _entry(row: dict[str, Any]) -> dict[str, Any]:
    return {"rank": row["rank"], "appraisal_id": row["appraisal_id"],
            "zone_id": row["zone_id"], "zone_name": row["zone_name"],
            "branch_id": row["branch_id"], "group_id": row["group_id"], "line": row["line"],
            "responsible_member_ids": list(row["responsible_member_ids"]),
            "score": number(Decimal(row["score_tenths"]) / 10),
            "grade": row["grade"], "reward": number(row["reward"]), "final": row["final"]}


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
