"""The record of every reminder sent (提醒记录): to whom, which day's digest, by which
channel, what it listed (its hash and count), when, how many tries and how it ended.

Not a read model: nothing can rebuild it from the events, so it lives on a MetaData of its
own, which no rebuild drops; `appraisal backup` copies the whole database, it too.

A delivery is keyed by (user, day, channel): a day's digest goes once per channel, however
often `appraisal remind` runs. It is claimed before it is sent (a row `sending`, committed
and, on PostgreSQL, flushed to disk first), then marked `sent`, or `failed` with the error
and when to try again, or `gave_up` after the last try. A run that dies between the
sending and the marking leaves it `sending`: it is never sent again (at most once), and the
admins' list shows it as such, its outcome unknown.
"""

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import (
    Column,
    DateTime,
    Engine,
    Integer,
    MetaData,
    String,
    Table,
    Text,
    func,
    select,
    text,
)
from sqlalchemy.dialects import postgresql, sqlite

from domain.reminders import retry_after

metadata = MetaData()

deliveries = Table(
    "reminder_deliveries",
    metadata,
    Column("username", String(), primary_key=True),
    Column("day", String(10), primary_key=True),  # ISO date, China's calendar
    Column("channel", String(20), primary_key=True),
    Column("status", String(10), nullable=False),  # sending, sent, failed, gave_up
    Column("attempts", Integer, nullable=False),
    Column("items", Integer, nullable=False),  # how many the digest listed
    Column("digest", String(64), nullable=False),  # SHA-256 of what it listed
    Column("error", Text, nullable=True),  # the last failure's
    Column("first_at", DateTime(timezone=True), nullable=False),
    Column("last_at", DateTime(timezone=True), nullable=False),
    Column("next_at", DateTime(timezone=True), nullable=True),  # a failed one's next try
)
ERROR_CHARS = 500
STATUSES = ("sending", "sent", "failed", "gave_up")


@dataclass(frozen=True)
class Key:
    username: str
    day: str
    channel: str

    def where(self) -> Any:
        return ((deliveries.c.username == self.username) & (deliveries.c.day == self.day)
                & (deliveries.c.channel == self.channel))


class Deliveries:
    """The deliveries of the reminders, claimed before they are sent."""

    def __init__(self, writer: Engine, reader: Engine):
        self.writer, self.reader = writer, reader

    def create(self) -> None:
        metadata.create_all(self.writer)

    def of_day(self, day: str) -> dict[Key, Any]:
        """The day's deliveries, by key."""
        with self.reader.connect() as conn:
            rows = conn.execute(select(deliveries).where(deliveries.c.day == day))
            return {Key(r.username, r.day, r.channel): r for r in rows}

    def listed(self, day: str, limit: int) -> list[dict[str, Any]]:
        """The day's deliveries, failures first, for the administrators' list."""
        order = {"gave_up": 0, "failed": 1, "sending": 2, "sent": 3}
        with self.reader.connect() as conn:
            rows = conn.execute(select(deliveries).where(deliveries.c.day == day)
                                .order_by(deliveries.c.username, deliveries.c.channel)
                                .limit(limit))
            found = [dict(r._mapping) for r in rows]
        return sorted(found, key=lambda r: order.get(r["status"], 9))

    def counted(self, day: str) -> dict[str, int]:
        """How many of the day's deliveries stand in each status."""
        with self.reader.connect() as conn:
            rows = conn.execute(select(deliveries.c.status, func.count())
                                .where(deliveries.c.day == day)
                                .group_by(deliveries.c.status)).tuples().all()
        return {**dict.fromkeys(STATUSES, 0), **dict(rows)}

    def claim(self, key: Key, items: int, digest: str, now: datetime,
              tried: int = 0) -> bool:
        """Claim the delivery for this run: a new one (`tried` 0), or a failed one tried
        `tried` times whose next try is due. False if another run has it, or had it."""
        with self.writer.begin() as conn:
            self._durable(conn)
            if tried == 0:
                insert = (sqlite.insert if self.writer.dialect.name == "sqlite"
                          else postgresql.insert)
                done = conn.execute(insert(deliveries).values(
                    username=key.username, day=key.day, channel=key.channel, status="sending",
                    attempts=1, items=items, digest=digest, first_at=now, last_at=now)
                    .on_conflict_do_nothing().returning(deliveries.c.attempts))
            else:
                done = conn.execute(deliveries.update().where(
                    key.where(), deliveries.c.status == "failed",
                    deliveries.c.attempts == tried, deliveries.c.next_at <= now).values(
                    status="sending", attempts=tried + 1, items=items, digest=digest,
                    last_at=now, next_at=None).returning(deliveries.c.attempts))
            # RETURNING, not rowcount: psycopg's is not the rows an ON CONFLICT insert made.
            return done.first() is not None

    def sent(self, key: Key, now: datetime) -> None:
        self._mark(key, status="sent", error=None, last_at=now, next_at=None)

    def failed(self, key: Key, attempts: int, error: str, now: datetime) -> str:
        """Mark the try failed: tried again after its backoff, or given up after the last.
        The status it is left in."""
        wait: timedelta | None = retry_after(attempts)
        status = "gave_up" if wait is None else "failed"
        self._mark(key, status=status, error=error[:ERROR_CHARS], last_at=now,
                   next_at=None if wait is None else now + wait)
        return status

    def _mark(self, key: Key, **values: Any) -> None:
        with self.writer.begin() as conn:
            self._durable(conn)
            conn.execute(deliveries.update().where(key.where()).values(**values))

    def _durable(self, conn: Any) -> None:
        """The read models' writer commits without waiting for the disk; a delivery's
        record waits (PostgreSQL): a claim lost to a crash could send a digest twice."""
        if self.writer.dialect.name == "postgresql":
            conn.execute(text("SET LOCAL synchronous_commit = on"))
