"""The cyclic garbage collector paused while big batches of objects are built."""

import contextlib
import gc
from collections.abc import Iterator


@contextlib.contextmanager
def collector_paused() -> Iterator[None]:
    """No automatic cyclic collection inside: work that keeps millions of small objects alive
    at once (a rebuild's batch, a year's archive) would have the collector walk them again and
    again — a third of its time, measured in both. Refcounting frees them as usual; a cycle
    waits for the next collection. Another thread may pause it too: whoever found it on turns
    it back on (a thread turning it on early costs only speed). Also a decorator."""
    was_on = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_on:
            gc.enable()
