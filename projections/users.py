"""Users: their display names, for files and pages that show who signed (a name never
changes), and their accounts as registered, for the administrator's list."""

from collections.abc import Sequence
from typing import Any

from eventsourcing.utils import get_topic
from sqlalchemy import JSON, Column, Connection, String, Table, select

from domain.users import User
from projections.tracking import PlainView, Recorded, metadata

# `id` and `name`, like the directory's tables, so `names_of` reads it the same way.
user_names = Table("user_names", metadata,
                   Column("id", String(), primary_key=True),  # the username
                   Column("name", String(), nullable=False))

accounts = Table("user_accounts", metadata,
                 Column("username", String(), primary_key=True),
                 Column("display_name", String(), nullable=False),
                 Column("member_id", String(), nullable=True),
                 Column("roles", JSON, nullable=False))  # [{"role", "scope"}], as granted


class UsersView(PlainView):
    """A row per registered user: the name shown for their username."""

    name = "users"
    topics = (get_topic(User.Registered),)
    tables = (user_names,)

    def apply(self, conn: Connection, batch: Sequence[Recorded]) -> None:
        if batch:
            conn.execute(user_names.insert(), [{"id": e.username, "name": e.display_name}
                                               for _, e, _ in batch])


class AccountsView(PlainView):
    """A row per registered user: name, member and roles (none of them changes once
    registered). A view of its own, not more columns of `users`: a store whose `users` view
    is already under way fills this one from the first event."""

    name = "accounts"
    topics = (get_topic(User.Registered),)
    tables = (accounts,)

    def apply(self, conn: Connection, batch: Sequence[Recorded]) -> None:
        if batch:
            conn.execute(accounts.insert(), [
                {"username": e.username, "display_name": e.display_name,
                 "member_id": e.member_id, "roles": list(e.roles)} for _, e, _ in batch])


def list_accounts(conn: Connection) -> list[dict[str, Any]]:
    """Every user, by username."""
    query = select(accounts).order_by(accounts.c.username)
    return [dict(row._mapping) for row in conn.execute(query)]
