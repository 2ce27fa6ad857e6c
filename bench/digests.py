"""The daily digests at month-end: every person's, for a province, against one read of the
appraisal index.

    python -m bench.digests [--zones 100000] [--backend sqlite|postgres|both]

For each backend a fresh store gets the province of bench/history.py (its organisation and
users) and one month of appraisals left where month-end finds them: the zones in turn wait
for the self-check, the zone evaluation, the group review and the branch approval (the
demo's plan cut short: some were returned on the way), so every step is pending somewhere
and every kind of signer has something waiting. The events go straight into the store as
the other benches write them; the read models are brought up by the real follower
(`Follower.catch_up`, as `appraisal remind` does before it reads).

Then, `--repeat` times, interleaved:

- the baseline: one read of the appraisal index's rows (every row, every column);
- the digests: `service.cases.digests.digests` for the whole organisation, and each one
  written as the channels would send it (the e-mail's subject and text, the robots'
  markdown) to a channel that only counts the bytes: what `appraisal remind` does before
  the network.

The target: every person's digest in under 60 s at 100,000 zones. The ratio to the baseline
says how much more than reading the index the whole of it costs.
"""

import argparse
import random
import statistics
import sys
import time
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import select

from bench import history
from bench.facts import load_average, machine_facts
from bench.report import fact, markers, write_block
from bench.servers import ADMIN_PASSWORD, SECRET_KEY, fresh_database, workspace
from bench.signoff import DOC, POSTGRES_ADMIN, say
from domain.policy import DEFAULT_POLICY
from projections.appraisal_index import appraisals
from reports import digest_text
from service.auth import hash_password
from service.cases.digests import Digest, digests
from service.runtime import build
from service.settings import Settings

TARGET_SECONDS = 60.0
PERIOD, MONTH = "2026-10", 10
DAY = date(2026, 11, 9)  # the self-checks are overdue, the evaluations due
EVERY_STEP = 4  # zone k waits for step k mod 4


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m bench.digests", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--zones", type=int, default=10_000,
                        help="zones in the province (the issue's size: 100000)")
    parser.add_argument("--backend", choices=["sqlite", "postgres", "both"], default="both")
    parser.add_argument("--repeat", type=int, default=3, help="measured runs (medians)")
    parser.add_argument("--postgres", default=POSTGRES_ADMIN,
                        help="an admin URL; a database is created beside it and dropped after")
    parser.add_argument("--doc", type=Path, default=DOC, help="where the results are written")
    parser.add_argument("--no-doc", action="store_true", help="print only; write no document")
    return parser.parse_args(argv)


def month_end(made: history.Province, rng: random.Random) -> Iterator[Any]:
    """The month's appraisals, each cut short where it waits (its index mod EVERY_STEP)."""
    policy = {str(g): a for g, a in DEFAULT_POLICY.items()}
    opened = datetime(2026, 11, 1, 8, tzinfo=UTC)
    for index, zone in enumerate(made.zones):
        played = history.moves(zone, index, MONTH, rng)
        forward = 0
        for cut, (action, _, _) in enumerate(played):  # up to the wanted forward step
            if forward == index % EVERY_STEP:
                played = played[:cut]
                break
            forward += action not in ("return", "reopen")
        at = [opened + timedelta(hours=k, seconds=index % 3600) for k in range(16)]
        yield from history.appraisal(zone, PERIOD, history.signers(zone, MONTH)["secretary"],
                                     at.__getitem__, played, policy, rng)


def fill(url: str, zones: int) -> tuple[int, float]:
    """The province and its month-end, written; (events, seconds)."""
    started = time.perf_counter()
    made = history.province(zones)
    app = history.open_store(url, SECRET_KEY)
    try:
        writer = history.empty_writer(app, url, 10_000)
        clock = history.Clock(datetime(2025, 12, 1, tzinfo=UTC))
        writer.aggregates(history.organisation(made, hash_password(ADMIN_PASSWORD),
                                               hash_password(history.PASSWORD), clock))
        encode = app.mapper.to_stored_event
        writer.stored(encode(e) for e in month_end(made, random.Random(2026)))
    finally:
        app.close()
    return writer.written, time.perf_counter() - started


