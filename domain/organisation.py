"""The organisation: branches (党支部), groups (党小组), members and zones (责任区)."""

from datetime import datetime
from typing import TYPE_CHECKING, Any, ClassVar
from uuid import UUID

from eventsourcing.domain import Aggregate, event

from domain.ids import stream_id
from domain.policy import DEFAULT_POLICY
from domain.publicity import DEFAULT_DAYS
from domain.supervision import with_finding, with_rectification


class Branch(Aggregate):
    """A party branch; it sets the reward policy its zones are paid by."""

    if TYPE_CHECKING:  # the event classes @event makes when the class is created
        Created: ClassVar[type[Any]]
        RewardPolicyChanged: ClassVar[type[Any]]
        PostingDaysSet: ClassVar[type[Any]]

    posting_days = DEFAULT_DAYS  # working days a posting (公示) stays up, unless set

    @staticmethod
    def create_id(branch_id: str) -> UUID:
        return stream_id("branch", branch_id)

    @event("Created")
    def __init__(self, branch_id: str, name: str, actor: str):
        self.branch_id = branch_id
        self.name = name
        self.policy = dict(DEFAULT_POLICY)

    @event("RewardPolicyChanged")
    def change_policy(self, amounts: dict[str, str], actor: str) -> None:
        self.policy = amounts

    @event("PostingDaysSet")
    def set_posting_days(self, days: int, actor: str) -> None:
        self.posting_days = days


class Group(Aggregate):
    """A party group inside one branch."""

    if TYPE_CHECKING:  # the event classes @event makes when the class is created
        Created: ClassVar[type[Any]]

    @staticmethod
    def create_id(group_id: str) -> UUID:
        return stream_id("group", group_id)

    @event("Created")
    def __init__(self, group_id: str, name: str, branch_id: str, actor: str):
        self.group_id = group_id
        self.name = name
        self.branch_id = branch_id


class Member(Aggregate):
    """A party member, belonging to one group."""

    if TYPE_CHECKING:  # the event classes @event makes when the class is created
        Created: ClassVar[type[Any]]

    @staticmethod
    def create_id(member_id: str) -> UUID:
        return stream_id("member", member_id)

    @event("Created")
    def __init__(self, member_id: str, name: str, group_id: str, actor: str):
        self.member_id = member_id
        self.name = name
        self.group_id = group_id


class Zone(Aggregate):
    """A responsibility zone; who is responsible for it changes by events with a reason."""

    if TYPE_CHECKING:  # the event classes @event makes when the class is created
        Created: ClassVar[type[Any]]
        ResponsiblesReassigned: ClassVar[type[Any]]
        FindingRecorded: ClassVar[type[Any]]
        RectificationRecorded: ClassVar[type[Any]]

    @staticmethod
    def create_id(zone_id: str) -> UUID:
        return stream_id("zone", zone_id)

    @event("Created")
    def __init__(
        self,
        zone_id: str,
        name: str,
        group_id: str,
        line: str,
        area: str,
        teams: list[str],
        responsible_member_ids: list[str],
        actor: str,
    ):
        self.zone_id = zone_id
        self.name = name
        self.group_id = group_id
        self.line = line
        self.area = area
        self.teams = teams
        self.responsible_member_ids = responsible_member_ids
        self.findings: dict[str, dict[str, Any]] = {}

    @event("ResponsiblesReassigned")
    def reassign(self, member_ids: list[str], reason: str, actor: str) -> None:
        self.responsible_member_ids = member_ids

    @event("FindingRecorded")
    def record_finding(self, finding: str, method: str, date: str, text: str,
                       attachments: list[dict[str, Any]], actor: str, role: str,
                       timestamp: datetime, zone_id: str, branch_id: str) -> None:
        """A supervision finding (督导检查) on the zone itself, not on one appraisal.
        `zone_id` and `branch_id` say where the zone stands, for the read model of findings,
        which reads only the findings' events."""
        self.findings = with_finding(self.findings, finding, method, date, text, attachments,
                                     actor, timestamp)

    @event("RectificationRecorded")
    def record_rectification(self, finding: str, text: str, attachments: list[dict[str, Any]],
                             actor: str, role: str, timestamp: datetime) -> None:
        self.findings = with_rectification(self.findings, finding, text, attachments, actor,
                                           timestamp)
