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

CHUNK = 20_000  # events hashed a transaction when a backfill goes through a backlog


class LedgerError(Exception):
    """The ledger cannot be extended as configured (a different hash, a broken tail)."""


class UnrecordedEventError(LedgerError):
    """The log holds an event this service did not record: someone wrote around it. Writes
    stop until the store is verified and put right."""


UNRECORDED_SQLSTATE = "AP001"  # PostgreSQL's insert function raises the same refusal


def unrecorded(error: BaseException | None) -> bool:
    """Whether a failed write was refused for an event written around the ledger, as the
    recorders report it (their own error, or a database error caused by it)."""
    while error is not None:
        if isinstance(error, UnrecordedEventError) or \
                getattr(error, "sqlstate", None) == UNRECORDED_SQLSTATE:
            return True
        error = error.__cause__
    return False


@dataclass(frozen=True)
class Dialect:
    """What differs between the two databases in the ledger's SQL."""

    param: str  # the driver's placeholder
    events: str  # the events table, qualified
    position: str  # its notification id column
    prefix: str  # where the ledger's tables go (a schema, or nothing)
    blob: str
    text_ids: bool  # SQLite keeps stream ids as 32 hex digits

    def any_of(self, column: str, values: Sequence[int]) -> tuple[str, list[Any]]:
        """A BIGINT `column` is one of `values` (at most LIST_CHUNK), and its parameters: one
        array on PostgreSQL, which then parses and plans one parameter, not hundreds (typed:
        an integer[] compared with BIGINT is read row by row)."""
        if self.param == "?":
            return f"{column} IN ({', '.join('?' * len(values))})", list(values)
        return f"{column} = ANY(%s::bigint[])", [list(values)]

    def node_keys(self, keys: Sequence[tuple[int, int]]) -> tuple[str, list[Any]]:
        """A table `k(level, idx)` of `keys` (at most LIST_CHUNK // 2) to join the nodes on,
        and its parameters: a proof's nodes lie on every level, and one query reads them all
        by the primary key (SQLite scans the table for `(level, idx) IN (VALUES …)`)."""
        if self.param == "?":
            return (f"k(level, idx) AS (VALUES {', '.join(['(?, ?)'] * len(keys))})",
                    [v for key in keys for v in key])
        return ("k(level, idx) AS (SELECT * FROM unnest(%s::smallint[], %s::bigint[]))",
                [[level for level, _ in keys], [idx for _, idx in keys]])


SQLITE = "sqlite"
LIST_CHUNK = 900  # values a query lists (SQLite before 3.32 takes 999 parameters at most)


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


def postgres_statements(d: Dialect) -> list[str]:
    """PostgreSQL's own `Ledger.extend`, as a function its insert function calls: hashed by
    pgcrypto (SM3 through OpenSSL, or SHA-256), so that no round trip to the client is made
    while the events table's lock is held. The same bytes as ledger.offline's, in the same
    order; tests/integration/test_ledger.py compares the two."""
    p = d.prefix
    zeros = "decode(repeat('00', 32), 'hex')"
    return ["CREATE EXTENSION IF NOT EXISTS pgcrypto", f"""
CREATE OR REPLACE FUNCTION {p}ledger_extend(written bigint[]) RETURNS bigint
LANGUAGE plpgsql AS $BODY$
DECLARE
  alg text; next_leaf bigint; after bigint; r record; prev bytea; chain bytea;
  h bytea; sibling bytea; lvl int; i bigint; done bigint := 0;
BEGIN
  SELECT value INTO alg FROM {p}ledger_meta WHERE name = 'hash';
  IF alg IS NULL THEN
    alg := 'sm3';
    INSERT INTO {p}ledger_meta (name, value) VALUES ('hash', alg);
  END IF;
  SELECT leaf + 1, position INTO next_leaf, after FROM {p}ledger_entries
    ORDER BY leaf DESC LIMIT 1;
  next_leaf := coalesce(next_leaf, 0);
  FOR r IN SELECT ev.{d.position} AS position, ev.originator_id, ev.originator_version,
             ev.topic, ev.state FROM {d.events} ev
           WHERE ev.{d.position} > coalesce(after, 0) ORDER BY ev.{d.position} LOOP
    IF r.position <> ALL(written) THEN
      RAISE EXCEPTION 'the log holds an event this service did not record, at position %',
        r.position USING ERRCODE = '{UNRECORDED_SQLSTATE}',
        HINT = 'run appraisal verify, and put the store right';
    END IF;
    SELECT le.chain INTO prev FROM {p}ledger_entries le WHERE le.position = (
      SELECT pe.{d.position} FROM {d.events} pe WHERE pe.originator_id = r.originator_id
      AND pe.originator_version < r.originator_version
      ORDER BY pe.originator_version DESC LIMIT 1);
    chain := digest(coalesce(prev, {zeros}) || uuid_send(r.originator_id)
      || int8send(r.originator_version) || int4send(octet_length(convert_to(r.topic, 'UTF8')))
      || convert_to(r.topic, 'UTF8') || int4send(octet_length(r.state)) || r.state, alg);
    INSERT INTO {p}ledger_entries (leaf, position, chain) VALUES (next_leaf, r.position, chain);
    h := digest('\\x00'::bytea || chain, alg);
    lvl := 0;
    i := next_leaf;
    WHILE mod(i, 2) = 1 LOOP
      IF lvl = 0 THEN
        SELECT digest('\\x00'::bytea || e.chain, alg) INTO sibling FROM {p}ledger_entries e
          WHERE e.leaf = i - 1;
      ELSE
        SELECT n.hash INTO sibling FROM {p}ledger_nodes n WHERE n.level = lvl AND n.idx = i - 1;
      END IF;
      h := digest('\\x01'::bytea || sibling || h, alg);
      lvl := lvl + 1;
      i := i / 2;
      INSERT INTO {p}ledger_nodes (level, idx, hash) VALUES (lvl, i, h);
    END LOOP;
    next_leaf := next_leaf + 1;
    done := done + 1;
  END LOOP;
  RETURN done;
END; $BODY$"""]


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
        f"AND ev.{d.position} <= {d.param} ORDER BY ev.{d.position} LIMIT {d.param}")


