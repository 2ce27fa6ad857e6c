"""Command handlers for the organisation, forms and reward policies."""

import contextlib
from collections.abc import Mapping
from typing import Any

from eventsourcing.persistence import IntegrityError

from domain.bounds import MAX_NAME, check_text
from domain.errors import AlreadyExistsError, ForbiddenError
from domain.forms import DEFAULT_FORM_ID, DEFAULT_ITEMS, AssessmentForm, check_items
from domain.organisation import Branch, Group, Member, Zone
from domain.policy import check_policy
from domain.process import Role
from workflows.access import Actor, Place, may_set_policy
from workflows.base import Store


def require_admin(actor: Actor) -> None:
    if not actor.holds(Role.ADMIN, None):
        raise ForbiddenError("only an administrator may change the organisation")


class OrganisationCommands(Store):
    """Branches, groups, members, zones, forms and policies; ids are the client's."""

    def _create(self, cls: type, kind: str, ident: str, actor: Actor, **fields: Any) -> Any:
        require_admin(actor)
        check_text(fields["name"], "name", limit=MAX_NAME, required=True)
        if self.exists(cls, ident):
            raise AlreadyExistsError(f"{kind} {ident!r} already exists")
        record = cls(ident, **fields, actor=actor.username)
        self.save(record)
        return record

    def create_branch(self, branch_id: str, name: str, actor: Actor) -> Branch:
        return self._create(Branch, "branch", branch_id, actor, name=name)

    def create_group(self, group_id: str, name: str, branch_id: str, actor: Actor) -> Group:
        require_admin(actor)
        self.referenced(Branch, branch_id, field="branch_id")
        return self._create(Group, "group", group_id, actor, name=name, branch_id=branch_id)

    def create_member(self, member_id: str, name: str, group_id: str, actor: Actor) -> Member:
        require_admin(actor)
        self.referenced(Group, group_id, field="group_id")
        return self._create(Member, "member", member_id, actor, name=name, group_id=group_id)

    def create_zone(self, zone_id: str, actor: Actor, *, name: str, group_id: str, line: str,
                    area: str, teams: list[str], responsible_member_ids: list[str]) -> Zone:
        require_admin(actor)
        for field, text in [("line", line), ("area", area), *(("teams", t) for t in teams)]:
            check_text(text, field, limit=MAX_NAME, required=True)
        self.referenced(Group, group_id, field="group_id")
        self._check_members(responsible_member_ids)
        return self._create(Zone, "zone", zone_id, actor, name=name, group_id=group_id,
                            line=line, area=area, teams=teams,
                            responsible_member_ids=responsible_member_ids)

    def reassign_zone(self, zone_id: str, member_ids: list[str], reason: str,
                      actor: Actor) -> Zone:
        zone = self.load(Zone, zone_id, kind="zone")
        require_admin(actor)
        check_text(reason, "reason", required=True)
        self._check_members(member_ids)
        zone.reassign(member_ids, reason, actor.username)
        self.save(zone)
        return zone

    def _check_members(self, member_ids: list[str]) -> None:
        for member_id in member_ids:
            self.referenced(Member, member_id, field="member_id")

    def place_of(self, zone: Zone) -> Place:
        group = self.load(Group, zone.group_id, kind="group")
        return Place(zone.zone_id, zone.group_id, group.branch_id)

    def set_policy(self, branch_id: str, amounts: Mapping[str, Any], actor: Actor) -> Branch:
        branch = self.load(Branch, branch_id, kind="branch")
        if not may_set_policy(actor, branch_id):
            raise ForbiddenError("only an administrator or the branch's secretary sets its policy")
        branch.change_policy(check_policy(amounts), actor.username)
        self.save(branch)
        return branch

    def ensure_default_form(self) -> None:
        """The default form exists from the first start on; a racing start may create it too."""
        if not self.exists(AssessmentForm, DEFAULT_FORM_ID):
            form = AssessmentForm(DEFAULT_FORM_ID, "党员责任区考核表", dict(DEFAULT_ITEMS),
                                  "system")
            with contextlib.suppress(IntegrityError):
                self.save(form)

    def create_form(self, form_id: str, name: str, items: Mapping[str, Any],
                    actor: Actor) -> AssessmentForm:
        return self._create(AssessmentForm, "form", form_id, actor, name=name,
                            items=check_items(items))

    def revise_form(self, form_id: str, items: Mapping[str, Any],
                    actor: Actor) -> AssessmentForm:
        form = self.load(AssessmentForm, form_id, kind="form")
        require_admin(actor)
        form.revise(check_items(items), actor.username)
        self.save(form)
        return form
