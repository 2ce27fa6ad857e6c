"""Bulk sign-off against single sign-offs, on SQLite and PostgreSQL, in one run.

    python -m bench.bulk [--items 500] [--backend sqlite|postgres|both]

For each backend: a fresh database, `appraisal serve` as a real uvicorn process, the
organisation, users and tokens made through the API (bench/mine.py), and 3 × `--items`
appraisals (plus a few for warming up) opened and signed up to branch approval through the
`Workflows` commands on the same database, all the same way, before any timing. Then, one
client (this process, one keep-alive HTTP/1.1 connection) sends single branch approvals
back to back, half of `--items`; one bulk approval of `--items` others; as many singles
again. Each bulk is set beside the singles sent just before and after it (`--items` in
all), so both see the same machine. Then the same with Idempotency-Keys: each single with
its own, the bulk with one (each item's outcome kept as a receipt, as a single's is).
Targets (issue 18): the bulk under 5 s, at ≥ 0.8× the singles' throughput.
"""

import argparse
import http.client
import json
import time
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass
from functools import partial
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit
from uuid import UUID

from bench.facts import load_average
from bench.mine import SCORES, Mine, make_mine, open_appraisals
from bench.report import publish, say
from bench.servers import APPRAISAL_SERVE, SECRET_KEY, Server, fresh_database, serve, workspace
from service.auth import actor_of
from service.settings import Settings
from store.engines import event_store_env
from workflows.application import Workflows
from workflows.appraisals import Submission

DOC = Path(__file__).resolve().parent.parent / "docs" / "PERFORMANCE.md"
POSTGRES_ADMIN = "postgresql://postgres@127.0.0.1:5432/postgres"
BLOCK = "bulk"
ZONES = 20  # appraisals are opened a month of every zone at a time
WARM_UP = 20  # single and bulk approvals before the clock starts, not counted
TARGET_SECONDS, TARGET_RATIO = 5.0, 0.8
APPROVAL = {"comment": "同意"}
# Who signs the steps before branch approval; `m` is the zone's responsible member.
BEFORE = [("m", "self-check", SCORES), ("evaluator", "zone-evaluation", SCORES),
          ("leader", "group-review", SCORES)]
HEADER = ["backend", "sent", "items", "seconds", "items/s", "ratio to singles",
          "server CPU s", "all 200", "verdict"]


@dataclass
class Timed:
    """One side of the comparison: how many approvals, in how long, with what server CPU."""

    backend: str
    sent: str
    items: int
    seconds: float
    server_cpu: float
    ok: bool
    ratio: float | None = None

    @property
    def rate(self) -> float:
        return self.items / self.seconds

    def joined(self, other: "Timed") -> "Timed":
        """Two runs of the same kind as one."""
        return Timed(self.backend, self.sent, self.items + other.items,
                     self.seconds + other.seconds, self.server_cpu + other.server_cpu,
                     self.ok and other.ok)

    def verdict(self) -> str:
        if self.ratio is None:
            return ""
        met = self.seconds < TARGET_SECONDS and self.ratio >= TARGET_RATIO and self.ok
        return "meets target" if met else "SHORT of target"

    def cells(self) -> list[str]:
        ratio = "—" if self.ratio is None else f"{self.ratio:.2f}"
        return [self.backend, self.sent, str(self.items), f"{self.seconds:.2f}",
                f"{self.rate:.0f}", ratio, f"{self.server_cpu:.2f}",
                "yes" if self.ok else "NO", self.verdict()]


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m bench.bulk", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--items", type=int, default=500, help="approvals each side sends")
    parser.add_argument("--backend", choices=["sqlite", "postgres", "both"], default="both")
    parser.add_argument("--postgres", default=POSTGRES_ADMIN,
                        help="an admin URL; a database is created beside it and dropped after")
    parser.add_argument("--doc", type=Path, default=DOC, help="where the results are written")
    parser.add_argument("--no-doc", action="store_true", help="print only; write no document")
    return parser.parse_args(argv)


def prepared(mine: Mine, database_url: str, count: int) -> list[str]:
    """`count` appraisals opened and signed up to branch approval, each the same way."""
    jobs = open_appraisals(mine, database_url, 1, count)[0][:count]
    workflows = Workflows(env=event_store_env(
        Settings(database_url=database_url, secret_key=SECRET_KEY).url))
    try:
        users = {name: actor_of(workflows.load_user(name))
                 for name in ("evaluator", "leader", *(f"m{i}" for i in range(ZONES)))}
        for job in jobs:
            appraisal = workflows.load_appraisal(UUID(job["id"]))
            member = f"m{mine.zones.index(appraisal.zone_id)}"
            for user, action, scores in BEFORE:
                workflows.take(appraisal, action, users[member if user == "m" else user],
                               Submission(scores=scores))
        return [job["id"] for job in jobs]
    finally:
        workflows.close()


