"""Password hashing on threads of its own, bounded.

An argon2 check takes 64 MiB and about 0.1 s of a core. Run on the request threads, a burst
of sign-ins would hold all of them and every other request would wait; here it holds at most
`threads` cores, with at most `queue` more waiting, and anything beyond is refused at once
(BusyError, 503 with Retry-After) rather than queued without end.
"""

import asyncio
import threading
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from typing import Any, TypeVar

from service.errors import BusyError

T = TypeVar("T")


class PasswordPool:
    """A few threads for argon2 and a bounded wait for them."""

    def __init__(self, threads: int, queue: int):
        self._executor = ThreadPoolExecutor(threads, thread_name_prefix="argon2")
        self._room = threading.BoundedSemaphore(threads + queue)

    def submit(self, work: Callable[..., T], *args: Any) -> "Future[T]":
        if not self._room.acquire(blocking=False):
            raise BusyError("too many password checks at once; try again shortly", 1)
        try:
            future = self._executor.submit(work, *args)
        except RuntimeError:  # shut down
            self._room.release()
            raise
        future.add_done_callback(lambda _: self._room.release())  # also when cancelled
        return future

    async def run(self, work: Callable[..., T], *args: Any) -> T:
        """From the event loop: no request thread waits for the hash."""
        return await asyncio.wrap_future(self.submit(work, *args))

    def call(self, work: Callable[..., T], *args: Any) -> T:
        """From a request thread (administration, rare): it waits, but within the bound."""
        return self.submit(work, *args).result()

    def close(self) -> None:
        self._executor.shutdown(wait=False, cancel_futures=True)
