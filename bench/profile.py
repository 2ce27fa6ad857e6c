"""Where a sign-off request's or a rebuild's time goes: py-spy samples, sorted into buckets.

Optional (`--profile`): py-spy is a one-off tool, installed by hand (`.venv/bin/pip install
py-spy`), never a dependency. Two runs: one sampled wall-clock (`--idle`), so time spent
waiting for a lock or the database counts, as the client feels it; one sampling only the
thread that holds the GIL (`--gil`), which is where the process's one core of Python goes.
"""

import shutil
import signal
import subprocess
import sys
import time
from collections import Counter, defaultdict
from collections.abc import Iterator
from contextlib import contextmanager
from operator import itemgetter
from pathlib import Path
from typing import cast

# The request's phase, by the first of these frames found in the stack (names as of the
# code profiled: rename here when the routes or handlers are renamed).
PHASES = [
    ("actor_for", "auth: token + user load"),
    ("appraisal_in_path", "load the appraisal (path)"),
    ("_checked", "validate the body and headers"),
    ("Application.save", "save (one commit)"),
    ("AppraisalCommands.take", "decide: roles, machine, guards"),
    ("Taken.document", "render the document"),
]
# What the thread was doing, by its innermost frames: every name in the key must be there.
WAITS = [
    (("application.py:285",), "waiting: fast-forward lock of a shared aggregate"),
    (("ConnectionPool.get_connection",), "waiting: event store pool (writer lock/semaphore)"),
    (("ConnectionPool._getconn",), "waiting: event store pool (writer lock/semaphore)"),
    (("insert_events", "Condition.wait"), "waiting: the group commit its save joined"),
    (("Connection.wait",), "database round trip"),
    (("SQLiteConnection.commit",), "database: commit (sync to disk)"),
    (("SQLiteCursor.execute",), "database round trip"),
    (("SQLiteTransaction",), "database round trip"),
]


def py_spy() -> str:
    found = shutil.which("py-spy") or str(Path(sys.executable).with_name("py-spy"))
    if not Path(found).exists():
        raise SystemExit("--profile needs py-spy: .venv/bin/pip install py-spy")
    return found


def record(pid: int, seconds: float, out: Path, *, gil: bool) -> subprocess.Popen[bytes]:
    command = [py_spy(), "record", "--gil" if gil else "--idle", "--threads", "--rate", "100",
               "--format", "raw", "--pid", str(pid), "--output", str(out),
               "--duration", str(round(seconds))]
    return subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


# Who the event loop's thread works for, by the innermost of these packages in the stack.
LOOP_OWNERS = [
    ("logging/", "access log"), ("service/limits.py", "body-limit middleware"),
    ("h11/", "HTTP parsing (h11)"), ("anyio/", "hand-offs to the thread pool (anyio)"),
    ("fastapi/", "FastAPI: routing, dependencies, validation"), ("starlette/", "starlette"),
    ("uvicorn/", "uvicorn"),
]


def classify_cpu(stack: str) -> tuple[str, str]:
    """(thread, what) of one GIL-holding sample."""
    frames = stack.split(";")
    if "MainThread" in frames[0]:
        for frame in reversed(frames):
            owner = next((name for mark, name in LOOP_OWNERS if f"({mark}" in frame), None)
            if owner:
                return "event loop", owner
        return "event loop", "asyncio, epoll"
    if "WorkerThread.run" in stack and "service/" in stack:
        return "request threads", next((n for f, n in PHASES if f in stack), "framework")
    return "request threads", "thread pool, idle"


def classify(stack: str) -> tuple[str, str] | None:
    """(phase, activity) of one worker-thread sample in a request; None for other samples."""
    if "WorkerThread.run" not in stack or "service/" not in stack:
        return None
    phase = next((name for frame, name in PHASES if frame in stack), "framework")
    inner = ";".join(stack.split(";")[-4:])
    activity = next((name for frames, name in WAITS if all(f in inner for f in frames)),
                    "Python (or the GIL)")
    return phase, activity


