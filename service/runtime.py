"""What a process builds once from its settings: the application, read models and tokens."""

import contextlib
from dataclasses import dataclass

from eventsourcing.persistence import IntegrityError

from domain.errors import AlreadyExistsError
from projections.appraisal_index import AppraisalIndexView
from projections.directory import DirectoryView
from projections.tracking import Follower
from service.auth import Tokens, hash_password
from service.settings import Settings
from service.storage import Engines, engines, event_store_env
from workflows.application import Workflows


@dataclass
class Runtime:
    """The one application object per process, with the read side that follows it."""

    settings: Settings
    workflows: Workflows
    engines: Engines
    follower: Follower
    tokens: Tokens

    def close(self) -> None:
        self.workflows.close()
        self.engines.dispose()


def build(settings: Settings) -> Runtime:
    """Connect, create what an empty database lacks, and bring the read models up to date."""
    tokens = Tokens(settings.signing_key(), settings.token_minutes)
    workflows = Workflows(env=event_store_env(settings))
    workflows.ensure_default_form()
    if settings.admin_password:
        with contextlib.suppress(AlreadyExistsError, IntegrityError):
            workflows.register_first("admin", hash_password(settings.admin_password),
                                     "管理员", None, [{"role": "admin", "scope": None}], "system")
    db = engines(settings)
    follower = Follower(db.reader, db.writer, workflows.recorder, workflows.mapper,
                        [DirectoryView(), AppraisalIndexView()])
    follower.create_tables()
    follower.catch_up()
    return Runtime(settings, workflows, db, follower, tokens)
