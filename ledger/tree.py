"""The log's Merkle tree as stored: complete subtrees only, so that a root or a proof reads
O(log n) of them, whatever the size.

A node is (level, index): the root of leaves [index * 2**level, (index + 1) * 2**level).
Each appended leaf completes the nodes above it on the tree's right edge (`Frontier`); a
root or proof over any size is folded from those (`ranges` of RFC 9162's recursion, each
`decomposed` into complete nodes).
"""

from collections.abc import Callable, Iterable, Mapping, Sequence

from ledger.offline import Hash, node_hash

Node = tuple[int, int]  # (level, index)
Range = tuple[int, int]  # leaves [start, end)
Fetch = Callable[[Iterable[Node]], Mapping[Node, bytes]]


def _split(n: int) -> int:
    """The largest power of two smaller than n (n > 1)."""
    return 1 << ((n - 1).bit_length() - 1)


def edge(size: int) -> list[Node]:
    """The complete nodes a tree of `size` leaves is folded from, largest first."""
    return decomposed((0, size))


def decomposed(span: Range) -> list[Node]:
    """The complete nodes covering leaves [start, end), largest first; `start` is aligned
    as RFC 9162's recursion leaves it (a multiple of a power of two above the span)."""
    start, end = span
    nodes = []
    while start < end:
        level = (end - start).bit_length() - 1
        while start % (1 << level):
            level -= 1
        nodes.append((level, start >> level))
        start += 1 << level
    return nodes


def fold(h: Hash, hashes: Sequence[bytes]) -> bytes:
    """The RFC 9162 root of consecutive complete subtrees, largest first."""
    root = hashes[-1]
    for left in reversed(hashes[:-1]):
        root = node_hash(h, left, root)
    return root


def inclusion_ranges(index: int, size: int) -> list[Range]:
    """RFC 9162 PATH(index, D[0:size]): the subtrees whose roots prove a leaf, leaf first."""
    path = []
    start, end = 0, size
    while end - start > 1:
        k = _split(end - start)
        if index < start + k:
            path.append((start + k, end))
            end = start + k
        else:
            path.append((start, start + k))
            start += k
    return path[::-1]


def inclusion_nodes(index: int, size: int) -> list[Node]:
    """PATH(index, D[0:size]) as nodes, leaf first: at each level the sibling of the node
    above the leaf, where the tree holds any of its leaves. A sibling the tree's right edge
    cuts (`partial`) stands for the RFC 9162 root of its leaves up to `size`: the same path
    as `inclusion_ranges`, in integer steps (an archive asks for 100,000 paths)."""
    path = []
    level = 0
    while 1 << level < size:
        sibling = (index >> level) ^ 1
        if sibling << level < size:
            path.append((level, sibling))
        level += 1
    return path


def partial(node: Node, size: int) -> bool:
    level, index = node
    return (index + 1) << level > size


def consistency_ranges(old: int, new: int) -> list[Range]:
    """RFC 9162 PROOF(old, D[0:new]): the subtrees proving the old tree a prefix."""
    if not 0 < old < new:
        return []
    path: list[Range] = []
    start, end, whole = 0, new, True
    while True:
        n = end - start
        if old == n:
            if not whole:
                path.append((start, end))
            break
        k = _split(n)
        if old <= k:
            path.append((start + k, end))
            end = start + k
        else:
            path.append((start, start + k))
            old -= k
            start, whole = start + k, False
    return path[::-1]


def hashes_of(h: Hash, fetch: Fetch, spans: Sequence[Range]) -> list[bytes]:
    """The RFC 9162 roots of `spans`, their complete nodes read in one fetch."""
    parts = [decomposed(span) for span in spans]
    got = fetch({node for part in parts for node in part})
    return [fold(h, [got[node] for node in part]) for part in parts]


def root(h: Hash, fetch: Fetch, size: int) -> bytes:
    if size == 0:
        return h(b"")
    return hashes_of(h, fetch, [(0, size)])[0]


class Frontier:
    """The right edge of a growing tree: appending a leaf returns the nodes it completes."""

    def __init__(self, size: int, edge_hashes: Mapping[Node, bytes]):
        self.size = size
        self.by_level = {level: edge_hashes[(level, index)] for level, index in edge(size)}

    def append(self, h: Hash, leaf: bytes) -> list[tuple[int, int, bytes]]:
        """Add a leaf; the new complete nodes above it, as (level, index, hash)."""
        made = []
        value, level, index = leaf, 0, self.size
        while index & 1:
            value = node_hash(h, self.by_level.pop(level), value)
            level, index = level + 1, index >> 1
            made.append((level, index, value))
        self.by_level[level] = value
        self.size += 1
        return made

    def root(self, h: Hash) -> bytes:
        levels = sorted(self.by_level, reverse=True)
        return fold(h, [self.by_level[level] for level in levels]) if levels else h(b"")
