"""The operator's commands: create a user, reset a password; and where the token secret lives."""

import pytest
from typer.testing import CliRunner

from service.app import create_app
from service.cli import app as cli
from service.settings import Settings, SettingsError
from tests.helpers import Observer


def run(database_url: str, *args: str, answers: str = "") -> object:
    env = {"APPRAISAL_DATABASE_URL": database_url, "APPRAISAL_SECRET_KEY": "s" * 40}
    return CliRunner().invoke(cli, list(args), input=answers, env=env)


def signs_in(settings: Settings, username: str, password: str) -> bool:
    with Observer(create_app(settings)) as client:
        response = client.post("/auth/token", data={"username": username, "password": password})
    return response.status_code == 200


def test_an_operator_creates_a_user_and_resets_their_password(database_url):
    settings = Settings(database_url=database_url, secret_key="s" * 40)
    created = run(database_url, "user", "create", "clerk", "--name", "档案员", "--role",
                  "archivist", answers="first-pass\nfirst-pass\n")
    assert created.exit_code == 0, created.output
    assert signs_in(settings, "clerk", "first-pass")

    reset = run(database_url, "user", "reset-password", "clerk",
                answers="second-pass\nsecond-pass\n")
    assert reset.exit_code == 0, reset.output
    assert not signs_in(settings, "clerk", "first-pass")
    assert signs_in(settings, "clerk", "second-pass")


def test_a_bad_role_or_unknown_user_fails_and_says_why(database_url):
    bad_role = run(database_url, "user", "create", "x", "--name", "X", "--role", "group_leader",
                   answers="long-enough\nlong-enough\n")
    assert bad_role.exit_code == 1
    assert "scope" in bad_role.output
    unknown = run(database_url, "user", "reset-password", "nobody",
                  answers="long-enough\nlong-enough\n")
    assert unknown.exit_code == 1
    assert "does not exist" in unknown.output


def test_a_short_password_is_refused(tmp_path):
    short = run(f"sqlite:///{tmp_path}/a.db", "user", "create", "x", "--name", "X",
                answers="short\nshort\n")
    assert short.exit_code == 2


def test_the_embedded_default_keeps_one_generated_secret_beside_the_database(tmp_path):
    settings = Settings(database_url=f"sqlite:///{tmp_path}/db/appraisal.db")
    first = settings.signing_key()
    assert len(first) >= 40
    assert (tmp_path / "db" / "appraisal.secret").read_text() == first
    assert Settings(database_url=settings.database_url).signing_key() == first


def test_a_postgresql_deployment_must_be_given_a_secret():
    with pytest.raises(SettingsError, match="APPRAISAL_SECRET_KEY"):
        Settings(database_url="postgresql://u@127.0.0.1:5432/db").signing_key()
