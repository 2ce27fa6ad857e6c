"""Keys, checkpoints and the witness (ledger/keys.py, checkpoints.py, witness.py): real
Ed25519, real trees, checked through the offline verifier."""

import base64
import itertools
import os
import time

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from ledger import checkpoints, witness
from ledger.keys import SigningKey, SigningKeyError, read_key, write_key
from ledger.offline import (
    COSIGNATURE,
    ED25519,
    MAX_SIGNATURES,
    ProofError,
    Verifier,
    hasher,
    leaf_hash,
    open_checkpoint,
)
from ledger.tree import Frontier, consistency_ranges, hashes_of, root

# golang.org/x/mod/sumdb/note's documented example: key, text and the exact signature line.
GO_SKEY = "PRIVATE+KEY+PeterNeumann+c74f20a3+AYEKFALVFGyNhPJEMzD1QIDr+Y7hfZx09iUvxdXHKDFz"
GO_VKEY = "PeterNeumann+c74f20a3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW"
GO_TEXT = ("If you think cryptography is the answer to your problem,\n"
           "then you don't know what your problem is.\n")
GO_SIG = ("— PeterNeumann x08go/ZJkuBS9UG/SffcvIAQxVBtiFupLLr8pAcElZInNIuGUgYN1FFYC2pZSNXgKv"
          "qfqdngotpRZb6KE6RyyBwJnAM=\n")

T = 1_750_000_000


def seeded(name: str, seed: int) -> SigningKey:
    return SigningKey(name, Ed25519PrivateKey.from_private_bytes(bytes([seed]) * 32))


# Keys


def test_the_go_vector_is_read_written_and_signed_byte_for_byte():
    key = SigningKey.parse(GO_SKEY)
    assert key.text() == GO_SKEY
    assert str(key.verifier(ED25519)) == GO_VKEY
    assert key.sign(GO_TEXT).line() == GO_SIG


def test_a_generated_key_round_trips_through_its_text():
    key = SigningKey.generate("zones.example.org/sm3")
    again = SigningKey.parse(key.text())
    assert again.text() == key.text()
    for kind in (ED25519, COSIGNATURE):
        assert again.verifier(kind) == key.verifier(kind)
    assert key.verifier(ED25519).key_id != key.verifier(COSIGNATURE).key_id


def test_vkeys_whose_base64_holds_a_plus_parse():
    keys = (seeded("zones.example.org/sm3", seed) for seed in range(64))
    verifiers = [k.verifier(kind) for k in keys for kind in (ED25519, COSIGNATURE)]
    with_plus = [v for v in verifiers if "+" in str(v).split("+", 2)[2]]
    assert with_plus
    assert all(Verifier.parse(str(v)) == v for v in with_plus)
    with pytest.raises(ProofError):
        Verifier.parse(str(with_plus[0]).replace("+", "+zz", 1))  # a key id not in hex


@pytest.mark.parametrize("text", [
    "", "PRIVATE+KEY", GO_SKEY.replace("PRIVATE", "PUBLIC"),
    GO_SKEY.replace("c74f20a3", "c74f20a4"), GO_SKEY.replace("c74f20a3", "zz"),
    GO_SKEY[:-4], GO_SKEY + "AA==", GO_SKEY.replace("+AYEK", "+BYEK"),
    GO_SKEY.replace("Peter", "Peter "), GO_SKEY.replace("+AYEK", "+AY!K"),
])
def test_a_garbled_key_is_refused_without_quoting_it(text):
    with pytest.raises(SigningKeyError) as refused:
        SigningKey.parse(text)
    assert "AYEKFALVFG" not in str(refused.value)


@pytest.mark.parametrize("name", ["", "a b", "a+b", "a\nb", "x" * 201])
def test_key_names_are_bounded_as_the_spec_says(name):
    with pytest.raises(SigningKeyError):
        SigningKey.generate(name)
    assert SigningKey.generate("x" * 200).name == "x" * 200


