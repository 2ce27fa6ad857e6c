"""What the pages read from the read models besides the use cases' answers: the choices of
their filters (periods, branches, groups, lines) and the names of people and places."""

from collections.abc import Iterable
from typing import Any

from projections.directory_query import choices, organisation
from projections.ranking_query import names_of
from projections.ranking_query import published_periods as periods
from projections.users import user_names
from service.runtime import Runtime


def published_periods(rt: Runtime) -> list[str]:
    """Periods with published results, latest first."""
    rt.ready("ranking")
    with rt.engines.reader.connect() as conn:
        return periods(conn)


def filter_choices(rt: Runtime) -> dict[str, list[Any]]:
    """Branches and groups (id, name) and the lines of zones, for the filters' selects; a
    branch created just before is among them."""
    rt.ready("directory")
    with rt.engines.reader.connect() as conn:
        return choices(conn)


def users_named(rt: Runtime, usernames: Iterable[str]) -> dict[str, str]:
    """Display names of users by username; a page falls back to the username itself."""
    rt.ready("users")
    with rt.engines.reader.connect() as conn:
        return names_of(conn, user_names, usernames)


def organisation_of(rt: Runtime, branch_id: str) -> dict[str, Any]:
    """A branch's groups, each with its members and zones (responsible members by name)."""
    rt.ready("directory")
    with rt.engines.reader.connect() as conn:
        return organisation(conn, branch_id)
