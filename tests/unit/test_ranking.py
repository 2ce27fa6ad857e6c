"""The ranking's pure parts: event → row, row → counters, and ranks with ties."""

from datetime import UTC, datetime
from functools import reduce
from typing import Any

import pytest

from domain.appraisal import Appraisal
from projections.ranking import bucket, count_changes, next_row
from projections.ranking_query import ranks

AT = datetime(2026, 10, 31, 8, tzinfo=UTC)
SIGNED = {"actor": "someone", "role": "role", "timestamp": AT}


def opened(zone_id: str = "Z1", responsibles: tuple[str, ...] = ("M1",)) -> Appraisal:
    return Appraisal(zone_id=zone_id, zone_name="综采一队", line="采煤线", period="2026-10",
                     branch_id="B1", group_id="G1", template_id="default", template_version=1,
                     items={"duty": "100"}, responsible_member_ids=list(responsibles),
                     state="self_check", **SIGNED)


def reviewed(appraisal: Appraisal, total: str) -> Appraisal:
    appraisal.submit_group_review(scores={"duty": total}, total=total, comment="",
                                  state="branch_approval", **SIGNED)
    return appraisal


def published(appraisal: Appraisal, reward: str) -> Appraisal:
    appraisal.approve(comment="同意", reward=reward, state="published", **SIGNED)
    return appraisal


def reopened(appraisal: Appraisal) -> Appraisal:
    appraisal.reopen(reason="复核", state="group_review", **SIGNED)
    return appraisal


def finalised(appraisal: Appraisal) -> Appraisal:
    appraisal.finalise(posting="posting-1", state=appraisal.state, **SIGNED)
    return appraisal


def cancelled(appraisal: Appraisal) -> Appraisal:
    appraisal.cancel(reason="开错了", state="cancelled", **SIGNED)
    return appraisal


def restarted(appraisal: Appraisal, responsibles: tuple[str, ...] = ("M2",)) -> Appraisal:
    appraisal.restart(template_id="default", template_version=2, items={"duty": "100"},
                      responsible_member_ids=list(responsibles), state="self_check", **SIGNED)
    return appraisal


def rows_after(appraisal: Appraisal) -> list[dict[str, Any]]:
    """The row after each of the appraisal's events, applied in order."""
    rows: list[dict[str, Any]] = []
    for domain_event in appraisal.collect_events():
        rows.append(next_row(rows[-1] if rows else None, domain_event))
    return rows


def final_row(appraisal: Appraisal) -> dict[str, Any]:
    return reduce(next_row, appraisal.collect_events(), None)  # type: ignore[arg-type]


def test_an_opened_appraisal_is_an_unpublished_row_with_its_zone_and_responsibles_at_opening():
    appraisal = opened(responsibles=("M1", "M7"))
    row = final_row(appraisal)
    assert row == {"appraisal_id": str(appraisal.id), "period": "2026-10", "zone_id": "Z1",
                   "zone_name": "综采一队", "branch_id": "B1", "group_id": "G1",
                   "line": "采煤线", "responsible_member_ids": ["M1", "M7"],
                   "score_tenths": None, "grade": None, "published": False,
                   "reward": None, "final": False, "cancelled": False}
    assert bucket(row) == "unpublished"


def test_a_cancelled_appraisal_counts_apart_and_its_restart_waits_again_with_new_responsibles():
    before, cancelling, restarting = rows_after(restarted(cancelled(opened()), ("M2", "M3")))
    assert (cancelling["cancelled"], cancelling["published"]) == (True, False)
    assert bucket(cancelling) == "cancelled"
    assert count_changes(before, cancelling) == {"unpublished": -1, "cancelled": 1}
    assert restarting["cancelled"] is False
    assert restarting["responsible_member_ids"] == ["M2", "M3"]
    assert count_changes(cancelling, restarting) == {"cancelled": -1, "unpublished": 1}


def test_the_group_review_fixes_score_and_grade_exactly_but_does_not_publish():
    row = final_row(reviewed(opened(), "89.9"))
    assert (row["score_tenths"], row["grade"], row["published"]) == (899, "qualified", False)


