"""The one application object a process builds: every command handler over one event store."""

from workflows.base import Store
from workflows.deadlines import DeadlineCommands
from workflows.delegations import DelegationCommands
from workflows.publicity import PublicityCommands
from workflows.supervision import SupervisionCommands
from workflows.users import UserCommands


class Workflows(PublicityCommands, SupervisionCommands, DeadlineCommands, UserCommands,
                DelegationCommands):
    """Organisation, users, the appraisal process, its 公示, supervision, deadlines and
    signing on behalf (代签), saved to one event store."""

    # eventsourcing names every subclass after itself unless told, and the PostgreSQL events
    # table after that name: without this it is "workflows_events", and renaming this class
    # would silently start a new, empty table.
    name = Store.name