@contextmanager
def connected(server: Server) -> Iterator[http.client.HTTPConnection]:
    address = urlsplit(server.base_url)
    connection = http.client.HTTPConnection(address.hostname or "", address.port, timeout=300)
    try:
        yield connection
    finally:
        connection.close()


def post(connection: http.client.HTTPConnection, path: str, body: Any, token: str,
         key: str | None = None) -> tuple[int, Any]:
    headers = {"Authorization": f"Bearer {token}", "Content-Type": "application/json"}
    if key:
        headers["Idempotency-Key"] = key
    connection.request("POST", path, json.dumps(body, ensure_ascii=False).encode(), headers)
    response = connection.getresponse()
    return response.status, json.loads(response.read())


def singles(connection: http.client.HTTPConnection, ids: list[str], token: str,
            keyed: bool = False) -> bool:
    """Each approval its own request (with its own Idempotency-Key if `keyed`), the next
    sent when the last is answered."""
    statuses = [post(connection, f"/appraisals/{i}/branch-approval", APPROVAL, token,
                     f"single-{i}" if keyed else None)[0] for i in ids]
    return all(status == 200 for status in statuses)


def in_bulk(connection: http.client.HTTPConnection, ids: list[str], token: str,
            key: str | None = None) -> bool:
    """Every approval in one request."""
    status, answer = post(connection, "/appraisals/bulk", {
        "action": "branch-approval", "items": [{"id": i, **APPROVAL} for i in ids]}, token, key)
    return status == 200 and all(item["status"] == 200 for item in answer["items"])


def timed(backend: str, sent: str, server: Server, ids: list[str], send: Any) -> Timed:
    cpu, started = server.cpu_seconds(), time.perf_counter()
    ok = send(ids)
    seconds = time.perf_counter() - started
    return Timed(backend, sent, len(ids), seconds, server.cpu_seconds() - cpu, ok)


def run_backend(backend: str, args: argparse.Namespace) -> list[Timed]:
    """The measurements on one backend, its server and database fresh for the run: each
    bulk request between singles sent just before and after it (half as many each time), so
    that both sides of a ratio see the same machine, however its other load drifts; the
    bulk with an Idempotency-Key between singles with one each."""
    with ExitStack() as stack:
        work = stack.enter_context(workspace())
        store = stack.enter_context(fresh_database(backend, args.postgres, work, "store"))
        app = stack.enter_context(serve(APPRAISAL_SERVE, store, work, "appraisal"))
        say(f"[{backend}] making the organisation and users")
        mine = make_mine(app.base_url, ZONES)
        n, half = args.items, args.items // 2
        count = 2 * WARM_UP + 4 * half + 2 * n
        say(f"[{backend}] preparing {count} appraisals ({load_average()})")
        ids = iter(prepared(mine, store, count))
        token = mine.tokens["secretary"]
        connection = stack.enter_context(connected(app))

        def take(many: int) -> list[str]:
            return [next(ids) for _ in range(many)]

        singles(connection, take(WARM_UP), token)
        in_bulk(connection, take(WARM_UP), token)
        rows = []
        for key in (None, "bench"):
            say(f"[{backend}] singles, a bulk, singles; keyed: {bool(key)} ({load_average()})")
            sent = "single requests" + (", each keyed" if key else "")
            one_by_one = partial(singles, connection, token=token, keyed=bool(key))
            before = timed(backend, sent, app, take(half), one_by_one)
            row = timed(backend, "one bulk request" + (", keyed" if key else ""), app,
                        take(n), partial(in_bulk, connection, token=token, key=key))
            around = before.joined(timed(backend, sent, app, take(half), one_by_one))
            row.ratio = row.rate / around.rate
            rows += [around, row]
        return rows


def main(argv: list[str] | None = None) -> None:
    args = parse_args(argv)
    backends = ["sqlite", "postgres"] if args.backend == "both" else [args.backend]
    notes = [f"Other load on the machine before the run: {load_average()}."]
    rows: list[Timed] = []
    for backend in backends:
        rows += run_backend(backend, args)
    notes.append(f"Other load on the machine after the run: {load_average()}.")
    publish(args, "bench.bulk", backends, BLOCK, HEADER, [r.cells() for r in rows], notes)

if __name__ == "__main__":
    main()
