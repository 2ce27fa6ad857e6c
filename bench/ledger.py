"""What the ledger costs and how fast it proves, on SQLite and PostgreSQL.

    python -m bench.ledger [--part signoff|verify|both] [--zones 10000] [--runs 3]

signoff: the sign-off at `--clients` clients against `appraisal serve` with the ledger (every
transaction hashes its events into the chain and the tree) and against the same server with
it off (bench/unhashed.py); fresh stores for each, runs alternated, medians compared.

trees: pymerkle (an independent RFC 9162 implementation; SHA-256 only, in memory or its own
SQLite file) beside this project's tree (ledger/tree.py), on the same leaves: appending them,
and inclusion proofs at that size, its SQLite tree cold and warm.

verify: a province's year (bench/history.py, `--zones` zones, ~70 events each) in a fresh
store, its ledger caught up (SQLite: written as the history is; PostgreSQL: the history is
copied in bulk, then hashed), then `appraisal verify`'s walk over all of it beside the
baseline of bench/reading.py: every event read and decoded by the event store library, in
one process as the walk is. And inclusion proofs at that size: O(log n) node reads each.
"""

import argparse
import hashlib
import random
import shlex
import statistics
import sys
import tempfile
import time
from contextlib import ExitStack, nullcontext
from pathlib import Path
from typing import Any

from pymerkle import InmemoryTree, SqliteTree
from sqlalchemy import create_engine, text

from bench import history
from bench.facts import load_average, machine_facts
from bench.mine import make_mine
from bench.reading import baseline
from bench.report import fact, markers, write_block
from bench.servers import (
    ADMIN_PASSWORD,
    APPRAISAL_SERVE,
    SECRET_KEY,
    fresh_database,
    serve,
    workspace,
)
from bench.signoff import measure, signoff_plan
from bench.unhashed import unhashed
from ledger.offline import hasher, leaf_hash
from ledger.tree import Frontier, hashes_of, inclusion_ranges
from service.cases.verification import verify
from service.runtime import build
from service.settings import Settings
from store.ledger import Reader

DOC = Path(__file__).resolve().parent.parent / "docs" / "PERFORMANCE.md"
POSTGRES_ADMIN = "postgresql://postgres@127.0.0.1:5432/postgres"
UNHASHED_SERVE = [sys.executable, "-m", "bench.unhashed", "serve"]
EXPECTED_RPS = 800.0  # sizes the appraisals opened for a run (bench.signoff.signoff)
PROOFS = 200


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m bench.ledger", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--part", choices=["signoff", "verify", "trees", "all"], default="all")
    parser.add_argument("--leaves", type=int, default=100_000, help="leaves of the trees part")
    parser.add_argument("--backend", choices=["sqlite", "postgres", "both"], default="both")
    parser.add_argument("--clients", type=int, default=16)
    parser.add_argument("--seconds", type=float, default=10.0, help="counted seconds a run")
    parser.add_argument("--warmup", type=float, default=2.0, help="uncounted seconds first")
    parser.add_argument("--runs", type=int, default=3, help="sign-off runs on each side")
    parser.add_argument("--zones", type=int, default=10_000, help="zones of the history")
    parser.add_argument("--postgres", default=POSTGRES_ADMIN)
    parser.add_argument("--doc", type=Path, default=DOC)
    parser.add_argument("--no-doc", action="store_true")
    return parser.parse_args(argv)


def signoff_cost(backend: str, args: argparse.Namespace) -> dict[str, Any]:
    """Sign-off throughput with and without the ledger, runs alternated."""
    with ExitStack() as stack:
        work = stack.enter_context(workspace())
        servers, mines, stores = {}, {}, {}
        for side, command in (("ledger", APPRAISAL_SERVE), ("off", UNHASHED_SERVE)):
            stores[side] = stack.enter_context(fresh_database(backend, args.postgres, work, side))
            servers[side] = stack.enter_context(serve(command, stores[side], work, side))
            mines[side] = make_mine(servers[side].base_url, args.clients)
        # Every run's appraisals opened first: once the server without the ledger has written,
        # a store refuses other writers (this process's) after its unhashed events.
        plans = {}
        for side in servers:
            with unhashed() if side == "off" else nullcontext():
                plans[side] = [signoff_plan(servers[side], mines[side], stores[side],
                                            args.clients, EXPECTED_RPS, args)
                               for _ in range(args.runs)]
        runs: dict[str, list[dict[str, Any]]] = {"ledger": [], "off": []}
        for n in range(args.runs):
            for side in ("off", "ledger") if n % 2 else ("ledger", "off"):
                result = measure(servers[side], plans[side][n], work)
                runs[side].append(result)
                say(f"[{backend}] {side}: {result['rps']:.0f} req/s, p99 "
                    f"{result['p99_ms']:.0f} ms ({load_average()})")
        hashed = {side: hashed_share(stores[side]) for side in stores}
    rps = {side: statistics.median(r["rps"] for r in runs[side]) for side in runs}
    p99 = {side: statistics.median(r["p99_ms"] for r in runs[side]) for side in runs}
    return {"backend": backend, "rps": rps, "p99": p99, "ratio": rps["ledger"] / rps["off"],
            "runs": {side: [round(r["rps"]) for r in runs[side]] for side in runs},
            "hashed": hashed}


