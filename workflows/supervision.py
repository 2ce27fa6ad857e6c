"""Command handlers for supervision (督导检查): the inspectors' findings on an appraisal or on a
zone, the branch's rectification (整改) of each, and who may read them.

A finding is kept in the stream it is about (an appraisal's or a zone's) and named by a part
id of that stream (domain.ids.part_id, kind `f`), so a command on it loads that stream alone.
"""

from dataclasses import dataclass
from typing import Any

from domain.appraisal import Appraisal
from domain.bounds import check_text
from domain.errors import ForbiddenError, NotFoundError, StateConflictError
from domain.ids import parse_part, part_id
from domain.organisation import Zone
from domain.process import Role
from domain.supervision import check_attachments, check_date, check_method
from workflows.access import Actor, Place, roles_at
from workflows.appraisals import AppraisalCommands
from workflows.base import next_instant

FINDING = "f"  # the kind of a finding's part id
# Who reads a zone's own record (its findings and history): whoever supervises or answers
# for the zone's branch, the zone's responsible members, and those who read everything. A
# finding on an appraisal is read by the appraisal's readers: its history shows it anyway.
ZONE_READERS = frozenset({Role.ADMIN, Role.ARCHIVIST, Role.INSPECTOR, Role.BRANCH_SECRETARY,
                          Role.RESPONSIBLE_MEMBER})
Target = Appraisal | Zone


@dataclass(frozen=True)
class Found:
    """A finding: the appraisal or zone that keeps it, its id there, and where the zone sits."""

    target: Target
    key: str
    place: Place

    @property
    def finding(self) -> dict[str, Any]:
        return self.target.findings[self.key]

    @property
    def appraisal(self) -> Appraisal | None:
        return self.target if isinstance(self.target, Appraisal) else None


class SupervisionCommands(AppraisalCommands):
    """Findings are recorded by the inspectors of the zone's branch; the branch's secretary
    (or an administrator) answers each with one rectification."""

    def record_finding(self, target: Target, method: str, date: str, text: str,
                       attachments: list[dict[str, Any]], actor: Actor) -> Found:
        """Record a finding on the loaded appraisal (in the state it stands in) or zone.
        `attachments` name files the service holds (it checks that before)."""
        place = self.check_recorder(target, actor)
        fields: dict[str, Any] = {"method": check_method(method), "date": check_date(date),
                  "text": check_text(text, "text", required=True),
                  "attachments": check_attachments(attachments)}
        key = part_id(target.id, FINDING, len(target.findings) + 1)
        signed: dict[str, Any] = {"actor": actor.username, "role": Role.INSPECTOR.value,
                  "timestamp": next_instant(target), "zone_id": place.zone_id,
                  "branch_id": place.branch_id}
        if isinstance(target, Appraisal):
            target.record_finding(key, **fields, state=target.state, period=target.period,
                                  **signed)
        else:
            target.record_finding(key, **fields, **signed)
        self.save(target)
        return Found(target, key, place)

    def check_recorder(self, target: Target, actor: Actor) -> Place:
        """Where the target sits, if the actor inspects its branch (a whole-organisation
        inspector too); else 403, before anything else of it is looked at."""
        place = self.place_of_target(target)
        if not actor.holds(Role.INSPECTOR, place.branch_id):
            raise ForbiddenError("findings are recorded by the inspectors of the zone's branch",
                                 None if self.may_read(target, actor, place) else "scope")
        return place

    def rectify(self, finding_id: str, text: str, attachments: list[dict[str, Any]],
                actor: Actor) -> Found:
        """The branch's answer to the finding (整改), once. A second one is refused: the
        answer is what the zone's record and the year's archive show, and a finding the
        inspector holds still open is a new finding, not an edit of the answer."""
        found = self.rectifiable(finding_id, actor)
        text = check_text(text, "text", required=True)
        checked = check_attachments(attachments)
        role = Role.BRANCH_SECRETARY if actor.holds(Role.BRANCH_SECRETARY,
                                                    found.place.branch_id) else Role.ADMIN
        signed: dict[str, Any] = {"actor": actor.username, "role": role.value,
                  "timestamp": next_instant(found.target)}
        if isinstance(found.target, Appraisal):
            found.target.record_rectification(found.key, text, checked,
                                              state=found.target.state, **signed)
        else:
            found.target.record_rectification(found.key, text, checked, **signed)
        self.save(found.target)
        return found

    def rectifiable(self, finding_id: str, actor: Actor) -> Found:
        """The finding, if the actor may answer it now: a reader of it (403 `scope`), the
        secretary of its branch or an administrator (403), and it has no answer yet (409)."""
        found = self.readable_finding(finding_id, actor)
        if not (actor.holds(Role.ADMIN, None)
                or actor.holds(Role.BRANCH_SECRETARY, found.place.branch_id)):
            raise ForbiddenError("a finding is answered by the secretary of the zone's branch")
        if found.finding["rectification"] is not None:
            raise StateConflictError("the finding has its rectification already", "rectified",
                                     [])
        return found

    def finding(self, finding_id: str, *, shared: bool = False) -> Found:
        """The finding an id names; NotFoundError for anything else. `shared`: kept in the
        cached appraisal or zone itself, to be read and never changed."""
        parsed = parse_part(finding_id, FINDING)
        target = None if parsed is None else self.get(parsed[0], kind="finding",
                                                      label=finding_id, shared=shared)
        if not isinstance(target, Appraisal | Zone) or finding_id not in target.findings:
            raise NotFoundError("finding", finding_id)
        return Found(target, finding_id, self.place_of_target(target))

    def readable_finding(self, finding_id: str, actor: Actor, *,
                         shared: bool = False) -> Found:
        """The finding, if the actor may read it; 403 `scope` otherwise."""
        found = self.finding(finding_id, shared=shared)
        if not self.may_read(found.target, actor, found.place):
            raise ForbiddenError("this finding is outside your scope", "scope")
        return found

    def may_read(self, target: Target, actor: Actor, place: Place) -> bool:
        """An appraisal's readers read the findings on it; a zone's record is read by
        ZONE_READERS, its responsible members those of now."""
        if isinstance(target, Appraisal):
            return self.standing(target, actor).may_read()
        return bool(roles_at(actor, place, target.responsible_member_ids) & ZONE_READERS)

    def readable_zone(self, zone_id: str, actor: Actor) -> tuple[Zone, Place]:
        """The zone (404), if the actor may read its record (403 `scope`)."""
        zone = self.load(Zone, zone_id, kind="zone", shared=True)
        place = self.place_of(zone)
        if not self.may_read(zone, actor, place):
            raise ForbiddenError("this zone's record is outside your scope", "scope")
        return zone, place

    def place_of_target(self, target: Target) -> Place:
        if isinstance(target, Appraisal):
            return Place(target.zone_id, target.group_id, target.branch_id)
        return self.place_of(target)
