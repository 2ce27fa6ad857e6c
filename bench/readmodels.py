"""Read models at scale: the rebuild beside merely reading the events, and ranking pages.

    python -m bench.readmodels [--zones 100000] [--backend sqlite|postgres|both]

For each backend a fresh store gets the synthetic history of bench/history.py (generated
into the first store, copied into the second, so both hold the same events). Then, on that
store, one after another:

- the rebuild of every read model, `projections.rebuild.rebuild(follower)`: the code
  behind `appraisal projections rebuild`, in one process and in `--workers` parts, each in a
  process of its own (the command's default: one per CPU), each set beside its baseline
  (bench/reading.py): the views' events read and decoded through the event store library
  (its `select_notifications` and mapper, in the rebuild's batches and topics) and nothing
  else, in as many processes, the cyclic collector paused in both; all four `--repeat`
  times, interleaved, their medians compared;
- the ranking: a real `appraisal serve` process over the rebuilt store, asked for pages of
  one period by closed-loop clients (bench/load.py), one query shape after another.

The rebuild's rate is set beside the baseline's, measured on the same events in the same
run: the target is at least half of it. The target for a ranking page is p99 < 50 ms.
"""

import argparse
import functools
import os
import random
import shlex
import statistics
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

import psycopg

from bench import history, profile
from bench.facts import load_average, machine_facts
from bench.reading import baseline
from bench.report import fact, markers, write_block
from bench.servers import (
    ADMIN_PASSWORD,
    APPRAISAL_SERVE,
    SECRET_KEY,
    Server,
    call,
    fresh_database,
    serve,
    workspace,
)
from bench.signoff import DOC, POSTGRES_ADMIN, measure, say
from projections.check import check
from projections.rebuild import rebuild
from projections.tracking import Follower
from service.read_models import catch_up_share
from service.runtime import build
from service.settings import Settings

TARGET_RATIO, TARGET_P99_MS = 0.5, 50.0
PAGE = 50
QUERIES = 400  # distinct queries of each shape, cycled through
SCOPES = 50  # branches and groups the filtered shapes pick from


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m bench.readmodels", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--zones", type=int, default=10_000,
                        help="zones in the province, about 70 events each (the issue's size: "
                             "100000)")
    parser.add_argument("--backend", choices=["sqlite", "postgres", "both"], default="both")
    parser.add_argument("--seconds", type=float, default=10.0,
                        help="counted seconds of each ranking query shape")
    parser.add_argument("--warmup", type=float, default=1.0, help="uncounted seconds first")
    parser.add_argument("--clients", type=int, default=1, help="ranking clients at once")
    parser.add_argument("--check", action="store_true",
                        help="then check the rebuilt views against a recompute in memory "
                             "(small --zones only)")
    parser.add_argument("--year", type=int, default=history.default_year(datetime.now(UTC)),
                        help="the year the history appraises (default: the last one)")
    parser.add_argument("--workers", type=int, default=os.cpu_count() or 1,
                        help="processes of the shared rebuild (default: one per CPU)")
    parser.add_argument("--repeat", type=int, default=3,
                        help="times the baselines and rebuilds are measured (medians)")
    parser.add_argument("--profile", action="store_true",
                        help="sample the rebuild with py-spy (installed by hand) and say where "
                             "its time goes")
    parser.add_argument("--postgres", default=POSTGRES_ADMIN,
                        help="an admin URL; a database is created beside it and dropped after")
    parser.add_argument("--doc", type=Path, default=DOC, help="where the results are written")
    parser.add_argument("--no-doc", action="store_true", help="print only; write no document")
    return parser.parse_args(argv)


@dataclass
class Timed:
    """The seconds each repetition took, of one measure."""

    runs: list[float] = field(default_factory=list)

    @property
    def median(self) -> float:
        return statistics.median(self.runs)


@dataclass
class Rebuilt:
    """One backend's store: how it was filled, the baselines and the rebuilds, in seconds."""

    backend: str
    filled: str  # "generated" or "copied"
    written: history.Written
    events: int  # the events the views read (by topic), of `written.events` in the log
    workers: int
    baseline: Timed = field(default_factory=Timed)  # in one process
    single: Timed = field(default_factory=Timed)  # the rebuild in one process
    baseline_shared: Timed = field(default_factory=Timed)  # in `workers` processes
    rebuild: Timed = field(default_factory=Timed)  # in `workers` parts and processes
    notes: list[str] = field(default_factory=list)

    def ratios(self) -> tuple[float, float]:
        """The rebuild's rate over the baseline's, in one process and in `workers`."""
        return (self.baseline.median / self.single.median,
                self.baseline_shared.median / self.rebuild.median)


