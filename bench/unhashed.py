"""`appraisal` with the ledger off: the baseline bench.ledger sets the sign-off beside.

    python -m bench.unhashed serve --host ... --port ...

The same command, the same server, worker and settings, but transactions record events and
nothing more: no chain hashes, no tree nodes (SQLite's writer skips them; PostgreSQL's insert
function calls a ledger function that does nothing). The projection worker `serve` starts
is this module too, so that it does not put the real function back; and the benchmark opens
that store's appraisals under `unhashed()`. Only the benchmark runs it; a store it writes
has events the ledger lacks (`appraisal verify` says so), and the service proper refuses to
write after them, as it would after an event written around it.
"""

import subprocess
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from store import ledger, recorders


def _nothing(self: ledger.Ledger, cursor: object, limit: int = 0, *, written: object = None,
             stop: int = 0) -> int:
    return 0


def _no_function(d: ledger.Dialect) -> list[str]:
    return [f"CREATE OR REPLACE FUNCTION {d.prefix}ledger_extend(written bigint[]) RETURNS "
            "bigint LANGUAGE sql AS 'SELECT 0::bigint'"]


@contextmanager
def unhashed() -> Iterator[None]:
    """In this process, stores opened and written meanwhile keep no ledger."""
    saved = ledger.Ledger.extend, recorders.postgres_statements
    ledger.Ledger.extend = _nothing  # type: ignore[method-assign, assignment]
    recorders.postgres_statements = _no_function
    try:
        yield
    finally:
        ledger.Ledger.extend, recorders.postgres_statements = saved  # type: ignore[method-assign]


def _popen_this(args: list[str], *rest: Any, **options: Any) -> subprocess.Popen[bytes]:
    return _POPEN(["bench.unhashed" if a == "service.cli" else a for a in args], *rest,
                  **options)


_POPEN = subprocess.Popen

if __name__ == "__main__":
    from service.cli import main

    subprocess.Popen = _popen_this  # type: ignore[assignment, misc]
    with unhashed():
        main()
