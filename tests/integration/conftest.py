"""A store a whole test module shares, on each backend, so the organisation is set up once.

Building the small mine (argon2 hashes for ten users) takes seconds; doing it for every
test on both backends would take minutes. Tests that share a store use their own periods
and zones, so that none sees another's appraisals. Every test starts its own app on the
store, as a new process would: the tokens stay valid because the secret is the same.
"""

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field

import pytest

from service.app import create_app
from service.settings import Settings
from tests.conftest import another_database
from tests.helpers import Api, Observer

BACKENDS = ["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)]
SECRET = "test-secret-" + "x" * 32


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
def mine(module_url: str) -> Mine:
    settings = settings_for(module_url)
    with Observer(create_app(settings)) as client:
        api = Api.with_small_mine(client)
    return Mine(settings, api.tokens)


@pytest.fixture
def shared_api(mine: Mine) -> Iterator[Api]:
    """The HTTP app on the module's store, freshly started for this test."""
    with mine.started() as api:
        yield api