def test_a_key_file_is_its_owners_alone_and_never_replaced(tmp_path):
    path, key = tmp_path / "service.key", SigningKey.generate("zones.example.org/sm3")
    write_key(path, key)
    assert os.stat(path).st_mode & 0o777 == 0o600
    with pytest.raises(SigningKeyError, match="never replaced"):
        write_key(path, SigningKey.generate("zones.example.org/sm3"))
    assert read_key(path).text() == key.text()
    assert os.listdir(tmp_path) == ["service.key"]  # no temporary file left


def test_a_missing_or_garbled_key_file_is_a_clear_error(tmp_path):
    with pytest.raises(SigningKeyError, match="cannot read the key"):
        read_key(tmp_path / "absent.key")
    (tmp_path / "bad.key").write_bytes(b"PRIVATE+KEY+x+00000000+AAAA\n")
    with pytest.raises(SigningKeyError, match=r"bad\.key"):
        read_key(tmp_path / "bad.key")
    (tmp_path / "binary.key").write_bytes(b"\xff\xfe")
    with pytest.raises(SigningKeyError, match="cannot read the key"):
        read_key(tmp_path / "binary.key")


def test_a_cosignature_signs_its_time():
    key, body = SigningKey.generate("w.example/1"), "log.example/sm3\n1\n" + "A" * 43 + "=\n"
    assert key.cosign(body, T).timestamp == T
    assert key.cosign(body, T).signature[8:] != key.cosign(body, T + 1).signature[8:]
    for bad in (-1, 2**63):
        with pytest.raises(SigningKeyError):
            key.cosign(body, bad)


# Checkpoints


class Log:
    """A tree grown through a Frontier, as the store grows it: its roots and proofs."""

    def __init__(self, hash_name: str, events: list[bytes]):
        self.h = hasher(hash_name)
        self.nodes: dict[tuple[int, int], bytes] = {}
        frontier = Frontier(0, {})
        for i, entry in enumerate(events):
            self.nodes[(0, i)] = leaf = leaf_hash(self.h, entry)
            for level, index, value in frontier.append(self.h, leaf):
                self.nodes[(level, index)] = value

    def fetch(self, keys):
        return {key: self.nodes[key] for key in keys}

    def root(self, size: int) -> bytes:
        return root(self.h, self.fetch, size)

    def proof(self, old: int, new: int) -> list[bytes]:
        return hashes_of(self.h, self.fetch, consistency_ranges(old, new))


def entries(n: int) -> list[bytes]:
    return [b"event %d" % i for i in range(n)]


SERVICE = seeded("zones.example.org/sm3", 1)


def service_checkpoint(log: Log, size: int, key: SigningKey = SERVICE, at: int = T) -> str:
    return checkpoints.signed(key, key.name, size, log.root(size), at)


def test_a_service_checkpoint_verifies_with_both_of_its_verifiers():
    log = Log("sm3", entries(5))
    text = service_checkpoint(log, 5)
    assert text.startswith(f"zones.example.org/sm3\n5\n{base64.b64encode(log.root(5)).decode()}"
                           "\n\n— zones.example.org/sm3 ")
    checkpoint = open_checkpoint(text)
    assert checkpoint.hash_name == "sm3"
    assert [s.key_id for s in checkpoint.signatures] == [
        SERVICE.verifier(ED25519).key_id, SERVICE.verifier(COSIGNATURE).key_id]
    assert checkpoint.verified_by(SERVICE.verifier(ED25519)) is not None
    assert checkpoint.verified_by(SERVICE.verifier(COSIGNATURE)) is not None
    assert checkpoints.signed_at(checkpoint, SERVICE.verifier(COSIGNATURE)) == T


def flipped(text: str, at: int) -> str:
    return text[:at] + ("B" if text[at] != "B" else "C") + text[at + 1:]


