"""Check the appraisal log's proofs without the service: this one file, the standard library
and `cryptography` (for Ed25519) are all it needs; inspectors copy it and run it:

    python offline.py --key VKEY [--witness VKEY]... [--checkpoint FILE] [--lang en] FILE...

FILE is a history with its proof (`GET /appraisals/{id}/proof`, saved) or a year-end
archive (JSON, PDF or XLSX). Nothing in a file is trusted: the keys come from the command
line. Exit status 0 if every file holds, 1 naming the first thing that does not, 2 for a
usage error (docs/VERIFY.md says it all step by step).

What the log is:
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

import argparse
import base64
import codecs
import collections
import contextlib
import hashlib
import io
import json
import mmap
import os
import re
import struct
import sys
import zipfile
import zlib
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime, timedelta, timezone
from typing import IO, Any
from uuid import UUID
from xml.etree import ElementTree

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

    def of_kind(self, kind: int) -> "Verifier":
        """The same key as a verifier of `kind`: one key makes both types, each with its
        own key id."""
        return Verifier(self.name, key_id_of(self.name, kind, self.public), kind, self.public)


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


# What the verifier says, in Chinese (the default) or English. Values are shown as plain
# text: what comes from a file is stripped of control characters before it is printed.

LANGS = ("zh", "en")
MESSAGES: dict[str, tuple[str, str]] = {
    # where a fault lies
    "the_proof": ("考核证明", "the proof"),
    "the_archive": ("档案", "the archive"),
    "the_ledger": ("档案清单的账本证明（ledger）", "the manifest's ledger proof"),
    "the_checkpoint": ("检查点", "the checkpoint"),
    "the_checkpoint_file": ("--checkpoint 所给的检查点", "the checkpoint given by --checkpoint"),
    "event": ("版本 {version} 的事件", "event version {version}"),
    "entry": ("账本证明的第 {index} 项", "entry {index} of the ledger proof"),
    "archived": ("档案的第 {index} 份考核", "appraisal {index} of the archive"),
    "appraisal": ("考核 {appraisal}（版本 {version}）",
                  "appraisal {appraisal} (version {version})"),
    "tree": ("{origin} 的检查点 {size}（根 {root}）",
             "checkpoint {size} of {origin} (root {root})"),
    # files that cannot be read
    "invalid_json": ("JSON 不完整或无效（第 {at} 字节处）",
                     "the JSON is incomplete or invalid (at byte {at})"),
    "too_big": ("第 {at} 字节处的值过大（超过 {limit} 字节）",
                "the value at byte {at} is over {limit} bytes"),
    "part_too_big": ("XLSX 中的 {part} 过大（超过 {limit} 字节）",
                     "{part} of the XLSX is over {limit} bytes"),
    "not_utf8": ("{where}不是 UTF-8 文本", "{where} is not UTF-8 text"),
    "unknown_file": ("既不是考核证明，也不是考核档案（JSON、PDF 或 XLSX）",
                     "neither a proof nor an archive (JSON, PDF or XLSX)"),
    "no_manifest_pdf": ("此 PDF 中没有考核档案清单", "no appraisal manifest in this PDF"),
    "no_manifest_xlsx": ("此工作簿中没有考核档案清单", "no appraisal manifest in this workbook"),
    "bad_hex": ("PDF 中的档案清单不是十六进制串", "the PDF's manifest is not a hex string"),
    "bad_xlsx": ("XLSX 文件损坏或不完整（{detail}）",
                 "the XLSX file is damaged or incomplete ({detail})"),
    "no_ledger": ("档案清单中没有账本证明（ledger）：此档案早于该功能，或已被改动",
                  "the manifest carries no ledger proof: the archive predates it, or was altered"),
    "field": ("{where}：{field} 缺失或格式不对", "{where}: {field} is missing or malformed"),
    # checks that fail
    "bad_note": ("{where}无法解析：{detail}", "{where} does not parse: {detail}"),
    "note_differs": (
        "检查点文本为规模 {note_size}、根 {note_root}，与所附的规模 {size}、根 {root} 不符",
        "the checkpoint's note says size {note_size}, root {note_root}; beside it: size {size}, "
        "root {root}"),
    "hash_differs": ("证明所用的哈希为 {given}，检查点签署的却是 {signed}",
                     "the proof says hash {given}, the checkpoint signs {signed}"),
    "unknown_hash": ("检查点的哈希 {name} 未知（已知：sm3、sha256）",
                     "the checkpoint's hash {name} is unknown (known: sm3, sha256)"),
    "unsigned": ("检查点 {size} 没有所给服务密钥（--key）的签名",
                 "checkpoint {size} is not signed by a service key given (--key)"),
    "bad_signature": ("检查点 {size} 上 {name} 的签名不成立",
                      "the signature of {name} on checkpoint {size} does not verify"),
    "not_cosigned": ("检查点 {size} 未由 {name} 联署",
                     "checkpoint {size} is not cosigned by {name}"),
    "not_cosigned_here": (
        "检查点 {size} 未由 {name} 联署（如有联署后的检查点，请用 --checkpoint 给出：档案内的检查点"
        "只带服务的签名）",
        "checkpoint {size} is not cosigned by {name} (give its cosigned note with --checkpoint "
        "if you have it: an archive's carries the service's signatures only)"),
    "other_checkpoint": ("--checkpoint 给出的是{other}，而文件依据的是{this}",
                         "--checkpoint gives {other}, the file rests on {this}"),
    "version_gap": (
        "事件须是从版本 1 起完整、连续的历史：应为版本 {expected}，却是版本 {found}",
        "the events must be the whole history from version 1 in order: expected version "
        "{expected}, found {found}"),
    "chain_differs": (
        "{where}：链哈希与其内容（流、版本、主题、状态）及前一事件的链哈希不符，内容已被改动",
        "{where}: its chain hash does not match its bytes (stream, version, topic, state) and "
        "the previous event's: it was altered"),
    "leaf_hash_differs": ("{where}：叶哈希与链哈希不符",
                          "{where}: its leaf hash does not match its chain hash"),
    "not_included": ("{where}（叶 {leaf}）未纳入检查点 {size}：包含证明不成立",
                     "{where} (leaf {leaf}) is not included in checkpoint {size}: the inclusion "
                     "proof fails"),
    "not_in_ledger": ("档案中的{where}没有账本证明",
                      "{where} of the archive has no ledger proof"),
    "not_in_archive": ("账本证明中的{where}不在档案中",
                       "the ledger proves {where}, which the archive lacks"),
    # the command line
    "usage_key": ("请用 --key 给出服务公钥（vkey）：文件本身的任何内容都不作为信任依据",
                  "give the service's public key (a vkey) with --key: nothing in a file is "
                  "trusted by itself"),
    "bad_vkey": ("{option} 的值不是公钥（vkey）：{detail}", "{option} is not a vkey: {detail}"),
    "witness_is_service": ("--witness {name} 是服务自己的密钥：联署须来自另一方",
                           "--witness {name} is the service's own key: a cosignature must come "
                           "from someone else"),
    "cannot_read": ("无法读取 {path}：{detail}", "cannot read {path}: {detail}"),
    "no_cryptography": ("需要 Python 库 cryptography：pip install cryptography",
                        "the Python library cryptography is needed: pip install cryptography"),
    # what holds
    "file": ("文件 {path}", "file {path}"),
    "proof_head": ("考核 {appraisal} 的历史及其证明，共 {count} 个事件：",
                   "the history of appraisal {appraisal} with its proof, {count} events:"),
    "archive_head": ("{form} 档案：{year} 年度，{scope}，截至 {as_of}",
                     "{form} archive: year {year}, {scope}, as of {as_of}"),
    "all_branches": ("全部支部", "every branch"),
    "branch": ("支部 {branch}", "branch {branch}"),
    "event_line": ("  版本 {version}  {kind}  {details}", "  v{version}  {kind}  {details}"),
    "who": ("{actor}（{role}）", "{actor} ({role})"),
    "total": ("合计 {total}", "total {total}"),
    "reward": ("奖惩 {reward} 元", "reward {reward} yuan"),
    "reason": ("理由：{reason}", "reason: {reason}"),
    "unreadable_state": ("（状态不是可读的 JSON）", "(the state is not readable JSON)"),
    "at": ("（{time}）", " ({time})"),
    "signed": ("由服务密钥 {service} 签名，由 {witnesses} 联署",
               "signed by the service key {service}, cosigned by {witnesses}"),
    "signed_alone": ("由服务密钥 {service} 签名（未给出 --witness，未核验联署）",
                     "signed by the service key {service} (no --witness given: no cosignature "
                     "checked)"),
    "holds_proof": (
        "成立：这 {count} 个事件（版本 1–{count}）均已纳入检查点 {size}{time}，{signed}。",
        "HOLDS: these {count} events (versions 1–{count}) are included in checkpoint "
        "{size}{time}, {signed}."),
    "holds_archive": (
        "成立：本档案 {count} 份考核的全部事件均已纳入检查点 {size}{time}，{signed}。",
        "HOLDS: every event of the archive's {count} appraisals is included in checkpoint "
        "{size}{time}, {signed}."),
    "holds_empty": ("成立：本档案不含考核，没有要核验的事件。",
                    "HOLDS: the archive holds no appraisal: there is no event to prove."),
    "fails": ("不成立：{reason}", "DOES NOT HOLD: {reason}"),
}
LIST_SEPARATORS = ("、", ", ")
SHOWN_CHARACTERS = 200


@dataclass(frozen=True)
class Said:
    """A message of MESSAGES with its values, said in either language. A value may be
    another Said, a list (said as a list: 甲、乙 / a, b) or a tuple (parts, two spaces
    apart)."""

    key: str
    values: dict[str, Any] = field(default_factory=dict)

    def __call__(self, lang: str) -> str:
        return MESSAGES[self.key][LANGS.index(lang)].format(
            **{name: _shown(value, lang) for name, value in self.values.items()})


def said(key: str, **values: Any) -> Said:
    return Said(key, values)


def _shown(value: Any, lang: str) -> str:
    if isinstance(value, Said):
        return value(lang)
    if isinstance(value, list):
        return LIST_SEPARATORS[LANGS.index(lang)].join(_shown(v, lang) for v in value)
    if isinstance(value, tuple):
        return "  ".join(_shown(v, lang) for v in value)
    text = "".join(c if c.isprintable() else "\ufffd" for c in str(value))
    return text if len(text) <= SHOWN_CHARACTERS else text[:SHOWN_CHARACTERS] + "…"


class VerifyError(ValueError):
    """A file that does not hold, or cannot be read as one: what `said` says; str() is the
    English."""

    def __init__(self, key: str, **values: Any):
        super().__init__(key)
        self.said = Said(key, values)

    def __str__(self) -> str:
        return self.said("en")


class UsageError(VerifyError):
    """The command line is wrong (exit status 2)."""


# Reading files within bounds. A file is mapped, not read into memory, and only the JSON
# values a check needs are parsed, one at a time: a year's archive may be gigabytes. Values
# are found by a scan that skips strings whole and counts brackets: what it skips is not
# parsed, so not checked either; the checks parse all they rely on.

MAX_JSON_VALUE = 2**30  # bytes: the largest JSON value parsed at once
MAX_NAME_BYTES = 256  # a member name longer than this is none the checks look for
MAX_PART_BYTES = 2**31  # bytes: the largest part of a workbook read (decompressed)
MAX_TEXT_FILE = 2**26  # bytes: the largest file read as text (a UTF-16 proof, a note)
PDF_MANIFEST_KEY = "AppraisalManifest"
PDF_MANIFEST = re.compile(rb"/" + PDF_MANIFEST_KEY.encode() + rb"\s*<([0-9A-Fa-f\s]*)>")
XLSX_COVER = "档案信息"  # the sheet whose hidden columns C and D hold the manifest
XLSX_KEY_HEADER = "key"

Buffer = bytes | mmap.mmap
Span = tuple[int, int]
Located = tuple[Buffer, Span]  # a JSON value: the buffer it is in, and where

_SPACE = re.compile(rb"[ \t\n\r]*")
_STRING = re.compile(rb'"(?:[^"\\]++|\\.)*+"', re.S)
_SCALAR = re.compile(rb"[-+.\w]+")
_INSIDE = re.compile(rb'(?:[^"\[\]{}]++|"(?:[^"\\]++|\\.)*+")*+', re.S)  # up to a bracket


def _nested(depth: int) -> re.Pattern[bytes]:
    """A bracketed JSON value at most `depth` deep, skipped in one match: twice as fast as
    counting brackets in Python. Brackets are not paired by kind; what is used is parsed."""
    inside = _INSIDE.pattern
    for _ in range(depth):
        inside = rb'(?:[^"\[\]{}]++|' + _STRING.pattern + rb"|[\[{]" + inside + rb"[\]}])*+"
    return re.compile(rb"[\[{]" + inside + rb"[\]}]", re.S)


_BRACKETED = _nested(16)


def _past(pattern: re.Pattern[bytes], buf: Buffer, at: int) -> int:
    match = pattern.match(buf, at)
    return at if match is None else match.end()


def _skip(buf: Buffer, at: int) -> int:
    """Where the JSON value at `at` ends."""
    first = buf[at:at + 1]
    if first not in (b"{", b"["):
        match = (_STRING if first == b'"' else _SCALAR).match(buf, at)
        if match is None:
            raise VerifyError("invalid_json", at=at)
        return match.end()
    match = _BRACKETED.match(buf, at)
    if match is not None:
        return match.end()
    depth = 0  # deeper, or not JSON: brackets counted, to say where it fails
    while True:
        bracket = buf[at:at + 1]
        if bracket in (b"{", b"["):
            depth += 1
        elif bracket in (b"}", b"]"):
            depth -= 1
        else:  # an unterminated string, or the end of a truncated file
            raise VerifyError("invalid_json", at=at)
        at += 1
        if depth == 0:
            return at
        at = _past(_INSIDE, buf, at)


def _entries(buf: Buffer, at: int, named: bool) -> tuple[list[tuple[str | None, Span]], int]:
    """The members (`named`) or elements of the JSON object or array at `at`, each with the
    span of its value, unparsed (a member whose name is too long to be one looked for has
    none); and where the object or array ends."""
    at = _past(_SPACE, buf, at)
    opening, closing = (b"{", b"}") if named else (b"[", b"]")
    if buf[at:at + 1] != opening:
        raise VerifyError("invalid_json", at=at)
    found: list[tuple[str | None, Span]] = []
    at = _past(_SPACE, buf, at + 1)
    if buf[at:at + 1] == closing:
        return found, at + 1
    while True:
        name = None
        if named:
            key = _STRING.match(buf, at)
            if key is None:
                raise VerifyError("invalid_json", at=at)
            if key.end() - at <= MAX_NAME_BYTES:
                name = _name(buf[at:key.end()], at)
            at = _past(_SPACE, buf, key.end())
            if buf[at:at + 1] != b":":
                raise VerifyError("invalid_json", at=at)
            at = _past(_SPACE, buf, at + 1)
        end = _skip(buf, at)
        found.append((name, (at, end)))
        at = _past(_SPACE, buf, end)
        if buf[at:at + 1] == closing:
            return found, at + 1
        if buf[at:at + 1] != b",":
            raise VerifyError("invalid_json", at=at)
        at = _past(_SPACE, buf, at + 1)


def _name(raw: bytes, at: int) -> str:
    name = _parsed(raw, at)
    if not isinstance(name, str):
        raise VerifyError("invalid_json", at=at)
    return name


def _parsed(raw: bytes, at: int) -> Any:
    try:
        return json.loads(raw)
    except (ValueError, RecursionError):
        raise VerifyError("invalid_json", at=at) from None


def members(located: Located) -> dict[str, Located]:
    """The members of the JSON object at `located`, by name (the last of a name, as
    json.loads keeps it)."""
    buf, (at, _) = located
    return {name: (buf, span) for name, span in _entries(buf, at, True)[0] if name is not None}


def elements(located: Located) -> list[Located]:
    buf, (at, _) = located
    return [(buf, span) for _, span in _entries(buf, at, False)[0]]


def document(buf: Buffer) -> dict[str, Located]:
    """The members of the JSON object that is the whole of `buf`."""
    at = 3 if buf[:3] == codecs.BOM_UTF8 else 0
    found, end = _entries(buf, at, True)
    if _past(_SPACE, buf, end) != len(buf):
        raise VerifyError("invalid_json", at=end)
    return {name: (buf, span) for name, span in found if name is not None}


def value(located: Located, limit: int = MAX_JSON_VALUE) -> Any:
    buf, (start, end) = located
    if end - start > limit:
        raise VerifyError("too_big", at=start, limit=limit)
    return _parsed(buf[start:end], start)


def pdf_manifest(buf: Buffer) -> bytes:
    """The manifest's JSON in a PDF archive's document information (the last one: a PDF
    updated in place keeps its newest information last)."""
    found = collections.deque(PDF_MANIFEST.finditer(buf), maxlen=1)
    if not found:
        raise VerifyError("no_manifest_pdf")
    last = found[0]
    if last.end(1) - last.start(1) > 2 * MAX_JSON_VALUE:
        raise VerifyError("too_big", at=last.start(1), limit=2 * MAX_JSON_VALUE)
    try:
        return bytes.fromhex(buf[last.start(1):last.end(1)].decode("ascii"))
    except ValueError:
        raise VerifyError("bad_hex") from None


def xlsx_manifest(file: IO[bytes]) -> dict[str, str]:
    """The manifest of an XLSX archive, each key with its value's JSON: the hidden columns
    C and D of the cover sheet, in strings inline or shared (as a spreadsheet program that
    saved it again would keep them). A value longer than a cell holds goes on in further
    rows of its key, joined in row order."""
    try:
        with zipfile.ZipFile(file) as book:
            cover = _cover_sheet(book)
            if cover is None:
                raise VerifyError("no_manifest_xlsx")
            rows = _rows(_part(book, cover, MAX_PART_BYTES))
            strings = _shared_strings(book, {i for row in rows for i in row.values()
                                             if isinstance(i, int)})
    except VerifyError:
        raise
    except (zipfile.BadZipFile, zlib.error, ElementTree.ParseError, OSError, EOFError,
            ValueError, KeyError, RuntimeError) as error:  # RuntimeError: encrypted, deflate64
        raise VerifyError("bad_xlsx", detail=type(error).__name__) from None
    pieces: dict[str, list[str]] = {}
    for row in rows:
        key, text = (strings.get(v, "") if isinstance(v, int) else v
                     for v in (row.get("C"), row.get("D")))
        if key and text is not None and key != XLSX_KEY_HEADER:
            pieces.setdefault(key, []).append(text)
    return {key: "".join(texts) for key, texts in pieces.items()}


_MAIN = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"
_RELATIONS = "{http://schemas.openxmlformats.org/package/2006/relationships}"
_ID = "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}id"
_COLUMN = re.compile(r"[A-Z]+")


def _part(book: zipfile.ZipFile, name: str, limit: int = MAX_TEXT_FILE) -> IO[bytes]:
    if book.getinfo(name).file_size > limit:  # zipfile reads no more than this size
        raise VerifyError("part_too_big", part=name, limit=limit)
    return book.open(name)


def _cover_sheet(book: zipfile.ZipFile) -> str | None:
    """The cover sheet's part, as the workbook and its relationships name it."""
    workbook = ElementTree.parse(_part(book, "xl/workbook.xml")).getroot()
    ids = [sheet.get(_ID) for sheet in workbook.iter(f"{_MAIN}sheet")
           if sheet.get("name") == XLSX_COVER]
    if not ids:
        return None
    relations = ElementTree.parse(_part(book, "xl/_rels/workbook.xml.rels")).getroot()
    for relation in relations.iter(f"{_RELATIONS}Relationship"):
        if relation.get("Id") == ids[0]:
            target = relation.get("Target") or ""
            return target[1:] if target.startswith("/") else f"xl/{target}"
    return None


