"""Who stands on each appraisal: the zone's responsible members when it opened, and the
signer (account and member) of each step's latest submission, as `Appraisal.steps` holds
them. Separation of duties is decided on these, so the reminders' digests can tell, for a
whole organisation at once, what the inbox tells by loading each appraisal."""

from collections.abc import Sequence
from typing import Any

from eventsourcing.utils import get_topic
from sqlalchemy import JSON, Column, Connection, String, Table, select
from sqlalchemy.engine import Dialect

from domain.appraisal import Appraisal
from domain.process import PROCEDURE
from projections import bulk
from projections.tracking import Recorded, chunks, metadata, started_apart

# A row an appraisal (one for each of its events took a rebuild four times the writes).
signers = Table("appraisal_signers", metadata,
                Column("id", String(36), primary_key=True),
                # The zone's responsible members at opening (or at its restart after a
                # cancellation).
                Column("opened", JSON, nullable=False),
                # Step → {"actor", "member_id", "on_behalf_of", "principal_member_id"}: the
                # signer's member ('' for an account of nobody's; none: stored before
                # signers' members were recorded, looked up through the account); 代签: whom
                # the step was signed for, and their member ('' for none). A field without a
                # value is left out: most steps are signed in person, and the table was the
                # read models' largest, three times the ranking's.
                Column("steps", JSON, nullable=False))

# Each signing event's class, and the step it signs.
STEP_OF_CLASS = {getattr(Appraisal, "".join(w.title() for w in s.event.split("_"))): str(step)
                 for step, s in PROCEDURE.items()}
Row = dict[str, Any]
Prepared = tuple[bulk.Ready, list[Recorded]]  # new appraisals' rows; other events
COLUMNS = ("id", "opened", "steps")
SIGNED = ("actor", "member_id", "on_behalf_of", "principal_member_id")  # of a step's signer


class SignersView:
    """A row per appraisal: its responsible members at opening, and each step's latest
    signer (a submission replaces the one before, as in the document)."""

    name = "signers"
    topics = tuple(get_topic(e) for e in (Appraisal.Opened, Appraisal.Restarted,
                                          *STEP_OF_CLASS))
    tables = (signers,)
    parted = True  # a stream's rows follow from its own events

    def prepare(self, batch: Sequence[Recorded], dialect: Dialect) -> Prepared:
        """The rows of the appraisals opened in the batch; the other appraisals' events."""
        opened, later = started_apart(batch, Appraisal.Opened)
        return bulk.ready(dialect, signers, COLUMNS, _values(_folded(opened, {}))), later

    def apply(self, conn: Connection, prepared: Prepared) -> None:
        new, later = prepared
        rows = _folded(later, _stored(conn, {r.stream for r in later}))
        bulk.send(conn, new)
        bulk.update(conn, signers, "id", COLUMNS[1:], _values(rows))


def _values(rows: dict[str, Row]) -> list[tuple[Any, ...]]:
    """The rows as tuples of COLUMNS' values."""
    return [(stream, row["opened"], row["steps"]) for stream, row in rows.items()]


def _folded(batch: Sequence[Recorded], stored: dict[str, Row]) -> dict[str, Row]:
    """Each appraisal's row after the batch's events, from its stored row (if any)."""
    rows: dict[str, Row] = {}
    for _, domain_event, stream in batch:
        if (row := rows.get(stream)) is None:
            before = stored.get(stream, {"opened": [], "steps": {}})
            row = rows[stream] = {"opened": before["opened"], "steps": dict(before["steps"])}
        held = domain_event.__dict__
        if (step := STEP_OF_CLASS.get(type(domain_event))) is None:  # opened, restarted
            row["opened"] = list(dict.fromkeys(held["responsible_member_ids"]))
        else:
            row["steps"][step] = {field: value for field in SIGNED
                                  if (value := held.get(field)) is not None}
    return rows


def _stored(conn: Connection, streams: set[str]) -> dict[str, Row]:
    """The rows of these appraisals, by stream id."""
    found: dict[str, Row] = {}
    for chunk in chunks(sorted(streams)):
        query = select(signers.c.id, signers.c.opened, signers.c.steps).where(
            signers.c.id.in_(chunk))
        found |= {ident: {"opened": opened, "steps": steps}
                  for ident, opened, steps in conn.execute(query).tuples()}
    return found
