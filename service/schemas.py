"""Request and response bodies: the HTTP shapes of API.md, never the aggregates themselves."""

from typing import Annotated, Any, Literal

from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    Field,
    StrictFloat,
    StrictInt,
    StringConstraints,
)

from domain.bounds import MAX_BULK, encodable
from domain.process import STEPS
from domain.supervision import MAX_ATTACHMENT_BYTES, MAX_ATTACHMENTS, Method
from workflows.process import Action


def _storable(text: str) -> str:
    # NUL and lone surrogates cannot be stored as text in PostgreSQL or encoded as UTF-8.
    if "\x00" in text:
        raise ValueError("text must not contain NUL characters")
    if not encodable(text):
        raise ValueError("text must be valid Unicode")
    return text


Id = Annotated[str, StringConstraints(pattern=r"^[\w.\-]+$", min_length=1, max_length=64)]
Name = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200),
                 AfterValidator(_storable)]
Label = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=100),
                  AfterValidator(_storable)]
Comment = Annotated[str, StringConstraints(max_length=4000), AfterValidator(_storable)]
Reason = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=4000),
                   AfterValidator(_storable)]
Username = Annotated[str, StringConstraints(pattern=r"^[\w.\-@]+$", min_length=1, max_length=64)]
Password = Annotated[str, StringConstraints(min_length=8, max_length=200),
                     AfterValidator(_storable)]
Period = Annotated[str, StringConstraints(pattern=r"^\d{4}(-\d{2})?$")]
Score = int | float
# Strict: pydantic would otherwise take `true` for 1 yuan and "300" for 300.
Amount = StrictInt | StrictFloat
Role = Literal["admin", "zone_evaluator", "group_leader", "branch_secretary", "inspector",
               "archivist"]


class Body(BaseModel):
    model_config = ConfigDict(extra="ignore")


class BranchIn(Body):
    id: Id
    name: Name


class GroupIn(Body):
    id: Id
    name: Name
    branch_id: Id


class MemberIn(Body):
    id: Id
    name: Name
    group_id: Id


class ZoneIn(Body):
    id: Id
    name: Name
    group_id: Id
    line: Label
    area: Label
    responsible_member_ids: list[Id] = Field(max_length=50)
    teams: list[Name] = Field(default_factory=list, max_length=50)


class ResponsiblesIn(Body):
    member_ids: list[Id] = Field(max_length=50)
    reason: Reason


class PolicyIn(Body):
    excellent: Amount
    qualified: Amount
    basically_qualified: Amount
    unqualified: Amount


class DeadlinesIn(Body):
    """Some steps' due dates (YYYY-MM-DD, China's calendar); the domain checks the steps,
    the dates and their order (domain.deadlines.check_dates)."""

    dates: dict[Annotated[str, StringConstraints(max_length=32)],
                Annotated[str, StringConstraints(max_length=10)]] = Field(
        min_length=1, max_length=len(STEPS))


class FormIn(Body):
    id: Id
    name: Name
    items: dict[Id, Score] = Field(min_length=1, max_length=50)


class FormRevisionIn(Body):
    items: dict[Id, Score] = Field(min_length=1, max_length=50)


class RoleIn(Body):
    role: Role
    scope: Id | None = None


class UserIn(Body):
    username: Username
    password: Password
    display_name: Name
    member_id: Id | None = None
    roles: list[RoleIn] = Field(default_factory=list, max_length=50)


class PasswordIn(Body):
    """A new password; one's own is changed only with the current one beside it."""

    password: Password
    current_password: Annotated[str, StringConstraints(max_length=200)] | None = None


class RolesIn(Body):
    roles: list[RoleIn] = Field(max_length=50)


class OpenIn(Body):
    zone_id: Id
    period: Period
    template_id: Id = "default"


class OpenPeriodIn(Body):
    branch_id: Id | None = None
    template_id: Id = "default"


class ScoredIn(Body):
    scores: dict[str, Any]
    comment: Comment = ""


class ApprovalIn(Body):
    comment: Comment = ""


