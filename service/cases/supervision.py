"""Supervision (督导检查) as the API and the pages use it: findings recorded on an appraisal or
a zone with their files checked, answered (整改), read and listed; a zone's whole history;
and the zones' findings a year's archive holds."""

from collections.abc import Callable, Iterable, Mapping
from datetime import datetime
from functools import partial
from typing import Any
from uuid import UUID

from sqlalchemy import Connection

from domain.documents import event_type, instant
from domain.ids import parse_part
from domain.organisation import Zone
from projections.directory import zones
from projections.findings import find_findings, zone_findings_of_year
from projections.ranking_query import names_of
from service.cases import attachments
from service.cases.inbox import branches_asked
from service.runtime import Runtime
from service.schemas import FindingIn, RectificationIn
from workflows.access import Actor
from workflows.application import Workflows
from workflows.supervision import FINDING, Found, Target

# What a zone event's entry may show of it: the zone as created, each re-assignment with its
# reason, each finding and rectification.
ZONE_DATA = ("name", "group_id", "line", "area", "teams", "responsible_member_ids",
             "member_ids", "reason", "finding", "method", "date", "text", "attachments")
ASSIGNMENTS = ("created", "responsibles_reassigned")
ZoneAt = Callable[[UUID, datetime], Zone]  # a zone as it stood at an instant


def record(rt: Runtime, actor: Actor, target: Target, body: FindingIn) -> dict[str, Any]:
    """A finding on the loaded appraisal or zone: the recorder first (403), then the files
    (422: each held with the size and type named), then the finding itself."""
    rt.workflows.check_recorder(target, actor)
    files = attachments.held(rt, (a.model_dump() for a in body.attachments))
    found = rt.workflows.record_finding(target, body.method, body.date, body.text, files, actor)
    return document(found)


def rectify(rt: Runtime, actor: Actor, finding_id: str, body: RectificationIn) -> dict[str, Any]:
    """The branch's answer: who may give it and whether it is still due (403, 409), then its
    files (422), then the answer."""
    rt.workflows.rectifiable(finding_id, actor)
    files = attachments.held(rt, (a.model_dump() for a in body.attachments))
    return document(rt.workflows.rectify(finding_id, body.text, files, actor))


def read(workflows: Workflows, actor: Actor, finding_id: str) -> dict[str, Any]:
    return document(workflows.readable_finding(finding_id, actor, shared=True))


def listed(rt: Runtime, actor: Actor, *, branch_id: str | None, period: str | None,
           rectified: bool | None, limit: int | None, offset: int) -> list[dict[str, Any]]:
    """The findings in the branches the actor oversees (or the one named), oldest first."""
    branches = branches_asked(rt, actor, branch_id, "the list of findings")
    rt.ready("findings")
    with rt.engines.reader.connect() as conn:
        rows = find_findings(conn, branches=branches, period=period, rectified=rectified,
                             limit=limit, offset=offset)
    return [document(rt.workflows.finding(row["id"], shared=True)) for row in rows]


def of_zone(rt: Runtime, actor: Actor, zone_id: str, limit: int | None,
            offset: int) -> list[dict[str, Any]]:
    """The zone's own findings and those on its appraisals, oldest first, for the readers of
    its record (who read its appraisals too)."""
    rt.workflows.readable_zone(zone_id, actor)
    rt.ready("findings")
    with rt.engines.reader.connect() as conn:
        rows = find_findings(conn, zone_id=zone_id, limit=limit, offset=offset)
    return [document(rt.workflows.finding(row["id"], shared=True)) for row in rows]


def zone_history(workflows: Workflows, actor: Actor, zone_id: str) -> dict[str, Any]:
    """Every event of the zone, oldest first, and (as before findings were kept there) its
    assignments of responsible members."""
    zone, _place = workflows.readable_zone(zone_id, actor)
    entries = [zone_entry(e) for e in workflows.history(zone.id)]
    return {"zone_id": zone_id, "events": entries, "assignments": [
        {"version": e["version"], "at": e["at"], "actor": e["actor"],
         "member_ids": list(e["data"].get("member_ids", e["data"].get("responsible_member_ids",
                                                                       []))),
         "reason": e["data"].get("reason")} for e in entries if e["type"] in ASSIGNMENTS]}


def zone_entry(zone_event: Any) -> dict[str, Any]:
    held = vars(zone_event)
    return {"version": held["originator_version"], "type": event_type(zone_event),
            "at": instant(held["timestamp"]), "actor": held["actor"],
            "role": held.get("role"), "data": {k: held[k] for k in ZONE_DATA if k in held}}


def document(found: Found) -> dict[str, Any]:
    """A finding as API.md-style documents show it; `at` as history entries write it."""
    appraisal = found.appraisal
    return finding_out(found.key, found.finding, zone_id=found.place.zone_id,
                       branch_id=found.place.branch_id,
                       appraisal_id=None if appraisal is None else str(appraisal.id),
                       period=None if appraisal is None else appraisal.period)


def finding_out(key: str, finding: Mapping[str, Any], **where: str | None) -> dict[str, Any]:
    answer = finding["rectification"]
    return {"id": key, **where, "method": finding["method"], "date": finding["date"],
            "text": finding["text"], "attachments": list(finding["attachments"]),
            "actor": finding["actor"], "at": instant(finding["at"]),
            "rectification": None if answer is None else {
                "text": answer["text"], "attachments": list(answer["attachments"]),
                "actor": answer["actor"], "at": instant(answer["at"])}}


def zones_at(rt: Runtime) -> ZoneAt:
    """Zones as they stood, from their events (an archive's `zone_at`)."""
    return partial(rt.workflows.as_of, kind="zone")


def archived(conn: Connection, zone_at: ZoneAt, year: str, branch_id: str | None,
             as_of: str) -> list[dict[str, Any]]:
    """The zones' own findings an archive holds: dated in `year`, of the branch (None: all),
    recorded at or before `as_of` (an instant as documents write it), each with its
    rectification if that was recorded by then; by branch, zone and time. The rows say
    which; each zone's events up to `as_of` say what."""
    rows = zone_findings_of_year(conn, year, branch_id, as_of)
    names = names_of(conn, zones, {row["zone_id"] for row in rows})
    moment = datetime.fromisoformat(as_of)
    then: dict[UUID, Zone] = {}
    found = []
    for row in rows:
        stream = parse_part(row["id"], FINDING)
        if stream is None:  # the view holds the events' ids: never
            continue
        if stream[0] not in then:
            then[stream[0]] = zone_at(stream[0], moment)
        zone = then[stream[0]]
        found.append({**finding_out(row["id"], zone.findings[row["id"]],
                                    zone_id=row["zone_id"], branch_id=row["branch_id"],
                                    appraisal_id=None, period=None),
                      "zone_name": names.get(row["zone_id"], row["zone_id"])})
    return found


def actors(findings: Iterable[Mapping[str, Any]]) -> set[str]:
    """Who recorded and who answered the findings."""
    return {who for f in findings
            for who in (f["actor"], (f["rectification"] or {}).get("actor")) if who}