def _rows(sheet: IO[bytes]) -> list[dict[str, str | int | None]]:
    """Each row's cells C and D: text, a shared string's index, or None for no value."""
    rows: list[dict[str, str | int | None]] = []
    cells: dict[str, str | int | None] = {}
    column = 0
    for _, element in ElementTree.iterparse(sheet):
        if element.tag == f"{_MAIN}c":
            found = _COLUMN.match(element.get("r") or "")
            column = _column_number(found.group()) if found else column + 1
            if column in (3, 4):
                cells["CD"[column - 3]] = _cell(element)
        elif element.tag == f"{_MAIN}row":
            rows.append(cells)
            cells, column = {}, 0
            element.clear()
    return rows


def _column_number(letters: str) -> int:
    number = 0
    for letter in letters:
        number = number * 26 + ord(letter) - ord("A") + 1
    return number


def _cell(element: ElementTree.Element) -> str | int | None:
    if element.get("t") == "inlineStr":
        inline = element.find(f"{_MAIN}is")
        return None if inline is None else _text(inline)
    raw = element.findtext(f"{_MAIN}v") or None
    if raw is not None and element.get("t") == "s":
        return int(raw)
    return raw


def _text(item: ElementTree.Element) -> str:
    """A string item's text: its own, then its runs', without phonetic guides."""
    own = item.findtext(f"{_MAIN}t") or ""
    return own + "".join(run.findtext(f"{_MAIN}t") or "" for run in item.iter(f"{_MAIN}r"))


