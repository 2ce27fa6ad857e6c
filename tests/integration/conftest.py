"""A store a whole test module shares, on each backend, so the organisation is set up once.

Building the small mine (argon2 hashes for ten users) takes seconds; doing it for every
test on both backends would take minutes. A module's store is a copy of the one the HTTP
tests build once per run. Tests that share a store use their own periods and zones, so that
none sees another's appraisals. Every test starts its own app on the store, as a new process
would: the tokens stay valid because the secret is the same.
"""

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field

import pytest

from service.app import create_app
from service.settings import Settings
from tests.conftest import another_database, copy_sqlite
from tests.e2e.conftest import Worlds, worlds
from tests.helpers import Api, Observer

BACKENDS = ["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)]
SECRET = "test-secret-" + "x" * 32
__all__ = ["worlds"]  # the HTTP tests' small mine, built once per run


def settings_for(url: str) -> Settings:
    return Settings(database_url=url, secret_key=SECRET, admin_password="admin-password")


@pytest.fixture(scope="module", params=BACKENDS)
def module_url(request: pytest.FixtureRequest, tmp_path_factory) -> Iterator[str]:
    """An empty store for one module: an SQLite file, or a PostgreSQL database of its own
    (beside the run's, which the function-scoped `database_url` empties for every test)."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path_factory.mktemp('store')}/appraisal.db"
        return
    request.getfixturevalue("postgres_server")  # skips, or fails under CI=true
    with another_database() as url:
        yield url


@dataclass
class Mine:
    """The small mine of tests/helpers.py in a module's store, and everyone's tokens."""

    settings: Settings
    tokens: dict[str, str] = field(default_factory=dict)

    @contextmanager
    def started(self) -> Iterator[Api]:
        """A new app (a new process, as far as the store can tell) on the same store."""
        with Observer(create_app(self.settings)) as client:
            # The dict is shared: a token fetched by one test serves the next.
            yield Api(client, self.tokens)


@pytest.fixture(scope="module")
def mine(module_url: str, worlds: Worlds) -> Iterator[Mine]:
    """The small mine as the HTTP tests build it once per run (tests/e2e/conftest.py), copied
    into the module's store (on PostgreSQL, a database made from it), with every token."""
    settings = settings_for(module_url)
    template = worlds.template(settings)
    if settings.is_sqlite:
        copy_sqlite(template, module_url)
        yield Mine(settings, worlds.tokens_for(settings))
        return
    with another_database(template) as url:
        yield Mine(settings_for(url), worlds.tokens_for(settings))


@pytest.fixture
def shared_api(mine: Mine) -> Iterator[Api]:
    """The HTTP app on the module's store, freshly started for this test."""
    with mine.started() as api:
        yield api
