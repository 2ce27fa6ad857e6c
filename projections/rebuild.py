"""Rebuilding read models from the first event: resumable, with progress, safe beside a
running service.

A rebuild resets each view in one transaction (its tables dropped and made anew, its
position back to 0, a mark that it is being rebuilt), then catches it up batch by batch like
any runner: rows and position committed together. Interrupted, it resumes from the position
the last batch committed, when run again or when the service starts. Runners of a service
that catch up meanwhile take their turn at a batch; the position rows (locked FOR UPDATE on
PostgreSQL, one writer at a time on SQLite) and the check that a position is still the one
read keep any batch from being applied twice or skipped.

With `workers` above one, the views that can be (`View.parted`) are brought up in as many
parts, each the events of a share of the appraisals, in processes of their own: each reads
the log but decodes and applies only its part, so the costly work is shared evenly whatever
the views weigh. Each part has a position row of its own; the view's own stands at PARTED,
which runners leave alone, until every part has reached the end and the rebuild moves it
there. An interrupted rebuild in parts resumes in the same parts. The other views, whose
events are few, are caught up whole by this process meanwhile.

Either way the indexes that only reads use (tracking.BUILT_LAST) are dropped at the reset and
built once at the end, from sorted keys, instead of being kept up key by key. A service that
starts while a rebuild in one process is unfinished builds them (Follower.create_tables).

A view that failed on an event (tracking.Failure) is always started over, its mark cleared:
the code that failed may have been fixed since, and the rows before that event are the old
code's. Failing again, it is marked again and left unfinished; the rebuild finishes the
others and names it.
"""

import multiprocessing
import time
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from multiprocessing import connection

from sqlalchemy import Engine, Index, select

from projections.tracking import (
    PARTED,
    Failure,
    Follower,
    Part,
    View,
    built_last,
    failures,
    metadata,
    missing_built_last,
    part_of,
    parts_of,
    positions,
    rebuilds,
    view_of,
)

Echo = Callable[[str], None]
# Events a rebuild's batch reads, in each of its processes. A batch's updates land all over
# a view's tables, and each page they touch is written again at the commit; and an appraisal's
# events in one batch are folded into one write. Fewer, larger batches write each page fewer
# times (measured on SQLite: batches of 10,000 twice the rate of 1,000's; of 100,000, 1.3
# times that of 10,000's; on PostgreSQL at 100,000 zones in two parts: 551 s with 100,000,
# 413 s with 400,000, 372 s with 800,000). A batch holds about 5 KB an event while it is
# worked: some 2 GB a process.
BATCH = 400_000
# Catches views up to a log position in a process of its own: a part of the first named,
# the whole of the second. Given by the caller, which knows how to connect (it must pickle:
# a module's function, or a partial of one).
Share = Callable[[int, list[str], Part | None, list[str]], None]


def unfinished(engine: Engine) -> set[str]:
    """The views whose last rebuild has not reached the end of the log."""
    with engine.connect() as conn:
        return set(conn.execute(select(rebuilds.c.name)).scalars())


def reset(follower: Follower, views: Sequence[View], parts: int = 1,
          indexes_last: bool = False) -> None:
    """Empty the views (tables dropped and created anew) and move them back to the start,
    those that can be in `parts` parts; in parts, or with `indexes_last`, without the
    indexes only reads use (built by _build_indexes)."""
    names = [v.name for v in views]
    if not names:
        return
    with follower.writer.begin() as conn:
        # Wait for a runner's batch in flight; runners that come later find position 0
        # (or PARTED) instead of the one they read, and read again (or leave it).
        conn.execute(select(positions.c.name).where(positions.c.name.in_(names))
                     .order_by(positions.c.name).with_for_update())
        for view in views:
            metadata.drop_all(conn, tables=list(view.tables))
            metadata.create_all(conn, tables=list(view.tables))
            conn.execute(positions.delete().where(parts_of(view.name)))
            conn.execute(failures.delete().where(failures.c.name == view.name))
            split = parts > 1 and view.parted
            conn.execute(positions.update().where(positions.c.name == view.name)
                         .values(position=PARTED if split else 0))
            if split or indexes_last:
                for index in built_last(view):
                    index.drop(conn)
            if split:
                conn.execute(positions.insert(), [{"name": Part(k, parts).track(view.name),
                                                  "position": 0} for k in range(parts)])
        conn.execute(rebuilds.delete().where(rebuilds.c.name.in_(names)))
        conn.execute(rebuilds.insert(), [{"name": name} for name in names])
    follower.forget(views)