def _shared_strings(book: zipfile.ZipFile, wanted: set[int]) -> dict[int, str]:
    if not wanted:
        return {}
    found, index = {}, 0
    for _, element in ElementTree.iterparse(_part(book, "xl/sharedStrings.xml",
                                                  MAX_PART_BYTES)):
        if element.tag == f"{_MAIN}si":
            if index in wanted:  # openpyxl drops this escape's remnant when it reads; so do we
                found[index] = _text(element).replace("x005F_", "")
            index += 1
            element.clear()
    return found


# The checks: the checkpoint a file rests on, signed by keys the inspector holds; then every
# event or appraisal the file names, included in that checkpoint's tree.

BEIJING = timezone(timedelta(hours=8), "+08:00")  # China keeps one offset, no summer time
SMALL_VALUE = 4096  # bytes: a manifest value only shown


@dataclass(frozen=True)
class Signed:
    """A checkpoint's signatures as checked: the service key that signed it, the time it
    signed (its cosignature's), and the witnesses that cosigned it."""

    size: int
    time: int | None
    service: Verifier
    witnesses: list[str]

    def values(self) -> dict[str, Any]:
        service = f"{self.service.name}+{self.service.of_kind(ED25519).key_id.hex()}"
        signers = said("signed", service=service, witnesses=self.witnesses) \
            if self.witnesses else said("signed_alone", service=service)
        time = "" if self.time is None else said("at", time=_moment(self.time))
        return {"size": self.size, "time": time, "signed": signers}