@pytest.mark.parametrize("kind", [ED25519, COSIGNATURE])
def test_a_flipped_byte_in_the_body_or_the_signature_fails(kind):
    lines = service_checkpoint(Log("sha256", entries(3)), 3).splitlines(keepends=True)
    own = 4 if kind == ED25519 else 5  # origin, size, root, blank, then 0x01 and 0x04
    for index, at in ((2, 5), (own, 40), (own, len(lines[own]) - 5)):
        broken = lines.copy()
        broken[index] = flipped(broken[index], at)
        with pytest.raises(ProofError, match="does not verify"):
            open_checkpoint("".join(broken)).verified_by(SERVICE.verifier(kind))


def test_a_cosignature_is_added_once_and_verifies():
    text, key = service_checkpoint(Log("sm3", entries(2)), 2), SigningKey.generate("w.example/1")
    cosigned = checkpoints.with_cosignature(text, key.cosign(open_checkpoint(text).body, T))
    assert cosigned.startswith(text)
    assert checkpoints.with_cosignature(cosigned, key.cosign(text, T + 9)) == cosigned
    assert open_checkpoint(cosigned).verified_by(key.verifier(COSIGNATURE)).timestamp == T


def test_a_note_with_a_full_signature_block_takes_no_more():
    text = service_checkpoint(Log("sm3", entries(2)), 2)
    for n in range(MAX_SIGNATURES - 2):
        text = checkpoints.with_cosignature(text, seeded(f"w{n}", 2).cosign("", T))
    with pytest.raises(ProofError, match="signatures"):
        checkpoints.with_cosignature(text, seeded("one.more", 2).cosign("", T))


@pytest.mark.parametrize("body", [
    "zones.example.org/sm3\n2\n{root}\nextension\n",  # an extension line
    "zones.example.org\n2\n{root}\n",  # no hash in the origin
    "zones.example.org/md5\n2\n{root}\n",  # an unknown hash
])
def test_only_the_three_line_checkpoint_of_this_log_is_opened(body):
    text = body.format(root=base64.b64encode(bytes(32)).decode())
    with pytest.raises(ProofError, match="not a checkpoint of this log"):
        checkpoints.opened(text + "\n" + SERVICE.sign(text).line())


def test_the_service_key_signs_only_for_its_own_origin():
    with pytest.raises(ValueError, match="does not sign"):
        checkpoints.signed(SERVICE, "other.example/sm3", 0, bytes(32), T)


# The witness

WITNESS = seeded("witness.example/w1", 3)
TRUSTED = [SERVICE.verifier(ED25519)]


def test_a_witness_key_is_a_private_key_and_its_cosignature_vkey():
    private, vkey = witness.witness_key("witness.example/w2")
    key, verifier = SigningKey.parse(private), Verifier.parse(vkey)
    assert verifier == key.verifier(COSIGNATURE)


@pytest.mark.parametrize("hash_name", ["sha256", "sm3"])
def test_a_witness_cosigns_a_first_checkpoint_then_each_consistent_growth(tmp_path, hash_name):
    key = seeded(f"zones.example.org/{hash_name}", 1)
    log, state = Log(hash_name, entries(40)), tmp_path / "witness.json"
    trusted, sizes = [key.verifier(ED25519)], [1, 2, 7, 8, 8, 33, 40]
    before = int(time.time())
    witness.cosign(WITNESS, state, service_checkpoint(log, sizes[0], key), [], trusted)
    for old, new in itertools.pairwise(sizes):
        text = service_checkpoint(log, new, key)
        signature = witness.cosign(WITNESS, state, text, log.proof(old, new), trusted)
        cosigned = open_checkpoint(checkpoints.with_cosignature(text, signature))
        assert cosigned.verified_by(WITNESS.verifier(COSIGNATURE)) == signature
        assert before <= signature.timestamp <= time.time()
    recorded = witness.load_state(state)
    assert (recorded.origin, recorded.size, recorded.root) == (key.name, 40, log.root(40))
    assert recorded.service == [str(trusted[0])]


