"""The ranking as it stood at an instant, from history entries: each appraisal's row as the
live view had it after the same events, ranks with ties and pages, counts, and finality."""

from typing import Any

import pytest

from domain.appraisal import Appraisal
from domain.documents import history_entry, is_final
from projections.ranking import next_row
from projections.ranking_then import ranked, standing, tally
from tests.unit.test_ranking import (
    cancelled,
    finalised,
    opened,
    published,
    reopened,
    restarted,
    reviewed,
)

PLACE = ("appraisal_id", "period", "zone_id", "zone_name", "branch_id", "group_id", "line")


def histories(appraisal: Appraisal) -> list[tuple[list[dict[str, Any]], dict[str, Any]]]:
    """After each event: the history entries so far, and the live view's row."""
    out: list[tuple[list[dict[str, Any]], dict[str, Any]]] = []
    entries: list[dict[str, Any]] = []
    row: dict[str, Any] | None = None
    for domain_event in appraisal.collect_events():
        entries.append(history_entry(domain_event))
        row = next_row(row, domain_event)
        out.append((list(entries), row))
    return out


def test_a_row_as_of_any_point_of_its_history_is_the_live_views_row_after_those_events():
    appraisal = finalised(published(reviewed(reopened(finalised(published(reviewed(
        opened(responsibles=("M1", "M7")), "93.5"), "200"))), "65.0"), "-100.5"))
    for entries, live in histories(appraisal):
        place = {c: live[c] for c in PLACE}
        assert standing(place, entries) == live, entries[-1]["type"]


def test_a_cancelled_and_restarted_row_as_of_any_point_is_the_live_views_row():
    appraisal = published(reviewed(restarted(cancelled(opened()), ("M2",)), "91.0"), "200")
    for entries, live in histories(appraisal):
        place = {c: live[c] for c in PLACE}
        assert standing(place, entries) == live, entries[-1]["type"]


def rows(*results: tuple[str, int | None, bool]) -> list[dict[str, Any]]:
    """Rows of zones (zone id, score in tenths or None when not published, final)."""
    return [{"zone_id": zone, "score_tenths": score, "published": score is not None,
             "grade": None if score is None else "excellent" if score >= 900 else "qualified",
             "final": final, "cancelled": False} for zone, score, final in results]


SCOPE = rows(("Z4", 800, False), ("Z2", 900, True), ("Z9", None, False), ("Z1", 950, True),
             ("Z3", 900, False), ("Z8", None, False))


@pytest.mark.parametrize(("limit", "offset", "expected"), [
    (None, 0, [(1, "Z1"), (2, "Z2"), (2, "Z3"), (4, "Z4")]),
    (2, 0, [(1, "Z1"), (2, "Z2")]),
    (1, 2, [(2, "Z3")]),  # a page starting inside a tie
    (5, 3, [(4, "Z4")]),
    (2, 4, []),
])
def test_published_rows_rank_highest_first_ties_share_a_rank_by_zone_id_pages_keep_ranks(
        limit, offset, expected):
    assert [(r["rank"], r["zone_id"]) for r in ranked(SCOPE, limit, offset)] == expected


def test_the_counts_are_grades_of_the_published_and_the_rest_unpublished():
    assert tally(SCOPE) == {"excellent": 3, "qualified": 1, "basically_qualified": 0,
                            "unqualified": 0, "unpublished": 2, "cancelled": 0}
    assert tally([*SCOPE, {**SCOPE[2], "cancelled": True}])["cancelled"] == 1
    assert tally([]) == dict.fromkeys(tally(SCOPE), 0)


@pytest.mark.parametrize(("kinds", "final"), [
    ([], False),
    (["opened", "branch_approved"], False),
    (["branch_approved", "finalised"], True),
    (["finalised", "reopened"], False),
    (["finalised", "reopened", "branch_approved"], False),
    (["finalised", "reopened", "branch_approved", "finalised"], True),
    (["finalised", "objection_raised", "finding_recorded"], True),
])
def test_a_result_is_final_when_finalised_after_its_last_reopening(kinds, final):
    assert is_final([{"type": kind} for kind in kinds]) is final