@dataclass(frozen=True)
class Trust:
    """What the inspector holds from elsewhere than the file: the service's keys, the
    witnesses' keys, and perhaps the file's checkpoint as cosigned (`--checkpoint`)."""

    service: tuple[Verifier, ...]
    witnesses: tuple[Verifier, ...] = ()
    cosigned: Checkpoint | None = None

    def signed(self, note: Checkpoint) -> Signed:
        """`note` signed by a service key and cosigned by every witness, or VerifyError."""
        if self.cosigned is not None:
            if self.cosigned.body != note.body:
                raise VerifyError("other_checkpoint", other=_tree(self.cosigned), this=_tree(note))
            note = replace(note, signatures=note.signatures + self.cosigned.signatures)
        service = next((k for k in self.service if _verified(note, k.of_kind(ED25519))), None)
        if service is None:
            raise VerifyError("unsigned", size=note.size)
        timed = _verified(note, service.of_kind(COSIGNATURE))
        for witness in self.witnesses:
            if _verified(note, witness.of_kind(COSIGNATURE)) is None:
                raise VerifyError("not_cosigned" if self.cosigned else "not_cosigned_here",
                                  size=note.size, name=witness.name)
        return Signed(note.size, None if timed is None else timed.timestamp, service,
                      [w.name for w in self.witnesses])


