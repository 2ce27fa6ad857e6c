"""The machine and software a run was made on, so figures are never quoted without them."""

import platform
import sqlite3
import subprocess
from datetime import UTC, datetime
from importlib import metadata
from pathlib import Path

import psycopg

LIBRARIES = ("eventsourcing", "fastapi", "starlette", "uvicorn", "h11", "anyio", "pydantic",
             "sqlalchemy", "psycopg", "transitions", "pyjwt")


def _run(*command: str) -> str:
    try:
        return subprocess.run(command, capture_output=True, text=True, check=False,
                              timeout=10).stdout.rstrip()
    except OSError as error:
        return f"({error})"


def cpu_model() -> str:
    for line in Path("/proc/cpuinfo").read_text().splitlines():
        if line.startswith("model name"):
            return line.split(":", 1)[1].strip()
    return platform.processor() or "unknown"


def postgres_version(admin_url: str) -> str:
    try:
        with psycopg.connect(admin_url, connect_timeout=5) as conn:
            row = conn.execute("SHOW server_version").fetchone()
    except psycopg.OperationalError as error:
        return f"unreachable ({error})"
    return str(row[0]) if row else "unknown"


def versions() -> str:
    found = []
    for name in LIBRARIES:
        try:
            found.append(f"{name} {metadata.version(name)}")
        except metadata.PackageNotFoundError:
            found.append(f"{name} (not installed)")
    return ", ".join(found)


def load_average() -> str:
    """The 1, 5 and 15-minute load averages: other work sharing the CPUs during the run."""
    return "load average " + " ".join(Path("/proc/loadavg").read_text().split()[:3])


def machine_facts(postgres_admin: str | None) -> dict[str, str]:
    commit = _run("git", "rev-parse", "--short", "HEAD")
    changed = _run("git", "status", "--porcelain", "--untracked-files=no")
    dirty = " (with uncommitted changes to tracked files)" if changed else ""
    return {
        "date": datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC"),
        "commit": commit + dirty,
        "nproc": _run("nproc"),
        "cpu": cpu_model(),
        "kernel": platform.release(),
        "python": platform.python_version(),
        "sqlite": sqlite3.sqlite_version,
        "postgresql": postgres_version(postgres_admin) if postgres_admin else "not run",
        "libraries": versions(),
        "memory (free -h)": "\n" + _run("free", "-h"),
    }
