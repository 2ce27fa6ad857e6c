"""The log's hashes, kept beside the events in the same database and written in the same
transaction as them: each event's chain hash (an entry, by its leaf index and log position)
and the Merkle tree's complete nodes above the leaves (ledger.tree).

A transaction that records events ends by extending the ledger with every event after the
last one it holds (`Ledger.extend`): its own, and any that reached the table another way (a
bulk load, a store made before the ledger). The log's order is the events' notification
order; the writers take turns (SQLite's one write transaction; on PostgreSQL the events
table's lock, held to the commit), so leaves are appended in that order.
"""

from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Any
from uuid import UUID

from ledger import tree
from ledger.offline import FIRST, HASHES, Hash, chain_hash, hasher, leaf_hash
from ledger.tree import Frontier, Node, edge


class LedgerError(Exception):
    """The ledger cannot be extended as configured (a different hash, a broken tail)."""


@dataclass(frozen=True)
class Dialect:
    """What differs between the two databases in the ledger's SQL."""

    param: str  # the driver's placeholder
    events: str  # the events table, qualified
    position: str  # its notification id column
    prefix: str  # where the ledger's tables go (a schema, or nothing)
    blob: str
    text_ids: bool  # SQLite keeps stream ids as 32 hex digits


SQLITE = "sqlite"


def dialect(backend: str, events: str, schema: str = "") -> Dialect:
    if backend == SQLITE:
        return Dialect("?", events, "rowid", "", "BLOB", True)
    return Dialect("%s", f'"{schema}"."{events}"', "notification_id", f'"{schema}".',
                   "BYTEA", False)


def create_statements(d: Dialect) -> list[str]:
    return [
        f"CREATE TABLE IF NOT EXISTS {d.prefix}ledger_meta "
        "(name TEXT PRIMARY KEY, value TEXT NOT NULL)",
        f"CREATE TABLE IF NOT EXISTS {d.prefix}ledger_entries (leaf BIGINT PRIMARY KEY, "
        f"position BIGINT NOT NULL UNIQUE, chain {d.blob} NOT NULL)",
        f"CREATE TABLE IF NOT EXISTS {d.prefix}ledger_nodes (level SMALLINT NOT NULL, "
        f"idx BIGINT NOT NULL, hash {d.blob} NOT NULL, PRIMARY KEY (level, idx))"
        + (" WITHOUT ROWID" if d.param == "?" else ""),
        # Signed checkpoints, kept, never replaced; the note holds the service's signatures.
        f"CREATE TABLE IF NOT EXISTS {d.prefix}ledger_checkpoints (size BIGINT PRIMARY KEY, "
        f"root {d.blob} NOT NULL, time BIGINT NOT NULL, key TEXT NOT NULL, note TEXT NOT NULL)",
        # Witnesses' cosignatures, each a signature line for the checkpoint's note.
        f"CREATE TABLE IF NOT EXISTS {d.prefix}ledger_cosignatures (size BIGINT NOT NULL, "
        "signer TEXT NOT NULL, key TEXT NOT NULL, time BIGINT NOT NULL, line TEXT NOT NULL, "
        "PRIMARY KEY (size, signer, key))",
        # Public keys as vkeys: the service's (one per rotation, from `since` on) and the
        # witnesses' whose cosignatures are accepted.
        f"CREATE TABLE IF NOT EXISTS {d.prefix}ledger_keys (vkey TEXT PRIMARY KEY, "
        "role TEXT NOT NULL, since BIGINT NOT NULL)",
    ]


def _pending_sql(d: Dialect) -> str:
    """The events after the ledger's last, each with the chain hash of its stream's previous
    event where the ledger holds it; and the ledger's size and last chain hash."""
    e, p = d.events, d.prefix
    return (
        f"WITH tail AS (SELECT leaf, position, chain FROM {p}ledger_entries "
        "ORDER BY leaf DESC LIMIT 1) "
        f"SELECT ev.{d.position}, ev.originator_id, ev.originator_version, ev.topic, ev.state, "
        f"(SELECT le.chain FROM {p}ledger_entries le WHERE le.position = "
        f"(SELECT pe.{d.position} FROM {e} pe WHERE pe.originator_id = ev.originator_id "
        "AND pe.originator_version < ev.originator_version "
        "ORDER BY pe.originator_version DESC LIMIT 1)), "
        "(SELECT leaf + 1 FROM tail), (SELECT chain FROM tail) "
        f"FROM {e} ev WHERE ev.{d.position} > coalesce((SELECT position FROM tail), 0) "
        f"ORDER BY ev.{d.position} LIMIT {d.param}")


def _stream(d: Dialect, value: Any) -> UUID:
    return UUID(hex=value) if d.text_ids else value


