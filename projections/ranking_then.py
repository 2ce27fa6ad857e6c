"""The ranking as it stood at an instant (排名公示 as of then), from the archive read model.

The ranking view holds the present only. The archive read model keeps a row per appraisal
with where its zone sat: the period's appraisals in scope are read (filtered by period and
scope in SQL) with their history entries up to the instant, made from their events in the
log (projections.archive.cut), each is replayed into the ranking view's row shape as it stood
then (domain.documents.replayed), and those rows are ranked and counted by the rules of the
live ranking: published results only, highest score first, ties sharing a rank and listed by
zone id; the reward the latest publication then recorded; final when a closing finalised the
result after its last reopening; cancelled ones apart; the rest, opened by then, unpublished.
"""

from collections import Counter
from collections.abc import Iterable, Iterator, Mapping, Sequence
from decimal import Decimal
from typing import Any

from sqlalchemy import Connection, select

from domain.documents import is_final, replayed
from domain.process import State
from projections.archive import Streams, appraisals, cut
from projections.ranking import BUCKETS, bucket
from projections.ranking_query import Scope, ranks

Row = dict[str, Any]
PLACE = ("appraisal_id", "period", "zone_id", "zone_name", "branch_id", "group_id", "line")


def rows_then(conn: Connection, streams: Streams, scope: Scope, at: str) -> Iterator[Row]:
    """The ranking row of every appraisal of the scope opened at or before `at` (an instant
    as documents write it), as it stood then."""
    # The year (and branch) narrow by the archive's index in its order (year, branch_id,
    # appraisal_id); the period and the other filters are checked on the rows it finds.
    query = (select(*(appraisals.c[c] for c in PLACE))
             .where(appraisals.c.year == scope.period[:4], *scope.where(appraisals))
             .order_by(appraisals.c.branch_id, appraisals.c.appraisal_id))
    for row, history, _ in cut(conn.execute(query).all(), streams, at):
        yield standing({c: getattr(row, c) for c in PLACE}, history)


def standing(place: Mapping[str, Any], history: Sequence[dict[str, Any]]) -> Row:
    """The appraisal's row in projections.ranking's shape at the end of its history (cut at
    an instant): the latest group review's score and grade, published or not, the reward
    its latest publication recorded while it stays published, and whether it is final."""
    document = replayed(str(place["appraisal_id"]), history)
    published = document["state"] == State.PUBLISHED
    rewards = [e["data"]["reward"] for e in history if e["type"] == "branch_approved"]
    score = document["score"]
    return {**place, "responsible_member_ids": document["responsible_member_ids"],
            "score_tenths": None if score is None else int(Decimal(str(score)) * 10),
            "grade": document["grade"], "published": published,
            "reward": str(rewards[-1]) if published else None,
            "final": is_final(history), "cancelled": document["state"] == State.CANCELLED}


def ranked(rows: Iterable[Row], limit: int | None = None, offset: int = 0) -> list[Row]:
    """A page of the published rows, highest score first and ties by zone id, each with its
    rank among all of them (1, 2, 2, 4)."""
    listed = sorted((row for row in rows if row["published"]),
                    key=lambda row: (-row["score_tenths"], row["zone_id"]))
    placed = ranks([row["score_tenths"] for row in listed], 1, 0)
    page = slice(offset, None if limit is None else offset + limit)
    return [{**row, "rank": rank} for row, rank in zip(listed[page], placed[page], strict=True)]


def tally(rows: Iterable[Row]) -> dict[str, int]:
    """The rows by grade once published, and how many are not published (as tally does)."""
    counted = Counter(map(bucket, rows))
    return {name: counted[name] for name in BUCKETS}
