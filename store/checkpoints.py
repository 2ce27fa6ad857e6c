"""Checkpoints, cosignatures and public keys as the store keeps them (tables made by
store.ledger), read and written through a cursor of the event store.

Nothing here trusts what it reads: a checkpoint's signatures are checked by whoever uses
it (ledger.offline), against keys they hold themselves.
"""

from dataclasses import dataclass
from typing import Any

from store.ledger import Dialect

SERVICE, WITNESS = "service", "witness"


@dataclass(frozen=True)
class Stored:
    size: int
    root: bytes
    time: int
    key: str  # the service vkey that signed it
    note: str  # the signed note, with the service's signatures
    cosignatures: tuple[str, ...]  # witnesses' signature lines

    @property
    def text(self) -> str:
        """The note with every signature: the service's, then the witnesses'."""
        return self.note + "".join(self.cosignatures)


class Checkpoints:
    def __init__(self, d: Dialect, cursor: Any):
        self.d, self.cursor, self.p, self.q = d, cursor, d.prefix, d.param

    def _params(self, n: int) -> str:
        return ", ".join([self.q] * n)

    def save(self, size: int, root: bytes, time: int, key: str, note: str) -> bool:
        """Keep a checkpoint unless one of its size is kept already (never replaced)."""
        self.cursor.execute(f"SELECT 1 FROM {self.p}ledger_checkpoints WHERE size = {self.q}",
                            [size])
        if self.cursor.fetchone() is not None:
            return False
        self.cursor.execute(f"INSERT INTO {self.p}ledger_checkpoints (size, root, time, key, "
                            f"note) VALUES ({self._params(5)})", [size, root, time, key, note])
        return True

    def cosign(self, size: int, signer: str, key: str, time: int, line: str) -> bool:
        """Keep a witness's cosignature of checkpoint `size` unless that key's is kept
        already: the first stands, as the checkpoint does; whether it was new."""
        self.cursor.execute(f"SELECT 1 FROM {self.p}ledger_cosignatures WHERE size = {self.q} "
                            f"AND signer = {self.q} AND key = {self.q}", [size, signer, key])
        if self.cursor.fetchone() is not None:
            return False
        self.cursor.execute(f"INSERT INTO {self.p}ledger_cosignatures (size, signer, key, time, "
                            f"line) VALUES ({self._params(5)})", [size, signer, key, time, line])
        return True

    def get(self, size: int) -> Stored | None:
        found = self._select(f"WHERE size = {self.q}", [size])
        return found[0] if found else None

    def latest(self) -> Stored | None:
        found = self._select("ORDER BY size DESC LIMIT 1", [])
        return found[0] if found else None

    def first_above(self, leaf: int) -> Stored | None:
        """The smallest checkpoint whose tree holds `leaf`."""
        found = self._select(f"WHERE size > {self.q} ORDER BY size LIMIT 1", [leaf])
        return found[0] if found else None

    def every(self) -> list[Stored]:
        return self._select("ORDER BY size", [])

    def _select(self, tail: str, params: list[Any]) -> list[Stored]:
        self.cursor.execute(f"SELECT size, root, time, key, note FROM {self.p}ledger_checkpoints "
                            f"{tail}", params)
        rows = self.cursor.fetchall()
        if not rows:
            return []
        sizes = [row[0] for row in rows]
        self.cursor.execute(f"SELECT size, line FROM {self.p}ledger_cosignatures WHERE size IN "
                            f"({self._params(len(sizes))}) ORDER BY size, time, signer", sizes)
        lines: dict[int, list[str]] = {}
        for size, line in self.cursor.fetchall():
            lines.setdefault(size, []).append(line)
        return [Stored(size, bytes(root), time, key, note, tuple(lines.get(size, ())))
                for size, root, time, key, note in rows]

    def keys(self, role: str) -> list[tuple[str, int]]:
        """The vkeys of `role`, each with the time it was recorded, oldest first."""
        self.cursor.execute(f"SELECT vkey, since FROM {self.p}ledger_keys WHERE role = {self.q} "
                            "ORDER BY since, vkey", [role])
        return [(vkey, since) for vkey, since in self.cursor.fetchall()]

    def record_key(self, vkey: str, role: str, since: int) -> bool:
        """Record a public key unless it is recorded already; whether it was new."""
        self.cursor.execute(f"SELECT 1 FROM {self.p}ledger_keys WHERE vkey = {self.q}", [vkey])
        if self.cursor.fetchone() is not None:
            return False
        self.cursor.execute(f"INSERT INTO {self.p}ledger_keys (vkey, role, since) "
                            f"VALUES ({self._params(3)})", [vkey, role, since])
        return True
