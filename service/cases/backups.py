"""Backups of the whole store, the events and every other table in its database, for
`appraisal backup` and `appraisal restore`: SQLite's online backup API, or pg_dump and
pg_restore on PostgreSQL."""

import contextlib
import hashlib
import os
import sqlite3
import subprocess
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import psycopg
from sqlalchemy.engine import URL

from service.settings import Settings

SQLITE_MAGIC = b"SQLite format 3\x00"
PG_DUMP_MAGIC = b"PGDMP"  # pg_dump's custom format


class BackupError(Exception):
    """A backup or a restore failed; nothing was replaced."""


class RefusedError(BackupError):
    """It would replace something the operator did not say to replace (--force)."""


@dataclass(frozen=True)
class Copy:
    """A backup file: where, how big, and the SHA-256 of its bytes."""

    path: Path
    size: int
    sha256: str

    @classmethod
    def of(cls, path: Path) -> "Copy":
        digest = hashlib.sha256()
        with path.open("rb") as file:
            for chunk in iter(lambda: file.read(1024 * 1024), b""):
                digest.update(chunk)
        return cls(path, path.stat().st_size, digest.hexdigest())

    def __str__(self) -> str:
        return f"{self.path} ({self.size:,} bytes), sha256 {self.sha256}"


def backup(settings: Settings, file: Path, force: bool) -> Copy:
    """Copy the configured store into `file`, consistent while the service writes to it."""
    if file.exists() and not force:
        raise RefusedError(f"{file} exists: --force to replace it")
    with _renamed_into(file) as temporary:
        if settings.is_sqlite:
            source = _sqlite_path(settings)
            if not source.is_file():
                raise BackupError(f"no database at {source}")
            # A file that stands alone: no -wal beside it, whoever opens it.
            _sqlite_copy(source, temporary, journal_mode="DELETE")
        else:
            _run(settings.url, "pg_dump", "--format=custom", "--no-owner",
                 f"--file={temporary}")
    return Copy.of(file)


def restore(settings: Settings, file: Path, force: bool) -> str:
    """Replace the configured store with the backup in `file`; say what was restored where.
    Only an empty store is replaced unless `force`; stop the service first."""
    _check_kind(file, SQLITE_MAGIC if settings.is_sqlite else PG_DUMP_MAGIC)
    if settings.is_sqlite:
        _sqlite_restore(file, _sqlite_path(settings), force)
    else:
        _pg_restore(settings.url, file, force)
    return f"restored {Copy.of(file)} into {settings.url.render_as_string()}"


def _sqlite_restore(file: Path, target: Path, force: bool) -> None:
    if target.exists() and target.stat().st_size and not force:
        raise RefusedError(f"{target} is not empty: --force to replace it")
    with _renamed_into(target) as temporary:
        _sqlite_copy(file, temporary, journal_mode="WAL")  # as the service keeps it
        # Before the rename: the old database's log replayed over the new one corrupts it.
        for suffix in ("-wal", "-shm"):
            Path(f"{target}{suffix}").unlink(missing_ok=True)


def _pg_restore(url: URL, file: Path, force: bool) -> None:
    tables = _pg_table_count(url)
    if tables and not force:
        raise RefusedError(f"database {url.database} has {tables} tables: --force to "
                           "replace them")
    # One transaction: a restore that fails leaves the database as it was.
    _run(url, "pg_restore", "--clean", "--if-exists", "--no-owner", "--exit-on-error",
         "--single-transaction", str(file))


def _sqlite_path(settings: Settings) -> Path:
    database = settings.url.database or ""
    if not database or database == ":memory:":
        raise BackupError("an in-memory store has no file to back up or restore")
    return Path(database)


def _sqlite_copy(source: Path, target: Path, journal_mode: str) -> None:
    """SQLite's backup API, in one step: one read transaction, a consistent snapshot, while
    WAL lets the service go on writing. The source is opened read-only."""
    uri = f"{source.resolve().as_uri()}?mode=ro"
    try:
        with contextlib.closing(sqlite3.connect(uri, uri=True)) as src, \
                contextlib.closing(sqlite3.connect(target)) as dst:
            src.backup(dst)
            dst.execute(f"PRAGMA journal_mode={journal_mode}")
    except sqlite3.Error as error:
        raise BackupError(f"{source}: {error}") from None


def _check_kind(file: Path, magic: bytes) -> None:
    try:
        with file.open("rb") as opened:
            start = opened.read(len(magic))
    except OSError as error:
        raise BackupError(str(error)) from None
    if start != magic:
        kind = "an SQLite database" if magic == SQLITE_MAGIC else "a pg_dump custom-format file"
        raise BackupError(f"{file} is not a backup of this store: not {kind}")


def _pg_table_count(url: URL) -> int:
    sql = ("SELECT count(*) FROM pg_tables "
           "WHERE schemaname NOT IN ('pg_catalog', 'information_schema')")
    try:
        with psycopg.connect(_libpq_url(url), password=url.password) as conn:
            row = conn.execute(sql).fetchone()
    except psycopg.Error as error:
        raise BackupError(f"database {url.database}: {error}") from None
    return row[0] if row else 0


def _run(url: URL, program: str, *args: str) -> None:
    """Run a PostgreSQL client on the database; its password goes in the environment, where
    other users' `ps` does not show it."""
    env = None if url.password is None else {**os.environ, "PGPASSWORD": str(url.password)}
    try:
        done = subprocess.run([program, f"--dbname={_libpq_url(url)}", *args], env=env,
                              capture_output=True, text=True, check=False)
    except OSError as error:
        raise BackupError(f"{program}: {error}") from None
    if done.returncode:
        raise BackupError(f"{program} failed (exit status {done.returncode}): "
                          f"{done.stderr.strip()}")


def _libpq_url(url: URL) -> str:
    """The URL as libpq reads it: no SQLAlchemy driver name, no password."""
    # Not URL.set, which leaves a field given as None as it was.
    plain = url._replace(drivername="postgresql", password=None)
    return plain.render_as_string(hide_password=False)


@contextlib.contextmanager
def _renamed_into(target: Path) -> Iterator[Path]:
    """A temporary file beside `target`, renamed to it once written and on the disk, so that
    a half-written copy never has the final name; removed if writing fails."""
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        handle, name = tempfile.mkstemp(dir=target.parent, prefix=f".{target.name}.",
                                        suffix=".tmp")
        os.close(handle)
        temporary = Path(name)
        try:
            yield temporary
            with temporary.open("rb") as written:
                os.fsync(written.fileno())
            temporary.replace(target)
        finally:
            temporary.unlink(missing_ok=True)
    except OSError as error:
        raise BackupError(str(error)) from None
