"""Command handlers for deadlines: a branch's secretary sets the branch's due dates of a
period, an administrator any branch's or every branch's (domain.deadlines)."""

from domain.deadlines import EVERY_BRANCH, Deadlines, check_dates
from domain.errors import ForbiddenError
from domain.organisation import Branch
from domain.period import Period
from domain.process import Role
from workflows.access import Actor
from workflows.base import next_instant
from workflows.organisation import OrganisationCommands


class DeadlineCommands(OrganisationCommands):
    """Due dates by scope and period; each change an event of that scope's period."""

    def set_deadlines(self, branch_id: str | None, period: str, dates: object,
                      actor: Actor) -> Deadlines:
        """Set some steps' due dates of `period` for `branch_id` (None: every branch, by an
        administrator), keeping the others; the dates as they then stand must be in step
        order."""
        role = self._setter(branch_id, actor)
        if branch_id is not None:
            self.referenced(Branch, branch_id, field="branch_id")
        parsed = Period.parse(period)
        label = str(parsed)
        scope = EVERY_BRANCH if branch_id is None else branch_id
        deadlines = self.find(Deadlines, scope, label)
        checked = check_dates(parsed, dates)
        if deadlines is None:
            deadlines = Deadlines(scope, label, actor=actor.username, timestamp=next_instant())
        else:
            check_dates(parsed, {**deadlines.dates, **checked})
        deadlines.set(checked, actor=actor.username, role=role,
                      timestamp=next_instant(deadlines))
        self.save(deadlines)
        return deadlines

    def deadlines(self, branch_id: str | None, period: str) -> Deadlines | None:
        """What `branch_id` (None: every branch) set for the period, if anything."""
        scope = EVERY_BRANCH if branch_id is None else branch_id
        return self.find(Deadlines, scope, str(Period.parse(period)))

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
