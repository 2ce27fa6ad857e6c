"""Databases made for one run, and real server processes over them."""

import json
import os
import secrets
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import psycopg

from ledger.keys import SigningKey, write_key
from service.settings import Settings

SECRET_KEY = "bench-secret-" + "x" * 40
ADMIN_PASSWORD = "bench-admin-password"
LEDGER_KEY_FILE = "APPRAISAL_LEDGER_KEY_FILE"
APPRAISAL_SERVE = [str(Path(sys.executable).with_name("appraisal")), "serve"]
BASELINE_SERVE = [sys.executable, "-m", "uvicorn", "bench.baseline:create_app", "--factory"]


@contextmanager
def fresh_database(backend: str, postgres_admin: str, workdir: Path, name: str) -> Iterator[str]:
    """An empty database for this run: an SQLite file, or a PostgreSQL database dropped after."""
    if backend == "sqlite":
        yield f"sqlite:///{workdir / name}.db"
        return
    database = f"bench_{name}_{os.getpid()}_{secrets.token_hex(3)}"
    with psycopg.connect(postgres_admin, autocommit=True, connect_timeout=5) as admin:
        admin.execute(f'CREATE DATABASE "{database}"')
        try:
            yield f"{postgres_admin.rsplit('/', 1)[0]}/{database}"
        finally:
            admin.execute(f'DROP DATABASE IF EXISTS "{database}" WITH (FORCE)')


@contextmanager
def workspace() -> Iterator[Path]:
    """A folder for one run, holding the service key its stores are signed with."""
    with tempfile.TemporaryDirectory(prefix="appraisal-bench-") as directory, \
            service_key(Path(directory) / "ledger.key"):
        yield Path(directory)


@contextmanager
def service_key(path: Path) -> Iterator[None]:
    """A new service key at `path`, named in this process's environment while the run lasts
    (so in its servers' and in every Settings()): PostgreSQL stores need one configured."""
    write_key(path, SigningKey.generate(Settings().origin))
    before = os.environ.get(LEDGER_KEY_FILE)
    os.environ[LEDGER_KEY_FILE] = str(path)
    try:
        yield
    finally:
        if before is None:
            del os.environ[LEDGER_KEY_FILE]
        else:
            os.environ[LEDGER_KEY_FILE] = before


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@dataclass
class Server:
    """A server process, its address and the files its output goes to."""

    process: subprocess.Popen[bytes]
    base_url: str
    stderr_path: Path

    def cpu_seconds(self) -> float:
        """User plus system CPU time the process has used so far (Linux /proc)."""
        fields = Path(f"/proc/{self.process.pid}/stat").read_text().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")

    def stderr_count(self, text: str) -> int:
        return self.stderr_path.read_text(errors="replace").count(text)


@contextmanager
def serve(command: list[str], database_url: str, workdir: Path, name: str) -> Iterator[Server]:
    """Start `command --host --port` with the database in its environment; stop it after."""
    port = free_port()
    env = {**os.environ, "APPRAISAL_DATABASE_URL": database_url,
           "APPRAISAL_SECRET_KEY": SECRET_KEY, "APPRAISAL_ADMIN_PASSWORD": ADMIN_PASSWORD}
    stdout, stderr = workdir / f"{name}.out", workdir / f"{name}.err"
    with stdout.open("wb") as out, stderr.open("wb") as err:
        process = subprocess.Popen([*command, "--host", "127.0.0.1", "--port", str(port)],
                                   env=env, stdout=out, stderr=err)
    server = Server(process, f"http://127.0.0.1:{port}", stderr)
    try:
        _wait_healthy(server)
        yield server
    finally:
        process.send_signal(signal.SIGINT)
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def _wait_healthy(server: Server, timeout: float = 120.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if server.process.poll() is not None:
            raise RuntimeError(f"server exited: {server.stderr_path.read_text()[-2000:]}")
        try:
            if call(server.base_url, "/health", method="GET")["status"] == "ok":
                return
        except OSError:  # not listening yet
            pass
        time.sleep(0.2)
    raise RuntimeError(f"server not healthy after {timeout} s")


def call(base_url: str, path: str, *, method: str = "POST", json_body: Any = None,
         form: dict[str, str] | None = None, token: str | None = None) -> Any:
    """One request for the set-up (stdlib only); the JSON answer, or an error for non-2xx."""
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    data = None
    if json_body is not None:
        data, headers["Content-Type"] = json.dumps(json_body).encode(), "application/json"
    elif form is not None:
        data = urllib.parse.urlencode(form).encode()
        headers["Content-Type"] = "application/x-www-form-urlencoded"
    request = urllib.request.Request(base_url + path, data, headers, method=method)
    with urllib.request.urlopen(request, timeout=60) as response:  # raises HTTPError on 4xx/5xx
        return json.loads(response.read())
