"""The ledger's tree against an independent RFC 9162 implementation (pymerkle, SHA-256):
the same roots, the same inclusion paths; its proofs checked by the offline verifier."""

import hashlib

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from pymerkle import InmemoryTree

from ledger import offline
from ledger.offline import ProofError, hasher, leaf_hash, verify_consistency, verify_inclusion
from ledger.tree import (
    Frontier,
    consistency_ranges,
    decomposed,
    edge,
    hashes_of,
    inclusion_ranges,
    root,
)

H = hasher("sha256")
SIZES = st.integers(min_value=1, max_value=300)


class Stored:
    """Every complete node of a tree grown leaf by leaf through a Frontier, as the store
    keeps them, with the roots seen on the way."""

    def __init__(self, size: int):
        self.entries = [hashlib.sha256(b"event %d" % i).digest() for i in range(size)]
        self.nodes: dict[tuple[int, int], bytes] = {}
        self.roots = []
        frontier = Frontier(0, {})
        for i, entry in enumerate(self.entries):
            leaf = leaf_hash(H, entry)
            self.nodes[(0, i)] = leaf
            for level, index, value in frontier.append(H, leaf):
                self.nodes[(level, index)] = value
            self.roots.append(frontier.root(H))

    def fetch(self, keys):
        return {key: self.nodes[key] for key in keys}

    def reference(self) -> InmemoryTree:
        tree = InmemoryTree(algorithm="sha256")
        for entry in self.entries:
            tree.append_entry(entry)
        return tree


@settings(max_examples=40, deadline=None)
@given(SIZES)
def test_roots_are_rfc_9162_roots(size):
    stored = Stored(size)
    reference = stored.reference()
    for n in range(1, size + 1):
        assert root(H, stored.fetch, n) == stored.roots[n - 1] == reference.get_root(n)


@settings(max_examples=60, deadline=None)
@given(st.data())
def test_inclusion_proofs_match_the_reference_and_verify(data):
    size = data.draw(SIZES)
    index = data.draw(st.integers(0, size - 1))
    stored = Stored(size)
    proof = hashes_of(H, stored.fetch, inclusion_ranges(index, size))
    assert proof == stored.reference().prove_inclusion(index + 1, size).path[1:]
    verify_inclusion(H, index, size, stored.nodes[(0, index)], proof, stored.roots[-1])


@settings(max_examples=60, deadline=None)
@given(st.data())
def test_consistency_proofs_verify_against_the_reference_roots(data):
    new = data.draw(SIZES)
    old = data.draw(st.integers(1, new))
    stored = Stored(new)
    reference = stored.reference()
    proof = hashes_of(H, stored.fetch, consistency_ranges(old, new))
    verify_consistency(H, old, new, reference.get_root(old), reference.get_root(new), proof)


def test_a_wrong_leaf_root_or_proof_fails():
    stored = Stored(13)
    proof = hashes_of(H, stored.fetch, inclusion_ranges(5, 13))
    leaf, top = stored.nodes[(0, 5)], stored.roots[-1]
    with pytest.raises(ProofError):
        verify_inclusion(H, 5, 13, stored.nodes[(0, 6)], proof, top)
    with pytest.raises(ProofError):
        verify_inclusion(H, 5, 13, leaf, proof, stored.roots[-2])
    with pytest.raises(ProofError):
        verify_inclusion(H, 5, 13, leaf, proof[:-1], top)
    consistency = hashes_of(H, stored.fetch, consistency_ranges(6, 13))
    with pytest.raises(ProofError):
        verify_consistency(H, 6, 13, stored.roots[4], top, consistency)
    with pytest.raises(ProofError):
        verify_consistency(H, 4, 13, stored.roots[3], top, [])


def test_a_proof_reads_a_logarithmic_number_of_nodes():
    size = 1_000_003
    for index in (0, 1, size // 2, size - 1):
        nodes = {n for span in inclusion_ranges(index, size) for n in decomposed(span)}
        assert len(nodes) <= 2 * size.bit_length()
    assert len(edge(size)) == bin(size).count("1")


def test_sm3_is_the_default_hash_and_differs_from_sha256():
    assert offline.hasher("sm3")(b"abc").hex() == (
        "66c7f0f462eeedd9d1f2d46bdc10e4e24167c4875cf2f7a2297da02b8f4ba8e0")  # GB/T 32905 A.1
    with pytest.raises(ProofError):
        offline.hasher("md5")
