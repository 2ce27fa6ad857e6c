"""公示: a branch posts a period's results on the board for a window; objections are raised
and answered on the appraisals; a posting closed with none open makes its results final
(定稿). The window is counted in working days in China time, as the board shows it."""

from datetime import UTC, datetime, time, timedelta
from typing import TYPE_CHECKING, Any, ClassVar
from uuid import UUID

from eventsourcing.domain import Aggregate, event

from domain.errors import InvalidError
from domain.ids import part_id, stream_id
from domain.period import CHINA

DEFAULT_DAYS = 5  # 公示期: commonly five working days
MAX_DAYS = 30


def check_days(days: Any) -> int:
    """A window's length in working days: a whole number from 1 to MAX_DAYS."""
    if isinstance(days, bool) or not isinstance(days, int) or not 1 <= days <= MAX_DAYS:
        raise InvalidError(f"days must be a whole number from 1 to {MAX_DAYS}",
                           {"days": "range"})
    return days


def window_end(opens: datetime, days: int) -> datetime:
    """When a window of `days` working days (Monday to Friday) opened at `opens` closes:
    midnight in China after its last day. The day of posting counts when it is a working
    day, so a posting on Monday for five days runs to the end of Friday."""
    day = opens.astimezone(CHINA).date()
    counted = 0
    while True:
        if day.weekday() < 5:
            counted += 1
            if counted == days:
                break
        day += timedelta(days=1)
    return datetime.combine(day + timedelta(days=1), time(), CHINA).astimezone(UTC)


class Publicity(Aggregate):
    """The postings of one branch's period, numbered from 1; the latest is the board, and
    each later one supersedes (and refers to) the one before. `link` is the SHA-256 of the
    public link's secret while one is issued."""

    if TYPE_CHECKING:  # the event classes @event makes when the class is created
        Started: ClassVar[type[Any]]
        Posted: ClassVar[type[Any]]
        Closed: ClassVar[type[Any]]
        LinkIssued: ClassVar[type[Any]]
        LinkRevoked: ClassVar[type[Any]]

    @staticmethod
    def create_id(branch_id: str, period: str) -> UUID:
        return stream_id("publicity", branch_id, period)

    @event("Started")
    def __init__(self, branch_id: str, period: str, actor: str, timestamp: datetime):
        self.branch_id = branch_id
        self.period = period
        self.postings: tuple[dict[str, Any], ...] = ()
        self.link: str | None = None

    @event("Posted")
    def post(self, as_of: datetime, closes: datetime, days: int, entries: list[dict[str, Any]],
             distribution: dict[str, int], pending: int, actor: str, role: str,
             timestamp: datetime) -> None:
        """Posts `entries` (the ranking as of `as_of`) until `closes`; `pending`: zones of
        the period not yet approved then."""
        number = len(self.postings) + 1
        self.postings = (*self.postings, {
            "number": number, "as_of": as_of, "closes": closes, "days": days,
            "entries": entries, "distribution": distribution, "pending": pending,
            "actor": actor, "closed_at": None, "closed_by": None})

    @event("Closed")
    def close(self, number: int, actor: str, role: str, timestamp: datetime) -> None:
        closed = {**self.postings[number - 1], "closed_at": timestamp, "closed_by": actor}
        self.postings = (*self.postings[:number - 1], closed, *self.postings[number:])

    @event("LinkIssued")
    def issue_link(self, digest: str, actor: str, timestamp: datetime) -> None:
        self.link = digest

    @event("LinkRevoked")
    def revoke_link(self, actor: str, timestamp: datetime) -> None:
        self.link = None

    def posting_id(self, number: int) -> str:
        return part_id(self.id, "p", number)

    def posting(self, number: int) -> dict[str, Any] | None:
        return self.postings[number - 1] if 1 <= number <= len(self.postings) else None

    @property
    def latest(self) -> dict[str, Any] | None:
        return self.postings[-1] if self.postings else None

    def state(self, number: int) -> str:
        """`superseded` by a later posting, else `closed` or `open` (its window may be over)."""
        if number < len(self.postings):
            return "superseded"
        return "open" if self.postings[number - 1]["closed_at"] is None else "closed"

    def board(self, now: datetime) -> dict[str, Any] | None:
        """The posting whose window is open now: the latest, not closed, not yet over."""
        latest = self.latest
        if latest is None or latest["closed_at"] is not None or now >= latest["closes"]:
            return None
        return latest