class ReasonIn(Body):
    reason: Reason


MediaType = Literal["image/jpeg", "image/png", "application/pdf"]  # domain.supervision's
Sha256 = Annotated[str, StringConstraints(pattern=r"^[0-9a-f]{64}$")]
Day = Annotated[str, StringConstraints(pattern=r"^[0-9]{4}-[0-9]{2}-[0-9]{2}$")]
PHOTO: dict[str, Any] = {
    "sha256": "5f70bf18a086007016e948b04aed3b82103a36bea41755b6cddfaf10ace3c6ef",
    "name": "现场照片.jpg", "media_type": "image/jpeg", "size": 182044}

FOUND: dict[str, Any] = {"method": "on_site", "date": "2026-11-03",
                         "text": "实地检视：掘进工作面支护不规范，两处锚杆外露长度超标。",
                         "attachments": [PHOTO]}
ANSWERED: dict[str, Any] = {"text": "已组织重新支护，锚杆外露长度全部整改到位。",
                            "attachments": []}


class Attachment(Body):
    """A file the service holds (`POST /attachments` answers with this), as a finding or a
    rectification names it: by the SHA-256 of its bytes, with its file name."""

    model_config = ConfigDict(json_schema_extra={"examples": [PHOTO]})

    sha256: Sha256
    name: Name
    media_type: MediaType
    size: Annotated[StrictInt, Field(ge=1, le=MAX_ATTACHMENT_BYTES)]


Attachments = Annotated[list[Attachment], Field(max_length=MAX_ATTACHMENTS)]


class FindingIn(Body):
    """A supervision finding (督导检查): how it was found, on which day (China's calendar),
    what was found, and the files that show it (uploaded first, `POST /attachments`)."""

    model_config = ConfigDict(json_schema_extra={"examples": [FOUND]})

    method: Method
    date: Day
    text: Reason
    attachments: Attachments = Field(default_factory=list)


class RectificationIn(Body):
    """The branch's answer to a finding (整改): what was done, and the files that show it."""

    model_config = ConfigDict(json_schema_extra={"examples": [ANSWERED]})

    text: Reason
    attachments: Attachments = Field(default_factory=list)


def _none(value: Any) -> bool:
    return value is None


class Step(BaseModel):
    actor: str
    at: str
    scores: dict[str, Score] | None
    total: Score | None
    comment: str
    # A deputy's step (代签): whom `actor` signed for; absent from any other step.
    on_behalf_of: str | None = Field(None, exclude_if=_none)


GradeName = Literal["excellent", "qualified", "basically_qualified", "unqualified"]


class MonthResult(BaseModel):
    """A month's published result as the year-end read it."""

    score: Score
    grade: GradeName
    final: bool = Field(description="Final (定稿) when read")
    version: int = Field(description="The version of the month's appraisal read")


class Months(BaseModel):
    """A year-end appraisal's evidence (年度考核依据): the zone's months as they stood when
    it was opened."""

    results: dict[str, MonthResult | None] = Field(
        description="YYYY-MM → the published result, or null (not opened, not published)")
    average: Score | None = Field(description="The published scores' average, two decimals")
    excellent: int = Field(description="Months graded excellent (优秀)")
    unqualified: int = Field(description="Months graded unqualified (不合格)")
    offered: dict[str, Score] | None = Field(
        description="Each item's average group-review score, one decimal: the starting point "
                    "offered to the signers; null unless every published month had the "
                    "year-end form's items")


class Document(BaseModel):
    """An appraisal as it stands (or stood), with what the caller may do next."""

    id: str
    zone_id: str
    period: str
    template_id: str
    template_version: int
    state: str
    version: int
    responsible_member_ids: list[str]
    self_check: Step | None
    zone_evaluation: Step | None
    group_review: Step | None
    branch_approval: Step | None
    score: Score | None
    grade: GradeName | None
    allowed_actions: list[str]
    months: Months | None = Field(None, description="Year-end appraisals only: the evidence "
                                                   "of the months, recorded when opened")
    # Whom the caller's forward step would be taken for, as their deputy (代签); absent when
    # it is their own (or none is theirs).
    acting_for: str | None = Field(None, exclude_if=_none)


