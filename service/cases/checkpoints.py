"""Checkpoints of the log (ledger/): made and signed with the service key, kept, never
replaced, cosigned by witnesses; and the proofs clients check against them.

A checkpoint is made after each branch approval batch, at least every
`checkpoint_minutes` while the log grows, and when a proof needs one that covers an event.
The service key is the settings' (Settings.service_key), recorded at start (service.runtime).
"""

import base64
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from eventsourcing.persistence import IntegrityError

from domain.appraisal import Appraisal
from domain.errors import ForbiddenError, InvalidError, NotFoundError
from domain.process import Role
from ledger import checkpoints as notes
from ledger.keys import SigningKey, retire_key
from ledger.offline import COSIGNATURE, ED25519, Verifier, leaf_hash, open_checkpoint
from service.runtime import Runtime, record_service_key
from service.settings import SettingsError
from store.checkpoints import SERVICE, WITNESS, Checkpoints, Stored
from store.ledger import LedgerError, Reader
from workflows.access import Actor, may_archive

# Who reads the log's checkpoints and consistency proofs, whatever their scope: they prove
# the whole log, and tell nothing of any appraisal.
READERS = (Role.ADMIN, Role.ARCHIVIST, Role.INSPECTOR)


def check_reader(actor: Actor) -> None:
    if not actor.has_role(*READERS):
        raise ForbiddenError("the log's checkpoints are read by inspectors, archivists and "
                             "administrators")


def check_prover(actor: Actor, appraisal: Appraisal) -> None:
    """An appraisal's proof shows its events' bytes: for those who may archive its branch."""
    if not may_archive(actor, appraisal.branch_id):
        raise ForbiddenError("an appraisal's proof is read by archivists, administrators and "
                             "the inspectors of its branch", "scope")


def _table(rt: Runtime, cursor: Any) -> Checkpoints:
    return Checkpoints(rt.recorder.ledger.dialect, cursor)


def make(rt: Runtime) -> Stored | None:
    """A checkpoint of the log as it is now, signed and kept; the latest one if the log has
    not grown since; None while the log is empty."""
    try:
        with rt.recorder.ledger_cursor(write=True) as cursor:
            reader, table = Reader(rt.recorder.ledger, cursor), _table(rt, cursor)
            size, latest = reader.size(), table.latest()
            if size == 0 or (latest is not None and latest.size >= size):
                return latest
            root, now = reader.root(size), int(time.time())
            note = notes.signed(rt.service_key, rt.settings.origin, size, root, now)
            table.save(size, root, now, str(rt.service_key.verifier(ED25519)), note)
    except IntegrityError:
        pass  # another process kept one of this size just now: theirs stands
    return latest_checkpoint(rt)


def latest_checkpoint(rt: Runtime) -> Stored | None:
    with rt.recorder.ledger_cursor() as cursor:
        return _table(rt, cursor).latest()


def current(rt: Runtime) -> Stored:
    """The latest checkpoint; the first is made when first asked for."""
    stored = latest_checkpoint(rt) or make(rt)
    if stored is None:
        raise NotFoundError("checkpoint", "latest")  # the log is empty
    return stored


def checkpoint(rt: Runtime, size: int) -> Stored:
    with rt.recorder.ledger_cursor() as cursor:
        found = _table(rt, cursor).get(size)
    if found is None:
        raise NotFoundError("checkpoint", str(size))
    return found


def covering(rt: Runtime, leaf: int) -> Stored:
    """The first checkpoint whose tree holds `leaf`, made now if none does yet: always the
    same one for the same leaf, once made."""
    with rt.recorder.ledger_cursor() as cursor:
        found = _table(rt, cursor).first_above(leaf)
    if found is None:
        make(rt)
        with rt.recorder.ledger_cursor() as cursor:
            found = _table(rt, cursor).first_above(leaf)
    if found is None:
        raise NotFoundError("checkpoint", f"holding leaf {leaf}")
    return found


def consistency(rt: Runtime, old: int, new: int) -> dict[str, Any]:
    """The RFC 9162 proof that the log of `new` events extends that of `old`, as the API
    shows it."""
    return {"from": old, "to": new, "hash": rt.settings.ledger_hash,
            "proof": [p.hex() for p in consistency_proof(rt, old, new)]}


