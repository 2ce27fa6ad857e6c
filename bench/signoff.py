"""Sign-off throughput against a one-durable-insert baseline, on SQLite and PostgreSQL.

    python -m bench.signoff [--seconds 15] [--clients 1,4,16] [--backend sqlite|postgres|both]

For each backend: a fresh database for the product and one for the baseline; `appraisal
serve` and the baseline app (bench/baseline.py) as real uvicorn processes; the organisation,
users and tokens made through the API. Then, at each concurrency, back to back: the baseline
(`POST /insert`), and the sign-off, where each client takes its own appraisals (opened
before the clock starts) through self-check, zone evaluation, group review and branch
approval. The load generator (bench/load.py) is its own process, the same for both.
"""

import argparse
import json
import math
import resource
import shlex
import subprocess
import sys
import time
from contextlib import ExitStack
from pathlib import Path
from typing import Any

from bench import profile
from bench.facts import load_average, machine_facts
from bench.mine import STEPS, Mine, make_mine, open_appraisals
from bench.report import Row, markdown, text_table, write_block
from bench.servers import (
    APPRAISAL_SERVE,
    BASELINE_SERVE,
    Server,
    fresh_database,
    serve,
    workspace,
)

DOC = Path(__file__).resolve().parent.parent / "docs" / "PERFORMANCE.md"
POSTGRES_ADMIN = "postgresql://postgres@127.0.0.1:5432/postgres"
# Appraisals opened per client: the baseline's rate times this, so that the sign-off, which
# cannot outrun one durable insert per request by much, never runs out mid-measurement.
HEADROOM = 1.3
LOCKED = "database is locked"
BUSY = "on an idle machine it is near 0; the figures of a busy one are noisy and low"


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m bench.signoff", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--seconds", type=float, default=15.0, help="counted seconds a run")
    parser.add_argument("--warmup", type=float, default=2.0, help="uncounted seconds first")
    parser.add_argument("--clients", default="1,4,16", help="concurrencies, comma-separated")
    parser.add_argument("--backend", choices=["sqlite", "postgres", "both"], default="both")
    parser.add_argument("--postgres", default=POSTGRES_ADMIN,
                        help="an admin URL; a database is created beside it and dropped after")
    parser.add_argument("--doc", type=Path, default=DOC, help="where the results are written")
    parser.add_argument("--no-doc", action="store_true", help="print only; write no document")
    parser.add_argument("--profile", action="store_true",
                        help="then one more sign-off run under py-spy (installed by hand)")
    args = parser.parse_args(argv)
    args.levels = sorted({int(c) for c in args.clients.split(",")})
    return args


def measure(server: Server, plan: dict[str, Any], workdir: Path) -> dict[str, Any]:
    """Run the load generator against the server; its summary plus both processes' CPU use."""
    path = workdir / "plan.json"
    path.write_text(json.dumps(plan), encoding="utf-8")
    children, server_cpu = resource.getrusage(resource.RUSAGE_CHILDREN), server.cpu_seconds()
    started = time.perf_counter()
    done = subprocess.run([sys.executable, "-m", "bench.load", str(path)],
                          capture_output=True, text=True, check=True)
    wall = time.perf_counter() - started
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    load_cpu = after.ru_utime + after.ru_stime - children.ru_utime - children.ru_stime
    summary: dict[str, Any] = json.loads(done.stdout)
    summary["server_cpu"] = (server.cpu_seconds() - server_cpu) / wall
    summary["load_cpu"] = load_cpu / wall
    return summary


def baseline_plan(server: Server, clients: int, args: argparse.Namespace) -> dict[str, Any]:
    job = {"id": "", "tokens": [""]}
    return {"base_url": server.base_url, "seconds": args.seconds, "warmup": args.warmup,
            "cycle": True, "steps": [{"path": "/insert", "body": {"comment": "同意"}}],
            "clients": [[job] for _ in range(clients)]}


def signoff_plan(app: Server, mine: Mine, database_url: str, clients: int, expected_rps: float,
                 args: argparse.Namespace) -> dict[str, Any]:
    """Open enough fresh appraisals for each client to last the run at `expected_rps`."""
    per_client = math.ceil(expected_rps * (args.seconds + args.warmup) / len(STEPS) / clients)
    jobs = open_appraisals(mine, database_url, clients, max(per_client, 10))
    return {"base_url": app.base_url, "seconds": args.seconds, "warmup": args.warmup,
            "steps": STEPS, "clients": jobs}


