"""eventsourcing's own recorder test cases, run on the recorders exactly as the service builds
them: the env of `store.engines.event_store_env` for the database URL, constructed as the
service's application (`Workflows`, named "appraisal") constructs it.

These are unittest cases, which pytest cannot parametrise, so each backend has its own
classes; an autouse fixture gives each test an empty store (a new SQLite file, or the run's
PostgreSQL database emptied) before its `setUp` runs.
"""

import threading
from typing import Any

import psycopg
import pytest
from eventsourcing import postgres, sqlite
from eventsourcing.persistence import InfrastructureFactory
from eventsourcing.tests import persistence as cases  # a module: its bases are not collected
from eventsourcing.utils import Environment, resolve_topic, strtobool

from service.settings import Settings
from store.engines import event_store_env
from workflows.application import Workflows


@pytest.fixture(autouse=True)
def _empty_store(request: pytest.FixtureRequest, tmp_path) -> None:
    case = request.instance
    if case.backend == "sqlite":
        case.database_url = f"sqlite:///{tmp_path}/appraisal.db"
        return
    url = request.getfixturevalue("postgres_server")  # skips, or fails under CI=true
    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute("DROP SCHEMA public CASCADE; CREATE SCHEMA public")
    case.database_url = url


class ServiceStore:
    """The infrastructure factory the service's application constructs for its store."""

    backend: str
    database_url: str
    recorder: str  # which of the factory's recorders a case tests

    def service_env(self) -> Environment:
        settings = Settings(database_url=self.database_url)
        return Environment(Workflows.name, event_store_env(settings.url))

    def create_recorder(self) -> Any:
        factory = InfrastructureFactory.construct(self.service_env())
        running = set(threading.enumerate())

        def close() -> None:
            # Some cases stop their reader threads without joining them; closing an SQLite
            # connection under a thread still reading it can crash the interpreter. The
            # pools' own threads are daemons, and are left to the close.
            for thread in set(threading.enumerate()) - running:
                if not thread.daemon:
                    thread.join(timeout=10)
            factory.close()

        self.addCleanup(close)  # type: ignore[attr-defined]
        return getattr(factory, f"{self.recorder}_recorder")()


class SQLiteTrackingRecorderSubclass(sqlite.SQLiteTrackingRecorder):
    """What InfrastructureFactoryTestCase asks the factory to build by class and by topic."""


class PostgresTrackingRecorderSubclass(postgres.PostgresTrackingRecorder):
    pass


class OnSQLite(ServiceStore):
    backend = "sqlite"
    module = sqlite


@pytest.mark.postgres
class OnPostgres(ServiceStore):
    backend = "postgres"
    module = postgres


class ServiceFactory:
    """InfrastructureFactoryTestCase on the service's env; the classes the backend's module
    names (`SQLiteFactory`, `PostgresApplicationRecorder`, …)."""

    module: Any
    prefix: str
    subclass: type  # of the backend's tracking recorder

    def setUp(self) -> None:
        self.env = self.service_env()  # type: ignore[attr-defined]
        super().setUp()  # type: ignore[misc]

    def named(self, suffix: str) -> type:
        return getattr(self.module, self.prefix + suffix)

    def expected_factory_class(self) -> type:
        return self.named("Factory")

    def expected_aggregate_recorder_class(self) -> type:
        return self.named("AggregateRecorder")

    def expected_application_recorder_class(self) -> type:
        # The service names its own (service/recorders.py) by topic.
        return resolve_topic(self.env["APPLICATION_RECORDER_TOPIC"])

    def expected_tracking_recorder_class(self) -> type:
        return self.named("TrackingRecorder")

    def tracking_recorder_subclass(self) -> type:
        return self.subclass

    def expected_process_recorder_class(self) -> type:
        return self.named("ProcessRecorder")


class TestSQLiteAggregateRecorder(OnSQLite, cases.AggregateRecorderTestCase):
    recorder = "aggregate"


class TestSQLiteApplicationRecorder(OnSQLite, cases.ApplicationRecorderTestCase):
    recorder = "application"

    @pytest.mark.skip(reason="eventsourcing 9.5 cannot subscribe to an SQLite store "
                             "(SQLiteApplicationRecorder.subscribe raises NotImplementedError)")
    def test_insert_subscribe(self) -> None:
        self.optional_test_insert_subscribe()


class TestSQLiteNonInterleavingNotificationIds(OnSQLite,
                                               cases.NonInterleavingNotificationIDsBaseCase):
    recorder = "application"


class TestSQLiteTrackingRecorder(OnSQLite, cases.TrackingRecorderTestCase):
    recorder = "tracking"


class TestSQLiteProcessRecorder(OnSQLite, cases.ProcessRecorderTestCase):
    recorder = "process"


class TestSQLiteFactory(OnSQLite, ServiceFactory, cases.InfrastructureFactoryTestCase):
    prefix = "SQLite"
    subclass = SQLiteTrackingRecorderSubclass


class TestPostgresAggregateRecorder(OnPostgres, cases.AggregateRecorderTestCase):
    recorder = "aggregate"


class TestPostgresApplicationRecorder(OnPostgres, cases.ApplicationRecorderTestCase):
    recorder = "application"

    def test_insert_subscribe(self) -> None:
        self.optional_test_insert_subscribe()


class TestPostgresNonInterleavingNotificationIds(OnPostgres,
                                                 cases.NonInterleavingNotificationIDsBaseCase):
    """Insert order must be commit order: the Follower reads the log up to its last id and
    never looks below its position again, so an id that commits late would be missed."""

    recorder = "application"


# A defect of eventsourcing 9.5.6, not of these tests: with POSTGRES_ENABLE_DB_FUNCTIONS,
# PostgresProcessRecorder.insert_events takes the database-function path and drops its
# `tracking` argument, so no tracking record is written. The service uses no process
# recorder (its projections keep their own positions), so nothing of ours depends on it.
# Strict, and only while the service enables db functions: a fix on either side shows.
DB_FUNCTIONS = strtobool(event_store_env(Settings(database_url="postgresql://u@h/d").url).get(
    postgres.PostgresFactory.POSTGRES_ENABLE_DB_FUNCTIONS, "n"))
TRACKING_DROPPED = pytest.mark.xfail(
    DB_FUNCTIONS, strict=True, reason="eventsourcing 9.5.6: the PostgreSQL process recorder "
                                      "with db functions enabled does not record tracking")


class TestPostgresTrackingRecorder(OnPostgres, cases.TrackingRecorderTestCase):
    recorder = "tracking"


class TestPostgresProcessRecorder(OnPostgres, cases.ProcessRecorderTestCase):
    recorder = "process"

    @TRACKING_DROPPED
    def test_insert_select(self) -> None:
        super().test_insert_select()

    @TRACKING_DROPPED
    def test_has_tracking_id(self) -> None:
        super().test_has_tracking_id()

    @TRACKING_DROPPED
    def test_raises_when_lower_inserted_later(self) -> None:
        super().test_raises_when_lower_inserted_later()


class TestPostgresFactory(OnPostgres, ServiceFactory, cases.InfrastructureFactoryTestCase):
    prefix = "Postgres"
    subclass = PostgresTrackingRecorderSubclass
