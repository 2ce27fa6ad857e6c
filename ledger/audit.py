"""The whole log checked from its events up: every stream's chain, the tree the chains make,
and the checkpoints signed over it. It stops at the first thing that does not hold and names
it (stream, version, log position; or checkpoint size).

It trusts nothing stored but the events' own bytes: chain hashes and roots are recomputed
and compared with what the ledger holds and what the checkpoints signed.
"""

from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from uuid import UUID

from ledger.offline import FIRST, Hash, chain_hash, leaf_hash
from ledger.tree import Frontier


@dataclass(frozen=True)
class Event:
    position: int
    stream: UUID
    version: int
    topic: str
    state: bytes

    def __str__(self) -> str:
        return f"event {self.stream} version {self.version} at log position {self.position}"


@dataclass(frozen=True)
class Entry:
    leaf: int
    position: int
    chain: bytes


class Broken(Exception):
    """The first thing found that does not hold, said in a sentence that names it."""


_END = object()


# Roots that signed statements give the log at a size: (root, who says so).
Claims = Mapping[int, Sequence[tuple[bytes, str]]]


class Walk:
    """Events and ledger entries, both in log order, checked against each other pair by pair;
    the roots `claims` gives at some sizes compared on the way."""

    def __init__(self, h: Hash, claims: Claims):
        self.h = h
        self.claims = claims
        self.frontier = Frontier(0, {})
        self.chains: dict[UUID, bytes] = {}
        self.roots: dict[int, bytes] = {}

    @property
    def size(self) -> int:
        return self.frontier.size

    def run(self, events: Iterable[Event], entries: Iterable[Entry]) -> Iterator[int]:
        """Check everything; yields the number of events checked now and then (progress);
        raises Broken at the first fault."""
        pending_entries = iter(entries)
        entry = next(pending_entries, None)
        for event in events:
            self._step(event, entry)
            entry = next(pending_entries, None)
            if self.size % 65536 == 0:
                yield self.size
        if entry is not None:
            raise Broken(f"the ledger holds leaf {entry.leaf} for log position {entry.position}"
                         ", but no such event is stored: it was deleted")
        beyond = [size for size in self.claims if size > self.size]
        if beyond:
            raise Broken(f"{self.claims[min(beyond)][0][1]} is of a log of {min(beyond)} events;"
                         f" the store holds {self.size}: the log was truncated")
        yield self.size

    def _step(self, event: Event, entry: Entry | None) -> None:
        if entry is None or entry.position > event.position:
            raise Broken(f"{event} is not in the ledger: it was inserted around it, or its "
                         "ledger entry removed")
        if entry.leaf != self.size:
            raise Broken(f"the ledger's leaf {self.size} is missing (it holds {entry.leaf} "
                         f"next, for log position {entry.position})")
        if entry.position < event.position:
            raise Broken(f"the event at log position {entry.position} (leaf {entry.leaf}) is "
                         f"missing: it was deleted (the next stored is {event})")
        previous = self.chains.get(event.stream, FIRST)
        chain = chain_hash(self.h, previous, event.stream, event.version, event.topic,
                           event.state)
        if chain != entry.chain:
            raise Broken(f"{event}: its bytes are not those the ledger hashed (changed, or an "
                         "earlier event of its stream was changed or removed, or its ledger "
                         "entry was)")
        self.chains[event.stream] = chain
        self.frontier.append(self.h, leaf_hash(self.h, chain))
        claimed = self.claims.get(self.size, ())
        if claimed:
            root = self.frontier.root(self.h)
            for signed, who in claimed:
                if root != signed:
                    raise Broken(f"{who}: the log's root at size {self.size} is {root.hex()}, "
                                 f"not the {signed.hex()} it signed: the history was rewritten")
            self.roots[self.size] = root
