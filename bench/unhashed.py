"""`appraisal` with the ledger off: the baseline bench.ledger sets the sign-off beside.

    python -m bench.unhashed serve --host ... --port ...

The same command, the same server, worker and settings, but transactions record events and
nothing more: no chain hashes, no tree nodes. Only the benchmark runs it; a store it writes
to has events the ledger lacks (`appraisal verify` says so).
"""

from store.ledger import Ledger


def _nothing(self: Ledger, cursor: object, limit: int = 0) -> tuple[int, int]:
    return 0, -1


Ledger.extend = _nothing  # type: ignore[method-assign]

if __name__ == "__main__":
    from service.cli import main

    main()
