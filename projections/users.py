"""Users: their display names, for files and pages that show who signed (a name never
changes), and their accounts with their roles now and whether disabled, for the
administrator's list."""

from collections.abc import Iterable, Sequence
from typing import Any

from eventsourcing.utils import get_topic
from sqlalchemy import JSON, Boolean, Column, Connection, String, Table, select

from domain.users import User
from projections import bulk
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
# What changed since registration, by the user's stream id (the events do not repeat the
# username). A table of its own, not columns of `user_accounts`: a store made before roles
# could change gets it by `create_all`, and no event of its kind precedes this code.
account_states = Table("user_account_states", metadata,
                       Column("id", String(36), primary_key=True),  # User.create_id(username)
                       Column("roles", JSON, nullable=True),  # the latest change, if any
                       Column("disabled", Boolean, nullable=False))


class UsersView(PlainView):
    """A row per registered user: the name shown for their username."""

    name = "users"
    topics = (get_topic(User.Registered),)
    tables = (user_names,)

    def apply(self, conn: Connection, batch: Sequence[Recorded]) -> None:
        # Written by the driver (projections.bulk): a rebuild adds a row for each user.
        bulk.insert(conn, user_names, ("id", "name"),
                    [(e.username, e.display_name) for _, e, _ in batch])


class AccountsView(PlainView):
    """A row per registered user: name, member and roles as registered, and a row of what
    changed since (roles, disabled). A view of its own, not more columns of `users`: a store
    whose `users` view is already under way fills this one from the first event."""

    name = "accounts"
    topics = tuple(get_topic(t) for t in (User.Registered, User.RolesChanged, User.Disabled))
    tables = (accounts, account_states)

    def apply(self, conn: Connection, batch: Sequence[Recorded]) -> None:
        bulk.insert(conn, accounts, ("username", "display_name", "member_id", "roles"), [
            (e.username, e.display_name, e.member_id, list(e.roles))
            for _, e, _ in batch if isinstance(e, User.Registered)])
        changed = _changes(conn, [(stream, e) for _, e, stream in batch
                                  if not isinstance(e, User.Registered)])
        for stream, state in changed.items():
            conn.execute(account_states.delete().where(account_states.c.id == stream))
            conn.execute(account_states.insert().values(id=stream, **state))


def _changes(conn: Connection, events: list[tuple[str, Any]]) -> dict[str, dict[str, Any]]:
    """Each changed user's state after the events, from the state stored before them."""
    ids = {stream for stream, _ in events}
    stored: Iterable[Any] = conn.execute(
        select(account_states).where(account_states.c.id.in_(ids))) if ids else []
    states = {row.id: {"roles": row.roles, "disabled": row.disabled} for row in stored}
    for stream, event in events:
        state = states.setdefault(stream, {"roles": None, "disabled": False})
        if isinstance(event, User.RolesChanged):
            state["roles"] = list(event.roles)
        else:
            state["disabled"] = True
    return states


def list_accounts(conn: Connection) -> list[dict[str, Any]]:
    """Every user, by username, with their roles now and whether disabled."""
    query = select(accounts).order_by(accounts.c.username)
    states = {row.id: row for row in conn.execute(select(account_states))}
    listed = []
    for row in conn.execute(query):
        state = states.get(str(User.create_id(row.username)))
        listed.append({**row._mapping,
                       "roles": row.roles if state is None or state.roles is None
                       else state.roles,
                       "disabled": bool(state and state.disabled)})
    return listed