class ProgressReport:
    """Prints events done / total and the rate, at most once every `every` seconds."""

    def __init__(self, echo: Echo, start: int, end: int, every: float = 1.0):
        self.echo, self.start, self.end, self.every = echo, start, end, every
        self.began = self.last = time.monotonic()
        self.position = start

    def __call__(self, position: int) -> None:
        self.position = position
        if time.monotonic() - self.last >= self.every:
            self.last = time.monotonic()
            self.echo(self.line())

    def line(self) -> str:
        done, total = self.position - self.start, max(self.end - self.start, 0)
        elapsed = max(time.monotonic() - self.began, 1e-9)
        share = f" ({100 * done / total:.1f}%)" if total else ""
        return (f"{done:,}/{total:,} events{share}, {done / elapsed:,.0f} events/s, "
                f"{elapsed:.1f} s")


def rebuild(follower: Follower, *, views: Sequence[View] | None = None,
            restart: bool = False, echo: Echo = print, share: Share | None = None,
            workers: int = 1, batch_size: int = BATCH) -> list[Failure]:
    """Rebuild the views (default: every one) from the first event up to the log's end now,
    those that can be in `workers` parts, each in a process running `share` (default: one
    after another in this one); the views that failed on an event again.

    Views an interrupted rebuild left unfinished resume where it stopped, unless `restart`
    or they failed.
    """
    chosen = follower.views if views is None else list(views)
    left = set() if restart else (unfinished(follower.writer) & {v.name for v in chosen}
                                  ) - follower.failed().keys()
    if left:
        echo(f"resuming the unfinished rebuild of {', '.join(sorted(left))} "
             "(--restart starts over)")
    # Parts already begun go on as they were; a view left in other parts starts over.
    counts = _parts(follower, left)
    parts = max(counts.values(), default=workers)
    reset(follower, [v for v in chosen if counts.get(v.name, parts) != parts
                     or v.name not in left], parts, indexes_last=True)
    end = follower.recorder.max_notification_id() or 0
    report = ProgressReport(echo, min(_positions(follower, chosen), default=0), end)
    follower.forget(chosen)  # whatever it knew, a rebuild (maybe another's) moved them back
    split = _split(follower, chosen)
    whole = [v for v in chosen if v not in split]
    if split and share is not None:
        _in_processes(follower, chosen, (split, parts), whole, end, share, report,
                      batch_size)
    else:
        def caught_up(position: int) -> None:
            report(min(_positions(follower, chosen)))
        for k in range(parts if split else 0):
            follower.catch_up(until=end, views=split, progress=caught_up,
                              batch_size=batch_size, part=Part(k, parts))
        follower.catch_up(until=end, views=whole, progress=caught_up, batch_size=batch_size)
    failed = [f for name, f in follower.failed().items() if name in {v.name for v in chosen}]
    done = [v for v in chosen if v.name not in {f.view for f in failed}]
    _build_indexes(follower, done, echo, parts)
    _finish(follower, done, end)
    for failure in failed:
        echo(f"{failure.view} failed at event {failure.position}: {failure.error}")
    echo(f"rebuilt {', '.join(v.name for v in done) or 'nothing'}: {report.line()}")
    return failed


def _parts(follower: Follower, names: set[str]) -> dict[str, int]:
    """How many parts each of the named views' unfinished rebuild brings it up in, if any
    (its parts' rows are named view:index/count)."""
    counts = {}
    with follower.writer.connect() as conn:
        for name in conn.execute(select(positions.c.name)).scalars():
            if (part := part_of(name)) and view_of(name) in names:
                counts[view_of(name)] = part.count
    return counts


