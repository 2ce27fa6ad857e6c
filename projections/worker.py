"""The projection worker: follows the event log and keeps every read model current.

It runs as a process of its own (`appraisal projections run`, which `appraisal serve` starts
beside the API), or as a thread of a one-process service. Several may run at once on
PostgreSQL: the views' position rows are locked while a batch is written, so no event is
applied twice. Requests never catch up themselves; they wait for it (service.consistency).
"""

import logging
import threading

from projections.tracking import Follower

log = logging.getLogger("appraisal.projections")

POLL_SECONDS = 0.05  # how often the log is looked at when nothing wakes the worker
MAX_BACKOFF_SECONDS = 5.0  # between tries while the database cannot be reached


class Worker:
    """Catches the views up, then waits for a wake-up (a write of this process) or the next
    poll; a database error is logged and tried again, later and later."""

    def __init__(self, follower: Follower, poll: float = POLL_SECONDS):
        self.follower = follower
        self.poll = poll
        self._wake = threading.Event()
        self._stopped = threading.Event()
        self._thread: threading.Thread | None = None

    def wake(self) -> None:
        """Something was written: look at the log now."""
        self._wake.set()

    def stop(self) -> None:
        """Stop after the batch at hand (its transaction ends first); waits for the thread."""
        self._stopped.set()
        self._wake.set()
        if self._thread is not None and self._thread is not threading.current_thread():
            self._thread.join()

    def run(self) -> None:
        """Follow the log until stopped."""
        pause = self.poll
        while not self._stopped.is_set():
            self._wake.clear()
            try:
                self.follower.catch_up()
                pause = self.poll
            except Exception:
                # A view that fails on an event is marked so by the follower and left behind;
                # what reaches here is the database's (gone, locked): try again later.
                pause = min(pause * 2, MAX_BACKOFF_SECONDS)
                log.exception("catching up the read models failed; trying again in %.1f s",
                              pause)
            self._wake.wait(pause)

    def start(self) -> None:
        """Follow the log on a thread of this process."""
        self._thread = threading.Thread(target=self.run, name="projection-worker", daemon=True)
        self._thread.start()
