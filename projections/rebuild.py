"""Rebuilding read models from the first event: resumable, with progress, safe beside a
running service.

A rebuild resets each view in one transaction (its tables dropped and made anew, its
position back to 0, a mark that it is being rebuilt), then catches it up batch by batch like
any runner: rows and position committed together. Interrupted, it resumes from the position
the last batch committed, when run again or when the service starts. Runners of a service
that catch up meanwhile take their turn at a batch; the position rows (locked FOR UPDATE on
PostgreSQL, one writer at a time on SQLite) and the check that a position is still the one
read keep any batch from being applied twice or skipped.
"""

import time
from collections.abc import Callable, Sequence

from sqlalchemy import Engine, select

from projections.tracking import Follower, View, metadata, positions, rebuilds

Echo = Callable[[str], None]


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
            restart: bool = False, echo: Echo = print) -> None:
    """Rebuild the views (default: every one) from the first event up to the log's end now.

    Views an interrupted rebuild left unfinished resume where it stopped, unless `restart`.
    """
    chosen = follower.views if views is None else list(views)
    left = set() if restart else unfinished(follower.writer) & {v.name for v in chosen}
    if left:
        echo(f"resuming the unfinished rebuild of {', '.join(sorted(left))} "
             "(--restart starts over)")
    reset(follower, [v for v in chosen if v.name not in left])
    end = follower.recorder.max_notification_id() or 0
    with follower.reader.connect() as conn:
        start = conn.execute(select(positions.c.position).where(
            positions.c.name.in_([v.name for v in chosen]))).scalars().all()
    report = ProgressReport(echo, min(start, default=0), end)
    follower.forget(chosen)  # whatever it knew, a rebuild (maybe another's) moved them back
    follower.catch_up(until=end, views=chosen, progress=report)
    with follower.writer.begin() as conn:
        conn.execute(rebuilds.delete().where(rebuilds.c.name.in_([v.name for v in chosen])))
    echo(f"rebuilt {', '.join(v.name for v in chosen)}: {report.line()}")