@dataclass
class Shape:
    """One kind of ranking query and what the clients saw."""

    backend: str
    name: str
    queries: list[dict[str, Any]]
    result: dict[str, Any] = field(default_factory=dict)

    def verdict(self) -> str:
        bad = sum(self.result["non_2xx"].values()) + sum(self.result["errors"].values())
        met = self.result["p99_ms"] < TARGET_P99_MS and not bad
        return "meets target" if met else "SHORT of target"


@contextmanager
def timed(label: str, notes: list[str]) -> Iterator[None]:
    """Says what starts, and notes how long it took."""
    say(f"{label} ({load_average()})")
    started = time.perf_counter()
    yield
    notes.append(f"{label}: {time.perf_counter() - started:,.0f} s")


def fill(url: str, source: str | None, zones: int, year: int,
         notes: list[str]) -> tuple[str, history.Written]:
    """The history: copied from the store filled before, or generated."""
    if source is not None:
        with timed("copying the history from the SQLite store", notes):
            return "copied", history.copy(source, url, secret_key=SECRET_KEY)
    with timed(f"generating the history of {zones:,} zones", notes):
        return "generated", history.generate(url, zones, admin_password=ADMIN_PASSWORD,
                                             secret_key=SECRET_KEY, year=year, echo=say)


def vacuum(backend: str, url: str, notes: list[str], why: str) -> None:
    """PostgreSQL after a bulk load: hint bits set and the visibility map made (or the
    first reader pays for it, and deep pages are not read from the index alone), and the
    planner's statistics. SQLite needs neither."""
    if backend != "postgres":
        return
    with timed(f"VACUUM ANALYZE {why}", notes), psycopg.connect(url, autocommit=True) as conn:
        conn.execute("VACUUM ANALYZE")


class Every:
    """Passes the rebuild's progress lines on at most once every `seconds`, and its last."""

    def __init__(self, echo: Callable[[str], Any], seconds: float):
        self.echo, self.seconds, self.last = echo, seconds, time.monotonic()

    def __call__(self, line: str) -> None:
        if not line.startswith("rebuilt") and time.monotonic() - self.last < self.seconds:
            return
        self.last = time.monotonic()
        self.echo(line)


def rebuild_store(backend: str, url: str, source: str | None, args: argparse.Namespace,
                  work: Path) -> Rebuilt:
    """Fill the store, then the baselines and the rebuilds, one after the other."""
    notes: list[str] = []
    filled, written = fill(url, source, args.zones, args.year, notes)
    vacuum(backend, url, notes, "after loading the events")
    settings = Settings(database_url=url, secret_key=SECRET_KEY)
    runtime = build(settings)
    try:
        follower = runtime.follower
        end = runtime.workflows.recorder.max_notification_id() or 0
        result = Rebuilt(backend, filled, written, 0, args.workers, notes=notes)
        for run in range(1, args.repeat + 1):
            for processes in (1, args.workers):
                result.events = measure_baseline(result, url, topics(follower), end, processes,
                                                 f"run {run}")
                with timed(f"run {run}: rebuilding every read model in {processes} "
                           "process(es)", notes), profiled(args, work, notes, run, processes):
                    rebuilt = rebuilt_in(follower, settings, processes, notes)
                (result.single if processes == 1 else result.rebuild).runs.append(rebuilt)
        if args.check:
            with timed("checking the rebuilt views", notes):
                notes.append(f"check: {check(follower).summary()}")
    finally:
        runtime.close()
    vacuum(backend, url, notes, "after the rebuild")
    return result


def topics(follower: Follower) -> list[str]:
    """The topics the views read (none: every event's)."""
    views = follower.views
    return sorted({t for v in views for t in v.topics}) if all(v.topics for v in views) else []


def measure_baseline(result: Rebuilt, url: str, read: list[str], end: int, processes: int,
                     label: str) -> int:
    """One run of the baseline in `processes` processes, noted: the events it read."""
    with timed(f"{label}: baseline, reading and decoding the views' events in {processes} "
               "process(es)", result.notes):
        events, seconds = baseline(url, read, end, processes)
    (result.baseline if processes == 1 else result.baseline_shared).runs.append(seconds)
    return events


def rebuilt_in(follower: Follower, settings: Settings, workers: int, notes: list[str]) -> float:
    """Seconds to rebuild every view from the start, shared among `workers` processes."""
    started = time.perf_counter()
    rebuild(follower, restart=True, echo=Every(lambda line: progress(line, notes), 30),
            workers=workers, share=functools.partial(catch_up_share, settings.url))
    return time.perf_counter() - started


def progress(line: str, notes: list[str]) -> None:
    """The rebuild's progress on the terminal; its last line, which names the views, noted."""
    say(f"  {line}")
    if line.startswith("rebuilt"):
        notes.append(line)


