"""`appraisal backup` and `appraisal restore`: the whole store copied while the service runs,
and put back elsewhere with the same events and the same archives; what they refuse to do.
"""

import hashlib
import subprocess
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
from typer.testing import CliRunner

from service.cli import app as cli
from service.runtime import build
from service.settings import Settings
from store.reminders import Key
from tests.conftest import another_database
from tests.e2e.files import png
from tests.helpers import Api
from tests.integration.test_store import events_table, query, tables


def run(database_url: str, *args: str) -> object:
    env = {"APPRAISAL_DATABASE_URL": database_url, "APPRAISAL_SECRET_KEY": "s" * 40}
    return CliRunner().invoke(cli, list(args), env=env)


def events(url: str) -> list[tuple]:
    """Every event row, every column, in the log's order."""
    settings = Settings(database_url=url)
    order = "rowid" if settings.is_sqlite else "notification_id"
    return query(settings, f"SELECT {order}, * FROM {events_table(settings)} ORDER BY {order}")


def store_tables(url: str) -> set[str]:
    return tables(Settings(database_url=url))


@pytest.fixture
def elsewhere(database_url: str, tmp_path: Path) -> Iterator[str]:
    """A second, empty store on the same backend, to restore into: an SQLite path not yet
    made, or a PostgreSQL database of its own, dropped after the test."""
    if database_url.startswith("sqlite"):
        yield f"sqlite:///{tmp_path}/elsewhere/appraisal.db"
        return
    with another_database() as url:
        yield url


@pytest.fixture
def started(settings: Settings) -> Settings:
    """A store the service has created (tables, the default form, the administrator)."""
    build(settings).close()
    return settings


def test_a_backup_restored_elsewhere_has_the_same_events_and_archives(
        api: Api, database_url: str, elsewhere: str, tmp_path: Path):
    for zone in ("Z1", "Z2"):
        api.publish(zone, "2026-10")
    api.open("Z1", "2026-11")
    photo = api.post("inspector", "/attachments?name=x.png", content=png())
    assert photo.status_code == 201, photo.text
    sent = Key("m1", "2026-11-06", "email")  # a reminder's delivery, beside the events
    api.client.app.state.runtime.deliveries.claim(sent, 1, "0" * 64, datetime.now(UTC))
    archive = tmp_path / "archive-2026.json"
    made = run(database_url, "archive", "2026", "--format", "json", "-o", str(archive))
    assert made.exit_code == 0, made.output
    file = tmp_path / "store.backup"

    backed_up = run(database_url, "backup", str(file))  # the app still running, as in service
    assert backed_up.exit_code == 0, backed_up.output
    assert backed_up.output.startswith(f"wrote {file} (")
    assert hashlib.sha256(file.read_bytes()).hexdigest() in backed_up.output
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".")] == []
    restored = run(elsewhere, "restore", str(file))
    assert restored.exit_code == 0, restored.output

    original = events(database_url)
    assert [topic for _, _, _, topic, *_ in original].count(
        "domain.appraisal:Appraisal.BranchApproved") == 2
    assert events(elsewhere) == original
    assert store_tables(elsewhere) == store_tables(database_url)
    files = "SELECT sha256, media_type, size, content FROM attachments"
    assert [bytes(row[3]) for row in query(Settings(database_url=elsewhere), files)] == [png()]
    assert query(Settings(database_url=elsewhere), files) == query(
        Settings(database_url=database_url), files)
    delivered = "SELECT username, day, channel, status, digest FROM reminder_deliveries"
    assert query(Settings(database_url=elsewhere), delivered) == [
        ("m1", "2026-11-06", "email", "sending", "0" * 64)]
    verified = run(elsewhere, "archive", "verify", str(archive))
    assert verified.exit_code == 0, verified.output
    assert verified.output.startswith("identical:")
    proved = run(elsewhere, "verify")  # the restored store proves its whole history
    assert proved.exit_code == 0, proved.output
    assert "holds:" in proved.output


def test_a_backup_never_replaces_a_file_unless_forced(started: Settings, tmp_path: Path):
    file = tmp_path / "store.backup"
    file.write_bytes(b"an older backup")
    refused = run(started.database_url, "backup", str(file))
    assert refused.exit_code == 2
    assert "exists" in refused.output and "--force" in refused.output
    assert file.read_bytes() == b"an older backup"
    forced = run(started.database_url, "backup", "--force", str(file))
    assert forced.exit_code == 0, forced.output
    assert file.read_bytes() != b"an older backup"


def test_a_restore_replaces_a_store_that_is_not_empty_only_when_forced(
        started: Settings, tmp_path: Path):
    url = started.database_url
    file = tmp_path / "store.backup"
    assert run(url, "backup", str(file)).exit_code == 0
    before = events(url)
    refused = run(url, "restore", str(file))
    assert refused.exit_code == 2
    assert "--force" in refused.output
    forced = run(url, "restore", "--force", str(file))
    assert forced.exit_code == 0, forced.output
    assert events(url) == before


def test_a_file_that_is_not_a_backup_is_refused_and_nothing_changes(
        started: Settings, elsewhere: str, tmp_path: Path):
    note = tmp_path / "note.txt"
    note.write_text("not a backup", encoding="utf-8")
    before = events(started.database_url)
    for url, force in ((elsewhere, ()), (started.database_url, ("--force",))):
        refused = run(url, "restore", *force, str(note))
        assert refused.exit_code == 1
        assert "is not a backup" in refused.output
    assert events(started.database_url) == before
    if started.is_sqlite:
        assert not Path(Settings(database_url=elsewhere).url.database or "").exists()
    else:
        assert store_tables(elsewhere) == set()


def test_the_database_password_reaches_pg_dump_by_its_environment_not_its_arguments(
        monkeypatch: pytest.MonkeyPatch, tmp_path: Path):
    calls = []

    def pg_dump(args: list[str], env: dict[str, str], **_: object) -> object:
        calls.append((args, env))
        Path(args[-1].removeprefix("--file=")).write_bytes(b"PGDMP")
        return subprocess.CompletedProcess(args, 0, "", "")

    monkeypatch.setattr(subprocess, "run", pg_dump)
    done = run("postgresql://clerk:pa%40ss@db.example:5433/appraisal", "backup",
               str(tmp_path / "store.backup"))
    assert done.exit_code == 0, done.output
    [(args, env)] = calls
    assert "--dbname=postgresql://clerk@db.example:5433/appraisal" in args
    assert not [a for a in args if "pa@ss" in a or "pa%40ss" in a]
    assert env["PGPASSWORD"] == "pa@ss"