class Ledger:
    """Extends and reads the ledger's tables through a DB-API cursor of the event store."""

    def __init__(self, d: Dialect, hash_name: str = "sm3"):
        if hash_name not in HASHES:
            raise LedgerError(f"unknown hash {hash_name!r} (known: {', '.join(HASHES)})")
        self.dialect = d
        self.hash_name = hash_name
        self.h: Hash = hasher(hash_name)
        self._checked = False
        # The tree's right edge after this process's last extension, and the chain hash
        # it ended with: reused while the ledger still ends there (not if that
        # transaction failed, or another process extended it since).
        self._frontier: Frontier | None = None
        self._last_chain: bytes | None = None
        p = d.prefix
        self._pending = _pending_sql(d)
        self._insert_entries = (f"INSERT INTO {p}ledger_entries (leaf, position, chain) "
                                f"VALUES ({d.param}, {d.param}, {d.param})")
        self._insert_nodes = (f"INSERT INTO {p}ledger_nodes (level, idx, hash) "
                              f"VALUES ({d.param}, {d.param}, {d.param})")

    def check_hash(self, cursor: Any) -> None:
        """Record the hash on a new ledger; refuse to extend one made with another."""
        p, q = self.dialect.prefix, self.dialect.param
        cursor.execute(f"SELECT value FROM {p}ledger_meta WHERE name = 'hash'")
        row = cursor.fetchone()
        if row is None:
            cursor.execute(f"INSERT INTO {p}ledger_meta (name, value) VALUES ('hash', {q})",
                           [self.hash_name])
        elif row[0] != self.hash_name:
            raise LedgerError(f"this store's log hashes with {row[0]}, not {self.hash_name}; "
                              "the hash of a log cannot change")
        self._checked = True

    def extend(self, cursor: Any, limit: int = 1_000_000) -> tuple[int, int]:
        """Hash the events after the ledger's last (at most `limit`) into it, inside the
        caller's transaction; the number of events hashed and the ledger's new size."""
        if not self._checked:
            self.check_hash(cursor)
        cursor.execute(self._pending, [limit])
        rows = cursor.fetchall()
        if not rows:
            return 0, -1
        size, last = rows[0][6] or 0, rows[0][7]
        frontier = self._frontier_at(cursor, size, last)
        entries, nodes = [], []
        chains: dict[UUID, bytes] = {}
        for position, stream_id, version, topic, state, previous, *_ in rows:
            stream = _stream(self.dialect, stream_id)
            prior = chains.get(stream, previous if previous is not None else FIRST)
            chain = chain_hash(self.h, bytes(prior), stream, version, topic, bytes(state))
            chains[stream] = chain
            entries.append((frontier.size, position, chain))
            nodes.extend(frontier.append(self.h, leaf_hash(self.h, chain)))
        cursor.executemany(self._insert_entries, entries)
        if nodes:
            cursor.executemany(self._insert_nodes, nodes)
        self._frontier, self._last_chain = frontier, entries[-1][2]
        return len(entries), frontier.size

    def _frontier_at(self, cursor: Any, size: int, last: bytes | None) -> Frontier:
        cached = self._frontier
        if cached is not None and cached.size == size and self._last_chain == last:
            return cached
        return Frontier(size, self.nodes(cursor, edge(size)))

    def nodes(self, cursor: Any, keys: Iterable[Node]) -> Mapping[Node, bytes]:
        """The stored complete nodes named, leaves (level 0) hashed from their entries'
        chain hashes."""
        keys = set(keys)
        found: dict[Node, bytes] = {}
        leaves = sorted(i for level, i in keys if level == 0)
        inner = sorted(key for key in keys if key[0] > 0)
        for chunk in _chunks(leaves):
            cursor.execute(f"SELECT leaf, chain FROM {self.dialect.prefix}ledger_entries "
                           f"WHERE leaf IN ({', '.join([self.dialect.param] * len(chunk))})",
                           chunk)
            found.update({(0, i): leaf_hash(self.h, bytes(c)) for i, c in cursor.fetchall()})
        for chunk in _chunks(inner):
            where = " OR ".join([f"(level = {self.dialect.param} AND idx = {self.dialect.param})"]
                                * len(chunk))
            cursor.execute(f"SELECT level, idx, hash FROM {self.dialect.prefix}ledger_nodes "
                           f"WHERE {where}", [v for key in chunk for v in key])
            found.update({(level, i): bytes(h) for level, i, h in cursor.fetchall()})
        missing = keys - found.keys()
        if missing:
            raise LedgerError(f"the ledger lacks tree nodes {sorted(missing)[:5]}")
        return found


def _chunks(items: Sequence[Any], size: int = 200) -> Iterable[Sequence[Any]]:
    for start in range(0, len(items), size):
        yield items[start:start + size]


