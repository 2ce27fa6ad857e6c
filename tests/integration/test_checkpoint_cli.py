"""`appraisal checkpoint`: the service's key and its rotation, witnesses' keys, checkpoints
made and cosigned on the configured store; and the witness catching a rewritten store. On
SQLite and PostgreSQL."""

import stat
from pathlib import Path

import psycopg
import pytest
from sqlalchemy.engine import make_url
from typer.testing import CliRunner

from ledger.keys import SigningKey, read_key
from ledger.offline import COSIGNATURE, ED25519, Verifier, open_checkpoint
from service.cli import app as cli
from service.runtime import build
from service.settings import Settings, SettingsError
from tests.conftest import LEDGER_KEY_FILE

SECRET = "s" * 40


def run(database_url: str, *args: str, **env: str) -> object:
    return CliRunner().invoke(cli, list(args), env={
        "APPRAISAL_DATABASE_URL": database_url, "APPRAISAL_SECRET_KEY": SECRET, **env})


def ok(database_url: str, *args: str, **env: str) -> str:
    result = run(database_url, *args, **env)
    assert result.exit_code == 0, result.output
    return result.output


def grow(database_url: str, *usernames: str) -> None:
    """Record events: a user each (with a stand-in password hash: nobody signs in)."""
    runtime = build(Settings(database_url=database_url, secret_key=SECRET))
    try:
        for username in usernames:
            runtime.workflows.register_first(username, "not-a-hash", username, None, [], "test")
    finally:
        runtime.close()


def rewritten(database_url: str) -> None:
    """The store emptied, as by an operator about to write another history into it."""
    url = make_url(database_url)
    if url.get_backend_name() == "sqlite":
        for path in Path(url.database or "").parent.glob(f"{Path(url.database or '').name}*"):
            path.unlink()
        return
    with psycopg.connect(database_url, autocommit=True) as conn:
        conn.execute("DROP SCHEMA public CASCADE; CREATE SCHEMA public")


def service_key_of(url: str) -> SigningKey:
    """The key the store's checkpoints are signed with, as the service finds it."""
    return Settings(database_url=url, secret_key=SECRET).service_key()


def witness(database_url: str, tmp_path: Path) -> tuple[str, tuple[str, ...]]:
    """A witness's key made by the command: its vkey, and its `cosign` command trusting the
    store's service key."""
    key = tmp_path / "witness.key"
    vkey = ok(database_url, "checkpoint", "witness-key", "w1", "--out", str(key)).strip()
    service = str(service_key_of(database_url).verifier(ED25519))
    return vkey, ("checkpoint", "cosign", "--key", str(key), "--service-key", service)


def only_owner_reads(path: Path) -> bool:
    return stat.S_IMODE(path.stat().st_mode) == 0o600


def test_an_sqlite_store_makes_its_service_key_beside_it_on_first_start(tmp_path, monkeypatch):
    monkeypatch.delenv(LEDGER_KEY_FILE)
    settings = Settings(database_url=f"sqlite:///{tmp_path}/appraisal.db")
    key = settings.service_key()
    path = tmp_path / "appraisal.ledger.key"
    assert only_owner_reads(path) and key.name == settings.origin
    assert settings.service_key().text() == key.text() == read_key(path).text()


def test_a_postgresql_deployment_must_name_its_service_key(monkeypatch):
    monkeypatch.delenv(LEDGER_KEY_FILE)
    settings = Settings(database_url="postgresql://u@127.0.0.1:5432/db", secret_key=SECRET)
    with pytest.raises(SettingsError, match="APPRAISAL_LEDGER_KEY_FILE"):
        settings.service_key()


def test_a_service_key_made_by_the_command_signs_the_stores_checkpoints(database_url, tmp_path):
    file = tmp_path / "service.key"
    vkey = Verifier.parse(ok(database_url, "checkpoint", "service-key", str(file)))
    assert only_owner_reads(file) and vkey.kind == ED25519
    again = run(database_url, "checkpoint", "service-key", str(file))
    assert again.exit_code == 1 and "never replaced" in again.output
    note = open_checkpoint(ok(database_url, "checkpoint", "make", **{LEDGER_KEY_FILE: str(file)}))
    assert note.verified_by(vkey) is not None
    shown = ok(database_url, "checkpoint", "public-key", **{LEDGER_KEY_FILE: str(file)})
    assert Verifier.parse(shown) == vkey


def test_a_witness_key_is_written_for_its_owner_and_its_public_key_printed(tmp_path):
    file = tmp_path / "witness.key"
    printed = ok("sqlite://", "checkpoint", "witness-key", "矿党委", "--out", str(file)).strip()
    assert printed == str(read_key(file).verifier(COSIGNATURE)) and only_owner_reads(file)
    assert run("sqlite://", "checkpoint", "witness-key", "other", "--out", str(file)).exit_code == 1
    assert read_key(file).name == "矿党委"


def test_a_registered_witness_cosigns_each_checkpoint_that_extends_the_last(database_url,
                                                                           tmp_path):
    vkey, cosign = witness(database_url, tmp_path)
    ok(database_url, "checkpoint", "make")
    unregistered = run(database_url, *cosign)
    assert unregistered.exit_code == 1 and "no registered witness key" in unregistered.output
    ok(database_url, "checkpoint", "add-witness", vkey)
    for user in ("u1", "u2"):
        note = open_checkpoint(ok(database_url, *cosign))
        assert note.verified_by(Verifier.parse(vkey)) is not None
        grow(database_url, user)
        ok(database_url, "checkpoint", "make")
    untrusted = run(database_url, *cosign[:-1], vkey)
    assert untrusted.exit_code == 1 and "not signed by a service key" in untrusted.output


def test_the_witness_refuses_a_store_rewritten_and_re_signed_by_its_operator(database_url,
                                                                              tmp_path):
    vkey, cosign = witness(database_url, tmp_path)
    grow(database_url, "u1", "u2")
    ok(database_url, "checkpoint", "add-witness", vkey)
    ok(database_url, "checkpoint", "make")
    ok(database_url, *cosign)
    rewritten(database_url)
    grow(database_url, "u1", "u3", "u4")  # another history, longer, signed by the same key
    ok(database_url, "checkpoint", "add-witness", vkey)
    ok(database_url, "checkpoint", "make")
    refused = run(database_url, *cosign)
    assert refused.exit_code == 1 and "does not extend" in refused.output


def test_a_rotated_key_signs_from_then_on_and_the_old_checkpoints_still_verify(tmp_path,
                                                                              monkeypatch):
    monkeypatch.delenv(LEDGER_KEY_FILE)  # the key beside the SQLite store
    url = f"sqlite:///{tmp_path}/appraisal.db"
    old = Verifier.parse(str(service_key_of(url).verifier(ED25519)))
    first = open_checkpoint(ok(url, "checkpoint", "make"))
    rotated = ok(url, "checkpoint", "rotate-key")
    assert (tmp_path / f"appraisal.ledger.key.retired-{old.key_id.hex()}").exists()
    new = service_key_of(url).verifier(ED25519)
    assert str(new) in rotated and new != old
    grow(url, "u1")
    second = open_checkpoint(ok(url, "checkpoint", "make"))
    assert first.verified_by(old) and second.verified_by(new) and not second.verified_by(old)
    assert "holds" in ok(url, "verify")


@pytest.mark.parametrize("database_url", [pytest.param("postgres", marks=pytest.mark.postgres)],
                         indirect=True)
def test_a_postgresql_key_is_not_rotated_in_place(database_url):
    refused = run(database_url, "checkpoint", "rotate-key")
    assert refused.exit_code == 1 and "service-key FILE" in refused.output

