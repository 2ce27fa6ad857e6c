"""`appraisal` with the ledger off: the baseline bench.ledger sets the sign-off beside.

    python -m bench.unhashed serve --host ... --port ...

The same command, the same server, worker and settings, but transactions record events and
nothing more: no chain hashes, no tree nodes (SQLite's writer skips them; PostgreSQL's insert
function calls a ledger function that does nothing). The projection worker `serve` starts
is this module too, so that it does not put the real function back. Only the benchmark runs
it; a store it writes has events the ledger lacks (`appraisal verify` says so), and
refuses any other process's write after them, as it would an event written around it.
"""

import subprocess
from typing import Any

from store import ledger, recorders


def _nothing(self: ledger.Ledger, cursor: object, limit: int = 0, *, written: object = None,
             stop: int = 0) -> int:
    return 0


def _no_function(d: ledger.Dialect) -> list[str]:
    return [f"CREATE OR REPLACE FUNCTION {d.prefix}ledger_extend(written bigint[]) RETURNS bigint "
            "LANGUAGE sql AS 'SELECT 0::bigint'"]


_popen = subprocess.Popen


def _popen_this(args: list[str], *rest: Any, **options: Any) -> subprocess.Popen[bytes]:
    return _popen(["bench.unhashed" if a == "service.cli" else a for a in args], *rest, **options)


ledger.Ledger.extend = _nothing  # type: ignore[method-assign]
recorders.postgres_statements = _no_function
subprocess.Popen = _popen_this  # type: ignore[assignment, misc]

if __name__ == "__main__":
    from service.cli import main

    main()
