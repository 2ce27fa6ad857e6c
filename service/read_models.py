"""The read models this service keeps, and what a rebuild's process runs of them.

A rebuild in parts starts a process per part (`projections.rebuild`); this module imports
the views and the store and nothing of the HTTP side, so that process is working a second
sooner (its imports took 1.8 s through `service.runtime`, 0.5 s from here: at 10,000 zones a
tenth of a rebuild in two parts).
"""

from typing import cast

from sqlalchemy import URL

from projections import rebuild
from projections.appraisal_index import AppraisalIndexView
from projections.archive import ArchiveView
from projections.deadlines import DeadlinesView
from projections.delegations import DelegationsView
from projections.directory import DirectoryView
from projections.findings import FindingsView
from projections.forms import FormsView
from projections.publicity import PublicityView
from projections.ranking import RankingView
from projections.reminder_choices import ReminderChoicesView
from projections.signers import SignersView
from projections.tracking import Follower, Log, Part
from projections.users import AccountsView, UsersView
from store.engines import Engines, engines, event_store_env
from workflows.application import Workflows


def follower(db: Engines, workflows: Workflows) -> Follower:
    """Every read model, following the workflows' event store."""
    # The recorder is store.recorders' (the env names it), which reads a Log.
    return Follower(db.reader, db.writer, cast(Log, workflows.recorder), workflows.mapper,
                    [DirectoryView(), AppraisalIndexView(), RankingView(), ArchiveView(),
                     UsersView(), AccountsView(), FormsView(), PublicityView(),
                     FindingsView(), DeadlinesView(),
                     SignersView(), ReminderChoicesView(), DelegationsView()])


def catch_up_share(url: URL, until: int, parted: list[str], part: Part | None,
                   whole: list[str]) -> None:
    """A parallel rebuild's share (projections.rebuild.Share) of the store at `url`, brought
    up to notification `until` by this process: its part of the views named in `parted`,
    all of those in `whole`. The process that started it made the tables."""
    db = engines(url)
    # The store's tables exist: made at once by the parts, PostgreSQL's schema statements
    # collide ("tuple concurrently updated") and the part fails.
    workflows = Workflows(env={**event_store_env(url), "CREATE_TABLE": "n"})
    try:
        views = follower(db, workflows)
        for names, in_part in ((parted, part), (whole, None)):
            views.catch_up(until=until, views=[v for v in views.views if v.name in names],
                           batch_size=rebuild.BATCH, part=in_part)
    finally:
        workflows.close()
        db.dispose()