def _verified(note: Checkpoint, key: Verifier) -> Signature | None:
    try:
        return note.verified_by(key)
    except ProofError:
        raise VerifyError("bad_signature", size=note.size, name=key.name) from None


def _tree(note: Checkpoint) -> Said:
    return said("tree", origin=note.origin, size=note.size, root=note.root.hex())


def _field(data: Any, name: str, kind: type, where: Said) -> Any:
    found = data.get(name) if isinstance(data, dict) else None
    if not isinstance(found, kind) or (isinstance(found, bool) and kind is int):
        raise VerifyError("field", where=where, field=name)
    return found


def _hash_field(data: Any, name: str, where: Said) -> bytes:
    try:
        raw = bytes.fromhex(_field(data, name, str, where))
    except ValueError:
        raw = b""
    if len(raw) != HASH_BYTES:
        raise VerifyError("field", where=where, field=name)
    return raw


def _base64_field(data: Any, name: str, where: Said) -> bytes:
    try:
        return base64.b64decode(_field(data, name, str, where), validate=True)
    except ValueError:
        raise VerifyError("field", where=where, field=name) from None


def _opened(text: str, where: Said) -> Checkpoint:
    try:
        return open_checkpoint(text)
    except ProofError as error:
        raise VerifyError("bad_note", where=where, detail=str(error)) from None


