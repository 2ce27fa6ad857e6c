"""Witnesses (ledger/witness.py): the keys an administrator registers, the cosignatures kept
beside the checkpoints they sign, and this store as a witness reaches it.

A cosignature is kept only if it verifies with a registered witness key: whoever hands it
in (an administrator or an archivist) vouches for nothing, the witness's signature does.
"""

import time
from dataclasses import dataclass

from domain.errors import ForbiddenError, InvalidError
from domain.process import Role
from ledger.keys import SigningKeyError, check_name
from ledger.offline import (
    COSIGNATURE,
    Checkpoint,
    ProofError,
    Signature,
    Verifier,
    open_checkpoint,
)
from service.cases import checkpoints
from service.runtime import Runtime
from store.checkpoints import SERVICE, WITNESS, Checkpoints, Stored
from workflows.access import ARCHIVISTS, Actor

# A cosignature dated further ahead than this is a witness's broken clock, not a time.
MAX_SKEW_SECONDS = 24 * 3600


def check_cosigner(actor: Actor) -> None:
    if not actor.has_role(*ARCHIVISTS):
        raise ForbiddenError("witnesses' cosignatures are handed in by archivists and "
                             "administrators")


def check_admin(actor: Actor) -> None:
    if not actor.holds(Role.ADMIN, None):
        raise ForbiddenError("witness keys are registered by administrators")


def add_witness(rt: Runtime, vkey: str) -> Verifier:
    """Accept cosignatures by this witness key (a vkey of type 0x04); registering it again
    changes nothing."""
    verifier = _witness_key(vkey)
    with rt.recorder.ledger_cursor(write=True) as cursor:
        table = Checkpoints(rt.recorder.ledger.dialect, cursor)
        if any(Verifier.parse(v).public == verifier.public for v, _ in table.keys(SERVICE)):
            raise InvalidError("this is a service key: a witness signs with a key of its own",
                               {"vkey": "service"})
        table.record_key(str(verifier), WITNESS, int(time.time()))
    return verifier


def _witness_key(vkey: str) -> Verifier:
    try:
        verifier = Verifier.parse(vkey)
        check_name(verifier.name)  # it names the witness's signature lines
    except (ProofError, SigningKeyError, UnicodeError) as error:
        raise InvalidError(str(error), {"vkey": "format"}) from None
    if verifier.kind != COSIGNATURE:
        raise InvalidError("a witness key is a cosignature key (type 0x04)", {"vkey": "format"})
    return verifier


def add_cosignature(rt: Runtime, size: int, line: str) -> Stored:
    """Keep a witness's cosignature of checkpoint `size`, given as its signature line; it
    must verify with a registered witness key."""
    note, added = _with_line(checkpoints.checkpoint(rt, size), line)
    if (added.timestamp or 0) > time.time() + MAX_SKEW_SECONDS:
        raise InvalidError("the cosignature is dated in the future", {"signature": "time"})
    with rt.recorder.ledger_cursor(write=True) as cursor:
        table = Checkpoints(rt.recorder.ledger.dialect, cursor)
        witness = _registered(table, added)
        try:
            note.verified_by(witness)
        except ProofError as error:
            raise InvalidError(str(error), {"signature": "invalid"}) from None
        table.cosign(size, added.name, str(witness), added.timestamp or 0, added.line())
    return checkpoints.checkpoint(rt, size)


def _with_line(stored: Stored, line: str) -> tuple[Checkpoint, Signature]:
    """The checkpoint's note with `line` appended, and the one signature that adds."""
    line = line.rstrip("\n")
    try:
        before, note = open_checkpoint(stored.note), open_checkpoint(f"{stored.note}{line}\n")
    except ProofError as error:
        raise InvalidError(str(error), {"signature": "format"}) from None
    added = note.signatures[len(before.signatures):]
    if "\n" in line or len(added) != 1:
        raise InvalidError("one signature line is expected", {"signature": "format"})
    return note, added[0]


def _registered(table: Checkpoints, signature: Signature) -> Verifier:
    for vkey, _ in table.keys(WITNESS):
        witness = Verifier.parse(vkey)
        if (witness.name, witness.key_id) == (signature.name, signature.key_id):
            return witness
    raise InvalidError(f"{signature.name} signed with no registered witness key (an "
                       "administrator registers it: POST /witnesses, or `appraisal "
                       "checkpoint add-witness`)", {"signature": "unknown"})


@dataclass(frozen=True)
class StoredLog:
    """This store's log as a witness reaches it (ledger.witness.Log)."""

    rt: Runtime

    def latest(self) -> str:
        return checkpoints.current(self.rt).text

    def consistency(self, old: int, new: int) -> list[bytes]:
        return checkpoints.consistency_proof(self.rt, old, new)

    def hand_in(self, size: int, line: str) -> str:
        return add_cosignature(self.rt, size, line).text
