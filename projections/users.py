"""Users' display names, for files and pages that show who signed (a name never changes)."""

from collections.abc import Sequence

from eventsourcing.utils import get_topic
from sqlalchemy import Column, Connection, String, Table

from domain.users import User
from projections.tracking import Recorded, metadata

# `id` and `name`, like the directory's tables, so `names_of` reads it the same way.
user_names = Table("user_names", metadata,
                   Column("id", String(64), primary_key=True),  # the username
                   Column("name", String(200), nullable=False))


class UsersView:
    """A row per registered user: the name shown for their username."""

    name = "users"
    topics = (get_topic(User.Registered),)
    tables = (user_names,)

    def apply(self, conn: Connection, batch: Sequence[Recorded]) -> None:
        if batch:
            conn.execute(user_names.insert(), [{"id": e.username, "name": e.display_name}
                                               for _, e in batch])
