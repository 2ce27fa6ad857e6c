"""Fast fresh worlds for the HTTP tests: the small mine is built once per backend, then copied.

Building the mine registers and signs in eleven users (argon2, about 0.1 s each), seconds a
test. Instead it is built once per backend and run, and every test that asks for `api` gets
its own copy of the finished store (an SQLite backup; on PostgreSQL the worker's one copy,
its rows put back before each test: tests/rewind.py) and the tokens signed for it (the
signing secret is the same). Its app is the worker's for that world, started afresh by each
test: a new lifespan, so a new runtime, and a new metrics registry, which is all a new process
would have anew; what is kept are the routes FastAPI prepares on an app's first requests.
Tests that ask for `client` alone still get an empty store and a new app.
"""

import secrets
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import psycopg
import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy.engine import make_url

from service.app import create_app
from service.settings import Settings
from tests.conftest import POSTGRES_ADMIN, copy_sqlite
from tests.e2e.support import add_users
from tests.helpers import USERS, Api, Observer
from tests.rewind import Rewound

# A world: the backend, then the usernames registered beyond the small mine's (world_users).
Key = tuple[str, ...]
# Apps kept for reuse: each backend's and world's copies have settings of their own.
APPS_KEPT = 4


@dataclass
class Worlds:
    """The small mine as built once per backend, and with each module's world_users: where
    each is stored and its users' tokens."""

    folder: Path
    templates: dict[Key, str] = field(default_factory=dict)
    tokens: dict[Key, dict[str, str]] = field(default_factory=dict)
    databases: list[str] = field(default_factory=list)
    copies: dict[str, Rewound] = field(default_factory=dict)  # PostgreSQL's, by template
    apps: dict[str, FastAPI] = field(default_factory=dict)  # by their settings, the last few

    def template(self, settings: Settings, users: Sequence[dict[str, Any]] = ()) -> str:
        key = _key(settings, users)
        if key not in self.templates:
            self.templates[key] = self._made(settings, users, key)
        return self.templates[key]

    def _made(self, settings: Settings, users: Sequence[dict[str, Any]], key: Key) -> str:
        """A new template: the small mine built, or (with users) copied and the users added."""
        if not users:
            url = f"sqlite:///{self.folder}/mine.db" if key[0] == "sqlite" else self.new_database()
            self.tokens[key] = _build(settings.model_copy(update={"database_url": url}))
            return url
        base = self.template(settings)
        if key[0] == "sqlite":
            url = f"sqlite:///{self.folder}/mine-{len(self.templates)}.db"
            copy_sqlite(base, url)
        else:
            url = self.new_database(base)
        self.tokens[key] = _register(settings.model_copy(
            update={"database_url": url, "admin_password": None}), users, self.tokens[key[:1]])
        return url

    def tokens_for(self, settings: Settings, users: Sequence[dict[str, Any]] = ()
                   ) -> dict[str, str]:
        """Every user's token in a copy of the world (template) of these settings and users."""
        return dict(self.tokens[_key(settings, users)])

    def app(self, settings: Settings) -> FastAPI:
        """The worker's app for these settings, its metrics as a new process's: started
        afresh by each test (its lifespan: a new runtime), its routes prepared once."""
        key = settings.model_dump_json()
        if (app := self.apps.pop(key, None)) is None:
            app = create_app(settings)
        else:
            app.state.metrics.__init__(settings.metrics_allow)  # a new registry, at zero
        self.apps[key] = app
        if len(self.apps) > APPS_KEPT:
            self.apps.pop(next(iter(self.apps)))
        return app

    def fresh(self, template: str) -> str:
        """On PostgreSQL: the worker's copy of the template, holding its rows alone."""
        if template not in self.copies:
            self.copies[template] = Rewound(POSTGRES_ADMIN, template)
        return self.copies[template].fresh()

    def new_database(self, template: str | None = None) -> str:
        name = f"appraisal_world_{secrets.token_hex(4)}"
        source = f' TEMPLATE "{make_url(template).database}"' if template else ""
        with psycopg.connect(POSTGRES_ADMIN, autocommit=True) as admin:
            admin.execute(f'CREATE DATABASE "{name}"{source}')
        self.databases.append(name)
        return f"{POSTGRES_ADMIN.rsplit('/', 1)[0]}/{name}"


