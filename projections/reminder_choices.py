"""The channels each user chose for their daily digest (domain.reminders), by the user's
stream id (the events do not repeat the username), for `appraisal remind` to read at once."""

from collections.abc import Sequence
from typing import Any

from eventsourcing.utils import get_topic
from sqlalchemy import JSON, Column, Connection, String, Table, select

from domain.users import User
from projections.tracking import PlainView, Recorded, metadata

choices = Table("reminder_choices", metadata,
                Column("id", String(36), primary_key=True),  # User.create_id(username)
                Column("choice", JSON, nullable=False))


class ReminderChoicesView(PlainView):
    """A row per user who chose, their latest choice."""

    name = "reminder_choices"
    topics = (get_topic(User.RemindersChosen),)
    tables = (choices,)

    def apply(self, conn: Connection, batch: Sequence[Recorded]) -> None:
        latest = {stream: e.reminders for _, e, stream in batch}
        if not latest:
            return
        conn.execute(choices.delete().where(choices.c.id.in_(list(latest))))
        conn.execute(choices.insert(), [{"id": k, "choice": v} for k, v in latest.items()])


def chosen(conn: Connection) -> dict[str, dict[str, Any]]:
    """Every user's choice, by stream id, of those who chose a channel."""
    return {row.id: row.choice for row in conn.execute(select(choices))
            if row.choice["channels"]}
