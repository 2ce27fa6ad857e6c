"""The `appraisal` command: serve, load the demo mine, manage users, draw the process,
back up and restore the store, sign and witness its checkpoints."""

import contextlib
import functools
import logging.config
import os
import signal
import subprocess
import sys
from collections.abc import Iterator
from datetime import date
from pathlib import Path
from typing import Annotated, TypeVar

import typer
import uvicorn
from eventsourcing.persistence import PersistenceError

from domain.errors import DomainError
from ledger import witness
from ledger.keys import SigningKey, SigningKeyError, read_key, write_key
from ledger.offline import COSIGNATURE, ED25519, ProofError, Verifier
from ledger.remote import RemoteError, RemoteLog
from projections.tracking import ViewFailedError
from projections.worker import POLL_SECONDS, Worker
from service import logs
from service.auth import hash_password
from service.cases import backups
from service.errors import DAMAGED
from service.read_models import catch_up_share
from service.runtime import Runtime, build, event_store
from service.settings import Settings, SettingsError
from store.ledger import LedgerError

T = TypeVar("T")
app = typer.Typer(help="党员责任区考核 · event-sourced zone appraisal service",
                  no_args_is_help=True)
users = typer.Typer(help="Create users and reset passwords.", no_args_is_help=True)
app.add_typer(users, name="user")
projections = typer.Typer(help="Rebuild the read models from the events, or check them.",
                          no_args_is_help=True)
app.add_typer(projections, name="projections")
checkpoint = typer.Typer(help="Sign the log's checkpoints, and witness them.",
                         no_args_is_help=True)
app.add_typer(checkpoint, name="checkpoint")


@app.command()
def serve(host: str = "127.0.0.1", port: int = 8000, workers: int = 1,
          log_level: str = "info",
          worker: Annotated[bool, typer.Option(
              help="run the projection worker beside the API (--no-worker: it runs on its "
                   "own, `appraisal projections run`)")] = True) -> None:
    """Serve the API from the configured store (APPRAISAL_DATABASE_URL), with the projection
    worker beside it; logs are JSON lines on standard error."""
    os.environ["APPRAISAL_FOLLOW"] = "false"  # the API processes leave the views to the worker
    follower = subprocess.Popen(
        [sys.executable, "-m", "service.cli", "projections", "run",
         "--log-level", log_level]) if worker else None
    try:
        uvicorn.run("service.app:create_app", factory=True, host=host, port=port,
                    workers=workers, log_config=logs.config(log_level), access_log=False)
    finally:
        if follower is not None:
            follower.terminate()
            follower.wait()


@app.command()
def demo() -> None:
    """Load the demo mine of seed 000 (188 zones, users for every role); safe to repeat."""
    from demo.load import load  # the demo data is only imported when asked for

    with _runtime() as runtime:
        load(runtime, echo=typer.echo)


@users.command("create")
def create_user(
    username: str,
    name: Annotated[str, typer.Option(help="display name")],
    role: Annotated[list[str] | None, typer.Option(help="ROLE or ROLE:SCOPE; repeatable")] = None,
    member: Annotated[str | None, typer.Option(help="the user's member id")] = None,
) -> None:
    """Create a user; the password is asked for twice."""
    password = _ask_password()
    grants = [{"role": r.partition(":")[0], "scope": r.partition(":")[2] or None}
              for r in role or []]
    with _runtime() as runtime:
        try:
            runtime.workflows.register_first(username, hash_password(password), name,
                                             member, grants, "cli")
        except DomainError as error:
            raise typer.Exit(_fail(error)) from None
    typer.echo(f"created user {username}")


@users.command("reset-password")
def reset_password(username: str) -> None:
    """Set a new password for a user; the password is asked for twice."""
    password = _ask_password()
    with _runtime() as runtime:
        try:
            runtime.workflows.reset_password(username, hash_password(password), "cli")
        except DomainError as error:
            raise typer.Exit(_fail(error)) from None
    typer.echo(f"password of {username} reset")


@app.command()
def diagram() -> None:
    """Print the appraisal process as a mermaid state diagram, drawn by the machine itself."""
    from workflows.diagram import mermaid

    typer.echo(mermaid())