def breakdown(raw: Path, *, gil: bool = False) -> list[tuple[float, str, str]]:
    """Shares of the samples by (phase or thread, activity), largest first."""
    counts: Counter[tuple[str, str]] = Counter()
    for line in raw.read_text(errors="replace").splitlines():
        stack, _, samples = line.rpartition(" ")
        kind = classify_cpu(stack) if gil else classify(stack)
        if kind and samples.isdigit():
            counts[kind] += int(samples)
    total = sum(counts.values()) or 1
    return [(n / total, phase, what) for (phase, what), n in counts.most_common()]


def totals(shares: list[tuple[float, str, str]], column: int) -> dict[str, float]:
    summed: defaultdict[str, float] = defaultdict(float)
    for row in shares:
        summed[cast(str, row[column])] += row[0]
    return dict(sorted(summed.items(), key=itemgetter(1), reverse=True))  # Counter's order


def markdown(title: str, shares: list[tuple[float, str, str]], *, gil: bool) -> str:
    columns = "| share | thread | working for |" if gil else "| share | phase | doing |"
    lines = [f"{title}", "", columns, "|---|---|---|"]
    lines += [f"| {s:.1%} | {p} | {w} |" for s, p, w in shares if s >= 0.005]
    summed = totals(shares, 1 if gil else 2)
    lines += ["", ("By thread: " if gil else "By activity: ")
              + "; ".join(f"{w} {s:.0%}" for w, s in summed.items())]
    return "\n".join(lines)


@contextmanager
def sampling(pid: int, out: Path) -> Iterator[None]:
    """py-spy samples the process, wall-clock and without pausing it, until the block ends.

    For the rebuild, which runs in the benchmark's own process for as long as it takes."""
    command = [py_spy(), "record", "--idle", "--nonblocking", "--rate", "100", "--format",
               "raw", "--pid", str(pid), "--output", str(out)]
    spy = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    time.sleep(1)  # attached before the work starts
    try:
        yield
    finally:
        spy.send_signal(signal.SIGINT)  # py-spy writes what it sampled, then exits
        spy.wait()


# Where a rebuild's time goes: the innermost of these frames in the stack names the part.
REBUILD_PARTS = [("Follower._step", "the Follower: positions, locks, commit"),
                 ("select_notifications", "read the log"),
                 ("to_domain_event", "decode the events")]
# Frames below which the thread is in the database driver: executing SQL or waiting for it.
DATABASE = ("do_execute", "do_executemany", "do_commit", "Connection.wait", "_communicate_gen",
            "_fetch_gen", "SQLiteCursor", "fetchall", "fetchone")


def classify_rebuild(stack: str) -> tuple[str, str] | None:
    """(part, activity) of one sample of the rebuilding thread; None for other threads."""
    if "catch_up" not in stack:
        return None
    frames = stack.split(";")
    part, at = "other", 0
    for i, frame in enumerate(frames):
        name = frame.split(" (")[0]
        if name.endswith("View.apply"):
            part, at = f"view {name.removesuffix('.apply')}", i
        else:
            part, at = next(((p, i) for mark, p in REBUILD_PARTS if mark in name), (part, at))
    busy = any(mark in frame for frame in frames[at:] for mark in DATABASE)
    return part, "database (SQL executing, or waiting for it)" if busy else "Python"


def rebuild_breakdown(raw: Path) -> list[tuple[float, str, str]]:
    """Shares of the rebuilding thread's samples by (part, activity), largest first."""
    counts: Counter[tuple[str, str]] = Counter()
    for line in raw.read_text(errors="replace").splitlines():
        stack, _, samples = line.rpartition(" ")
        kind = classify_rebuild(stack)
        if kind and samples.isdigit():
            counts[kind] += int(samples)
    total = sum(counts.values()) or 1
    return [(n / total, part, what) for (part, what), n in counts.most_common()]


def rebuild_markdown(title: str, shares: list[tuple[float, str, str]]) -> str:
    lines = [title, "", "| share | part | doing |", "|---|---|---|"]
    lines += [f"| {s:.1%} | {p} | {w} |" for s, p, w in shares if s >= 0.005]
    summed = totals(shares, 1)
    lines += ["", "By part: " + "; ".join(f"{p} {s:.0%}" for p, s in summed.items())]
    return "\n".join(lines)
