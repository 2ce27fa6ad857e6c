"""Check the appraisal log's proofs without the service: this one file, the standard library
and `cryptography` (for Ed25519) are all it needs; inspectors copy it and run it.

What the log is (docs/VERIFY.md says it for people):
- Every event has a chain hash over its canonical bytes and the chain hash of the previous
  event of its stream (zeros for the first): `chain_hash`.
- All events, in log order, are the leaves of an RFC 9162 Merkle tree whose leaf entries are
  the chain hashes: `leaf_hash`, `node_hash`, `verify_inclusion`, `verify_consistency`.
- Checkpoints are C2SP signed notes (c2sp.org/tlog-checkpoint): origin, size, root, then
  the service's Ed25519 signature (type 0x01) and timestamped cosignatures (type 0x04,
  c2sp.org/tlog-cosignature) by the service and by witnesses: `open_checkpoint`.
The hash is SM3 (GB/T 32905) or SHA-256, as the deployment chose; a checkpoint's origin
line ends with it (`…/sm3`).
"""

import base64
import hashlib
import struct
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from uuid import UUID

HASHES = ("sm3", "sha256")
HASH_BYTES = 32
FIRST = bytes(HASH_BYTES)  # the "previous chain hash" of a stream's first event

Hash = Callable[[bytes], bytes]


class ProofError(Exception):
    """A proof, chain or signature does not hold; the message says which."""


def hasher(name: str) -> Hash:
    """The digest function called `name` (SM3 through OpenSSL, as hashlib offers it)."""
    if name not in HASHES:
        raise ProofError(f"unknown hash {name!r} (known: {', '.join(HASHES)})")
    try:
        hashlib.new(name)
    except ValueError:  # an OpenSSL without SM3: cryptography carries its own
        return _cryptography_hash(name)
    if name == "sha256":
        return lambda data: hashlib.sha256(data).digest()
    return lambda data: hashlib.new(name, data).digest()


def _cryptography_hash(name: str) -> Hash:
    from cryptography.hazmat.primitives import hashes

    algorithm = {"sm3": hashes.SM3, "sha256": hashes.SHA256}[name]

    def digest(data: bytes) -> bytes:
        h = hashes.Hash(algorithm())
        h.update(data)
        return h.finalize()
    return digest


def event_bytes(stream: UUID, version: int, topic: str, state: bytes) -> bytes:
    """An event's canonical bytes: its stream id (16 bytes), version (8, big-endian), topic
    and state (each a 4-byte big-endian length, then the bytes as stored)."""
    name = topic.encode("utf-8")
    return b"".join((stream.bytes, struct.pack(">QI", version, len(name)), name,
                     struct.pack(">I", len(state)), state))


def chain_hash(h: Hash, previous: bytes, stream: UUID, version: int, topic: str,
               state: bytes) -> bytes:
    """H(previous chain hash || canonical bytes): a change anywhere in a stream's history
    changes every later chain hash of that stream."""
    return h(previous + event_bytes(stream, version, topic, state))


def leaf_hash(h: Hash, chain: bytes) -> bytes:
    return h(b"\x00" + chain)


def node_hash(h: Hash, left: bytes, right: bytes) -> bytes:
    return h(b"\x01" + left + right)


def verify_inclusion(h: Hash, index: int, size: int, leaf: bytes, proof: Sequence[bytes],
                     root: bytes) -> None:
    """RFC 9162 2.1.3.2: the leaf at `index` is in the tree of `size` leaves with `root`."""
    if not 0 <= index < size:
        raise ProofError(f"leaf {index} is not in a tree of {size}")
    fn, sn, r = index, size - 1, leaf
    for p in proof:
        if sn == 0:
            raise ProofError(f"the inclusion proof of leaf {index} is too long")
        if fn & 1 or fn == sn:
            r = node_hash(h, p, r)
            while not fn & 1 and fn:
                fn, sn = fn >> 1, sn >> 1
        else:
            r = node_hash(h, r, p)
        fn, sn = fn >> 1, sn >> 1
    if sn != 0 or r != root:
        raise ProofError(f"leaf {index} is not included in the tree of {size} with root "
                         f"{root.hex()}")


def verify_consistency(h: Hash, old_size: int, new_size: int, old_root: bytes,
                       new_root: bytes, proof: Sequence[bytes]) -> None:
    """RFC 9162 2.1.4.2: the tree of `new_size` extends the tree of `old_size` unchanged."""
    if not 0 < old_size <= new_size:
        if old_size == 0 and not proof:
            return  # the empty tree is a prefix of every tree
        raise ProofError(f"no consistency between sizes {old_size} and {new_size}")
    if old_size == new_size:
        if proof or old_root != new_root:
            raise ProofError(f"two different trees of size {old_size}")
        return
    if not proof:
        raise ProofError("the consistency proof is empty")
    path = list(proof)
    if old_size & (old_size - 1) == 0:  # a power of two: the old root is the first node
        path.insert(0, old_root)
    fn, sn = old_size - 1, new_size - 1
    while fn & 1:
        fn, sn = fn >> 1, sn >> 1
    fr = sr = path[0]
    for c in path[1:]:
        if sn == 0:
            raise ProofError("the consistency proof is too long")
        if fn & 1 or fn == sn:
            fr, sr = node_hash(h, c, fr), node_hash(h, c, sr)
            while not fn & 1 and fn:
                fn, sn = fn >> 1, sn >> 1
        else:
            sr = node_hash(h, sr, c)
        fn, sn = fn >> 1, sn >> 1
    if sn != 0 or fr != old_root or sr != new_root:
        raise ProofError(f"the tree of {new_size} does not extend the tree of {old_size} "
                         f"with root {old_root.hex()}")