def counted(made: dict[str, Digest]) -> int:
    """Every digest written as the channels send it; the bytes, counted."""
    total = 0
    for digest in made.values():
        counts = digest.counts()
        lines = [digest_text.Line(i.period, i.zone_id, i.zone_name, i.state, i.due, i.standing)
                 for i in digest.items]
        title, text = digest_text.markdown(digest.display_name, digest.day, counts, lines)
        total += len(digest_text.subject(digest.day, counts).encode()) + len(title.encode())
        total += len(digest_text.email_text(digest.display_name, digest.day, counts,
                                            lines).encode()) + len(text.encode())
    return total


def measure(backend: str, url: str, args: argparse.Namespace) -> dict[str, Any]:
    events, seconds = fill(url, args.zones)
    say(f"{backend}: {events:,} events written in {seconds:.0f} s ({load_average()})")
    rt = build(Settings(database_url=url, secret_key=SECRET_KEY))
    try:
        started = time.perf_counter()
        rt.caught_up()
        follow = time.perf_counter() - started
        say(f"{backend}: read models caught up in {follow:.0f} s")
        base, runs, made, sent = [], [], {}, 0
        for _ in range(args.repeat):
            started = time.perf_counter()
            with rt.engines.reader.connect() as conn:
                rows = conn.execute(select(appraisals)).all()
            base.append(time.perf_counter() - started)
            started = time.perf_counter()
            made = digests(rt, DAY)
            sent = counted(made)
            runs.append(time.perf_counter() - started)
            say(f"{backend}: index read {base[-1]:.2f} s ({len(rows):,} rows); digests "
                f"{runs[-1]:.2f} s ({load_average()})")
    finally:
        rt.close()
    items = sum(len(d.items) for d in made.values())
    return {"backend": backend, "events": events, "follow": follow,
            "baseline": statistics.median(base), "digests": statistics.median(runs),
            "people": len(made), "items": items, "bytes": sent}


def block(zones: int, results: list[dict[str, Any]], facts: dict[str, str]) -> str:
    begin, end = markers(f"digests-{zones}")
    rows = ["| backend | events | read models caught up | index read (baseline) | every "
            "digest | ratio | people | items | bytes written | verdict |",
            "|---|---|---|---|---|---|---|---|---|---|"]
    for r in results:
        verdict = "meets target" if r["digests"] < TARGET_SECONDS else "SHORT of target"
        rows.append(f"| {r['backend']} | {r['events']:,} | {r['follow']:.0f} s | "
                    f"{r['baseline']:.2f} s | {r['digests']:.2f} s | "
                    f"{r['digests'] / r['baseline']:.1f}× | {r['people']:,} | {r['items']:,} | "
                    f"{r['bytes']:,} | {verdict} |")
    command = " ".join(["python -m bench.digests", *sys.argv[1:]])
    return "\n".join([begin, "", f"`{command}` ({zones:,} zones, target < "
                      f"{TARGET_SECONDS:.0f} s for every digest; medians)", "",
                      *(fact(k, v) for k, v in facts.items()), "", *rows, "", end])


def main(argv: list[str] | None = None) -> None:
    args = parse_args(argv)
    backends = ["sqlite", "postgres"] if args.backend == "both" else [args.backend]
    results = []
    with workspace() as work:
        for backend in backends:
            with fresh_database(backend, args.postgres, work, "digests") as url:
                results.append(measure(backend, url, args))
    facts = machine_facts(args.postgres if "postgres" in backends else None)
    text = block(args.zones, results, facts)
    print(text)
    if not args.no_doc:
        write_block(args.doc, text, f"digests-{args.zones}")


if __name__ == "__main__":
    main()