@contextmanager
def profiled(args: argparse.Namespace, work: Path, notes: list[str], run: int,
             processes: int) -> Iterator[None]:
    """With --profile, py-spy samples the first rebuild in one process; where its time went
    is noted."""
    if not args.profile or (run, processes) != (1, 1):
        yield
        return
    raw = work / f"rebuild-{len(list(work.glob('rebuild-*')))}.txt"
    with profile.sampling(os.getpid(), raw):
        yield
    notes.append(profile.rebuild_markdown(
        "The rebuild under py-spy (wall-clock samples of the rebuilding thread):",
        profile.rebuild_breakdown(raw)))


def login(server: Server) -> str:
    answer = call(server.base_url, "/auth/token",
                  form={"username": "admin", "password": ADMIN_PASSWORD})
    return str(answer["access_token"])


def get(server: Server, token: str, period: str, params: dict[str, Any]) -> Any:
    return call(server.base_url, f"/rankings/{period}?{urlencode(params)}", method="GET",
                token=token)


def shapes(server: Server, token: str, period: str, made: history.Province,
           backend: str) -> list[Shape]:
    """The query shapes: the whole period's first page and any page, and any page of one
    branch, one group and one line; pages anywhere in the scope's published results."""
    rng = random.Random(period)
    sizes: dict[tuple[tuple[str, str], ...], int] = {}

    def pages(scopes: list[dict[str, str]]) -> list[dict[str, Any]]:
        queries = []
        for _ in range(QUERIES):
            scope = rng.choice(scopes)
            key = tuple(sorted(scope.items()))
            if key not in sizes:  # how many are published in this scope
                counted = get(server, token, period, {**scope, "limit": 0})["distribution"]
                sizes[key] = sum(counted.values())
            queries.append({**scope, "limit": PAGE,
                            "offset": rng.randrange(max(1, sizes[key] - PAGE + 1))})
        return queries

    branches = rng.sample([b for b, _ in made.branches], min(SCOPES, len(made.branches)))
    groups = rng.sample(sorted({z.group_id for z in made.zones}),
                        min(SCOPES, len({z.group_id for z in made.zones})))
    return [Shape(backend, "whole period, first page", [{"limit": PAGE}]),
            Shape(backend, "whole period, any page", pages([{}])),
            Shape(backend, "branch_id, any page", pages([{"branch_id": b} for b in branches])),
            Shape(backend, "group_id, any page", pages([{"group_id": g} for g in groups])),
            Shape(backend, "line, any page",
                  pages([{"line": line} for line in sorted({z.line for z in made.zones})]))]


def ranking(backend: str, url: str, args: argparse.Namespace, work: Path,
            notes: list[str]) -> list[Shape]:
    """Each query shape against a real server, one after another."""
    period = f"{args.year}-06"
    made = history.province(args.zones)
    with serve(APPRAISAL_SERVE, url, work, f"appraisal-{backend}") as server:
        token = login(server)
        top = get(server, token, period, {"limit": 3})
        notes.append(f"ranking of {period}: distribution {top['distribution']}, "
                     f"unpublished {top['unpublished']}; first entries: "
                     + "; ".join(f"{e['rank']}. {e['zone_id']} {e['zone_name']} {e['score']} "
                                 f"{e['grade']} reward {e['reward']}" for e in top["entries"]))
        measured = shapes(server, token, period, made, backend)
        for shape in measured:
            say(f"[{backend}] ranking: {shape.name} ({load_average()})")
            jobs = [{"query": urlencode(q), "tokens": [token]} for q in shape.queries]
            plan = {"base_url": server.base_url, "seconds": args.seconds,
                    "warmup": args.warmup, "cycle": True,
                    "steps": [{"method": "GET", "path": f"/rankings/{period}?{{query}}"}],
                    "clients": [rng_order(jobs, c) for c in range(args.clients)]}
            shape.result = measure(server, plan, work)
        notes.append("tracebacks in the server's stderr: "
                     f"{server.stderr_count('Traceback')}")
    return measured


def rng_order(jobs: list[dict[str, Any]], client: int) -> list[dict[str, Any]]:
    """The queries in an order of the client's own, so clients do not move in step."""
    ordered = list(jobs)
    random.Random(client).shuffle(ordered)
    return ordered


REBUILD_HEADER = ["backend", "events in the log", "events the views read", "history written",
                  "processes", "baseline events/s", "rebuild events/s", "ratio",
                  "rebuild time", "verdict"]
RANKING_HEADER = ["backend", "query", "requests", "req/s", "p50 ms", "p99 ms", "max ms",
                  "non-2xx", "verdict"]