class Documents(BaseModel):
    items: list[Document]


class InboxItem(Document):
    """An appraisal waiting for the caller, with its branch and the due date of its step."""

    branch_id: str
    due: str  # YYYY-MM-DD, China's calendar
    deadline: Literal["pending", "due", "overdue"]


class Inbox(BaseModel):
    items: list[InboxItem]


class HistoryEvent(BaseModel):
    version: int
    type: Literal["opened", "self_check_submitted", "zone_evaluation_submitted",
                  "group_review_submitted", "branch_approved", "returned", "reopened",
                  "objection_raised", "objection_answered", "finalised", "finding_recorded",
                  "rectification_recorded",
                  "months_summarised", "cancelled", "restarted"]
    at: str
    actor: str
    role: str
    state: str
    data: dict[str, Any]


class History(BaseModel):
    appraisal_id: str
    events: list[HistoryEvent]


class Opened(BaseModel):
    opened: int
    already_open: int


class Zone(BaseModel):
    id: str
    name: str
    branch_id: str
    group_id: str
    line: str
    area: str
    responsible_member_ids: list[str]
    teams: list[str]


class Zones(BaseModel):
    items: list[Zone]


class Token(BaseModel):
    access_token: str
    token_type: str = "bearer"


class Grant(BaseModel):
    role: str
    scope: str | None


class Me(BaseModel):
    username: str
    display_name: str
    member_id: str | None
    roles: list[Grant]


class Account(Me):
    """A user as the administrator sees them."""

    disabled: bool


class ViewHealth(BaseModel):
    """A read model that failed on an event: where, and why."""

    status: Literal["failed"]
    position: int
    error: str


class CosignatureIn(Body):
    """A witness's cosignature of the checkpoint: one signature line of its note."""

    signature: Annotated[str, StringConstraints(min_length=1, max_length=500),
                         AfterValidator(_storable)]


class WitnessIn(Body):
    """A witness's public key, as `appraisal checkpoint witness-key` prints it."""

    vkey: Annotated[str, StringConstraints(min_length=1, max_length=300),
                    AfterValidator(_storable)]


class Witness(BaseModel):
    name: str
    key_id: str
    vkey: str


class CheckpointSignature(BaseModel):
    """A signature of the note: whose (`service`, `witness`, or null for a key this store
    does not know) and, for a cosignature, when it was made."""

    name: str
    key_id: str
    role: Literal["service", "witness"] | None
    time: str | None


class Checkpoint(BaseModel):
    """A signed checkpoint of the log (c2sp.org/tlog-checkpoint): its size, the Merkle
    root in hex, and `text`, the signed note itself, which is what is verified."""

    size: int
    root: str
    hash: Literal["sm3", "sha256"]
    time: str
    signatures: list[CheckpointSignature]
    text: str


class Consistency(BaseModel):
    """The RFC 9162 proof that the log of `to` events extends that of `from`."""

    model_config = ConfigDict(populate_by_name=True)

    from_: int = Field(alias="from")
    to: int
    hash: Literal["sm3", "sha256"]
    proof: list[str]


class ProvedEvent(BaseModel):
    """An event as stored (`state` in base64), its chain hash, its leaf hash and its
    inclusion proof, all hex."""

    version: int
    position: int
    leaf: int
    topic: str
    state: str
    chain: str
    leaf_hash: str
    inclusion: list[str]


class Proof(BaseModel):
    appraisal_id: str
    stream: str
    hash: Literal["sm3", "sha256"]
    checkpoint: Checkpoint
    events: list[ProvedEvent]


class Health(BaseModel):
    status: str
    views: dict[str, ViewHealth] | None = None  # those that failed, if any


class PostingIn(Body):
    period: Period
    days: Annotated[int, Field(ge=1, le=30, strict=True)] | None = None  # the branch's: 5
    # Post although some zones are not approved yet.
    partial: Annotated[bool, Field(strict=True)] = False


