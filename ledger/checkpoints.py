"""The log's checkpoints (c2sp.org/tlog-checkpoint) as the service writes them.

The body is exactly three lines: the origin (the deployment's log name, '/', the hash
name), the size and the root. The service key, named for the origin, signs it twice: a
plain Ed25519 signature (0x01), which any note tool checks, and a timestamped cosignature
(0x04), which signs the checkpoint's time. Witnesses' cosignatures follow.
"""

import base64

from ledger.keys import SigningKey, check_name
from ledger.offline import (
    HASH_BYTES,
    HASHES,
    MAX_SIGNATURES,
    Checkpoint,
    ProofError,
    Signature,
    Verifier,
    open_checkpoint,
)


def body(origin: str, size: int, root: bytes) -> str:
    log, _, hash_name = check_name(origin).rpartition("/")
    if not log or hash_name not in HASHES or size < 0 or len(root) != HASH_BYTES:
        raise ValueError(f"not a checkpoint: origin {origin!r} (log/hash), size {size}, "
                         f"a {len(root)}-byte root")
    return f"{origin}\n{size}\n{base64.b64encode(root).decode()}\n"


def signed(key: SigningKey, origin: str, size: int, root: bytes, timestamp: int) -> str:
    """The checkpoint's note, signed by the service key at `timestamp` (POSIX seconds)."""
    if key.name != origin:
        raise ValueError(f"the key {key.name!r} does not sign for {origin!r}")
    text = body(origin, size, root)
    return text + "\n" + key.sign(text).line() + key.cosign(text, timestamp).line()


def with_cosignature(text: str, signature: Signature) -> str:
    """`text` with `signature` appended, unless the note has one by that key already."""
    checkpoint = open_checkpoint(text)
    if any((s.name, s.key_id) == (signature.name, signature.key_id)
           for s in checkpoint.signatures):
        return text
    if len(checkpoint.signatures) >= MAX_SIGNATURES:  # more would be dropped by readers
        raise ProofError(f"checkpoint {checkpoint.size} has {MAX_SIGNATURES} signatures")
    return text + signature.line()


def opened(text: str) -> Checkpoint:
    """A note parsed as `open_checkpoint` does, whose body is exactly as `body` writes it:
    no extension lines, and the root in canonical base64."""
    checkpoint = open_checkpoint(text)
    try:
        expected = body(checkpoint.origin, checkpoint.size, checkpoint.root)
    except ValueError:
        expected = None
    if checkpoint.body != expected:
        raise ProofError("not a checkpoint of this log: only the origin (log/hash), size "
                         "and root lines are expected")
    return checkpoint


def signed_at(checkpoint: Checkpoint, service: Verifier) -> int:
    """The checkpoint's time: that of the service key's own cosignature, checked by its
    COSIGNATURE verifier."""
    signature = checkpoint.verified_by(service)
    if signature is None or signature.timestamp is None:
        raise ProofError(f"checkpoint {checkpoint.size} has no cosignature by {service.name}")
    return signature.timestamp