def consistency_proof(rt: Runtime, old: int, new: int) -> list[bytes]:
    with rt.recorder.ledger_cursor() as cursor:
        reader = Reader(rt.recorder.ledger, cursor)
        size = reader.size()
        if not 0 <= old <= new <= size:
            raise InvalidError(f"sizes must satisfy 0 ≤ from ≤ to ≤ {size}, the log's size",
                               {"from": "range", "to": "range"})
        return reader.consistency(old, new)


def appraisal_proof(rt: Runtime, appraisal: Appraisal) -> dict[str, Any]:
    """Every event of the appraisal, its bytes as stored, chain and leaf hashes, and its
    inclusion proof in the latest checkpoint (made now if that does not hold them all)."""
    with rt.recorder.ledger_cursor() as cursor:
        events = Reader(rt.recorder.ledger, cursor).stream(appraisal.id)
    lacking = [version for leaf, _, version, *_ in events if leaf < 0]
    if lacking:  # the ledger is written with the events: a store changed by hand
        raise LedgerError(f"the ledger lacks appraisal {appraisal.id} version {lacking[0]}")
    last = max(leaf for leaf, *_ in events)
    signed = latest_checkpoint(rt)
    if signed is None or signed.size <= last:
        signed = make(rt)
    if signed is None or signed.size <= last:
        raise NotFoundError("checkpoint", f"holding leaf {last}")
    h = rt.recorder.ledger.h
    with rt.recorder.ledger_cursor() as cursor:
        reader = Reader(rt.recorder.ledger, cursor)
        proved = [{
            "version": version, "position": position, "leaf": leaf, "topic": topic,
            "state": base64.b64encode(state).decode(), "chain": chain.hex(),
            "leaf_hash": leaf_hash(h, chain).hex(),
            "inclusion": [p.hex() for p in reader.inclusion(leaf, signed.size)],
        } for leaf, position, version, topic, state, chain in events]
    return {"appraisal_id": str(appraisal.id), "stream": str(appraisal.id),
            "hash": rt.settings.ledger_hash, "checkpoint": view(rt, signed), "events": proved}


def view(rt: Runtime, stored: Stored) -> dict[str, Any]:
    """A checkpoint as the API shows it, each signature named with whose it is."""
    with rt.recorder.ledger_cursor() as cursor:
        table = _table(rt, cursor)
        known = {**{v: SERVICE for v, _ in table.keys(SERVICE)},
                 **{v: WITNESS for v, _ in table.keys(WITNESS)}}
    roles = {}
    for vkey, role in known.items():
        verifier = Verifier.parse(vkey)
        for kind in (ED25519, COSIGNATURE):
            roles[(verifier.name, verifier.of_kind(kind).key_id)] = role
    note = open_checkpoint(stored.text)
    return {
        "size": stored.size, "root": stored.root.hex(), "hash": rt.settings.ledger_hash,
        "time": instant(stored.time),
        "signatures": [{
            "name": s.name, "key_id": s.key_id.hex(), "role": roles.get((s.name, s.key_id)),
            "time": None if s.timestamp is None else instant(s.timestamp),
        } for s in note.signatures],
        "text": stored.text,
    }


def instant(seconds: int) -> str:
    """POSIX seconds as the API writes instants (UTC, 'Z')."""
    return datetime.fromtimestamp(seconds, UTC).isoformat().replace("+00:00", "Z")


def rotate_key(rt: Runtime) -> tuple[Path, SigningKey]:
    """Retire an SQLite store's service key for a new one, recorded now: the service signs
    with it from its next start. The old key stays recorded, so its checkpoints still
    verify; the retired file and the new key."""
    settings = rt.settings
    if not settings.is_sqlite:
        raise SettingsError("on PostgreSQL, make a new key with `appraisal checkpoint "
                            "service-key FILE` and name it in APPRAISAL_LEDGER_KEY_FILE")
    retired = retire_key(settings.ledger_key_path(), SigningKey.generate(settings.origin))
    rt.service_key = settings.service_key()
    record_service_key(rt.recorder, rt.service_key)
    return retired, rt.service_key
