"""Checkpoints made as the log grows, on a thread of the service's process: shortly after a
branch approval (the approvals of the next second make one checkpoint together), and at
least every `checkpoint_minutes` while anything changed.

A request only signals; the checkpoint is made here, so an approval waits for no
signature. Processes that do it at once are fine: a checkpoint of a size is kept once
(service.cases.checkpoints.make).
"""

import logging
import threading
from collections.abc import Callable

LOG = logging.getLogger("appraisal.checkpoints")
SETTLE_SECONDS = 1.0  # after an approval, for the rest of its batch


class Checkpointer:
    """Calls `make` after each `signal` (once a batch has settled) and every `every`
    seconds; logs what fails and goes on."""

    def __init__(self, make: Callable[[], object], every: float,
                 settle: float = SETTLE_SECONDS):
        self.make, self.every, self.settle = make, every, settle
        self._signalled = threading.Event()
        self._stopped = threading.Event()
        self._thread = threading.Thread(target=self._run, name="checkpointer", daemon=True)

    def start(self) -> None:
        self._thread.start()

    def signal(self) -> None:
        """A branch approval was recorded: a checkpoint is due."""
        self._signalled.set()

    def stop(self) -> None:
        self._stopped.set()
        self._signalled.set()  # wake it now
        self._thread.join()

    def _run(self) -> None:
        while not self._stopped.is_set():
            if self._signalled.wait(self.every):
                self._stopped.wait(self.settle)
            self._signalled.clear()
            if self._stopped.is_set():
                return
            self._make()

    def _make(self) -> None:
        try:
            self.make()
        except Exception:  # the service goes on; the next round tries again
            LOG.exception("a checkpoint could not be made")