def _checkpoint(data: Any) -> Checkpoint:
    """The checkpoint a file rests on: its note, whose size and root are those beside it."""
    where = said("the_checkpoint")
    note = _opened(_field(data, "text", str, where), where)
    size, root = _field(data, "size", int, where), _hash_field(data, "root", where)
    if (note.size, note.root) != (size, root):
        raise VerifyError("note_differs", note_size=note.size, note_root=note.root.hex(),
                          size=size, root=root.hex())
    return note


def _hash_of(note: Checkpoint, given: Any) -> Hash:
    """The hash the checkpoint signs (its origin's last part); the file must say the same."""
    if given is not None and given != note.hash_name:
        raise VerifyError("hash_differs", given=given, signed=note.hash_name)
    try:
        return hasher(note.hash_name)
    except ProofError:
        raise VerifyError("unknown_hash", name=note.hash_name) from None


def _included(h: Hash, note: Checkpoint, leaf: int, hashed: bytes, proof: Sequence[bytes],
              where: Said) -> None:
    try:
        verify_inclusion(h, leaf, note.size, hashed, proof, note.root)
    except ProofError:
        raise VerifyError("not_included", where=where, leaf=leaf, size=note.size) from None


def check_proof(top: dict[str, Located], trust: Trust) -> list[Said]:
    """A saved history with its proof (`GET /appraisals/{id}/proof`): its checkpoint signed
    as `trust` requires, its events the stream's whole history from version 1, each chained
    to the one before and included in the checkpoint's tree. What it shows, line by line."""
    where = said("the_proof")
    head = {name: value(top[name]) for name in ("appraisal_id", "stream", "hash", "checkpoint")
            if name in top}
    appraisal = _field(head, "appraisal_id", str, where)
    try:
        stream = UUID(_field(head, "stream", str, where))
    except ValueError:
        raise VerifyError("field", where=where, field="stream") from None
    note = _checkpoint(head.get("checkpoint"))
    h = _hash_of(note, head.get("hash"))
    signed = trust.signed(note)
    events = elements(top["events"]) if "events" in top else []
    if not events:
        raise VerifyError("field", where=where, field="events")
    lines, previous = [], FIRST
    for version, located in enumerate(events, start=1):
        event = value(located)
        previous, state = _chained(h, note, stream, version, event, previous)
        lines.append(_event_line(version, event["topic"], state))
    return [said("proof_head", appraisal=appraisal, count=len(events)), *lines,
            said("holds_proof", count=len(events), **signed.values())]


def _chained(h: Hash, note: Checkpoint, stream: UUID, version: int, event: Any,
             previous: bytes) -> tuple[bytes, bytes]:
    """The event's chain hash and state, once its chain hash is that of its bytes after
    `previous`, and is included in the checkpoint's tree."""
    where = said("event", version=version)
    found = _field(event, "version", int, where)
    if found != version:
        raise VerifyError("version_gap", expected=version, found=found)
    topic, state = _field(event, "topic", str, where), _base64_field(event, "state", where)
    chain, leaf = _hash_field(event, "chain", where), _field(event, "leaf", int, where)
    proof = [_hash_field({"inclusion": p}, "inclusion", where)
             for p in _field(event, "inclusion", list, where)]
    try:
        computed = chain_hash(h, previous, stream, version, topic, state)
    except UnicodeEncodeError:  # a lone surrogate, which JSON escapes allow
        raise VerifyError("field", where=where, field="topic") from None
    if computed != chain:
        raise VerifyError("chain_differs", where=where)
    hashed = leaf_hash(h, chain)
    if "leaf_hash" in event and _hash_field(event, "leaf_hash", where) != hashed:
        raise VerifyError("leaf_hash_differs", where=where)
    _included(h, note, leaf, hashed, proof, where)
    return chain, state


def _event_line(version: int, topic: str, state: bytes) -> Said:
    """An event as people read it: what happened (the topic's last part), and what of its
    state is readable: when, who in which role, scores, reward, reason."""
    try:
        data = json.loads(state)
    except (ValueError, RecursionError):
        data = None
    kind = re.split(r"[.:]", topic)[-1]
    if not isinstance(data, dict):
        return said("event_line", version=version, kind=kind, details=said("unreadable_state"))
    moment = data.get("timestamp")
    moment = moment.get("_data_") if isinstance(moment, dict) else moment
    details: list[Any] = [] if moment is None else [_moment(moment)]
    if "actor" in data:
        details.append(said("who", actor=data["actor"], role=data.get("role", "—")))
    if "total" in data:
        details.append(said("total", total=data["total"]))
    if isinstance(data.get("scores"), dict):
        details.append(" ".join(f"{code}={score}" for code, score in data["scores"].items()))
    details += [said(name, **{name: data[name]}) for name in ("reward", "reason") if name in data]
    return said("event_line", version=version, kind=kind, details=tuple(details))


