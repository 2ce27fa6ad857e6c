"""Who stands on each appraisal: the zone's responsible members when it opened, and the
signer (account and member) of each step's latest submission, as `Appraisal.steps` holds
them. Separation of duties is decided on these, so the reminders' digests can tell, for a
whole organisation at once, what the inbox tells by loading each appraisal."""

from collections.abc import Sequence
from typing import Any

from eventsourcing.utils import get_topic
from sqlalchemy import Column, Connection, String, Table

from domain.appraisal import Appraisal
from domain.documents import event_type
from domain.process import PROCEDURE, STEP_OF_EVENT
from projections import bulk
from projections.tracking import Recorded, chunks, metadata

signers = Table("appraisal_signers", metadata,
                Column("id", String(36), primary_key=True),
                Column("step", String(20), primary_key=True),
                Column("actor", String(), nullable=False),
                # The signer's member; '' for an account of nobody's; NULL: stored before
                # signers' members were recorded (looked up through the account).
                Column("member_id", String(), nullable=True),
                # 代签: whom the step was signed for, and their member ('' for none).
                Column("on_behalf_of", String(), nullable=True),
                Column("principal_member_id", String(), nullable=True))

openers = Table("appraisal_opened_responsibles", metadata,
                Column("id", String(36), primary_key=True),
                Column("member_id", String(), primary_key=True))

SIGNING_EVENTS = tuple(getattr(Appraisal, "".join(w.title() for w in s.event.split("_")))
                       for s in PROCEDURE.values())
Row = tuple[Any, ...]


class SignersView:
    """A row per appraisal's responsible member at opening (or at its restart after a
    cancellation), and per step signed (the latest submission replaces the one before, as
    in the document)."""

    name = "signers"
    topics = tuple(get_topic(e) for e in (Appraisal.Opened, Appraisal.Restarted,
                                          *SIGNING_EVENTS))
    tables = (signers, openers)
    parted = True  # a stream's rows follow from its own events

    def prepare(self, batch: Sequence[Recorded],
                deferred: bool) -> tuple[dict[str, list[Row]], list[Row], list[str]]:
        opened: dict[str, list[Row]] = {}
        restarted: list[str] = []
        signed: dict[tuple[str, str], Row] = {}
        for _, domain_event, stream in batch:
            if isinstance(domain_event, Appraisal.Opened | Appraisal.Restarted):
                if isinstance(domain_event, Appraisal.Restarted):
                    restarted.append(stream)  # its responsibles now stand for its opening's
                opened[stream] = [(stream, m) for m in
                                  dict.fromkeys(domain_event.responsible_member_ids)]
                continue
            step = STEP_OF_EVENT[event_type(domain_event)]
            signed[stream, step] = (stream, step, domain_event.actor,
                                    getattr(domain_event, "member_id", None),
                                    getattr(domain_event, "on_behalf_of", None),
                                    getattr(domain_event, "principal_member_id", None))
        return opened, list(signed.values()), restarted

    def apply(self, conn: Connection,
              prepared: tuple[dict[str, list[Row]], list[Row], list[str]]) -> None:
        opened, signed, restarted = prepared
        for chunk in chunks(sorted(set(restarted))):
            conn.execute(openers.delete().where(openers.c.id.in_(chunk)))
        bulk.insert(conn, openers, ("id", "member_id"), [r for rows in opened.values()
                                                         for r in rows])
        by_step: dict[str, list[str]] = {}
        for stream, step, *_ in signed:
            by_step.setdefault(step, []).append(stream)
        for step, streams in by_step.items():  # a step signed again replaces its row
            for chunk in chunks(streams):
                conn.execute(signers.delete().where(signers.c.step == step,
                                                    signers.c.id.in_(chunk)))
        bulk.insert(conn, signers, ("id", "step", "actor", "member_id", "on_behalf_of",
                                    "principal_member_id"), signed)