def test_approval_publishes_with_the_reward_the_event_recorded_not_one_recomputed():
    # 93.5 is excellent, which the default policy pays 200; the event says 123.45.
    row = final_row(published(reviewed(opened(), "93.5"), "123.45"))
    assert (row["published"], row["grade"], row["reward"]) == (True, "excellent", "123.45")
    assert bucket(row) == "excellent"


def test_a_penalty_is_kept_as_a_negative_amount():
    assert final_row(published(reviewed(opened(), "65.0"), "-100"))["reward"] == "-100"


def test_any_reward_the_domain_records_is_kept_exactly():
    for reward in ("1E+17", "99999999999999999999999.99", "-0.01"):
        assert final_row(published(reviewed(opened(), "93.5"), reward))["reward"] == reward


@pytest.mark.parametrize("reward", ["abc", "NaN", "Infinity", "0.005"])
def test_a_reward_the_domain_never_records_fails_the_view_instead_of_being_rounded(reward):
    with pytest.raises(ValueError, match="not a finite number"):
        final_row(published(reviewed(opened(), "93.5"), reward))


@pytest.mark.parametrize("total", ["NaN", "89.95"])
def test_a_total_the_domain_never_records_fails_the_view_instead_of_being_rounded(total):
    with pytest.raises(ValueError, match="not a finite number"):
        final_row(reviewed(opened(), total))


def test_a_reopened_result_leaves_the_ranking_until_published_again():
    row = final_row(reopened(published(reviewed(opened(), "93.5"), "200")))
    assert (row["published"], row["reward"], row["score_tenths"]) == (False, None, 935)
    assert bucket(row) == "unpublished"


def test_republishing_takes_the_new_review_and_the_reward_of_the_new_publication():
    appraisal = reopened(published(reviewed(opened(), "93.5"), "200"))
    row = final_row(published(reviewed(appraisal, "85.0"), "50"))
    assert (row["score_tenths"], row["grade"], row["reward"]) == (850, "qualified", "50")
    assert row["published"]


def test_a_finalised_result_is_final_and_stays_ranked_with_its_reward():
    row = final_row(finalised(published(reviewed(opened(), "93.5"), "200")))
    assert (row["final"], row["published"], row["reward"], bucket(row)) == \
        (True, True, "200", "excellent")
    assert not final_row(published(reviewed(opened(), "93.5"), "200"))["final"]


def test_a_reopening_ends_finality_and_republishing_does_not_restore_it():
    rows = rows_after(finalised(published(reviewed(reopened(finalised(published(
        reviewed(opened(), "93.5"), "200"))), "85.0"), "50")))
    assert [row["final"] for row in rows] == [False, False, False, True, False, False, False,
                                              True]


def test_counters_move_from_unpublished_to_the_grade_and_back_on_reopen():
    rows = rows_after(reopened(published(reviewed(opened(), "93.5"), "200")))
    changes = [count_changes(old, new) for old, new in zip([None, *rows], rows, strict=False)]
    assert changes == [{"unpublished": 1}, {}, {"unpublished": -1, "excellent": 1},
                       {"excellent": -1, "unpublished": 1}]


def test_an_event_for_an_appraisal_never_opened_is_an_error_not_a_silent_row():
    appraisal = reviewed(opened(), "90.0")
    _opened, review = appraisal.collect_events()
    with pytest.raises(ValueError, match="no ranking row"):
        next_row(None, review)


@pytest.mark.parametrize(("scores", "first", "offset", "expected"), [
    ([950, 900, 900, 800], 1, 0, [1, 2, 2, 4]),
    ([900, 900, 900], 1, 0, [1, 1, 1]),
    ([950, 940, 930], 1, 0, [1, 2, 3]),
    # A page starting at position 3 (offset 2) inside a tie that began at rank 2.
    ([900, 800, 800, 700], 2, 2, [2, 4, 4, 6]),
    # A page starting at a new score: its rank is its position.
    ([800, 700], 4, 3, [4, 5]),
    ([], 1, 0, []),
])
def test_equal_scores_share_a_rank_and_the_next_takes_its_place(scores, first, offset, expected):
    assert ranks(scores, first, offset) == expected