def _moment(moment: Any) -> str:
    """An instant in Beijing time, from POSIX seconds or ISO 8601; as given if neither."""
    try:
        if isinstance(moment, int):
            instant = datetime.fromtimestamp(moment, UTC)
        else:
            instant = datetime.fromisoformat(str(moment))
            instant = instant if instant.tzinfo else instant.replace(tzinfo=UTC)
        return instant.astimezone(BEIJING).strftime("%Y-%m-%d %H:%M:%S %Z")
    except (ValueError, OverflowError, OSError):
        return str(moment)


def check_archive(manifest: dict[str, Located], form: str, trust: Trust
                  ) -> tuple[list[Said], dict[str, int]]:
    """An archive's manifest: its ledger's checkpoint signed as `trust` requires, and every
    appraisal's chain hash (which covers all its events to that version) included in its
    tree. What it shows, and each appraisal's version proved."""
    if "ledger" not in manifest:
        raise VerifyError("no_ledger")
    where = said("the_ledger")
    ledger = members(manifest["ledger"])
    head = {name: value(ledger[name]) for name in ("hash", "checkpoint") if name in ledger}
    if "appraisals" not in ledger:
        raise VerifyError("field", where=where, field="appraisals")
    entries = elements(ledger["appraisals"])
    if not entries and head.get("checkpoint") is None:  # an archive of no appraisal names none
        return [_archive_head(manifest, form), said("holds_empty")], {}
    note = _checkpoint(head.get("checkpoint"))
    h = _hash_of(note, _field(head, "hash", str, where))
    signed = trust.signed(note)
    proved = {}
    for index, located in enumerate(entries, start=1):
        entry, at = value(located), said("entry", index=index)
        appraisal = _field(entry, "appraisal_id", str, at)
        version = _field(entry, "version", int, at)
        chain, leaf = _hash_field(entry, "chain", at), _field(entry, "leaf", int, at)
        proof = _base64_field(entry, "inclusion", at)
        if len(proof) % HASH_BYTES:
            raise VerifyError("field", where=at, field="inclusion")
        _included(h, note, leaf, leaf_hash(h, chain),
                  [proof[i:i + HASH_BYTES] for i in range(0, len(proof), HASH_BYTES)],
                  said("appraisal", appraisal=appraisal, version=version))
        proved[appraisal] = version
    return [_archive_head(manifest, form),
            said("holds_archive", count=len(proved), **signed.values())], proved


def _archive_head(manifest: dict[str, Located], form: str) -> Said:
    shown = {}
    for name in ("year", "branch_id", "as_of"):
        try:
            shown[name] = value(manifest[name], SMALL_VALUE) if name in manifest else None
        except VerifyError:
            shown[name] = None
    branch = shown["branch_id"]
    scope = said("all_branches") if branch is None else said("branch", branch=branch)
    return said("archive_head", form=form, year=shown["year"] or "?", scope=scope,
                as_of=shown["as_of"] or "?")


def _same_appraisals(archived: Located, proved: dict[str, int]) -> None:
    """A JSON archive's appraisals are those its ledger proves, at the same versions."""
    listed = {}
    for index, located in enumerate(elements(archived), start=1):
        item, at = value(located), said("archived", index=index)
        listed[_field(item, "id", str, at)] = _field(item, "version", int, at)
    for appraisal, version in listed.items():
        if proved.get(appraisal) != version:
            raise VerifyError("not_in_ledger",
                              where=said("appraisal", appraisal=appraisal, version=version))
    for appraisal, version in proved.items():
        if appraisal not in listed:
            raise VerifyError("not_in_archive",
                              where=said("appraisal", appraisal=appraisal, version=version))


# The command line.


def verify_file(path: str, trust: Trust) -> list[Said]:
    """What the file at `path` shows once it holds; VerifyError naming the first thing that
    does not; OSError if it cannot be read."""
    with open(path, "rb") as file:
        start = file.read(8)
        if start.startswith(b"PK\x03\x04"):
            return check_archive(_located(xlsx_manifest(file)), "XLSX", trust)[0]
        with _mapped(file) as buf:
            if start.startswith(b"%PDF-"):
                text = pdf_manifest(buf)
                return check_archive(members((text, (0, len(text)))), "PDF", trust)[0]
            return _json_file(_utf8(buf), trust)


@contextlib.contextmanager
def _mapped(file: IO[bytes]) -> Iterator[Buffer]:
    """The file's bytes, paged in by the system as they are read, never copied whole."""
    if os.fstat(file.fileno()).st_size == 0:  # nothing to map (or not a regular file)
        yield b""
        return
    with mmap.mmap(file.fileno(), 0, access=mmap.ACCESS_READ) as mapped:
        yield mapped


def _utf8(buf: Buffer) -> Buffer:
    """JSON as UTF-8: a file saved as UTF-16 (Windows PowerShell's `>`) is recoded."""
    if buf[:2] not in (codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE):
        return buf
    if len(buf) > MAX_TEXT_FILE:
        raise VerifyError("too_big", at=0, limit=MAX_TEXT_FILE)
    return _decoded(buf[:], said("the_proof")).encode()