# Signed notes (c2sp.org/signed-note) and checkpoints (c2sp.org/tlog-checkpoint).

ED25519 = 0x01
COSIGNATURE = 0x04  # c2sp.org/tlog-cosignature: Ed25519 over "cosignature/v1", time, body


@dataclass(frozen=True)
class Verifier:
    """A public key as a vkey (`name+hex key id+base64(type || key)`) says it."""

    name: str
    key_id: bytes
    kind: int
    public: bytes

    @classmethod
    def parse(cls, vkey: str) -> "Verifier":
        try:  # split twice only: the base64 key may itself contain '+'
            name, key_id, material = vkey.strip().split("+", 2)
            raw = base64.b64decode(material, validate=True)
            key_id_bytes = bytes.fromhex(key_id)
        except ValueError:
            raise ProofError(f"not a verifier key: {vkey[:80]!r}") from None
        if not name or len(raw) != 33 or raw[0] not in (ED25519, COSIGNATURE):
            raise ProofError(f"not an Ed25519 verifier key: {vkey[:80]!r}")
        verifier = cls(name, key_id_bytes, raw[0], raw[1:])
        if verifier.key_id != key_id_of(name, raw[0], raw[1:]):
            raise ProofError(f"the key id of {name} does not match its key")
        return verifier

    def __str__(self) -> str:
        material = base64.b64encode(bytes([self.kind]) + self.public).decode()
        return f"{self.name}+{self.key_id.hex()}+{material}"


def key_id_of(name: str, kind: int, public: bytes) -> bytes:
    return hashlib.sha256(name.encode() + b"\n" + bytes([kind]) + public).digest()[:4]


def cosigned_message(body: str, timestamp: int) -> bytes:
    return f"cosignature/v1\ntime {timestamp}\n{body}".encode()


@dataclass(frozen=True)
class Signature:
    name: str
    key_id: bytes
    signature: bytes  # for a cosignature: the 8-byte timestamp, then the Ed25519 signature

    @property
    def timestamp(self) -> int | None:
        return struct.unpack(">Q", self.signature[:8])[0] if len(self.signature) == 72 else None

    def line(self) -> str:
        return f"— {self.name} {base64.b64encode(self.key_id + self.signature).decode()}\n"


@dataclass(frozen=True)
class Checkpoint:
    origin: str
    size: int
    root: bytes
    body: str  # the note text the signatures are over
    signatures: tuple[Signature, ...]

    @property
    def hash_name(self) -> str:
        return self.origin.rsplit("/", 1)[-1]

    def verified_by(self, verifier: Verifier) -> Signature | None:
        """The signature of `verifier` on this checkpoint, checked; None if it has none;
        ProofError if it has one that does not verify."""
        from cryptography.exceptions import InvalidSignature
        from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

        key = Ed25519PublicKey.from_public_bytes(verifier.public)
        for s in self.signatures:
            if (s.name, s.key_id) != (verifier.name, verifier.key_id):
                continue
            if verifier.kind == COSIGNATURE:
                if s.timestamp is None:
                    raise ProofError(f"the cosignature of {verifier.name} has no time")
                message, raw = cosigned_message(self.body, s.timestamp), s.signature[8:]
            else:
                message, raw = self.body.encode(), s.signature
            try:
                key.verify(raw, message)
            except InvalidSignature:
                raise ProofError(f"the signature of {verifier.name} on checkpoint "
                                 f"{self.size} does not verify") from None
            return s
        return None


MAX_NOTE_BYTES = 64 * 1024
MAX_SIGNATURES = 32


def open_checkpoint(text: str) -> Checkpoint:
    """Parse a signed checkpoint note; its signatures are checked by `verified_by`."""
    if len(text.encode()) > MAX_NOTE_BYTES or any(c < " " and c != "\n" for c in text):
        raise ProofError("not a signed note: too long, or control characters")
    body, sep, lines = text.rpartition("\n\n")
    if not sep or not lines.endswith("\n"):
        raise ProofError("not a signed note: no blank line before the signatures")
    body += "\n"
    head = body.split("\n")
    try:
        origin, size, root = head[0], int(head[1]), base64.b64decode(head[2], validate=True)
    except (IndexError, ValueError):
        raise ProofError("not a checkpoint: origin, size and root hash expected") from None
    if not origin or len(root) != HASH_BYTES or size < 0 or head[1] != str(size):
        raise ProofError("not a checkpoint: origin, size and root hash expected")
    signatures = []
    for line in lines.splitlines()[:MAX_SIGNATURES]:
        dash, name, encoded = ([*line.split(" "), "", ""])[:3]
        try:
            raw = base64.b64decode(encoded, validate=True)
        except ValueError:
            raise ProofError(f"a signature line is not base64: {line[:80]!r}") from None
        if dash != "—" or not name or len(raw) < 5:
            raise ProofError(f"not a signature line: {line[:80]!r}")
        signatures.append(Signature(name, raw[:4], raw[4:]))
    return Checkpoint(origin, size, root, body, tuple(signatures))
