"""Year-end archives (年度档案): what a year's file holds as of an instant, in three forms.

The JSON form is the content: every appraisal of the year in scope that stood published at
`as_of`, as its document stood then, with its history cut there, and a summary per member
for the democratic evaluation (民主评议党员). Everything in it comes from events at or
before `as_of` and from names that never change, and it is written with sorted keys and a
fixed order, so the same query gives the same bytes years later. The XLSX and PDF forms
render that content for people and carry its SHA-256 in their manifest. The manifest also
carries the log's checkpoint and each appraisal's inclusion proof in it (service.cases.
inclusion), so the file proves its histories against the signed log.
"""

import hashlib
from collections import defaultdict
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from decimal import Decimal
from functools import partial
from importlib import metadata
from typing import Any
from urllib.parse import quote

import orjson
from sqlalchemy import Connection

from domain.bounds import past_instant
from domain.documents import instant, is_final, number, replayed, started
from domain.errors import ForbiddenError, InvalidError
from domain.organisation import Branch
from domain.period import Period
from domain.process import State
from domain.scoring import CENT, mean
from projections.archive import Archived, Streams, archived
from projections.check import snapshot
from projections.collector import collector_paused
from projections.directory import branches, groups
from projections.directory_query import members_placed
from projections.ranking_query import names_of
from projections.users import user_names
from reports import archive_pdf, archive_xlsx, ranking_xlsx
from service.cases import inclusion, supervision
from service.cases.files import File
from service.runtime import Runtime
from workflows.access import Actor, may_archive

MEDIA_TYPES = {"json": "application/json", "xlsx": ranking_xlsx.MEDIA_TYPE,
               "pdf": archive_pdf.MEDIA_TYPE}
SOFTWARE = f"appraisal {metadata.version('appraisal')}"
Prove = Callable[[list[inclusion.Last]], dict[str, Any]]


@dataclass(frozen=True)
class Request:
    """Which file: a year, a branch or all of them, and the instant it is taken at."""

    year: str
    branch_id: str | None
    as_of: str  # an instant as documents write it: the same file whatever zone it came in

    @classmethod
    def of(cls, year: str, branch_id: str | None, as_of: datetime | None) -> "Request":
        period = Period.parse(year)
        if not period.is_year_end:
            raise InvalidError(f"{year!r} is not a year (YYYY)", {"year": "format"})
        moment = datetime.now(UTC) if as_of is None else past_instant(as_of)
        return cls(str(period), branch_id, instant(moment))


def checked(rt: Runtime, actor: Actor, year: str, branch_id: str | None,
            as_of: datetime | None) -> Request:
    """The file asked for, once the checks the API and the archives page share have passed:
    a year and a past instant (422), a known branch (422), then the right to produce (403)."""
    request = Request.of(year, branch_id, as_of)
    if branch_id is not None:
        rt.workflows.referenced(Branch, branch_id, field="branch_id")
    if not may_archive(actor, branch_id):
        raise ForbiddenError("archives are produced by archivists, administrators and "
                             "inspectors of the branch (name it with branch_id)")
    return request


def produce(rt: Runtime, request: Request, form: str) -> File:
    """The year's file in one form, from the read models brought up to date first, its
    manifest carrying the log's checkpoint and the appraisals' inclusion proofs."""
    rt.ready("archive", "directory", "users", "findings", whole=True)
    with snapshot(rt.engines.reader) as conn:
        archive = contents(conn, rt.follower.streams, request, partial(inclusion.ledger, rt),
                           supervision.zones_at(rt))
    return rendered(archive, form)


@collector_paused()
def rendered(archive: Mapping[str, Any], form: str) -> File:
    """The archive in one form: the JSON bytes, or a file for people carrying their hash."""
    body = json_bytes(archive)
    if form == "xlsx":
        body = archive_xlsx.workbook(archive, hashlib.sha256(body).hexdigest())
    elif form == "pdf":
        body = archive_pdf.document(archive, hashlib.sha256(body).hexdigest())
    return File(body, MEDIA_TYPES[form], filename(archive["manifest"], form))


def json_bytes(archive: Mapping[str, Any]) -> bytes:
    """Compact UTF-8 with sorted keys (orjson: a year of 10,000 zones is ~400 MB, which the
    standard library writes ten times slower)."""
    return orjson.dumps(archive, option=orjson.OPT_SORT_KEYS)


def filename(manifest: Mapping[str, Any], form: str) -> str:
    """A Content-Disposition value: an ASCII name, and the Chinese one for clients that read it."""
    scope = f"-{manifest['branch_id']}" if manifest["branch_id"] else ""
    moment = manifest["as_of"].replace("-", "").replace(":", "")[:15]
    plain = f"archive-{manifest['year']}{scope}-{moment}.{form}"
    chinese = quote(f"年度档案-{manifest['year']}{scope}-{moment}.{form}")
    return f"attachment; filename=\"{plain}\"; filename*=UTF-8''{chinese}"