def _decoded(raw: bytes, where: Said) -> str:
    try:
        return raw.decode("utf-16" if raw[:2] in (codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)
                          else "utf-8-sig")
    except UnicodeDecodeError:
        raise VerifyError("not_utf8", where=where) from None


def _json_file(buf: Buffer, trust: Trust) -> list[Said]:
    at = _past(_SPACE, buf, 3 if buf[:3] == codecs.BOM_UTF8 else 0)
    if buf[at:at + 1] != b"{":
        raise VerifyError("unknown_file")
    top = document(buf)
    if "events" in top:
        return check_proof(top, trust)
    if "manifest" not in top:
        raise VerifyError("unknown_file")
    lines, proved = check_archive(members(top["manifest"]), "JSON", trust)
    if "appraisals" not in top:
        raise VerifyError("field", where=said("the_archive"), field="appraisals")
    _same_appraisals(top["appraisals"], proved)
    return lines


def _located(manifest: dict[str, str]) -> dict[str, Located]:
    encoded = {key: text.encode() for key, text in manifest.items()}
    return {key: (raw, (0, len(raw))) for key, raw in encoded.items()}


def _note_file(path: str) -> Checkpoint:
    """A checkpoint's note as saved: the text itself, or the JSON of `GET /checkpoints/{size}`,
    which holds it as "text"."""
    where = said("the_checkpoint_file")
    try:
        with open(path, "rb") as file:
            raw = file.read(MAX_TEXT_FILE + 1)
    except OSError as error:
        raise UsageError("cannot_read", path=path, detail=error.strerror or error) from None
    if len(raw) > MAX_TEXT_FILE:
        raise VerifyError("too_big", at=0, limit=MAX_TEXT_FILE)
    text = _decoded(raw, where)
    if text.lstrip().startswith("{"):
        text = _field(_parsed(text.encode(), 0), "text", str, where)
    return _opened(text.replace("\r\n", "\n"), where)  # a note saved on Windows


def _vkey(option: str, text: str) -> Verifier:
    try:
        return Verifier.parse(text)
    except ProofError as error:
        raise UsageError("bad_vkey", option=option, detail=str(error)) from None


def _arguments() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="offline.py", description="离线核验考核档案或考核证明（docs/VERIFY.md）/ verify an "
        "appraisal archive or a history with its proof, offline (docs/VERIFY.md)")
    parser.add_argument("--key", action="append", default=[], metavar="VKEY",
                        help="服务公钥，必填，可重复 / the service's public key: required, "
                             "repeatable")
    parser.add_argument("--witness", action="append", default=[], metavar="VKEY",
                        help="须已联署的联署方公钥，可重复 / a witness that must have cosigned, "
                             "repeatable")
    parser.add_argument("--checkpoint", metavar="FILE",
                        help="联署后的检查点：GET /checkpoints/N 的 JSON 或其 text / the cosigned "
                             "checkpoint: GET /checkpoints/N's JSON, or its text")
    parser.add_argument("--lang", choices=LANGS, default="zh", help="输出语言 / output language")
    parser.add_argument("files", nargs="+", metavar="FILE",
                        help="考核证明（GET /appraisals/ID/proof）或档案（JSON、PDF、XLSX）/ "
                             "a proof or an archive (JSON, PDF, XLSX)")
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Verify each FILE: exit status 0 if all hold, 1 if one does not, 2 for a usage error."""
    args = _arguments().parse_args(argv)  # a usage error exits with status 2 here
    for stream in (sys.stdout, sys.stderr):  # never fail on a console's encoding
        if isinstance(stream, io.TextIOWrapper):
            stream.reconfigure(errors="replace")
    try:
        if not args.key:
            raise UsageError("usage_key")
        service = tuple(_vkey("--key", v) for v in args.key)
        witnesses = tuple(_vkey("--witness", v) for v in args.witness)
        for witness in witnesses:  # the service's own timestamped signature is a cosignature
            if witness.public in {k.public for k in service}:
                raise UsageError("witness_is_service", name=witness.name)
        trust = Trust(service, witnesses,
                      None if args.checkpoint is None else _note_file(args.checkpoint))
    except UsageError as error:
        print(error.said(args.lang), file=sys.stderr)
        return 2
    except VerifyError as error:
        print(said("fails", reason=error.said)(args.lang))
        return 1
    return max(_report(path, trust, args.lang) for path in args.files)


def _report(path: str, trust: Trust, lang: str) -> int:
    print(said("file", path=path)(lang))
    try:
        lines = verify_file(path, trust)
    except OSError as error:
        print(said("cannot_read", path=path, detail=error.strerror or error)(lang),
              file=sys.stderr)
        return 2
    except ImportError:
        print(said("no_cryptography")(lang), file=sys.stderr)
        return 2
    except VerifyError as error:
        print(said("fails", reason=error.said)(lang))
        return 1
    for line in lines:
        print(line(lang))
    return 0


if __name__ == "__main__":
    sys.exit(main())
