"""Who stands on each appraisal: the zone's responsible members when it opened, and the
signer (account and member) of each step's latest submission, as `Appraisal.steps` holds
them. Separation of duties is decided on these, so the reminders' digests can tell, for a
whole organisation at once, what the inbox tells by loading each appraisal."""

from collections.abc import Collection, Sequence
from typing import Any, NamedTuple

from eventsourcing.utils import get_topic
from sqlalchemy import JSON, Column, Connection, String, Table, select

from domain.appraisal import Appraisal
from domain.process import PROCEDURE
from projections import bulk
from projections.tracking import Recorded, chunks, metadata

# A row an appraisal (one for each of its events took a rebuild four times the writes).
signers = Table("appraisal_signers", metadata,
                Column("id", String(36), primary_key=True),
                # The zone's responsible members at opening (or at its restart after a
                # cancellation).
                Column("opened", JSON, nullable=False),
                # Step → {"actor", "member_id", "on_behalf_of", "principal_member_id"}: the
                # signer's member ('' for an account of nobody's; None: stored before signers'
                # members were recorded, looked up through the account); 代签: whom the step
                # was signed for, and their member ('' for none).
                Column("steps", JSON, nullable=False))

# Each signing event's class, and the step it signs.
STEP_OF_CLASS = {getattr(Appraisal, "".join(w.title() for w in s.event.split("_"))): str(step)
                 for step, s in PROCEDURE.items()}
Row = dict[str, Any]


class Folded(NamedTuple):
    """What a batch's events make of the appraisals' rows, without reading any: the rows of
    those it opens, and for the others what their events set (the members at a restart,
    steps' signers), which overwrites the stored row's."""

    rows: dict[str, Row]
    opened: set[str]


class SignersView:
    """A row per appraisal: its responsible members at opening, and each step's latest
    signer (a submission replaces the one before, as in the document)."""

    name = "signers"
    topics = tuple(get_topic(e) for e in (Appraisal.Opened, Appraisal.Restarted,
                                          *STEP_OF_CLASS))
    tables = (signers,)
    parted = True  # a stream's rows follow from its own events

    def prepare(self, batch: Sequence[Recorded], deferred: bool,
                before: Folded | None) -> Folded:
        folded = before or Folded({}, set())
        rows = folded.rows
        for _, domain_event, stream in batch:
            if (row := rows.get(stream)) is None:
                row = rows[stream] = {"steps": {}}
            held = domain_event.__dict__
            if (step := STEP_OF_CLASS.get(type(domain_event))) is None:  # opened, restarted
                row["opened"] = list(dict.fromkeys(held["responsible_member_ids"]))
                if isinstance(domain_event, Appraisal.Opened):
                    folded.opened.add(stream)
            else:
                row["steps"][step] = {
                    "actor": held["actor"], "member_id": held.get("member_id"),
                    "on_behalf_of": held.get("on_behalf_of"),
                    "principal_member_id": held.get("principal_member_id")}
        return folded

    def apply(self, conn: Connection, prepared: Folded) -> None:
        """The other appraisals' rows read once and overwritten with what their events set."""
        rows, opened = prepared.rows, prepared.opened
        stored = _stored(conn, rows.keys() - opened)
        bulk.insert(conn, signers, ("id", "opened", "steps"),
                    [(s, rows[s]["opened"], rows[s]["steps"]) for s in opened])
        later = []
        for stream in sorted(rows.keys() - opened):  # in key order: the B-tree's pages in turn
            row, before = rows[stream], stored.get(stream, {"opened": [], "steps": {}})
            later.append((stream, row.get("opened", before["opened"]),
                          {**before["steps"], **row["steps"]}))
        bulk.update(conn, signers, "id", ("opened", "steps"), later)


def _stored(conn: Connection, streams: Collection[str]) -> dict[str, Row]:
    """The rows of these appraisals, by stream id."""
    found: dict[str, Row] = {}
    for chunk in chunks(sorted(streams)):
        query = select(signers.c.id, signers.c.opened, signers.c.steps).where(
            signers.c.id.in_(chunk))
        found |= {ident: {"opened": opened, "steps": steps}
                  for ident, opened, steps in conn.execute(query).tuples()}
    return found