@app.command()
def archive(
    year: Annotated[str, typer.Argument(help="YYYY; or `verify` followed by FILE")],
    file: Annotated[Path | None, typer.Argument(help="with `verify`: the file to verify")] = None,
    form: Annotated[str, typer.Option("--format", help="json, xlsx or pdf")] = "json",
    branch: Annotated[str | None, typer.Option(help="a branch id (default: every branch)")] = None,
    as_of: Annotated[str | None, typer.Option(
        help="an ISO 8601 instant with its offset, e.g. 2026-12-31T16:00:00Z (default: now)")
    ] = None,
    output: Annotated[Path | None, typer.Option("-o", "--output", help="the file to write")
                      ] = None,
) -> None:
    """Write the year-end archive of YEAR (`appraisal archive 2026 --format pdf -o f.pdf`),
    or verify a file (`appraisal archive verify f.pdf`): the store still proves its
    appraisals' inclusion in the checkpoint its manifest names, and regenerating it from
    the manifest gives its bytes; exit status 1, saying which check failed, if not."""
    from service.cases import archive_files

    with _runtime() as runtime:
        runtime.caught_up()  # whether a service runs or not, the views hold the whole log
        try:
            if year == "verify":
                outcome = archive_files.verify(runtime, _required(file, "FILE"))
                typer.echo(outcome.text)
                raise typer.Exit(0 if outcome.holds else 1)
            written = archive_files.write(runtime, year, form, branch, as_of,
                                          _required(output, "-o FILE"))
            typer.echo(written)
        # A failed view: rebuild it first; a damaged store: verify it.
        except (DomainError, ViewFailedError, *DAMAGED) as error:
            raise typer.Exit(_fail(error)) from None


@app.command()
def backup(file: Path,
           force: Annotated[bool, typer.Option(help="replace FILE if it exists")] = False
           ) -> None:
    """Copy the whole store, events and read models, into FILE, safe while the service runs:
    SQLite's online backup, or pg_dump's custom format on PostgreSQL. Exit status 2 if FILE
    exists (unless --force), 1 if the copy fails."""
    with _reported():
        typer.echo(f"wrote {backups.backup(Settings(), file, force)}")


@app.command()
def restore(file: Path,
            force: Annotated[bool, typer.Option(help="replace a store that is not empty")
                             ] = False) -> None:
    """Replace the configured store with the backup in FILE (`appraisal backup`); stop the
    service first. Exit status 2 if the store is not empty (unless --force), 1 if FILE is
    not a backup or the restore fails."""
    with _reported():
        typer.echo(backups.restore(Settings(), file, force))


@app.command()
def verify(
    key: Annotated[list[str] | None, typer.Option(
        help="a service vkey to trust instead of those the store records; repeatable")] = None,
    witness: Annotated[list[str] | None, typer.Option(
        help="a witness vkey to trust instead of those the store records; repeatable")] = None,
    kept: Annotated[list[Path] | None, typer.Option(
        help="a checkpoint note a witness kept, with its cosignature; repeatable")] = None,
) -> None:
    """Prove the whole configured store from its events up: every stream's chain, the Merkle
    tree, every checkpoint's signatures and their consistency, and the checkpoints witnesses
    kept. Exit status 0 when all holds; 1 naming the first event or checkpoint that does not."""
    from service.cases.verification import verify as verify_store

    with _reported():
        texts = [path.read_text(encoding="utf-8") for path in kept or []]
        settings = Settings()
        with event_store(settings) as recorder:
            verdict = verify_store(recorder, settings.origin, key or [], witness or [], texts,
                                   echo=lambda line: typer.echo(line, err=True))
        typer.echo(verdict.text)
        if not verdict.holds:
            raise typer.Exit(1)


@app.command()
def remind(
    day: Annotated[str | None, typer.Option(
        help="the day whose digests to send, YYYY-MM-DD (default: today in China)")] = None,
    dry_run: Annotated[bool, typer.Option(
        help="say who would be sent what; send and record nothing")] = False,
) -> None:
    """Send each person's daily digest (what waits for them, overdue first) by the channels
    they chose, and retry the deliveries that failed once their backoff has passed. Safe to
    run as often as a timer likes: a day's digest goes once per person and channel.
    Exit status 0 when nothing failed, 1 when a delivery failed (retried by a later run) or
    was given up, 2 for a bad --day."""
    from service.cases.reminders import remind as send_digests

    try:
        chosen_day = None if day is None else date.fromisoformat(day)
    except ValueError:
        typer.echo(f"error: --day {day!r} is not YYYY-MM-DD", err=True)
        raise typer.Exit(2) from None
    with _reported(), _runtime() as runtime:
        runtime.caught_up()  # the digests read the views: current first
        try:
            summary = send_digests(runtime, chosen_day, dry_run=dry_run)
        except ViewFailedError as error:  # rebuild it first: the digests would be wrong
            raise typer.Exit(_fail(error)) from None
    for line in summary.lines():
        typer.echo(line)
    if summary.failed or summary.gave_up:
        raise typer.Exit(1)


