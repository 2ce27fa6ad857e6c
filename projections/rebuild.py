"""Rebuilding read models from the first event: resumable, with progress, safe beside a
running service.

A rebuild resets each view in one transaction (its tables dropped and made anew, its
position back to 0, a mark that it is being rebuilt), then catches it up batch by batch like
any runner: rows and position committed together. Interrupted, it resumes from the position
the last batch committed, when run again or when the service starts. Runners of a service
that catch up meanwhile take their turn at a batch; the position rows (locked FOR UPDATE on
PostgreSQL, one writer at a time on SQLite) and the check that a position is still the one
read keep any batch from being applied twice or skipped.

With `workers` above one, the views are shared among that many processes, each catching its
share up like a runner of its own (each reads and decodes the events its views need); the
views' costs (`weight`) are balanced between them. A view's rows and position are still
written by one process at a time.
"""

import multiprocessing
import time
from collections.abc import Callable, Sequence

from sqlalchemy import Engine, select

from projections.tracking import Follower, View, metadata, positions, rebuilds

Echo = Callable[[str], None]
# Events a rebuild's batch: ten times a service's. A batch's updates land all over a view's
# tables, and each page they touch is written again at the commit: fewer, larger batches
# write each page fewer times (measured: twice the rate of batches of 1,000 on SQLite).
BATCH = 10_000
# Catches the named views up to a log position, in a process of its own: given by the caller,
# which knows how to connect (it must pickle: a module's function, or a partial of one).
Part = Callable[[int, list[str]], None]


def unfinished(engine: Engine) -> set[str]:
    """The views whose last rebuild has not reached the end of the log."""
    with engine.connect() as conn:
        return set(conn.execute(select(rebuilds.c.name)).scalars())


def reset(follower: Follower, views: Sequence[View]) -> None:
    """Empty the views (tables dropped and created anew) and move them back to the start."""
    names = [v.name for v in views]
    if not names:
        return
    with follower.writer.begin() as conn:
        # Wait for a runner's batch in flight; runners that come later find position 0
        # instead of the one they read, and read again.
        conn.execute(select(positions.c.name).where(positions.c.name.in_(names))
                     .order_by(positions.c.name).with_for_update())
        for view in views:
            metadata.drop_all(conn, tables=list(view.tables))
            metadata.create_all(conn, tables=list(view.tables))
        conn.execute(positions.update().where(positions.c.name.in_(names)).values(position=0))
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
            restart: bool = False, echo: Echo = print, part: Part | None = None,
            workers: int = 1, batch_size: int = BATCH) -> None:
    """Rebuild the views (default: every one) from the first event up to the log's end now,
    in `workers` processes running `part` (default: in this one).

    Views an interrupted rebuild left unfinished resume where it stopped, unless `restart`.
    """
    chosen = follower.views if views is None else list(views)
    left = set() if restart else unfinished(follower.writer) & {v.name for v in chosen}
    if left:
        echo(f"resuming the unfinished rebuild of {', '.join(sorted(left))} "
             "(--restart starts over)")
    reset(follower, [v for v in chosen if v.name not in left])
    end = follower.recorder.max_notification_id() or 0
    report = ProgressReport(echo, min(_positions(follower, chosen), default=0), end)
    follower.forget(chosen)  # whatever it knew, a rebuild (maybe another's) moved them back
    shares = shared(chosen, workers)
    if part is None or len(shares) == 1:
        follower.catch_up(until=end, views=chosen, progress=report, batch_size=batch_size)
    else:
        _in_processes(follower, chosen, [[v.name for v in share] for share in shares],
                      end, part, report)
    with follower.writer.begin() as conn:
        conn.execute(rebuilds.delete().where(rebuilds.c.name.in_([v.name for v in chosen])))
    echo(f"rebuilt {', '.join(v.name for v in chosen)}: {report.line()}")


def shared(views: Sequence[View], workers: int) -> list[list[View]]:
    """The views in at most `workers` shares of about equal weight (heaviest placed first,
    each in the lightest share so far)."""
    shares: list[list[View]] = [[] for _ in range(max(1, min(workers, len(views))))]
    for view in sorted(views, key=lambda v: (-v.weight, v.name)):
        min(shares, key=lambda share: sum(v.weight for v in share)).append(view)
    return shares


def _in_processes(follower: Follower, views: Sequence[View], shares: list[list[str]],
                  end: int, part: Part, report: ProgressReport) -> None:
    """Run each share's catch-up in a process of its own; report progress from the
    positions they commit; fail if any of them failed (a new run resumes)."""
    context = multiprocessing.get_context("spawn")  # no threads or connections inherited
    processes = [context.Process(target=part, args=(end, names), daemon=True)
                 for names in shares]
    for process in processes:
        process.start()
    try:
        while any(process.is_alive() for process in processes):
            processes[0].join(timeout=0.5)
            report(min(_positions(follower, views)))
    finally:
        for process in processes:
            process.join()
    if failed := [names for process, names in zip(processes, shares, strict=True)
                  if process.exitcode != 0]:
        raise RuntimeError(f"rebuilding {failed} failed; run the rebuild again to resume")
    report(end)


def _positions(follower: Follower, views: Sequence[View]) -> list[int]:
    with follower.reader.connect() as conn:
        return list(conn.execute(select(positions.c.position).where(
            positions.c.name.in_([v.name for v in views]))).scalars())