def _key(settings: Settings, users: Sequence[dict[str, Any]]) -> Key:
    return ("sqlite" if settings.is_sqlite else "postgres", *(u["username"] for u in users))


def _build(settings: Settings) -> dict[str, str]:
    """Build the small mine in the settings' store; every user's token. The app is closed."""
    with Observer(create_app(settings)) as client:
        api = Api.with_small_mine(client)
        # Issued as the service issues them (for the user's session as it stands), without
        # an argon2 check per sign-in (test_auth signs in for real).
        rt = client.app.state.runtime
        rt.follower.catch_up()  # the copies start with their views current
        issued = {u["username"]: rt.tokens.issue(rt.workflows.load_user(u["username"]))
                  for u in USERS}
    return {**issued, **api.tokens}


def _register(settings: Settings, users: Sequence[dict[str, Any]],
              tokens: dict[str, str]) -> dict[str, str]:
    """Register the users in the settings' store (a copy of the small mine, whose tokens are
    given); every user's token. The app is closed."""
    with Observer(create_app(settings)) as client:
        api = Api(client, tokens=dict(tokens))
        add_users(api, settings, list(users))
        client.app.state.runtime.follower.catch_up()
    return api.tokens


def _drop(names: list[str]) -> None:
    with psycopg.connect(POSTGRES_ADMIN, autocommit=True) as admin:
        for name in names:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture(scope="session")
def worlds(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Worlds]:
    built = Worlds(tmp_path_factory.mktemp("worlds"))
    yield built
    for copy in built.copies.values():
        copy.drop()
    if built.databases:
        _drop(built.databases)


@pytest.fixture
def world_users() -> list[dict[str, Any]]:
    """Users registered in the copy of the small mine each test of a module gets, besides
    USERS: a module whose tests all register the same users names them here instead, and they
    are registered once per run (argon2, about 0.1 s of a core each), each with a token."""
    return []


@pytest.fixture
def settings(settings: Settings, request: pytest.FixtureRequest, worlds: Worlds,
             world_users: list[dict[str, Any]]) -> Settings:
    """For a test that uses `api`: the settings of its own copy of the small mine, in the
    worker's one place for copies of this world (so that its app is kept: `client`)."""
    if "api" not in request.fixturenames:
        return settings
    template = worlds.template(settings, world_users)
    # The copy has its admin already: without a password to set, start-up hashes none.
    copy = settings.model_copy(update={"admin_password": None})
    if settings.is_sqlite:
        url = template.removesuffix(".db") + "-copy.db"
        copy_sqlite(template, url)
        return copy.model_copy(update={"database_url": url})
    return copy.model_copy(update={"database_url": worlds.fresh(template)})


@pytest.fixture
def client(settings: Settings, request: pytest.FixtureRequest,
           worlds: Worlds) -> Iterator[TestClient]:
    """For a test that uses `api`: the worker's app for its copy, started afresh on it (a new
    runtime and metrics, as a new process has), since FastAPI prepares an app's routes on
    its first requests (about 0.1 s of a core) and they are the same; else a new app."""
    app = worlds.app(settings) if "api" in request.fixturenames else create_app(settings)
    with Observer(app) as test_client:
        yield test_client


@pytest.fixture
def api(client: TestClient, settings: Settings, worlds: Worlds,
        world_users: list[dict[str, Any]]) -> Api:
    """The HTTP app over a fresh copy of the small mine, every user already signed in."""
    return Api(client, tokens=worlds.tokens_for(settings, world_users))