def hashed_share(url: str) -> str:
    """Events in the ledger / events stored: all of them with it on, none with it off."""
    engine = create_engine(url.replace("postgresql://", "postgresql+psycopg://"))
    events = "stored_events" if url.startswith("sqlite") else "appraisal_events"
    try:
        with engine.connect() as conn:
            stored = conn.execute(text(f"SELECT count(*) FROM {events}")).scalar()
            entries = conn.execute(text("SELECT count(*) FROM ledger_entries")).scalar()
    finally:
        engine.dispose()
    return f"{entries:,}/{stored:,}"


def verify_rate(backend: str, args: argparse.Namespace) -> dict[str, Any]:
    """The walk of `appraisal verify` beside reading and decoding, over one history."""
    with ExitStack() as stack:
        work = stack.enter_context(workspace())
        url = stack.enter_context(fresh_database(backend, args.postgres, work, "history"))
        say(f"[{backend}] writing a history of {args.zones:,} zones")
        written = history.generate(url, args.zones, admin_password=ADMIN_PASSWORD,
                                   secret_key=SECRET_KEY, echo=say)
        settings = Settings(database_url=url, secret_key=SECRET_KEY)
        started = time.perf_counter()
        rt = build(settings)  # catches the ledger up: all of it after a bulk copy
        backfill = time.perf_counter() - started
        try:
            say(f"[{backend}] {written.events:,} events; build and ledger catch-up "
                f"{backfill:.0f} s; reading and decoding them")
            with rt.recorder.ledger_cursor() as cursor:
                end = Reader(rt.recorder.ledger, cursor).last_position()
            count, read_seconds = baseline(url, [], end, 1)
            say(f"[{backend}] read and decoded {count:,} in {read_seconds:.1f} s; verifying")
            started = time.perf_counter()
            verdict = verify(rt.recorder, settings.origin, echo=say)
            verify_seconds = time.perf_counter() - started
            if not verdict.holds:
                raise SystemExit(verdict.text)
            proof_ms, nodes = proofs(rt)
        finally:
            rt.close()
    return {"backend": backend, "events": count, "read": count / read_seconds,
            "verify": count / verify_seconds, "ratio": read_seconds / verify_seconds,
            "backfill_s": backfill, "proof_ms": proof_ms, "proof_nodes": nodes,
            "verdict": verdict.text}


def proofs(rt: Any) -> tuple[float, int]:
    """Inclusion proofs of random leaves in the whole tree: milliseconds each, hashes each."""
    with rt.recorder.ledger_cursor() as cursor:
        reader = Reader(rt.recorder.ledger, cursor)
        size = reader.size()
        leaves = random.Random(16).sample(range(size), min(PROOFS, size))
        started = time.perf_counter()
        lengths = [len(reader.inclusion(leaf, size)) for leaf in leaves]
        seconds = time.perf_counter() - started
    return 1000 * seconds / len(leaves), max(lengths)


