"""Which checkpoint of the log includes what: the proofs an archive's manifest carries
(`ledger`), the check `appraisal archive verify` makes of them against the store
(`problems`), and each event's first checkpoint for the history page (`per_event`).

An archive proves each appraisal by its last event as of `as_of`: that event's chain hash
commits to the appraisal's whole history up to it, and its inclusion proof ties it to the
first checkpoint holding every such event, which stays the same however the log grows.
"""

import base64
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any
from uuid import UUID

from ledger.offline import ProofError, Verifier, leaf_hash, open_checkpoint, verify_inclusion
from projections.collector import collector_paused
from service.cases.checkpoints import covering
from service.runtime import Runtime
from store.checkpoints import SERVICE, Checkpoints, Stored
from store.ledger import LedgerError, Reader

Last = tuple[str, int, int]  # an appraisal's id, its last event's version and log position


@collector_paused()  # beside a year's archive in memory, as the archive is built
def ledger(rt: Runtime, last: Iterable[Last]) -> dict[str, Any]:
    """The manifest's `ledger`: the checkpoint and, per appraisal by id, its last event's
    leaf, chain hash and inclusion proof (base64 of the hashes, leaf to root)."""
    events = sorted(last)
    entries = _entries(rt, events)
    signed = covering(rt, max(leaf for leaf, _ in entries)) if entries else None
    proofs = _proofs(rt, [leaf for leaf, _ in entries], signed.size) if signed else {}
    return {"hash": rt.settings.ledger_hash,
            "checkpoint": _checkpoint(signed) if signed else None,
            "appraisals": [{"appraisal_id": i, "version": version, "leaf": leaf,
                            "chain": chain.hex(), "inclusion": proofs[leaf]}
                           for (i, version, _), (leaf, chain) in zip(events, entries,
                                                                     strict=True)]}


def _entries(rt: Runtime, events: list[Last]) -> list[tuple[int, bytes]]:
    """The leaf and chain hash of each event, in order (by log position: the archive read
    model keeps it, and a lookup by it needs no join)."""
    with rt.recorder.ledger_cursor() as cursor:
        found = Reader(rt.recorder.ledger, cursor).entries_at([p for *_, p in events])
    missing = [f"{i} version {v}" for i, v, p in events if p not in found]
    if missing:  # the ledger is written with the events: a store broken by hand
        raise LedgerError(f"the ledger lacks appraisal {', '.join(missing[:3])}")
    return [found[p] for *_, p in events]


def _checkpoint(stored: Stored) -> dict[str, Any]:
    return {"size": stored.size, "root": stored.root.hex(), "text": stored.note}


def _proofs(rt: Runtime, leaves: list[int], size: int) -> dict[int, str]:
    with rt.recorder.ledger_cursor() as cursor:
        return {leaf: base64.b64encode(b"".join(proof)).decode()
                for leaf, proof in Reader(rt.recorder.ledger, cursor).inclusions(leaves, size)}


def problems(rt: Runtime, section: Mapping[str, Any] | None) -> list[str]:
    """What in a manifest's `ledger` the store no longer proves: the checkpoint (kept, same
    root, signed by a recorded service key), then each appraisal's leaf, chain hash and
    inclusion in it. Empty when all holds."""
    if section is None:
        return ["the file carries no ledger checkpoint (made before archives carried one)"]
    if not _well_formed(section):
        return ["the manifest's ledger section is not as archives write it"]
    if section["hash"] != rt.recorder.ledger.hash_name:
        return [f"the file's log hashes with {section['hash']}, the store's with "
                f"{rt.recorder.ledger.hash_name}"]
    claimed = section["checkpoint"]
    if claimed is None:
        return [] if not section["appraisals"] else ["the file names no checkpoint"]
    size, root = claimed["size"], bytes.fromhex(claimed["root"])
    with rt.recorder.ledger_cursor() as cursor:
        table = Checkpoints(rt.recorder.ledger.dialect, cursor)
        wrong = _checkpoint_problem(table, size, root, claimed["text"])
        if wrong:
            return [wrong]
        return _inclusion_problems(Reader(rt.recorder.ledger, cursor), size, root,
                                   section["appraisals"])