class Reader:
    """The ledger read through one cursor: sizes, roots and proofs, for any size it holds."""

    def __init__(self, ledger: Ledger, cursor: Any):
        self.ledger, self.cursor = ledger, cursor
        self.h = ledger.h

    def _fetch(self, keys: Iterable[Node]) -> Mapping[Node, bytes]:
        return self.ledger.nodes(self.cursor, keys)

    def size(self) -> int:
        self.cursor.execute(f"SELECT max(leaf) FROM {self.ledger.dialect.prefix}ledger_entries")
        last = self.cursor.fetchone()[0]
        return 0 if last is None else last + 1

    def root(self, size: int) -> bytes:
        return tree.root(self.h, self._fetch, size)

    def inclusion(self, leaf: int, size: int) -> list[bytes]:
        return tree.hashes_of(self.h, self._fetch, tree.inclusion_ranges(leaf, size))

    def consistency(self, old: int, new: int) -> list[bytes]:
        return tree.hashes_of(self.h, self._fetch, tree.consistency_ranges(old, new))

    def entries(self, after: int, limit: int) -> list[tuple[int, int, bytes]]:
        """Ledger entries (leaf, position, chain) after leaf `after`, in order."""
        d = self.ledger.dialect
        self.cursor.execute(
            f"SELECT leaf, position, chain FROM {d.prefix}ledger_entries WHERE leaf > {d.param} "
            f"ORDER BY leaf LIMIT {d.param}", [after, limit])
        return [(i, position, bytes(chain)) for i, position, chain in self.cursor.fetchall()]

    def entries_of(self, events: Sequence[tuple[UUID, int]]
                   ) -> dict[tuple[UUID, int], tuple[int, bytes]]:
        """The leaf and chain hash of each event named by (stream, version), read in chunks;
        an event the ledger lacks is left out."""
        d = self.ledger.dialect
        pair = f"(ev.originator_id = {d.param} AND ev.originator_version = {d.param})"
        found = {}
        for chunk in _chunks(events):
            self.cursor.execute(
                f"SELECT ev.originator_id, ev.originator_version, le.leaf, le.chain "
                f"FROM {d.events} ev JOIN {d.prefix}ledger_entries le "
                f"ON le.position = ev.{d.position} WHERE {' OR '.join([pair] * len(chunk))}",
                [v for stream, version in chunk
                 for v in (stream.hex if d.text_ids else stream, version)])
            found.update({(_stream(d, stream), version): (leaf, bytes(chain))
                          for stream, version, leaf, chain in self.cursor.fetchall()})
        return found

    def entries_at(self, positions: Sequence[int]) -> dict[int, tuple[int, bytes]]:
        """The leaf and chain hash of each event at these log positions, read in chunks; a
        position the ledger lacks is left out."""
        d = self.ledger.dialect
        found = {}
        for chunk in _chunks(positions, 500):
            self.cursor.execute(
                f"SELECT position, leaf, chain FROM {d.prefix}ledger_entries WHERE position IN "
                f"({', '.join([d.param] * len(chunk))})", list(chunk))
            found.update({position: (leaf, bytes(chain))
                          for position, leaf, chain in self.cursor.fetchall()})
        return found

    def inclusions(self, leaves: Iterable[int], size: int, batch: int = 4096
                   ) -> Iterator[tuple[int, list[bytes]]]:
        """The inclusion proofs of many leaves in the tree of `size`, in leaf order: a batch
        of leaves at a time, the nodes their proofs share read once, in one fetch; the few
        the tree's right edge cuts folded once."""
        for chunk in _chunks(sorted(set(leaves)), batch):
            paths = [tree.inclusion_nodes(leaf, size) for leaf in chunk]
            nodes = {node for path in paths for node in path}
            cut = {(level, index): tree.decomposed((index << level, size))
                   for level, index in nodes if tree.partial((level, index), size)}
            got = dict(self._fetch(nodes.difference(cut).union(*cut.values())))
            got.update({node: tree.fold(self.h, [got[n] for n in part])
                        for node, part in cut.items()})
            yield from ((leaf, [got[node] for node in path])
                        for leaf, path in zip(chunk, paths, strict=True))

    def last_position(self) -> int:
        """The last event's notification id (0 if none)."""
        d = self.ledger.dialect
        self.cursor.execute(f"SELECT max({d.position}) FROM {d.events}")
        return self.cursor.fetchone()[0] or 0

    def stream(self, stream: UUID) -> list[tuple[int, int, int, str, bytes, bytes]]:
        """A stream's events in order, each (leaf, position, version, topic, state, chain);
        an event the ledger lacks has leaf -1 and an empty chain."""
        d = self.ledger.dialect
        cursor = self.cursor
        cursor.execute(
            f"SELECT coalesce(le.leaf, -1), ev.{d.position}, ev.originator_version, ev.topic, "
            f"ev.state, coalesce(le.chain, {_EMPTY[d.param]}) FROM {d.events} ev "
            f"LEFT JOIN {d.prefix}ledger_entries le ON le.position = ev.{d.position} "
            f"WHERE ev.originator_id = {d.param} ORDER BY ev.originator_version",
            [stream.hex if d.text_ids else stream])
        return [(leaf, position, version, topic, bytes(state), bytes(chain))
                for leaf, position, version, topic, state, chain in cursor.fetchall()]


_EMPTY = {"?": "x''", "%s": "'\\x'::bytea"}
