"""Who sees which page in the header: a page is listed only to those who may use it, so a
reader is never sent to a page that answers them 403."""

from domain.delegations import DELEGABLE
from domain.process import Role
from service.cases.bulk import steps_for
from service.cases.postings import OVERSEERS
from workflows.access import ARCHIVISTS, Actor
from workflows.appraisals import OPENERS


def may_open_archives(actor: Actor) -> bool:
    """Archivists and administrators (any archive), inspectors (their branches')."""
    return actor.has_role(*ARCHIVISTS, Role.INSPECTOR)


def may_oversee(actor: Actor) -> bool:
    """Progress at a glance: the readers of coverage (service.cases.inbox.branches_asked)."""
    return actor.has_role(Role.ADMIN, Role.ARCHIVIST, Role.INSPECTOR, Role.BRANCH_SECRETARY)


def may_organise(actor: Actor) -> bool:
    """The organisation page: administrators change it, secretaries open their periods."""
    return actor.has_role(*OPENERS)


def may_set_policies(actor: Actor) -> bool:
    """The reward-policy page: administrators (any branch), secretaries (their branch)."""
    return actor.has_role(Role.ADMIN, Role.BRANCH_SECRETARY)


def may_oversee_postings(actor: Actor) -> bool:
    """The postings page (公示管理): secretaries and administrators post, inspectors read."""
    return actor.has_role(*OVERSEERS)


def may_read_findings(actor: Actor) -> bool:
    """督导检查: inspectors record findings, secretaries and administrators answer them,
    archivists read them (the readers of `GET /findings`, as of coverage)."""
    return may_oversee(actor)


def may_sign_in_bulk(actor: Actor) -> bool:
    """批量办理, linked from the inbox: those who sign a step by a role granted to them."""
    return bool(steps_for(actor))
def may_name_deputies(actor: Actor) -> bool:
    """代签 in the header: signers, secretaries and administrators name deputies; everyone
    (a deputy too) finds the page from their account page."""
    return actor.has_role(*DELEGABLE, Role.ADMIN)


def navigation(actor: Actor) -> list[tuple[str, str]]:
    """(path, word) of each page the reader may use, in the header's order."""
    links = [("/app/inbox", "inbox"), ("/app/rankings", "ranking"), ("/app/board", "board"),
             ("/app/appraisals", "appraisal")]
    if may_oversee_postings(actor):
        links.append(("/app/postings", "postings"))
    if may_read_findings(actor):
        links.append(("/app/findings", "findings"))
    if may_oversee(actor):
        links.append(("/app/progress", "overview"))
        links.append(("/app/overdue", "overdue"))
    if may_open_archives(actor):
        links.append(("/app/archives", "archives"))
    if may_organise(actor):
        links.append(("/app/organisation",
                      "organisation" if actor.holds(Role.ADMIN, None) else "open_period"))
    if may_set_policies(actor):
        links.append(("/app/policy", "reward_policy"))
        links.append(("/app/deadlines", "deadlines"))  # set by the same as the policy
    if actor.holds(Role.ADMIN, None):
        links += [("/app/users", "users"), ("/app/forms", "forms")]
        links.append(("/app/reminders", "reminder_log"))
    if may_name_deputies(actor):
        links.append(("/app/delegations", "delegations"))
    links.append(("/app/account", "account"))  # everyone's own password
    return links