def _well_formed(section: Any) -> bool:
    """The types the checks rely on (a file is anyone's to edit)."""
    checkpoint = section.get("checkpoint") if isinstance(section, dict) else None
    return (_typed(section, hash=str, appraisals=list)
            and (checkpoint is None or _typed(checkpoint, size=int, root=str, text=str))
            and all(_typed(c, appraisal_id=str, version=int, leaf=int, chain=str, inclusion=str)
                    for c in section["appraisals"]))


def _typed(value: Any, **fields: type) -> bool:
    """A dict whose fields have these types (a bool is no int here)."""
    return isinstance(value, dict) and all(
        isinstance(value.get(k), t) and not isinstance(value.get(k), bool)
        for k, t in fields.items())


def _checkpoint_problem(table: Checkpoints, size: int, root: bytes, text: str) -> str | None:
    stored = table.get(size)
    if stored is None:
        return f"checkpoint {size} is not in the store"
    if stored.root != root:
        return f"checkpoint {size}: the store's root {stored.root.hex()} is not the file's"
    try:
        note = open_checkpoint(text)
        signed = any(note.verified_by(Verifier.parse(vkey)) for vkey, _ in table.keys(SERVICE))
    except ProofError as error:
        return f"checkpoint {size}: {error}"
    if (note.size, note.root) != (size, root) or not signed:
        return f"checkpoint {size}: its note is not signed by a service key the store records"
    return None


def _inclusion_problems(reader: Reader, size: int, root: bytes,
                        claims: list[Mapping[str, Any]]) -> list[str]:
    found = reader.located([c["leaf"] for c in claims])
    try:
        proofs = dict(reader.inclusions(found.keys(), size))
    except LedgerError as error:  # tree nodes deleted from the table
        return [f"checkpoint {size}: {error}"]
    said = []
    for claim in claims:
        wrong = _claim_problem(reader, claim, found.get(claim["leaf"]), proofs, size, root)
        if wrong:
            said.append(f"appraisal {claim['appraisal_id']} version {claim['version']}: {wrong}")
    return said


def _claim_problem(reader: Reader, claim: Mapping[str, Any],
                   entry: tuple[UUID, int, bytes] | None, proofs: Mapping[int, list[bytes]],
                   size: int, root: bytes) -> str | None:
    """Why the store does not prove one appraisal of the file as the file does, if it does
    not: the event at its leaf and that event's chain hash, then the inclusion proof, the
    file's and the store's."""
    leaf = claim["leaf"]
    if entry is None:
        return f"the store's ledger has no leaf {leaf}"
    stream, version, chain = entry
    if (stream, version) != (UUID(claim["appraisal_id"]), claim["version"]):
        return f"the store's leaf {leaf} is the event of {stream} version {version}"
    if chain.hex() != claim["chain"]:
        return f"the store has chain {chain.hex()} at leaf {leaf}; the file {claim['chain']}"
    if base64.b64decode(claim["inclusion"], validate=True) != b"".join(proofs[leaf]):
        return "the store's inclusion proof is not the file's"
    try:
        verify_inclusion(reader.h, leaf, size, leaf_hash(reader.h, chain), proofs[leaf], root)
    except ProofError as error:
        return f"the inclusion proof does not hold: {error}"
    return None


@dataclass(frozen=True)
class Included:
    """The first checkpoint holding an event, and the witnesses who cosigned it."""

    size: int
    cosigners: tuple[str, ...]


def per_event(rt: Runtime, stream: UUID) -> dict[int, Included | None]:
    """Each event of the stream by version: the first checkpoint holding it, or None."""
    included: dict[int, Included | None] = {}
    current: Included | None = None
    with rt.recorder.ledger_cursor() as cursor:
        events = Reader(rt.recorder.ledger, cursor).stream(stream)
        table = Checkpoints(rt.recorder.ledger.dialect, cursor)
        for leaf, _, version, *_ in sorted(events):  # by leaf: one query a checkpoint
            if leaf >= 0 and (current is None or current.size <= leaf):
                current = _included(table.first_above(leaf))
            included[version] = current if leaf >= 0 else None
    return included


def _included(stored: Stored | None) -> Included | None:
    return None if stored is None else Included(stored.size, _cosigners(stored))


def _cosigners(stored: Stored) -> tuple[str, ...]:
    """The names on the witnesses' signature lines (the service's are in the note)."""
    own = len(open_checkpoint(stored.note).signatures)
    names = [s.name for s in open_checkpoint(stored.text).signatures[own:]]
    return tuple(dict.fromkeys(names))
