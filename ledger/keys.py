"""Ed25519 note keys: the service's, which signs checkpoints, and each witness's, which
cosigns them.

A key is kept as Go's golang.org/x/mod/sumdb/note writes one,
`PRIVATE+KEY+<name>+<hex key id>+<base64(0x01 || 32-byte seed)>`, so that standard note
tools read our key files and we read theirs. One key serves both signature types of
c2sp.org/signed-note: plain Ed25519 (0x01) and timestamped cosignatures (0x04); each type
has its own key id.
"""

import base64
import os
import struct
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from ledger.offline import COSIGNATURE, ED25519, Signature, Verifier, cosigned_message, key_id_of

MAX_NAME = 200
MAX_TIMESTAMP = 2**63 - 1  # c2sp.org/tlog-cosignature


class SigningKeyError(ValueError):
    """A key's name, text or file is unusable; the message says which (never the key)."""


def check_name(name: str) -> str:
    """A key name as c2sp.org/signed-note allows it: non-empty, no spaces nor '+'; no
    control characters either, since it is written on a line of the note."""
    if not 0 < len(name) <= MAX_NAME or "+" in name or any(
            c.isspace() or c < " " for c in name):
        raise SigningKeyError(f"not a key name (1 to {MAX_NAME} characters, no spaces, "
                              f"no '+'): {name[:MAX_NAME]!r}")
    return name


@dataclass(frozen=True, eq=False)
class SigningKey:
    """A named Ed25519 private key that signs notes (0x01) and cosigns them (0x04)."""

    name: str
    private: Ed25519PrivateKey = field(repr=False)

    @classmethod
    def generate(cls, name: str) -> "SigningKey":
        return cls(check_name(name), Ed25519PrivateKey.generate())

    @classmethod
    def parse(cls, text: str) -> "SigningKey":
        """Read Go's private key format; the messages quote the name at most, never the key."""
        parts = text.strip().split("+", 4)  # the base64 seed may itself contain '+'
        if len(parts) != 5 or parts[:2] != ["PRIVATE", "KEY"]:
            raise SigningKeyError("not a private key: PRIVATE+KEY+name+id+key expected")
        name, key_id, material = check_name(parts[2]), parts[3], parts[4]
        try:
            raw = base64.b64decode(material, validate=True)
        except ValueError:
            raise SigningKeyError(f"the private key of {name} is not base64") from None
        if len(raw) != 33 or raw[0] != ED25519:
            raise SigningKeyError(f"the private key of {name} is not an Ed25519 seed")
        key = cls(name, Ed25519PrivateKey.from_private_bytes(raw[1:]))
        if key_id != key.verifier(ED25519).key_id.hex():
            raise SigningKeyError(f"the key id of {name} does not match its key")
        return key

    def text(self) -> str:
        seed = base64.b64encode(bytes([ED25519]) + self.private.private_bytes_raw()).decode()
        return f"PRIVATE+KEY+{self.name}+{self.verifier(ED25519).key_id.hex()}+{seed}"

    def verifier(self, kind: int) -> Verifier:
        """The public key as a verifier of `kind`, ED25519 or COSIGNATURE."""
        if kind not in (ED25519, COSIGNATURE):
            raise SigningKeyError(f"unknown signature type {kind:#04x}")
        public = self.private.public_key().public_bytes_raw()
        return Verifier(self.name, key_id_of(self.name, kind, public), kind, public)

    def sign(self, body: str) -> Signature:
        """A plain Ed25519 note signature (0x01) over `body`."""
        return Signature(self.name, self.verifier(ED25519).key_id,
                         self.private.sign(body.encode()))

    def cosign(self, body: str, timestamp: int) -> Signature:
        """A c2sp.org/tlog-cosignature (0x04): `body` as it stood at `timestamp` (POSIX
        seconds), the time first, then the signature."""
        if not 0 <= timestamp <= MAX_TIMESTAMP:
            raise SigningKeyError(f"not a cosignature time: {timestamp}")
        signed = self.private.sign(cosigned_message(body, timestamp))
        return Signature(self.name, self.verifier(COSIGNATURE).key_id,
                         struct.pack(">Q", timestamp) + signed)


def write_key(path: Path, key: SigningKey) -> None:
    """Store `key` at `path`, readable by its owner only, complete or not at all; an
    existing file is never replaced (it may be a key in use), so that is refused."""
    try:
        write_new(path, key.text() + "\n")
    except FileExistsError:
        raise SigningKeyError(f"{path} exists already; it is never replaced") from None


def write_new(path: Path, text: str) -> None:
    """Write a secret to `path`, readable by its owner only, so that no reader sees it
    half-written: into a temporary file (0600) first, then linked to its name, which
    (unlike a rename) fails with FileExistsError rather than replace a file there."""
    temporary = _written(path, text)
    try:
        os.link(temporary, path)
    finally:
        os.unlink(temporary)


def retire_key(path: Path, key: SigningKey) -> Path:
    """Put `key` at `path` in place of the key there, which is kept beside it as
    `<path>.retired-<its key id>`; a reader finds the old key or the new, never none."""
    old = read_key(path)
    retired = path.with_name(f"{path.name}.retired-{old.verifier(ED25519).key_id.hex()}")
    try:
        os.link(path, retired)
    except FileExistsError:
        raise SigningKeyError(f"{retired} exists already; it is never replaced") from None
    temporary = _written(path, key.text() + "\n")
    try:
        os.replace(temporary, path)
    except OSError:
        os.unlink(temporary)
        raise
    return retired


def _written(path: Path, text: str) -> str:
    """A new file beside `path` (0600) holding `text`, complete and on disk: its name."""
    fd, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.")
    try:
        with os.fdopen(fd, "w") as file:
            file.write(text)
            file.flush()
            os.fsync(file.fileno())
    except OSError:
        os.unlink(temporary)
        raise
    return temporary


def read_key(path: Path) -> SigningKey:
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as error:
        raise SigningKeyError(f"cannot read the key {path}: {error}") from None
    try:
        return SigningKey.parse(text)
    except SigningKeyError as error:
        raise SigningKeyError(f"{path}: {error}") from None
