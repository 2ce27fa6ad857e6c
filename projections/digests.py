"""What the reminders' digests read, for the whole organisation at once: every appraisal
awaiting a signed step, with its zone's name, the zone's responsible members now and at
opening, and the steps signed so far. A few whole-table reads, no read per user or per
appraisal: the service (service/cases/digests.py) matches them to the users."""

from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, select

from domain.process import STEPS
from projections.appraisal_index import appraisals
from projections.directory import responsibles, zones
from projections.signers import signers

WAITING = [str(step) for step in STEPS]  # each such state awaits the step of its name


@dataclass(frozen=True)
class Waiting:
    """An appraisal awaiting the step its state names."""

    id: str
    zone_id: str
    zone_name: str
    period: str
    branch_id: str
    group_id: str
    state: str
    updated_at: datetime


@dataclass
class Standings:
    """The appraisals awaiting a step and who stands on them."""

    waiting: list[Waiting]
    now: dict[str, list[str]]  # zone → its responsible members now
    then: dict[str, list[str]]  # appraisal → its zone's responsible members at opening
    # appraisal → step → {"actor", "member_id", "on_behalf_of", "principal_member_id"}, those
    # without a value left out
    steps: dict[str, dict[str, dict[str, Any]]]


def standings(conn: Connection) -> Standings:
    """Everything awaiting a step, read in four statements."""
    waiting_ids = select(appraisals.c.id).where(appraisals.c.state.in_(WAITING))
    query = (select(appraisals.c.id, appraisals.c.zone_id, zones.c.name, appraisals.c.period,
                    appraisals.c.branch_id, appraisals.c.group_id, appraisals.c.state,
                    appraisals.c.updated_at)
             .join(zones, zones.c.id == appraisals.c.zone_id)
             .where(appraisals.c.state.in_(WAITING)))
    waiting = [Waiting(*row) for row in conn.execute(query)]
    now: dict[str, list[str]] = defaultdict(list)
    for zone_id, member_id in conn.execute(select(responsibles.c.zone_id,
                                                  responsibles.c.member_id)):
        now[zone_id].append(member_id)
    then: dict[str, list[str]] = {}
    steps: dict[str, dict[str, dict[str, Any]]] = {}
    for ident, opened, signed in conn.execute(
            select(signers.c.id, signers.c.opened, signers.c.steps)
            .where(signers.c.id.in_(waiting_ids))):
        then[ident], steps[ident] = opened, signed
    return Standings(waiting, now, then, steps)
