"""Inclusion proofs in bulk (store.ledger.Reader.inclusions, for archives): the proofs one at
a time gives, in leaf order, each batch's nodes read in one fetch."""

from hypothesis import given, settings
from hypothesis import strategies as st

from ledger.offline import leaf_hash, verify_inclusion
from ledger.tree import inclusion_nodes, inclusion_ranges, partial
from store.ledger import Reader
from tests.unit.test_ledger_tree import SIZES, H, Stored


class Counted:
    """The ledger as Reader reads it, over a tree kept in memory, counting the fetches."""

    def __init__(self, stored: Stored):
        self.stored, self.h, self.fetches = stored, H, 0

    def nodes(self, cursor, keys):
        self.fetches += 1
        return self.stored.fetch(keys)


@settings(max_examples=40, deadline=None)
@given(st.data())
def test_proofs_in_bulk_are_the_proofs_one_at_a_time_in_leaf_order(data):
    size = data.draw(SIZES)
    leaves = data.draw(st.lists(st.integers(0, size - 1), max_size=60))
    batch = data.draw(st.integers(1, 16))
    stored = Stored(size)
    ledger = Counted(stored)
    reader = Reader(ledger, cursor=None)  # type: ignore[arg-type]
    proved = list(reader.inclusions(leaves, size, batch))
    assert [leaf for leaf, _ in proved] == sorted(set(leaves))
    assert ledger.fetches == -(-len(set(leaves)) // batch)  # one fetch a batch
    for leaf, proof in proved:
        assert proof == reader.inclusion(leaf, size)
        verify_inclusion(H, leaf, size, leaf_hash(H, stored.entries[leaf]), proof,
                         stored.roots[size - 1])


def test_a_path_of_nodes_is_the_rfc_9162_path_of_ranges_for_every_leaf_of_every_size():
    for size in range(1, 140):
        for index in range(size):
            spans = [(i << level, size if partial((level, i), size) else (i + 1) << level)
                     for level, i in inclusion_nodes(index, size)]
            assert spans == inclusion_ranges(index, size), (index, size)
