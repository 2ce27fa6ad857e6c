"""Keys, checkpoints and the witness (ledger/keys.py, checkpoints.py, witness.py): real
Ed25519, real trees, checked through the offline verifier."""

import os

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from ledger.keys import SigningKey, SigningKeyError, read_key, write_key
from ledger.offline import COSIGNATURE, ED25519, ProofError, Verifier

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
