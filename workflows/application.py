"""The one application object a process builds: every command handler over one event store."""

from workflows.appraisals import AppraisalCommands
from workflows.users import UserCommands


class Workflows(AppraisalCommands, UserCommands):
    """Organisation, users and the appraisal process, saved to one event store."""