@projections.command("rebuild")
def rebuild_projections(
    view: Annotated[list[str] | None, typer.Option(help="a view's name; repeatable")] = None,
    restart: Annotated[bool, typer.Option(help="start over an interrupted rebuild")] = False,
    workers: Annotated[int, typer.Option(min=1, help="parts of the rebuild, each in a "
                                         "process of its own, up to ~2 GB of memory each "
                                         "(default: one per CPU)")
                       ] = os.cpu_count() or 1,
) -> None:
    """Drop every read model (or those named) and rebuild it from the first event; safe
    while the service runs; an interrupted rebuild resumes when run again. A view that
    failed on an event starts over; exit status 1 if one fails again."""
    from projections.rebuild import rebuild

    settings = Settings()
    with _runtime(settings) as runtime:
        failed = rebuild(runtime.follower, views=_views(runtime.follower.views, view),
                         restart=restart, echo=typer.echo, workers=workers,
                         share=functools.partial(catch_up_share, settings.url))
    if failed:
        raise typer.Exit(1)


@projections.command("run")
def run_projections(
    poll: Annotated[float, typer.Option(min=0.001, help="seconds between looks at the log")
                    ] = POLL_SECONDS,
    log_level: str = "info",
) -> None:
    """Follow the event log and keep every read model current, until stopped (SIGTERM or
    Ctrl-C); several may run at once on PostgreSQL."""
    logging.config.dictConfig(logs.config(log_level))
    with _runtime() as runtime:
        worker = Worker(runtime.follower, poll)
        for signum in (signal.SIGTERM, signal.SIGINT):
            signal.signal(signum, lambda *_: worker.stop())
        worker.run()


@projections.command("check")
def check_projections() -> None:
    """Recompute every read model from the events and print each row that differs from the
    live one, and each view that failed on an event; exit status 1 if any does."""
    from projections.check import check

    with _runtime() as runtime:  # the check catches up, then compares
        report = check(runtime.follower)
    for line in report.lines():
        typer.echo(line)
    typer.echo(report.summary())
    if report.differences or report.failures:
        raise typer.Exit(1)


@checkpoint.command("witness-key")
def witness_key(name: str, out: Annotated[Path, typer.Option(
        help="the private key file to write (never replaced)")]) -> None:
    """Make a witness's key pair: the private key into FILE (yours alone), and its public
    key printed, for the service's administrator to register (add-witness)."""
    with _reported():
        key = SigningKey.generate(name)
        write_key(out, key)
    typer.echo(key.verifier(COSIGNATURE))


@checkpoint.command("service-key")
def service_key(file: Path) -> None:
    """Make the service's signing key in FILE (never replaced), for a PostgreSQL deployment
    to name in APPRAISAL_LEDGER_KEY_FILE; print its public key, for witnesses to trust."""
    with _reported():
        key = SigningKey.generate(Settings().origin)
        write_key(file, key)
    typer.echo(key.verifier(ED25519))


@checkpoint.command("public-key")
def public_key() -> None:
    """Print the configured service key's public key (the key made beside an SQLite store,
    or APPRAISAL_LEDGER_KEY_FILE's), for witnesses and inspectors to trust."""
    with _reported():
        typer.echo(Settings().service_key().verifier(ED25519))


@checkpoint.command("add-witness")
def add_witness(vkey: str) -> None:
    """Register a witness's public key (witness-key prints it) in the configured store:
    its cosignatures are accepted from now on."""
    from service.cases import witnesses

    with _reported(), _runtime() as runtime:
        verifier = witnesses.add_witness(runtime, vkey)
    typer.echo(f"witness {verifier.name} ({verifier.key_id.hex()}) registered")


