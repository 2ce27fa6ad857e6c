"""Read-your-writes by log position: a read waits, bounded, until its views have applied the
caller's last write.

The read models are kept by a worker (projections.worker), never by the request that reads
them. Each write's answer carries the log position its events reached (`Appraisal-Position`);
this process also remembers it per user, so a client that does not echo it still reads its
own writes from this process. Behind several API processes, a client echoes the header it
last got. A read that cannot reach the position within the bound answers anyway, saying
how many events its views stood behind (`Appraisal-Stale-Events`).
"""

import threading
from collections import OrderedDict
from collections.abc import Callable

from projections.tracking import Follower
from service.request_id import current

REMEMBERED = 10_000  # users whose last write this process keeps (the least recent go first)
NO_USER = ""  # writes made outside a request, or before it names its user: every read's


class Positions:
    """The log positions this process's writes reached, per user, bounded."""

    def __init__(self, wake: Callable[[], None] = lambda: None):
        self._last: OrderedDict[str, int] = OrderedDict()
        self._lock = threading.Lock()
        self.wake = wake  # the in-process worker's, if there is one

    def written(self, position: int) -> None:
        """A write of the request being served (if any) reached `position`."""
        trace = current()
        user = NO_USER if trace is None or trace.user is None else trace.user
        if trace is not None:
            trace.written = max(trace.written, position)
        with self._lock:
            self._last[user] = max(self._last.get(user, 0), position)
            self._last.move_to_end(user)
            if len(self._last) > REMEMBERED:
                self._last.popitem(last=False)
        self.wake()

    def wanted(self) -> int:
        """The position the request being served must read at: its client's echo, its
        user's last write here, and every write made here outside a request."""
        trace = current()
        with self._lock:
            own = 0 if trace is None or trace.user is None else self._last.get(trace.user, 0)
            return max(own, self._last.get(NO_USER, 0), 0 if trace is None else trace.after)


def ready(follower: Follower, positions: Positions, names: tuple[str, ...],
          timeout: float, whole: bool = False) -> None:
    """Wait (up to `timeout` seconds) until the named views have reached the position the
    request must read at (`whole`: the log's end, whoever wrote it); if they do not, the
    answer says how far behind they stood. ViewFailedError if one of them has failed."""
    wanted = positions.wanted()
    if whole:
        wanted = max(wanted, follower.recorder.max_notification_id() or 0)
    behind = follower.reached(names, wanted, timeout)
    if behind and (trace := current()) is not None:
        trace.stale = behind