def rebuild_cells(r: Rebuilt) -> list[list[str]]:
    """A row for the rebuild in one process and one for it in `workers`, medians each."""
    rows = []
    for processes, base, rebuilt, ratio in zip(
            (1, r.workers), (r.baseline, r.baseline_shared), (r.single, r.rebuild),
            r.ratios(), strict=True):
        rows.append([r.backend, f"{r.written.events:,}", f"{r.events:,}",
                     f"{r.filled}, {r.written.rate:,.0f} events/s", str(processes),
                     f"{r.events / base.median:,.0f}", f"{r.events / rebuilt.median:,.0f}",
                     f"{ratio:.2f}", f"{rebuilt.median / 60:.1f} min",
                     "meets target" if ratio >= TARGET_RATIO else "SHORT of target"])
    return rows


def ranking_cells(s: Shape) -> list[str]:
    r = s.result
    bad = sum(r["non_2xx"].values()) + sum(r["errors"].values())
    return [s.backend, s.name, str(r["requests"]), f"{r['rps']:.0f}", f"{r['p50_ms']:.1f}",
            f"{r['p99_ms']:.1f}", f"{r['max_ms']:.1f}", str(bad), s.verdict()]


def text_table(header: list[str], rows: list[list[str]]) -> str:
    table = [header, *rows]
    widths = [max(len(line[i]) for line in table) for i in range(len(header))]
    return "\n".join("  ".join(c.ljust(w) for c, w in zip(line, widths, strict=True))
                     for line in table)


def markdown_table(header: list[str], rows: list[list[str]]) -> str:
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    return "\n".join(lines + ["| " + " | ".join(row) + " |" for row in rows])


def block_name(zones: int) -> str:
    """A block for each size: a quick run does not overwrite the figures of the full one."""
    return f"readmodels-{zones}"


def markdown(rebuilt: list[Rebuilt], measured: list[Shape], facts: dict[str, str],
             command: str, notes: list[str], zones: int) -> str:
    """The generated block: command, machine, the two tables and the run's notes."""
    begin, end = markers(block_name(zones))
    machine = "\n".join(fact(k, v) for k, v in facts.items())
    return "\n".join([
        begin,
        "<!-- Written by `python -m bench.readmodels`; edit the text outside these markers. -->",
        "", f"Produced by `{command}` (run from the repository root).", "", machine, "",
        markdown_table(REBUILD_HEADER, [row for r in rebuilt for row in rebuild_cells(r)]), "",
        markdown_table(RANKING_HEADER, [ranking_cells(s) for s in measured]), "",
        *(f"- {n}" if "\n" not in n else f"\n{n}\n" for n in notes),
        end,
    ])


def run(args: argparse.Namespace, backends: list[str]) -> tuple[list[Rebuilt], list[Shape]]:
    """Every backend in turn; the first store filled is the others' source."""
    rebuilt, measured, source = [], [], None
    with ExitStack() as stack:
        work = stack.enter_context(workspace())
        for backend in backends:
            url = stack.enter_context(fresh_database(backend, args.postgres, work, backend))
            say(f"[{backend}] store at {url}")
            result = rebuild_store(backend, url, source, args, work)
            say(text_table(REBUILD_HEADER, rebuild_cells(result)))
            shapes_of = ranking(backend, url, args, work, result.notes)
            say(text_table(RANKING_HEADER, [ranking_cells(s) for s in shapes_of]))
            rebuilt.append(result)
            measured += shapes_of
            source = source or url
    return rebuilt, measured


def main(argv: list[str] | None = None) -> None:
    args = parse_args(argv)
    backends = ["sqlite", "postgres"] if args.backend == "both" else [args.backend]
    started = time.perf_counter()
    notes = [f"Other load on the machine before the run: {load_average()}."]
    rebuilt, measured = run(args, backends)
    notes.append(f"Other load on the machine after the run: {load_average()}.")
    notes += [f"{r.backend}: {n}" for r in rebuilt for n in r.notes]
    notes.append(f"The whole run took {(time.perf_counter() - started) / 60:.0f} min.")
    print(text_table(REBUILD_HEADER, [row for r in rebuilt for row in rebuild_cells(r)]))
    print(text_table(RANKING_HEADER, [ranking_cells(s) for s in measured]))
    print("\n".join(notes))
    if not args.no_doc:
        command = shlex.join(["python", "-m", "bench.readmodels", *sys.argv[1:]])
        facts = machine_facts(args.postgres if "postgres" in backends else None)
        write_block(args.doc, markdown(rebuilt, measured, facts, command, notes, args.zones),
                    block_name(args.zones))
        print(f"written to {args.doc}")


if __name__ == "__main__":
    main()
