"""Failed sign-ins counted per username and per client address, in a sliding window.

In-process memory: the service runs as one process (`appraisal serve`); were it ever run
as several, each would count its own failures, and the limits would be that many times
looser. Memory is bounded: a key keeps at most its limit of instants, and the keys least
recently failed are dropped beyond `capacity` (an attacker cycling usernames to flush them
is still counted by address).
"""

import math
import threading
import time
from collections import OrderedDict, deque
from collections.abc import Callable

from service.errors import TooManyAttemptsError

KEY_CHARS = 100  # longer usernames are no one's (64 at most); a key stays small


class SignInThrottle:
    """`check` before a sign-in, `failed` or `succeeded` after it."""

    def __init__(self, per_user: int, per_address: int, window: float,
                 capacity: int = 10_000, clock: Callable[[], float] = time.monotonic,
                 detail: str = "too many failed sign-ins; try again later"):
        self.limits = {"user": per_user, "address": per_address}
        self.window, self.capacity, self.clock = window, capacity, clock
        self.detail = detail  # what a refusal says: what was counted
        self._failures: OrderedDict[tuple[str, str], deque[float]] = OrderedDict()
        self._lock = threading.Lock()

    def check(self, username: str, address: str) -> None:
        """Refuse (429) while either the username or the address is over its limit."""
        now = self.clock()
        with self._lock:
            wait = max(self._wait(key, now) for key in self._keys(username, address))
        if wait > 0:
            raise TooManyAttemptsError(self.detail, math.ceil(wait))

    def failed(self, username: str, address: str) -> None:
        now = self.clock()
        with self._lock:
            for key in self._keys(username, address):
                kept = self._failures.pop(key, None) or deque(maxlen=self.limits[key[0]])
                kept.append(now)
                self._failures[key] = kept  # the most recent, last
            while len(self._failures) > self.capacity:
                self._failures.popitem(last=False)

    def succeeded(self, username: str) -> None:
        """The username's own count starts again; the address keeps its count."""
        with self._lock:
            self._failures.pop(("user", username[:KEY_CHARS]), None)

    def _keys(self, username: str, address: str) -> list[tuple[str, str]]:
        return [("user", username[:KEY_CHARS]), ("address", address[:KEY_CHARS])]

    def _wait(self, key: tuple[str, str], now: float) -> float:
        """Seconds until the key is under its limit again (0: it is)."""
        kept = self._failures.get(key)
        if not kept:
            return 0
        while kept and kept[0] <= now - self.window:
            kept.popleft()
        if len(kept) < self.limits[key[0]]:
            return 0
        return kept[0] + self.window - now