@checkpoint.command("make")
def make_checkpoint() -> None:
    """Sign a checkpoint of the configured store's log now (unless the latest is of its
    size) and print it; exit status 1 if the log is empty."""
    from service.cases import checkpoints

    with _reported(), _runtime() as runtime:
        made = checkpoints.make(runtime)
    if made is None:
        typer.echo("error: the log is empty: there is nothing to sign", err=True)
        raise typer.Exit(1)
    typer.echo(made.text, nl=False)


@checkpoint.command("cosign")
def cosign(
    key: Annotated[Path, typer.Option(help="the witness's private key file (witness-key)")],
    trusted: Annotated[list[str], typer.Option(
        "--service-key", help="a service public key to trust; repeatable")],
    state: Annotated[Path | None, typer.Option(
        help="the witness's state: the last checkpoint it cosigned (default: KEY.state)")
    ] = None,
    url: Annotated[str | None, typer.Option(
        help="the service's address, to witness it over HTTP instead of the configured "
             "store")] = None,
    token: Annotated[str | None, typer.Option(
        help="with --url: a bearer token of an archivist or administrator")] = None,
) -> None:
    """Cosign the latest checkpoint as a witness, if a trusted service key signed it and
    the log extends, unchanged, the last checkpoint this witness cosigned; hand the
    cosignature in and print the checkpoint with it. Exit status 1 naming what does not
    hold (a log rewritten or shrunk, a key not trusted or not registered)."""
    with _reported():
        signer = read_key(key)
        service = [Verifier.parse(v) for v in trusted]
        state_path = state or key.with_name(key.name + ".state")
        if url is not None:
            log = RemoteLog(url, _required(token, "--token"))
            typer.echo(witness.cosign_latest(log, signer, state_path, service), nl=False)
            return
        from service.cases.witnesses import StoredLog

        with _runtime() as runtime:
            text = witness.cosign_latest(StoredLog(runtime), signer, state_path, service)
        typer.echo(text, nl=False)


@checkpoint.command("rotate-key")
def rotate_key() -> None:
    """Retire an SQLite store's service key (kept beside it as FILE.retired-KEYID) for a new
    one: the service signs with it from its next start, and the checkpoints the old one
    signed still verify. Witnesses are to trust the new public key, printed."""
    from service.cases import checkpoints

    with _reported(), _runtime() as runtime:
        retired, new = checkpoints.rotate_key(runtime)
    typer.echo(f"the old key is kept as {retired}; the new service key: "
               f"{new.verifier(ED25519)}")


@contextlib.contextmanager
def _runtime(settings: Settings | None = None) -> Iterator[Runtime]:
    """The runtime of a command, closed when it is done."""
    runtime = build(settings or Settings())
    try:
        yield runtime
    finally:
        runtime.close()


@contextlib.contextmanager
def _reported() -> Iterator[None]:
    """A refusal exits with status 2, a failure with 1, each saying why."""
    try:
        yield
    except backups.RefusedError as error:
        typer.echo(f"error: {error}", err=True)
        raise typer.Exit(2) from None
    except (backups.BackupError, SettingsError, LedgerError, ProofError, PersistenceError,
            OSError, UnicodeDecodeError, DomainError, SigningKeyError, RemoteError) as error:
        raise typer.Exit(_fail(error)) from None


def _views(views: list, names: list[str] | None) -> list:
    by_name = {v.name: v for v in views}
    unknown = sorted(set(names or ()) - by_name.keys())
    if unknown:
        typer.echo(f"unknown read models: {', '.join(unknown)} (known: "
                   f"{', '.join(by_name)})", err=True)
        raise typer.Exit(2)
    return [by_name[name] for name in names] if names else views


def _required(value: T | None, name: str) -> T:
    if value is None:
        typer.echo(f"error: {name} is required", err=True)
        raise typer.Exit(2)
    return value


def _ask_password() -> str:
    password = typer.prompt("password", hide_input=True, confirmation_prompt=True)
    if len(password) < 8:
        typer.echo("a password has at least 8 characters", err=True)
        raise typer.Exit(2)
    return password


def _fail(error: Exception) -> int:
    typer.echo(f"error: {error}", err=True)
    return 1


def main() -> None:
    app()


if __name__ == "__main__":  # `python -m service.cli`: how `serve` starts the worker
    main()
