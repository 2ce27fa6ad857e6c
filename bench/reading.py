"""The rebuild's baseline: the views' events read from the log and decoded through the event
store library, and nothing else, in as many processes as the rebuild it is set beside.

Like the rebuild, each process reads in the rebuild's batches and the views' topics, with the
cyclic collector paused while it works (the rebuild pauses it for each batch), and starts
after the clock does. In several processes the log is cut into as many runs of positions,
one a process: the most evenly the library can share the reading out.
"""

import multiprocessing
import time

from bench.history import open_store
from bench.servers import SECRET_KEY
from projections.collector import collector_paused
from projections.rebuild import BATCH


@collector_paused()
def read_and_decode(url: str, topics: list[str], after: int, until: int) -> int:
    """The events of these topics after position `after` up to `until`, read by the library's
    `select_notifications` and decoded by its mapper: how many."""
    app = open_store(url, SECRET_KEY, create=False)
    try:
        recorder, mapper = app.recorder, app.mapper
        position, count = after, 0
        while position < until:
            found = recorder.select_notifications(start=position, limit=BATCH, stop=until,
                                                  topics=topics, inclusive_of_start=False)
            if not found:
                break
            count += len([mapper.to_domain_event(n) for n in found])
            position = found[-1].id
        return count
    finally:
        app.close()


def baseline(url: str, topics: list[str], end: int, processes: int) -> tuple[int, float]:
    """The events up to `end` read and decoded in `processes` processes (one: this one):
    how many, in how many seconds, the processes' start included."""
    cuts = [end * k // processes for k in range(processes + 1)]
    shares = [(url, topics, cuts[k], cuts[k + 1]) for k in range(processes)]
    started = time.perf_counter()
    if processes == 1:
        count = read_and_decode(*shares[0])
    else:
        # As the rebuild's processes: spawned, nothing inherited.
        with multiprocessing.get_context("spawn").Pool(processes) as pool:
            count = sum(pool.starmap(read_and_decode, shares))
    return count, time.perf_counter() - started
