"""Inbox (我的待办) candidates: the appraisals a caller's scopes could sign next, oldest first.

This is a narrowing, not the decision: the service keeps only the candidates for which the
workflow itself allows the caller a forward action (separation of duties needs each
appraisal's signers, which this index does not hold). The SQL bounds how many appraisals
the service must load: a secretary's candidates are their branches' appraisals awaiting
approval, never the whole store.
"""

from collections.abc import Collection
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import ColumnElement, Connection, and_, false, or_, select, true

from domain.process import State
from projections.appraisal_index import appraisals
from projections.directory import responsibles


@dataclass(frozen=True)
class Duties:
    """Where a caller signs: their member id (self-checks of the zones they are responsible
    for now) and the zones, groups and branches they evaluate, review and approve in.

    A scope of `None` is a grant over the whole organisation; an empty one, no grant.
    """

    member_id: str | None
    zones: Collection[str] | None = ()
    groups: Collection[str] | None = ()
    branches: Collection[str] | None = ()


@dataclass(frozen=True)
class Candidate:
    """An appraisal that may wait for the caller, and where it stands in the queue."""

    id: str
    updated_at: datetime


def _in_scope(column: Any, scope: Collection[str] | None) -> Any:
    if scope is None:
        return true()
    return column.in_(list(scope)) if scope else false()


def waiting_clause(duties: Duties) -> Any:
    """Appraisals in a state whose forward step the caller's scopes cover."""
    state = appraisals.c.state
    own: ColumnElement[bool]
    self_checks: ColumnElement[bool]
    if duties.member_id is None:
        own = self_checks = false()
    else:
        mine = select(responsibles.c.zone_id).where(responsibles.c.member_id == duties.member_id)
        own = appraisals.c.zone_id.in_(mine)
        self_checks = and_(state == State.SELF_CHECK, own)
    # A responsible member never reviews or approves their own zone (the workflow's rule too).
    judged = ~own if duties.member_id is not None else true()
    return or_(
        self_checks,
        and_(state == State.ZONE_EVALUATION, _in_scope(appraisals.c.zone_id, duties.zones)),
        and_(state == State.GROUP_REVIEW, _in_scope(appraisals.c.group_id, duties.groups), judged),
        and_(state == State.BRANCH_APPROVAL, _in_scope(appraisals.c.branch_id, duties.branches),
             judged),
    )


def candidates(conn: Connection, duties: Duties, *, period: str | None = None,
               after: Candidate | None = None, limit: int = 200) -> list[Candidate]:
    """The next `limit` candidates after `after`, by the time of their last event, then id.

    Keyset paging (not OFFSET): a caller walking the queue in chunks skips nothing and
    sees nothing twice when appraisals move while it walks.
    """
    query = (select(appraisals.c.id, appraisals.c.updated_at).where(waiting_clause(duties))
             .order_by(appraisals.c.updated_at, appraisals.c.id).limit(limit))
    if period is not None:
        query = query.where(appraisals.c.period == period)
    if after is not None:
        at = appraisals.c.updated_at
        query = query.where(or_(at > after.updated_at,
                                and_(at == after.updated_at, appraisals.c.id > after.id)))
    return [Candidate(row.id, row.updated_at) for row in conn.execute(query)]
