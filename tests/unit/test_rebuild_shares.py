"""How a parallel rebuild shares the views among its processes."""

from dataclasses import dataclass

import pytest

from projections.rebuild import shared


@dataclass
class Weighed:
    name: str
    weight: int


VIEWS = [Weighed("archive", 4), Weighed("ranking", 3), Weighed("appraisal_index", 2),
         Weighed("directory", 1), Weighed("users", 1), Weighed("forms", 1)]


def weights(shares) -> list[int]:
    return [sum(v.weight for v in share) for share in shares]


def test_two_shares_balance_the_heavy_views_and_keep_every_view_once():
    shares = shared(VIEWS, 2)
    assert sorted(weights(shares)) == [6, 6]
    assert sorted(v.name for share in shares for v in share) == sorted(v.name for v in VIEWS)
    assert [v.name for v in shares[0]][:1] == ["archive"]
    assert [v.name for v in shares[1]][:2] == ["ranking", "appraisal_index"]


@pytest.mark.parametrize(("workers", "count"), [(1, 1), (0, 1), (3, 3), (99, len(VIEWS))])
def test_never_more_shares_than_views_nor_fewer_than_one(workers, count):
    shares = shared(VIEWS, workers)
    assert len(shares) == count and all(shares)
