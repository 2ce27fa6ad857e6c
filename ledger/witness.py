"""A witness (c2sp.org/tlog-witness, without the HTTP): it cosigns a checkpoint of the
service's log only if the log extends, unchanged, the last checkpoint it cosigned. A store
rewritten and re-signed by its own operator is caught at its next checkpoint.

Its state is a JSON file beside its key: the origin it follows, the service keys it
trusted, and the last checkpoint it cosigned.
"""

import contextlib
import fcntl
import json
import os
import tempfile
import time
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

from ledger.checkpoints import opened
from ledger.keys import SigningKey
from ledger.offline import (
    COSIGNATURE,
    ED25519,
    Checkpoint,
    ProofError,
    Signature,
    Verifier,
    hasher,
    verify_consistency,
)


@dataclass(frozen=True)
class State:
    """What a witness keeps of the log it follows."""

    origin: str
    service: list[str]  # the trusted service keys, as vkeys
    size: int
    root: bytes
    checkpoint: str  # the note as it came, with the service's signatures


def witness_key(name: str) -> tuple[str, str]:
    """A new witness key: its private key text and its cosignature (0x04) vkey."""
    key = SigningKey.generate(name)
    return key.text(), str(key.verifier(COSIGNATURE))


def cosign(key: SigningKey, state_path: Path, checkpoint_text: str, proof: Sequence[bytes],
           service: Sequence[Verifier]) -> Signature:
    """Cosign the checkpoint now if one of the `service` keys signed it and `proof` shows
    it extends the last checkpoint this witness cosigned (none is needed for the first);
    otherwise ProofError, naming the sizes and roots that disagree."""
    checkpoint = opened(checkpoint_text)
    _check_signed(checkpoint, service)
    with _locked(state_path):  # check and record at once, or two could roll it back
        _check_extends(checkpoint, load_state(state_path), proof)
        signature = key.cosign(checkpoint.body, int(time.time()))
        _save(state_path, State(checkpoint.origin, [str(v) for v in service],
                                checkpoint.size, checkpoint.root, checkpoint_text))
    return signature


class Log(Protocol):
    """A service's log as its witness reaches it: a store, or the service's HTTP API."""

    def latest(self) -> str:
        """The latest checkpoint's note."""

    def consistency(self, old: int, new: int) -> list[bytes]:
        """The proof that the tree of `new` leaves extends that of `old`."""

    def hand_in(self, size: int, line: str) -> str:
        """Give the service a cosignature of checkpoint `size`; the note, now with it."""


def cosign_latest(log: Log, key: SigningKey, state_path: Path,
                  service: Sequence[Verifier]) -> str:
    """A witness's round: cosign the log's latest checkpoint (as `cosign` does, with the
    proof from the last one cosigned) and hand the cosignature in; the note with it."""
    text = log.latest()
    size, last = opened(text).size, load_state(state_path)
    # No proof for a first cosignature, nor for a log that did not grow (`cosign` says how).
    proof = log.consistency(last.size, size) if last is not None and last.size < size else []
    return log.hand_in(size, cosign(key, state_path, text, proof, service).line())


def load_state(path: Path) -> State | None:
    """The witness's state; None before its first cosignature."""
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        return State(data["origin"], list(data["service"]), int(data["size"]),
                     bytes.fromhex(data["root"]), data["checkpoint"])
    except FileNotFoundError:
        return None
    except (OSError, ValueError, KeyError, TypeError) as error:
        raise ProofError(f"the witness state {path} is unreadable: {error!r}") from None


def _check_signed(checkpoint: Checkpoint, service: Sequence[Verifier]) -> None:
    trusted = [v for v in service if v.kind == ED25519 and v.name == checkpoint.origin]
    if not any(checkpoint.verified_by(v) for v in trusted):
        raise ProofError(f"checkpoint {checkpoint.size} of {checkpoint.origin} is not signed "
                         "by a service key this witness trusts")


def _check_extends(checkpoint: Checkpoint, last: State | None, proof: Sequence[bytes]) -> None:
    if last is None:
        if proof:
            raise ProofError("this witness has cosigned nothing yet: no proof is expected")
        return
    if checkpoint.origin != last.origin:
        raise ProofError(f"this witness follows {last.origin}, not {checkpoint.origin}")
    new, old = _tree(checkpoint.size, checkpoint.root), _tree(last.size, last.root)
    if checkpoint.size < last.size:
        raise ProofError(f"the log shrank: {new} after {old} was cosigned")
    if checkpoint.size == last.size and checkpoint.root != last.root:
        raise ProofError(f"two different trees of size {last.size}: root "
                         f"{last.root.hex()} was cosigned, now root {checkpoint.root.hex()}")
    h = hasher(checkpoint.hash_name)
    try:
        verify_consistency(h, last.size, checkpoint.size, last.root, checkpoint.root, proof)
    except ProofError:
        raise ProofError(f"{new} does not extend {old}, which was cosigned (or the proof "
                         "is wrong)") from None


def _tree(size: int, root: bytes) -> str:
    return f"the tree of size {size} with root {root.hex()}"


@contextlib.contextmanager
def _locked(state_path: Path) -> Iterator[None]:
    with open(state_path.with_name(state_path.name + ".lock"), "a") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)  # released when the file closes
        yield


def _save(path: Path, state: State) -> None:
    """Replace the state whole (temporary file, then rename): a crash leaves the old one."""
    data = {"origin": state.origin, "service": state.service, "size": state.size,
            "root": state.root.hex(), "checkpoint": state.checkpoint}
    fd, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.")
    try:
        with os.fdopen(fd, "w") as file:
            json.dump(data, file, indent=2)
            file.flush()
            os.fsync(file.fileno())
        os.replace(temporary, path)
    finally:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(temporary)  # still there only if writing failed