def _only_written(written: list[int], pending: list[int]) -> None:
    """The events to hash are exactly those the transaction recorded, or someone wrote
    around the service (UnrecordedEventError, naming the first such event)."""
    if pending == written:
        return
    recorded = set(written)
    strange = [position for position in pending if position not in recorded]
    if not strange:
        raise LedgerError(f"the ledger did not find the events just recorded: {written[:5]}")
    raise UnrecordedEventError(f"the log holds an event this service did not record, at "
                               f"position {strange[0]}: writes stop until `appraisal verify` "
                               "has been run and the store put right")


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

    def extend(self, cursor: Any, limit: int = CHUNK, *, written: Sequence[int] | None = None,
               stop: int = 2**62) -> int:
        """Hash the events after the ledger's last (at most `limit`, up to position `stop`)
        into it, inside the caller's transaction; how many. With `written`: the positions
        this transaction recorded, which must be all there is to hash (LedgerError if an
        event was written around the ledger)."""
        if not self._checked:
            self.check_hash(cursor)
        if written is not None:  # all of them, and one more if there is one
            limit = len(written) + 1
        cursor.execute(self._pending, [stop, limit])
        rows = cursor.fetchall()
        if written is not None:
            _only_written(sorted(written), [row[0] for row in rows])
        if not rows:
            return 0
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
        return len(entries)

    def backfill_bound(self, cursor: Any) -> int | None:
        """The last position a backfill hashes: a store's events from before the ledger, or
        loaded in bulk into an empty one (recorded, so that an interrupted backfill goes on
        after a restart); None if there is nothing to backfill. An event after a ledger
        that holds some is refused: no one but this service appends to the log."""
        p, q = self.dialect.prefix, self.dialect.param
        cursor.execute(f"SELECT value FROM {p}ledger_meta WHERE name = 'backfill'")
        row = cursor.fetchone()
        if row is not None:
            return int(row[0])
        cursor.execute(self._pending, [2**62, 1])
        pending = cursor.fetchall()
        if not pending:
            return None
        if pending[0][6] is not None:
            raise UnrecordedEventError(f"the log holds an event this service did not record, "
                                       f"at position {pending[0][0]}: run `appraisal verify`")
        bound = _last_position(self.dialect, cursor)
        cursor.execute(f"INSERT INTO {p}ledger_meta (name, value) VALUES ('backfill', {q})",
                       [str(bound)])
        return bound

    def analyze(self, cursor: Any) -> None:
        """After a backfill, which follows a bulk load: PostgreSQL's planner, still without
        statistics for the rows, read the log a page at a time by sorting all of it (a
        bitmap scan of the range, then a sort on disk: 0.5 s a page of 20,000 events)."""
        if self.dialect.param == "%s":
            p = self.dialect.prefix
            cursor.execute(f"ANALYZE {self.dialect.events}, {p}ledger_entries, {p}ledger_nodes")

    def backfilled(self, cursor: Any) -> None:
        cursor.execute(f"DELETE FROM {self.dialect.prefix}ledger_meta WHERE name = 'backfill'")

    def _frontier_at(self, cursor: Any, size: int, last: bytes | None) -> Frontier:
        cached = self._frontier
        if cached is not None and cached.size == size and self._last_chain == last:
            return cached
        return Frontier(size, self.nodes(cursor, edge(size)))

    def nodes(self, cursor: Any, keys: Iterable[Node]) -> Mapping[Node, bytes]:
        """The stored complete nodes named, leaves (level 0) hashed from their entries'
        chain hashes; read in chunks, the inner nodes of every level together."""
        d, keys = self.dialect, set(keys)
        leaves = sorted(i for level, i in keys if level == 0)
        inner = sorted(key for key in keys if key[0] > 0)
        found: dict[Node, bytes] = {}
        for chunk in _chunks(leaves, LIST_CHUNK):
            where, params = d.any_of("leaf", chunk)
            cursor.execute(f"SELECT leaf, chain FROM {d.prefix}ledger_entries WHERE {where}",
                           params)
            found.update({(0, i): leaf_hash(self.h, bytes(c)) for i, c in cursor.fetchall()})
        for pairs in _chunks(inner, LIST_CHUNK // 2):
            table, params = d.node_keys(pairs)
            cursor.execute(f"WITH {table} SELECT n.level, n.idx, n.hash FROM k JOIN "
                           f"{d.prefix}ledger_nodes n ON n.level = k.level AND n.idx = k.idx",
                           params)
            found.update({(level, i): bytes(h) for level, i, h in cursor.fetchall()})
        missing = keys - found.keys()
        if missing:
            raise LedgerError(f"the ledger lacks tree nodes {sorted(missing)[:5]}")
        return found


def _last_position(d: Dialect, cursor: Any) -> int:
    cursor.execute(f"SELECT max({d.position}) FROM {d.events}")
    return int(cursor.fetchone()[0] or 0)


def _chunks(items: Sequence[Any], size: int) -> Iterable[Sequence[Any]]:
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
        """Ledger entries (leaf, position, chain) after leaf `after`, in order; a chain is
        read as bytes whatever was written there (SQLite keeps text in a BLOB column)."""
        d = self.ledger.dialect
        self.cursor.execute(
            f"SELECT leaf, position, CAST(chain AS {d.blob}) FROM {d.prefix}ledger_entries "
            f"WHERE leaf > {d.param} ORDER BY leaf LIMIT {d.param}", [after, limit])
        return [(i, position, bytes(chain)) for i, position, chain in self.cursor.fetchall()]

    def located(self, leaves: Sequence[int]) -> dict[int, tuple[UUID, int, bytes]]:
        """The event at each of these leaves, (stream, version, chain hash), read in chunks;
        a leaf the ledger lacks is left out."""
        d = self.ledger.dialect
        found = {}
        for chunk in _chunks(sorted(leaves), LIST_CHUNK):
            where, params = d.any_of("le.leaf", chunk)
            self.cursor.execute(
                f"SELECT le.leaf, ev.originator_id, ev.originator_version, "
                f"CAST(le.chain AS {d.blob}) FROM {d.prefix}ledger_entries le "
                f"JOIN {d.events} ev ON ev.{d.position} = le.position WHERE {where}", params)
            found.update({leaf: (_stream(d, stream), version, bytes(chain))
                          for leaf, stream, version, chain in self.cursor.fetchall()})
        return found

    def entries_at(self, positions: Sequence[int]) -> dict[int, tuple[int, bytes]]:
        """The leaf and chain hash of each event at these log positions, read in chunks; a
        position the ledger lacks is left out."""
        d = self.ledger.dialect
        found = {}
        for chunk in _chunks(positions, LIST_CHUNK):
            where, params = d.any_of("position", chunk)
            self.cursor.execute(f"SELECT position, leaf, CAST(chain AS {d.blob}) FROM "
                                f"{d.prefix}ledger_entries WHERE {where}", params)
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
        return _last_position(self.ledger.dialect, self.cursor)

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
