"""`appraisal verify`: the whole configured store proved from its events up.

Every checkpoint's signatures (the service's, by the keys the store records or the keys the
caller trusts; witnesses' cosignatures, by their recorded keys), then every event against
the ledger (ledger.audit: each stream's chain, the tree, the roots the checkpoints signed),
then consecutive checkpoints' consistency proofs from the stored tree, then the checkpoints
a witness kept itself, which no one with the database can re-sign.
"""

import itertools
import time
from collections import defaultdict
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from uuid import UUID

from eventsourcing.persistence import Notification

from ledger import offline
from ledger.audit import Broken, Entry, Event, Walk
from ledger.offline import COSIGNATURE, ED25519, ProofError, Verifier
from store.checkpoints import SERVICE, WITNESS, Checkpoints, Stored
from store.ledger import LedgerError, Reader
from store.recorders import LedgerRecorder

PAGE = 20_000  # events (and entries) read a query


@dataclass(frozen=True)
class Verdict:
    holds: bool
    text: str


def verify(recorder: LedgerRecorder, origin: str, trusted: Sequence[str] = (),
           witness_keys: Sequence[str] = (), kept: Sequence[str] = (),
           echo: Callable[[str], None] = lambda _: None) -> Verdict:
    """Check the store as it is (service.runtime.event_store), the log named `origin`.
    `trusted`, `witness_keys`: vkeys to trust instead of those the store records (which
    whoever holds the database could change); `kept`: checkpoint notes a witness kept, with
    its cosignature."""
    try:
        with recorder.ledger_cursor() as cursor:
            reader = Reader(recorder.ledger, cursor)
            stored = Checkpoints(reader.ledger.dialect, cursor)
            checkpoints = stored.every()
            service = [Verifier.parse(v) for v in trusted] or _recorded(stored, SERVICE)
            witnesses = [Verifier.parse(v) for v in witness_keys] or _recorded(stored, WITNESS)
            claims = _claims(checkpoints, service, witnesses, origin)
            for text in kept:
                _add_kept(claims, text, witnesses, origin)
            stop, total = reader.last_position(), reader.size()
        walk = Walk(reader.ledger.h, claims)
        started = time.monotonic()
        for checked in walk.run(_events(recorder, stop), _entries(recorder, stop)):
            echo(_progress(checked, total, started))
        with recorder.ledger_cursor() as cursor:
            _consistent(Reader(recorder.ledger, cursor), checkpoints)
    except (Broken, ProofError) as fault:
        return Verdict(False, f"DOES NOT HOLD: {fault}")
    signed = f"{len(checkpoints)} checkpoints" + (
        f", the last of size {checkpoints[-1].size}" if checkpoints else "")
    return Verdict(True, f"holds: {walk.size:,} events, {len(walk.chains):,} streams, "
                         f"{signed}, {len(kept)} kept by witnesses")


def _recorded(stored: Checkpoints, role: str) -> list[Verifier]:
    return [Verifier.parse(vkey) for vkey, _ in stored.keys(role)]


def _claims(checkpoints: list[Stored], service: list[Verifier], witnesses: list[Verifier],
            origin: str) -> dict[int, list[tuple[bytes, str]]]:
    claims: dict[int, list[tuple[bytes, str]]] = defaultdict(list)
    for stored in checkpoints:
        who = f"checkpoint {stored.size}"
        try:
            note = offline.open_checkpoint(stored.text)
        except ProofError as fault:
            raise Broken(f"{who}: {fault}") from None
        if (note.size, note.root, note.origin) != (stored.size, stored.root, origin):
            raise Broken(f"{who}: its note says size {note.size}, root {note.root.hex()}, "
                         f"origin {note.origin}; the table says otherwise")
        if not any(note.verified_by(v) for v in service if v.kind == ED25519):
            raise Broken(f"{who} is not signed by a service key")
        for witness in [*service, *witnesses]:  # the service's timestamp, witnesses' too
            note.verified_by(witness.of_kind(COSIGNATURE))  # a cosignature that fails raises
        claims[stored.size].append((stored.root, who))
    return claims


def _add_kept(claims: dict[int, list[tuple[bytes, str]]], text: str,
              witnesses: list[Verifier], origin: str) -> None:
    note = offline.open_checkpoint(text)
    if note.origin != origin:
        raise Broken(f"a kept checkpoint is of log {note.origin}, not {origin}")
    names = [w.name for w in witnesses if note.verified_by(w.of_kind(COSIGNATURE))]
    who = f"checkpoint {note.size} cosigned by {', '.join(names) or 'nobody known'}"
    claims[note.size].append((note.root, who))


def _events(recorder: LedgerRecorder, stop: int) -> Iterator[Event]:
    after = 0
    while True:
        page = recorder.read_notifications(after, stop, PAGE, (), None)
        yield from map(_event, page)
        if len(page) < PAGE:
            return
        after = page[-1].id


# What the service writes in each column (SQLite keeps stream ids as 32 hex digits).
_COLUMNS = (("originator_id", UUID | str), ("originator_version", int), ("topic", str),
            ("state", bytes | memoryview))


def _event(n: Notification) -> Event:
    """The row as an event of the log; Broken, naming its position, for a row the service
    never writes (a NULL, text where bytes belong, a stream id that is no UUID)."""
    for column, kind in _COLUMNS:
        if not isinstance(getattr(n, column), kind):
            raise _unlike(n, column)
    stream = n.originator_id
    try:
        stream = stream if isinstance(stream, UUID) else UUID(hex=stream)
    except ValueError:
        raise _unlike(n, "originator_id") from None
    return Event(n.id, stream, n.originator_version, n.topic, bytes(n.state))


def _unlike(n: Notification, column: str) -> Broken:
    return Broken(f"the event at log position {n.id} is not one the service wrote: its "
                  f"{column} is {getattr(n, column)!r:.60}")


def _entries(recorder: LedgerRecorder, stop: int) -> Iterator[Entry]:
    after = -1
    while True:
        with recorder.ledger_cursor() as cursor:
            page = Reader(recorder.ledger, cursor).entries(after, PAGE)
        for leaf, position, chain in page:
            if position > stop:
                return
            yield Entry(leaf, position, chain)
        if len(page) < PAGE:
            return
        after = page[-1][0]


def _consistent(reader: Reader, checkpoints: list[Stored]) -> None:
    for old, new in itertools.pairwise(checkpoints):
        try:
            proof = reader.consistency(old.size, new.size)
            offline.verify_consistency(reader.h, old.size, new.size, old.root, new.root, proof)
        except (LedgerError, ProofError) as fault:  # the stored tree lacks nodes, or is wrong
            raise Broken(f"checkpoints {old.size} and {new.size}: {fault}") from None


def _progress(checked: int, total: int, started: float) -> str:
    """A line now and then: how far, of the events the ledger holds, and how fast."""
    seconds = max(time.monotonic() - started, 1e-6)
    rate, share = checked / seconds, checked / max(total, 1)
    left = (total - checked) / rate if rate and checked < total else 0
    return (f"checked {checked:,} of {total:,} events ({share:.0%}), {rate:,.0f}/s, "
            f"about {left:,.0f} s left")
