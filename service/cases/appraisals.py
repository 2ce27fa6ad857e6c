"""Appraisals as their readers see them: the document with the caller's allowed actions, the
ones a caller may list, and the opening of a period's appraisals."""

from typing import Any

from domain.appraisal import Appraisal
from domain.bounds import count_of
from domain.delegations import DELEGABLE
from domain.documents import document
from domain.errors import StaleVersionError
from domain.organisation import Branch
from projections.appraisal_index import Visibility, find_appraisals
from projections.directory import list_zones, zones_of_member
from service.runtime import Runtime
from workflows.access import Actor, reach
from workflows.application import Workflows
from workflows.appraisals import Allowed


def as_document(workflows: Workflows, appraisal: Appraisal, actor: Actor | None) -> dict[str, Any]:
    """The document; `allowed_actions` for the caller now (and `acting_for`, whom their
    step would be for as a deputy), none for a view of the past."""
    allowed = workflows.allowed(appraisal, actor) if actor else Allowed([])
    return {**document(appraisal), **allowed.fields()}


def expected_version(if_match: str | None, current: int) -> int | None:
    """The version an If-Match names: `"5"`, `W/"5"` or `*`; anything else is never current."""
    if if_match is None or if_match.strip() == "*":
        return None
    tag = if_match.strip().removeprefix("W/").strip('"')
    version = count_of(tag)
    if version is None:
        raise StaleVersionError(-1, current)
    return version


def listed(rt: Runtime, actor: Actor, *, period: str | None, zone_id: str | None,
           branch_id: str | None, state: str | None, limit: int | None,
           offset: int) -> list[dict[str, Any]]:
    """The documents matching the filters that the actor may read, by period and zone."""
    rt.ready("appraisal_index", "directory")
    with rt.engines.reader.connect() as conn:
        ids = find_appraisals(conn, period=period, zone_id=zone_id, branch_id=branch_id,
                              state=state, visible=_visibility(conn, lent(rt, actor)),
                              limit=limit, offset=offset)
    return [as_document(rt.workflows, rt.workflows.load_stream(i), actor) for i in ids]


def lent(rt: Runtime, actor: Actor) -> Actor:
    """The actor with the grants their principals lend them today (代签): a deputy reads
    what they may sign for someone, as the single read and the inbox let them."""
    lent = tuple(g for p in rt.workflows.principals_today(actor) for g in p.actor.grants
                 if g.role in DELEGABLE)
    return Actor(actor.username, actor.member_id, actor.grants + lent) if lent else actor


def _visibility(conn: Any, actor: Actor) -> Visibility | None:
    scopes = reach(actor)
    if scopes is None:
        return None
    own = zones_of_member(conn, actor.member_id) if actor.member_id else []
    return Visibility(scopes["branch"], scopes["group"], scopes["zone"] | set(own))


def open_period(rt: Runtime, actor: Actor, period: str, branch_id: str | None,
                template_id: str) -> dict[str, int]:
    """Open an appraisal for every zone in scope (a branch, or all) that has none for the
    period; repeatable. An unknown branch is the body's 422."""
    if branch_id is not None:
        rt.workflows.referenced(Branch, branch_id, field="branch_id")
    rt.ready("directory")
    with rt.engines.reader.connect() as conn:
        zone_ids = [z["id"] for z in list_zones(conn, branch_id=branch_id)]
    opened, already = rt.workflows.open_appraisals(
        zone_ids, period, template_id, actor, explicit=branch_id is not None)
    return {"opened": len(opened), "already_open": already}