def signoff(app: Server, mine: Mine, database_url: str, clients: int, expected_rps: float,
            args: argparse.Namespace) -> dict[str, Any]:
    """Measure the sign-off; once more, with twice the appraisals, if a client ran out."""
    for _attempt in range(2):
        plan = signoff_plan(app, mine, database_url, clients, expected_rps, args)
        result = measure(app, plan, app.stderr_path.parent)
        if not result["exhausted"]:
            break
        expected_rps *= 2
    return result


def profiled(app: Server, mine: Mine, database_url: str, clients: int, expected_rps: float,
             args: argparse.Namespace) -> list[str]:
    """Two more sign-off runs, not counted, with py-spy sampling the server: wall-clock, GIL."""
    notes = []
    for gil in (False, True):
        plan = signoff_plan(app, mine, database_url, clients, expected_rps, args)
        raw = app.stderr_path.parent / f"profile-{'gil' if gil else 'wall'}.txt"
        spy = profile.record(app.process.pid, args.warmup + args.seconds, raw, gil=gil)
        time.sleep(1)  # py-spy attaches before the load starts
        result = measure(app, plan, app.stderr_path.parent)
        spy.wait()
        title = (f"Sign-off at {clients} clients under py-spy ({result['rps']:.0f} req/s while "
                 f"sampled), " + ("share of the samples holding the GIL (CPU in Python):" if gil
                                  else "share of request-thread wall-clock time:"))
        notes.append(profile.markdown(title, profile.breakdown(raw, gil=gil), gil=gil))
    return notes


def run_backend(backend: str, args: argparse.Namespace) -> tuple[list[Row], list[str]]:
    """Every measurement on one backend, each server and database fresh for the run."""
    with ExitStack() as stack:
        work = stack.enter_context(workspace())
        store = stack.enter_context(fresh_database(backend, args.postgres, work, "store"))
        plain = stack.enter_context(fresh_database(backend, args.postgres, work, "baseline"))
        app = stack.enter_context(serve(APPRAISAL_SERVE, store, work, "appraisal"))
        base = stack.enter_context(serve(BASELINE_SERVE, plain, work, "baseline"))
        say(f"[{backend}] making the organisation and users")
        mine = make_mine(app.base_url, max(args.levels))
        rows = []
        for clients in args.levels:
            say(f"[{backend}] {clients} clients: baseline, then sign-off ({load_average()})")
            b = measure(base, baseline_plan(base, clients, args), work)
            s = signoff(app, mine, store, clients, b["rps"] * HEADROOM, args)
            rows.append(Row(backend, clients, b, s))
            say(text_table(rows[-1:]))
        notes = [server_log_note(backend, app, base), *problem_notes(rows)]
        if args.profile:
            say(f"[{backend}] profiling the sign-off at {max(args.levels)} clients")
            notes += profiled(app, mine, store, max(args.levels), rows[-1].baseline["rps"], args)
        return rows, notes


def server_log_note(backend: str, app: Server, base: Server) -> str:
    return (f"{backend}: \"{LOCKED}\" in the servers' stderr: {app.stderr_count(LOCKED)} "
            f"(appraisal), {base.stderr_count(LOCKED)} (baseline); tracebacks: "
            f"{app.stderr_count('Traceback')} (appraisal), {base.stderr_count('Traceback')} "
            "(baseline).")


def problem_notes(rows: list[Row]) -> list[str]:
    """The first few non-2xx answers, transport errors and shortfalls, word for word."""
    notes = []
    for row in rows:
        for kind, r in (("baseline", row.baseline), ("sign-off", row.signoff)):
            said = [*r["problems"], *(f"{n} × {e}" for e, n in r["errors"].items())]
            if r["exhausted"]:
                said.append(f"{r['exhausted']} clients ran out of appraisals: figures too low")
            notes += [f"{row.backend} {kind} at {row.clients} clients: {p}" for p in said]
    return notes


def say(text: str) -> None:
    print(text, file=sys.stderr, flush=True)


def main(argv: list[str] | None = None) -> None:
    args = parse_args(argv)
    backends = ["sqlite", "postgres"] if args.backend == "both" else [args.backend]
    rows, notes = [], [f"Other load on the machine before the run: {load_average()} "
                       f"({BUSY})."]
    for backend in backends:
        more, said = run_backend(backend, args)
        rows += more
        notes += said
    notes.insert(1, f"Other load on the machine after the run: {load_average()}.")
    print(text_table(rows))
    print("\n\n".join(notes))
    if not args.no_doc:
        command = shlex.join(["python", "-m", "bench.signoff", *sys.argv[1:]])
        facts = machine_facts(args.postgres if "postgres" in backends else None)
        write_block(args.doc, markdown(rows, facts, command, notes))
        print(f"written to {args.doc}")


if __name__ == "__main__":
    main()