def _split(follower: Follower, views: Sequence[View]) -> list[View]:
    """The views standing in parts."""
    with follower.writer.connect() as conn:
        parted = set(conn.execute(select(positions.c.name).where(
            positions.c.name.in_([v.name for v in views]), positions.c.position == PARTED))
            .scalars())
    return [v for v in views if v.name in parted]


def _build_indexes(follower: Follower, views: Sequence[View], echo: Echo,
                   workers: int) -> None:
    """The indexes the views left to the end (BUILT_LAST) that are missing, each in a
    transaction of its own: on SQLite, runners wait for the writer no longer than one index
    takes. On PostgreSQL `workers` at once, as its server builds each in a process of its
    own (SQLite's one writer builds one at a time). Runners leave the views in parts alone
    until _finish; a rebuild run again after a crash builds those still missing."""
    with follower.reader.connect() as conn:
        missing = [index for view in views for index in missing_built_last(conn, view)]

    def build(index: Index) -> None:
        echo(f"building the index {index.name}")
        with follower.writer.begin() as conn:
            index.create(conn, checkfirst=True)

    at_once = 1 if follower.writer.dialect.name == "sqlite" else workers
    with ThreadPoolExecutor(at_once) as pool:
        list(pool.map(build, missing))


def _finish(follower: Follower, views: Sequence[View], end: int) -> None:
    """Every part at the end: the views' own positions there, their parts and marks gone."""
    names = [v.name for v in views]
    with follower.writer.begin() as conn:
        conn.execute(select(positions.c.name).where(positions.c.name.in_(names))
                     .order_by(positions.c.name).with_for_update())
        for name in names:
            of_parts = parts_of(name)
            behind = conn.execute(select(positions.c.name).where(
                of_parts, positions.c.position != end)).scalars().all()
            if behind:
                raise RuntimeError(f"{', '.join(behind)} did not reach event {end}; "
                                   "run the rebuild again to resume")
            conn.execute(positions.delete().where(of_parts))
        conn.execute(positions.update().where(positions.c.name.in_(names),
                                              positions.c.position == PARTED)
                     .values(position=end))
        conn.execute(rebuilds.delete().where(rebuilds.c.name.in_(names)))


def _in_processes(follower: Follower, views: Sequence[View],
                  split: tuple[Sequence[View], int], whole: Sequence[View], end: int,
                  share: Share, report: ProgressReport, batch_size: int) -> None:
    """Run each part's catch-up in a process of its own, and the views not in parts in this
    one meanwhile (it only waited: a process more to start, and after the parts it kept one
    core idle for a tenth of the time); report progress from the positions they commit; fail
    if any of them failed (a new run resumes)."""
    parted, count = split
    context = multiprocessing.get_context("spawn")  # no threads or connections inherited
    processes = [context.Process(target=share, args=(end, [v.name for v in parted],
                                                     Part(k, count), []), daemon=True)
                 for k in range(count)]
    for process in processes:
        process.start()
    try:
        follower.catch_up(until=end, views=whole, batch_size=batch_size,
                          progress=lambda _: report(min(_positions(follower, views))))
        while running := [p.sentinel for p in processes if p.is_alive()]:
            # Until one ends, or half a second (joining the first alone spun, once it ended,
            # reading positions on the core the others needed).
            connection.wait(running, timeout=0.5)
            report(min(_positions(follower, views)))
    finally:
        for process in processes:
            process.join()
    if failed := sum(process.exitcode != 0 for process in processes):
        raise RuntimeError(f"{failed} of the rebuild's {len(processes)} processes failed; "
                           "run the rebuild again to resume")
    report(end)


def _positions(follower: Follower, views: Sequence[View]) -> list[int]:
    """The positions of the views and of their parts (those standing PARTED left out)."""
    names = {v.name for v in views}
    with follower.reader.connect() as conn:
        rows = conn.execute(select(positions.c.name, positions.c.position)).tuples().all()
    return [position for name, position in rows
            if view_of(name) in names and position != PARTED]
