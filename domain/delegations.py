"""Signing on behalf (代签): a signer names a deputy for a range of days, or their branch's
secretary or an administrator does it for them, and may revoke it.

One aggregate per deputy keeps every delegation to them, so a command that must decide
whether someone may act for another today loads that one stream. A delegation's id is a
part id of it (`domain.ids.part_id`, `…-d2`). Days are China's (`domain.period.CHINA`),
both ends included.
"""

from datetime import date, datetime, timedelta
from typing import TYPE_CHECKING, Any, ClassVar
from uuid import UUID

from eventsourcing.domain import Aggregate, event

from domain.errors import InvalidError
from domain.ids import part_id, stream_id
from domain.process import PROCEDURE, Role

DELEGATION = "d"  # the kind of a delegation's part id
MAX_DAYS = 366  # one delegation covers a year at most
MAX_AHEAD = 366  # and starts within a year from today
MAX_OPEN = 100  # delegations to one deputy that have not ended and are not revoked
# The roles a deputy signs in: the procedure's signers, but for the responsible member, whose
# self-check assesses themself.
DELEGABLE: frozenset[str] = frozenset(
    s.role for s in PROCEDURE.values()) - {Role.RESPONSIBLE_MEMBER}
PRINCIPAL = "principal"  # the role of a grant or revocation by the principal themself


def _day(text: Any, field: str) -> date:
    """A calendar day written YYYY-MM-DD in ASCII digits."""
    day = None
    if isinstance(text, str) and len(text) == 10 and text.isascii():
        try:
            day = date.fromisoformat(text)
        except ValueError:
            day = None
    if day is None:
        raise InvalidError(f"{field} must be a date, YYYY-MM-DD", {field: "format"})
    return day


def check_days(start: Any, end: Any, today: date) -> tuple[str, str]:
    """The first and last day of a delegation: from today on, within a year from today,
    ending on or after its start and lasting a year at most."""
    first, last = _day(start, "from"), _day(end, "to")
    if first < today:
        raise InvalidError("from is in the past", {"from": "past"})
    if first > today + timedelta(days=MAX_AHEAD):
        raise InvalidError("from is more than a year away", {"from": "range"})
    if last < first:
        raise InvalidError("to is before from", {"to": "before from"})
    if (last - first).days >= MAX_DAYS:
        raise InvalidError(f"a delegation lasts {MAX_DAYS} days at most", {"to": "range"})
    return first.isoformat(), last.isoformat()


class Deputy(Aggregate):
    """The delegations to one deputy, numbered from 1: each as granted (`revoked` None) and,
    once revoked, with who revoked it, in which role, when and why."""

    if TYPE_CHECKING:  # the event classes @event makes when the class is created
        Started: ClassVar[type[Any]]
        DelegationGranted: ClassVar[type[Any]]
        DelegationRevoked: ClassVar[type[Any]]

    @staticmethod
    def create_id(deputy: str) -> UUID:
        """The deputy's stream, by their username."""
        return stream_id("deputy", deputy)

    @event("Started")
    def __init__(self, deputy: str, actor: str, timestamp: datetime):
        self.deputy = deputy
        # By id; each event assigns a new mapping, never changes one.
        self.delegations: dict[str, dict[str, Any]] = {}

    @event("DelegationGranted")
    def grant(self, delegation: str, deputy: str, principal: str,
              principal_member_id: str | None, branches: list[str], start: str, end: str,
              reason: str, actor: str, role: str, timestamp: datetime) -> None:
        """`deputy` repeats the stream's, and `branches` (those the principal signs in) where
        the delegation stands, for the read model, which reads the grants alone."""
        self.delegations = {**self.delegations, delegation: {
            "deputy": deputy, "principal": principal, "principal_member_id": principal_member_id,
            "branches": list(branches), "start": start, "end": end, "reason": reason,
            "granted_by": actor, "granted_role": role, "granted_at": timestamp,
            "revoked": None}}

    @event("DelegationRevoked")
    def revoke(self, delegation: str, reason: str, actor: str, role: str,
               timestamp: datetime) -> None:
        revoked = {**self.delegations[delegation], "revoked": {
            "by": actor, "role": role, "at": timestamp, "reason": reason}}
        self.delegations = {**self.delegations, delegation: revoked}

    def next_id(self) -> str:
        return part_id(self.id, DELEGATION, len(self.delegations) + 1)

    def active(self, today: date) -> list[tuple[str, dict[str, Any]]]:
        """The delegations in force on `today`: not revoked, the day within their range."""
        day = today.isoformat()
        return [(key, d) for key, d in self.delegations.items()
                if d["revoked"] is None and d["start"] <= day <= d["end"]]

    def pending(self, today: date) -> list[tuple[str, dict[str, Any]]]:
        """The delegations not revoked that have not ended by `today` (in force or to come)."""
        day = today.isoformat()
        return [(key, d) for key, d in self.delegations.items()
                if d["revoked"] is None and d["end"] >= day]

    def overlapping(self, principal: str, start: str, end: str, today: date) -> str | None:
        """A pending delegation from `principal` whose days meet `start`…`end`."""
        return next((key for key, d in self.pending(today) if d["principal"] == principal
                     and d["start"] <= end and start <= d["end"]), None)