class PostingDaysIn(Body):
    days: Annotated[int, Field(ge=1, le=30, strict=True)]


class LinkIn(Body):
    period: Period


class ObjectionIn(Body):
    reason: Reason


class PublicObjectionIn(Body):
    appraisal_id: Id
    reason: Reason
    name: Name
    contact: Name


class AnswerIn(Body):
    upheld: Annotated[bool, Field(strict=True)]
    reason: Reason


class ReminderChoiceIn(Body):
    """Where one's daily digest goes: the channels, and each one's target. A target left out
    (or null) keeps the one stored; "" removes it (domain.reminders.check_choice)."""

    channels: list[Literal["email", "wecom", "dingtalk"]] = Field(max_length=3)
    email: str | None = Field(default=None, max_length=254)
    wecom_url: str | None = Field(default=None, max_length=500)
    dingtalk_url: str | None = Field(default=None, max_length=500)
    dingtalk_secret: str | None = Field(default=None, max_length=128)


class ReminderChoice(BaseModel):
    """Where a user's daily digest goes, as shown back: a webhook's key and the DingTalk
    secret cut to their first characters."""

    username: str
    channels: list[str]
    email: str | None
    wecom_url: str | None
    dingtalk_url: str | None
    dingtalk_secret: str | None


# Bulk sign-off (POST /appraisals/bulk): each item's scores, comment or reason are read by the
# action's own body (ScoredIn, ApprovalIn, ReasonIn), item by item, as a single sign-off's.
BulkId = Annotated[str, StringConstraints(min_length=1, max_length=100)]
IfMatchText = Annotated[str, StringConstraints(max_length=100)]


class BulkItemIn(Body):
    """One appraisal of a bulk sign-off: its id, the version expected (as If-Match), and
    what its action's body holds."""

    id: BulkId
    if_match: IfMatchText | None = None
    scores: dict[str, Any] | None = None
    comment: str | None = None
    reason: str | None = None


class BulkIn(Body):
    """The same action on many appraisals, each recorded as if sent alone."""

    model_config = ConfigDict(json_schema_extra={"examples": [{
        "action": "branch-approval",
        "items": [{"id": "8f6b2c1e-0a4d-5e7f-9b3c-1d2e3f4a5b6c", "if_match": '"4"',
                   "comment": "同意"}]}]})

    action: Action
    items: list[BulkItemIn] = Field(min_length=1, max_length=MAX_BULK)


class BulkItemOut(BaseModel):
    """An item's outcome: the status it would have had alone, with the document (200) or
    the problem+json body its single sign-off would have answered."""

    id: str
    status: int
    document: Document | None = None
    problem: dict[str, Any] | None = None


class BulkOut(BaseModel):
    items: list[BulkItemOut]


class DelegationIn(Body):
    """A deputy (代签) for the principal (default: the caller), from one day to another, both
    included, in China's calendar; `from` today at the earliest, for a year at most."""

    model_config = ConfigDict(json_schema_extra={"examples": [
        {"deputy": "m002", "principal": "leader01", "from": "2026-11-03", "to": "2026-11-12",
         "reason": "井下蹲点，由王芳代签"}]})

    deputy: Username
    principal: Username | None = None
    from_: Day = Field(alias="from")
    to: Day
    reason: Reason


class Revocation(BaseModel):
    by: str
    role: str
    at: str
    reason: str


class Delegation(BaseModel):
    """A delegation (代签): who acts for whom on which days, why, who granted it (`role`:
    `principal` for themself, else `branch_secretary` or `admin`), whether it is in force
    today, and its revocation, once revoked."""

    id: str
    principal: str
    deputy: str
    from_: str = Field(alias="from")
    to: str
    reason: str
    branches: list[str]
    granted_by: str
    granted_role: str
    granted_at: str
    active: bool
    revoked: Revocation | None


class Delegations(BaseModel):
    items: list[Delegation]