def trees(leaves: int) -> dict[str, float]:
    """Appends a second and proof milliseconds: pymerkle's trees and ours, SHA-256."""
    h = hasher("sha256")
    entries = [hashlib.sha256(b"%d" % i).digest() for i in range(leaves)]
    sample = random.Random(16).sample(range(leaves), min(PROOFS, leaves))
    got: dict[str, float] = {}
    started = time.perf_counter()
    memory = InmemoryTree(algorithm="sha256")
    for entry in entries:
        memory.append_entry(entry)
    got["pymerkle memory append/s"] = leaves / (time.perf_counter() - started)
    got["pymerkle memory proof ms"] = _ms(lambda i: memory.prove_inclusion(i + 1, leaves), sample)
    with tempfile.TemporaryDirectory() as folder, SqliteTree(
            f"{folder}/tree.db", algorithm="sha256") as stored:
        started = time.perf_counter()
        stored.append_entries(entries)
        got["pymerkle sqlite append/s"] = leaves / (time.perf_counter() - started)
        stored.cache_clear()
        got["pymerkle sqlite proof ms (cold)"] = _ms(
            lambda i: stored.prove_inclusion(i + 1, leaves), sample[:1])
        got["pymerkle sqlite proof ms (warm)"] = _ms(
            lambda i: stored.prove_inclusion(i + 1, leaves), sample)
    nodes: dict[tuple[int, int], bytes] = {}
    started = time.perf_counter()
    frontier = Frontier(0, {})
    for index, entry in enumerate(entries):
        nodes[(0, index)] = leaf = leaf_hash(h, entry)
        for level, at, value in frontier.append(h, leaf):
            nodes[(level, at)] = value
    got["ours append/s"] = leaves / (time.perf_counter() - started)
    got["ours proof ms"] = _ms(lambda i: hashes_of(
        h, lambda keys: {k: nodes[k] for k in keys}, inclusion_ranges(i, leaves)), sample)
    return got


def _ms(prove: Any, sample: list[int]) -> float:
    started = time.perf_counter()
    for index in sample:
        prove(index)
    return 1000 * (time.perf_counter() - started) / len(sample)


def block_name(args: argparse.Namespace) -> str:
    """The document's block for this run: one a part (and a backend run alone), so that
    each kind of run keeps its own figures."""
    name = f"ledger-{args.part}" + (f"-{args.zones}" if args.part in ("verify", "all") else "")
    return name + (f"-{args.backend}" if args.backend != "both" else "")


def markdown(name: str, signoffs: list[dict[str, Any]], verifies: list[dict[str, Any]],
             compared: dict[str, float], facts: dict[str, str], command: str) -> str:
    begin, end = markers(name)
    lines = [begin, f"Command: `{command}`", ""]
    if signoffs:
        lines += ["| backend | sign-off, ledger on (req/s) | ledger off (req/s) | ratio "
                  "(target ≥ 0.9) | p99 on / off (ms) | runs on / off | events hashed on / off |",
                  "|---|---|---|---|---|---|---|"]
        lines += [f"| {s['backend']} | {s['rps']['ledger']:.0f} | {s['rps']['off']:.0f} | "
                  f"**{s['ratio']:.2f}** | {s['p99']['ledger']:.0f} / {s['p99']['off']:.0f} | "
                  f"{s['runs']['ledger']} / {s['runs']['off']} | {s['hashed']['ledger']} / "
                  f"{s['hashed']['off']} |" for s in signoffs]
        lines.append("")
    if verifies:
        lines += ["| backend | events | read+decode (events/s) | verify walk (events/s) | "
                  "ratio (target ≥ 0.5) | build + ledger catch-up (s) | inclusion proof "
                  "(ms, hashes) |", "|---|---|---|---|---|---|---|"]
        lines += [f"| {v['backend']} | {v['events']:,} | {v['read']:,.0f} | "
                  f"{v['verify']:,.0f} | **{v['ratio']:.2f}** | {v['backfill_s']:.0f} | "
                  f"{v['proof_ms']:.2f}, {v['proof_nodes']} |" for v in verifies]
        lines.append("")
    if compared:
        lines += ["| trees (SHA-256) | " + " | ".join(compared) + " |",
                  "|---|" + "---|" * len(compared),
                  "| | " + " | ".join(f"{v:,.3f}" if v < 100 else f"{v:,.0f}"
                                     for v in compared.values()) + " |", ""]
    lines += [fact(name, value) for name, value in facts.items()]
    lines.append(end)
    return "\n".join(lines)


def say(text: str) -> None:
    print(text, file=sys.stderr, flush=True)


def main(argv: list[str] | None = None) -> None:
    args = parse_args(argv)
    backends = ["sqlite", "postgres"] if args.backend == "both" else [args.backend]
    every = args.part == "all"
    signoffs = [signoff_cost(b, args) for b in backends] if every or args.part == "signoff" \
        else []
    verifies = [verify_rate(b, args) for b in backends] if every or args.part == "verify" \
        else []
    compared = trees(args.leaves) if every or args.part == "trees" else {}
    facts = machine_facts(args.postgres if "postgres" in backends else None)
    name = block_name(args)
    block = markdown(name, signoffs, verifies, compared, facts,
                     shlex.join(["python", "-m", "bench.ledger", *sys.argv[1:]]))
    print(block)
    if not args.no_doc:
        write_block(args.doc, block, name)


if __name__ == "__main__":
    main()