@collector_paused()
def contents(conn: Connection, streams: Streams, request: Request, prove: Prove,
             zone_at: supervision.ZoneAt) -> dict[str, Any]:
    """The JSON form of the archive (API.md), with its manifest and the names it shows, the
    appraisals' histories made from their `streams`; the manifest's `ledger` is what `prove`
    makes of each appraisal's last event. `findings`:
    the zones' own supervision findings of the year, as `zone_at` gives each zone then
    (those on appraisals are in the appraisals' histories)."""
    kept = [a for a in archived(conn, streams, request.year, request.branch_id, request.as_of)
            if a.history[-1]["state"] == State.PUBLISHED]
    appraisals = sorted((appraisal(a) for a in kept), key=_order)
    people = {m for a in appraisals for m in a["responsible_member_ids"]}
    directory = members_placed(conn, people)
    findings = supervision.archived(conn, zone_at, request.year, request.branch_id,
                                    request.as_of)
    signers = {who for a in appraisals for e in a["history"]
               for who in (e["actor"], e["data"].get("on_behalf_of")) if who} \
        | supervision.actors(findings)
    users = names_of(conn, user_names, signers)
    return {
        "manifest": {"year": request.year, "branch_id": request.branch_id,
                     "as_of": request.as_of, "position": max((a.position for a in kept),
                                                             default=0),
                     "software": SOFTWARE,
                     "ledger": prove([(a.place["appraisal_id"], a.history[-1]["version"],
                                       a.position) for a in kept])},
        "year": request.year,
        "as_of": request.as_of,
        "names": {
            "users": {u: users.get(u, u) for u in sorted(signers)},
            "members": {m: row["name"] for m, row in directory.items()},
            "branches": names_of(conn, branches, {a["branch_id"] for a in appraisals}
                                 | ({request.branch_id} if request.branch_id else set())),
            "groups": names_of(conn, groups, {a["group_id"] for a in appraisals}),
        },
        "appraisals": appraisals,
        "members": summaries(appraisals, directory),
        "findings": findings,
    }


def appraisal(found: Archived) -> dict[str, Any]:
    """One appraisal as its document stood, with where it sat, its form, reward, whether it
    was final (定稿) and its history."""
    document = replayed(found.place["appraisal_id"], found.history)
    rewards = [e["data"]["reward"] for e in found.history if e["type"] == "branch_approved"]
    return {**document, **{k: v for k, v in found.place.items() if k != "appraisal_id"},
            "items": started(found.history)["items"], "reward": rewards[-1],
            "final": is_final(found.history), "allowed_actions": [], "history": found.history}


def _order(appraisal: Mapping[str, Any]) -> tuple[str, str, bool, str]:
    """By branch, zone, then period: the months in order, the year-end after them."""
    period = appraisal["period"]
    return appraisal["branch_id"], appraisal["zone_id"], len(period) == 4, period


def summaries(appraisals: Iterable[Mapping[str, Any]],
              directory: Mapping[str, Mapping[str, str]]) -> list[dict[str, Any]]:
    """Per member responsible for a zone when an appraisal was opened: their zones, year-end
    and monthly results, the monthly average, and the excellent and unqualified months."""
    results: dict[str, list[Mapping[str, Any]]] = defaultdict(list)
    for a in appraisals:
        for member_id in a["responsible_member_ids"]:
            results[member_id].append(a)
    return [summary(member_id, directory.get(member_id, {}), results[member_id])
            for member_id in sorted(results)]


def summary(member_id: str, member: Mapping[str, str],
            results: list[Mapping[str, Any]]) -> dict[str, Any]:
    monthly = sorted(({"period": a["period"], "zone_id": a["zone_id"], "score": a["score"],
                       "grade": a["grade"]} for a in results if len(a["period"]) > 4),
                     key=lambda r: (r["period"], r["zone_id"]))
    annual = sorted(({"zone_id": a["zone_id"], "score": a["score"], "grade": a["grade"]}
                     for a in results if len(a["period"]) == 4), key=lambda r: r["zone_id"])
    average = mean([Decimal(str(r["score"])) for r in monthly], CENT)
    return {"member_id": member_id, "name": member.get("name", member_id),
            "branch_id": member.get("branch_id"), "group_id": member.get("group_id"),
            "zones": sorted({a["zone_id"] for a in results}), "annual": annual,
            "monthly": monthly, "monthly_average": number(average),
            "excellent_months": sum(r["grade"] == "excellent" for r in monthly),
            "unqualified_months": sum(r["grade"] == "unqualified" for r in monthly)}