def cosigned_once(tmp_path, log: Log, size: int):
    state = tmp_path / "witness.json"
    witness.cosign(WITNESS, state, service_checkpoint(log, size), [], TRUSTED)
    return state, state.read_text()


def test_a_witness_refuses_a_log_that_shrank(tmp_path):
    log = Log("sm3", entries(9))
    state, recorded = cosigned_once(tmp_path, log, 9)
    with pytest.raises(ProofError, match=r"the log shrank: the tree of size 5 .* size 9 "):
        witness.cosign(WITNESS, state, service_checkpoint(log, 5), [], TRUSTED)
    assert state.read_text() == recorded


@pytest.mark.parametrize("hash_name", ["sha256", "sm3"])
def test_a_witness_refuses_a_history_rewritten_and_re_signed(tmp_path, hash_name):
    key = seeded(f"zones.example.org/{hash_name}", 1)
    honest = Log(hash_name, entries(12))
    state = tmp_path / "witness.json"
    witness.cosign(WITNESS, state, service_checkpoint(honest, 6, key), [],
                   [key.verifier(ED25519)])
    recorded = state.read_text()
    rewritten = entries(12)
    rewritten[3] = b"event 3, changed"
    forged = Log(hash_name, rewritten)
    for size, proof in ((12, forged.proof(6, 12)), (12, honest.proof(6, 12)), (6, [])):
        text = service_checkpoint(forged, size, key)
        with pytest.raises(ProofError) as refused:
            witness.cosign(WITNESS, state, text, proof, [key.verifier(ED25519)])
        assert honest.root(6).hex() in str(refused.value)
        assert forged.root(size).hex() in str(refused.value)
    assert state.read_text() == recorded


def test_a_witness_refuses_a_key_it_does_not_trust(tmp_path):
    log, state = Log("sm3", entries(3)), tmp_path / "witness.json"
    impostor = seeded(SERVICE.name, 9)  # the right name, another key
    for text in (service_checkpoint(log, 3, impostor),
                 checkpoints.signed(seeded("other.example/sm3", 1), "other.example/sm3", 3,
                                    log.root(3), T)):
        with pytest.raises(ProofError, match="not signed by a service key this witness"):
            witness.cosign(WITNESS, state, text, [], [*TRUSTED, impostor.verifier(COSIGNATURE)])
    assert not state.exists()


def test_a_witness_refuses_a_garbled_note(tmp_path):
    state = tmp_path / "witness.json"
    text = service_checkpoint(Log("sm3", entries(3)), 3)
    signature_at = text.index("\n\n") + 40  # in the service's Ed25519 signature
    for garbled in ("not a note", text.replace("\n\n", "\n"), flipped(text, signature_at),
                    text.replace("\n3\n", "\n4\n")):
        with pytest.raises(ProofError):
            witness.cosign(WITNESS, state, garbled, [], TRUSTED)
    assert not state.exists()


def test_a_witness_follows_one_log_and_wants_no_proof_at_first(tmp_path):
    log = Log("sm3", entries(4))
    with pytest.raises(ProofError, match="no proof is expected"):
        witness.cosign(WITNESS, tmp_path / "w.json", service_checkpoint(log, 4),
                       log.proof(2, 4), TRUSTED)
    state, _ = cosigned_once(tmp_path, log, 2)
    other = seeded("other.example/sm3", 1)
    with pytest.raises(ProofError, match=r"follows zones\.example\.org/sm3, not other"):
        witness.cosign(WITNESS, state, service_checkpoint(log, 4, other), log.proof(2, 4),
                       [other.verifier(ED25519)])


def test_a_garbled_witness_state_is_refused(tmp_path):
    state = tmp_path / "witness.json"
    state.write_text('{"origin": "zones.example.org/sm3"}')
    with pytest.raises(ProofError, match="unreadable"):
        witness.cosign(WITNESS, state, service_checkpoint(Log("sm3", entries(1)), 1), [],
                       TRUSTED)
