"""Command handlers for deadlines: a branch's secretary sets the branch's due dates of a
period, an administrator any branch's or every branch's (domain.deadlines)."""

from datetime import date

from domain.deadlines import EVERY_BRANCH, Deadlines, check_dates, check_effective, effective
from domain.errors import ForbiddenError
from domain.organisation import Branch, Group, Member, Zone
from domain.period import Period
from domain.process import Role
from workflows.access import Actor, supervised_branches
from workflows.base import next_instant
from workflows.organisation import OrganisationCommands


class DeadlineCommands(OrganisationCommands):
    """Due dates by scope and period; each change an event of that scope's period."""

    def set_deadlines(self, branch_id: str | None, period: str, dates: object,
                      actor: Actor, days: dict[str, int] | None = None) -> Deadlines:
        """Set some steps' due dates of `period` for `branch_id` (None: every branch, by an
        administrator), keeping the others; the dates as they then stand must be in step
        order, and with `days` (the defaults), so must the dates in force for the scope."""
        role = self._setter(branch_id, actor)
        if branch_id is not None:
            self.referenced(Branch, branch_id, field="branch_id")
        parsed = Period.parse(period)
        label = str(parsed)
        scope = EVERY_BRANCH if branch_id is None else branch_id
        deadlines = self.find(Deadlines, scope, label)
        checked = check_dates(parsed, dates)
        merged = check_dates(parsed, {**(deadlines.dates if deadlines else {}), **checked})
        if days is not None:
            check_effective(self._in_force(branch_id, parsed, days, merged))
        if deadlines is None:
            deadlines = Deadlines(scope, label, actor=actor.username, timestamp=next_instant())
        deadlines.set(checked, actor=actor.username, role=role,
                      timestamp=next_instant(deadlines))
        self.save(deadlines)
        return deadlines

    def _in_force(self, branch_id: str | None, period: Period, days: dict[str, int],
                  merged: dict[str, str]) -> dict[str, tuple[date, str]]:
        """The dates in force for the scope were `merged` its own."""
        if branch_id is None:
            return effective(period, days, merged, None)
        everyone = self.deadlines(None, str(period))
        return effective(period, days, everyone.dates if everyone else None, merged)

    def deadlines(self, branch_id: str | None, period: str) -> Deadlines | None:
        """What `branch_id` (None: every branch) set for the period, if anything."""
        scope = EVERY_BRANCH if branch_id is None else branch_id
        return self.find(Deadlines, scope, str(Period.parse(period)))

    def deadline_branches(self, actor: Actor) -> set[str] | None:
        """The branches whose deadlines the actor reads (None: every one): those they oversee
        (workflows.access.supervised_branches) and those they sign in, as a zone evaluator or
        group leader there, or as a member of the branch (whose zones they may answer for)."""
        overseen = supervised_branches(actor)
        signed = self._signed_in(actor)
        if overseen is None or signed is None:
            return None
        return overseen | signed

    def _signed_in(self, actor: Actor) -> set[str] | None:
        found: set[str] = set()
        for grant in actor.grants:
            if grant.role not in (Role.ZONE_EVALUATOR, Role.GROUP_LEADER):
                continue
            if grant.scope is None:
                return None
            group_id: str | None = grant.scope
            if grant.role == Role.ZONE_EVALUATOR:
                zone = self.find(Zone, grant.scope)
                group_id = None if zone is None else zone.group_id
            group = None if group_id is None else self.find(Group, group_id)
            found |= {group.branch_id} if group else set()
        member = None if actor.member_id is None else self.find(Member, actor.member_id)
        group = None if member is None else self.find(Group, member.group_id)
        return found | ({group.branch_id} if group else set())

    @staticmethod
    def _setter(branch_id: str | None, actor: Actor) -> str:
        """The role the actor sets the deadlines in: an administrator's for any scope, a
        secretary's for their own branch."""
        if actor.holds(Role.ADMIN, None):
            return Role.ADMIN
        if branch_id is not None and actor.holds(Role.BRANCH_SECRETARY, branch_id):
            return Role.BRANCH_SECRETARY
        raise ForbiddenError("a branch's secretary sets its deadlines; an administrator "
                             "sets every branch's", "scope")
