"""Deadlines' rules: the defaults, what may be set, which date wins, when a step is late."""

from datetime import UTC, date, datetime

import pytest

from domain.deadlines import (
    DEFAULT_DAYS,
    check_dates,
    check_days,
    check_effective,
    default_dates,
    effective,
    standing,
)
from domain.errors import InvalidError
from domain.period import Period, china_date


def test_defaults_fall_in_the_month_after_the_period():
    assert default_dates(Period(2026, 11), DEFAULT_DAYS) == {
        "self_check": date(2026, 12, 5), "zone_evaluation": date(2026, 12, 8),
        "group_review": date(2026, 12, 10), "branch_approval": date(2026, 12, 12)}
    # December's and the year-end's fall in the next January.
    assert default_dates(Period(2026, 12), DEFAULT_DAYS)["self_check"] == date(2027, 1, 5)
    assert default_dates(Period(2026), DEFAULT_DAYS)["branch_approval"] == date(2027, 1, 12)


@pytest.mark.parametrize("days", [
    {"self_check": 5}, {**DEFAULT_DAYS, "published": 1}, {**DEFAULT_DAYS, "self_check": 0},
    {**DEFAULT_DAYS, "self_check": 29}, {**DEFAULT_DAYS, "self_check": True},
    {**DEFAULT_DAYS, "self_check": 11}, [5, 8, 10, 12], None,
])
def test_default_days_are_each_step_once_in_order(days):
    with pytest.raises(InvalidError):
        check_days(days)


def test_dates_set_are_some_steps_in_order_and_near_the_period():
    period = Period(2026, 11)
    assert check_dates(period, {"branch_approval": "2026-12-15"}) == {
        "branch_approval": "2026-12-15"}
    for bad in ({}, {"published": "2026-12-01"}, {"self_check": "2026-12-1"},
                {"self_check": "2026-13-01"}, {"self_check": 20261201},
                {"self_check": "2026-10-31"}, {"self_check": "2028-01-02"},
                {"self_check": "2026-12-09", "zone_evaluation": "2026-12-08"},
                {"self_check": "２０２６-12-01"}, "2026-12-01"):
        with pytest.raises(InvalidError):
            check_dates(period, bad)


def test_the_branch_wins_over_the_organisation_over_the_defaults():
    found = effective(Period(2026, 11), DEFAULT_DAYS,
                      {"self_check": "2026-12-03", "group_review": "2026-12-11"},
                      {"group_review": "2026-12-09"})
    assert found["self_check"] == (date(2026, 12, 3), "organisation")
    assert found["zone_evaluation"] == (date(2026, 12, 8), "default")
    assert found["group_review"] == (date(2026, 12, 9), "branch")


def test_the_dates_in_force_stay_in_step_order_whatever_their_sources():
    period = Period(2026, 11)
    check_effective(effective(period, DEFAULT_DAYS, None, {"self_check": "2026-12-08"}))
    for everyone, branch in (({"self_check": "2026-12-09"}, None),
                             (None, {"group_review": "2026-12-13"}),
                             ({"branch_approval": "2026-12-06"}, {"self_check": "2026-12-01"})):
        with pytest.raises(InvalidError):
            check_effective(effective(period, DEFAULT_DAYS, everyone, branch))


def test_a_step_is_overdue_from_the_day_after_its_date_in_china():
    due = date(2026, 12, 5)
    assert standing(due, date(2026, 12, 2)) == "pending"
    assert standing(due, date(2026, 12, 3)) == "due"
    assert standing(due, due) == "due"
    assert standing(due, date(2026, 12, 6)) == "overdue"
    # 17:00 UTC on the 5th is already the 6th in China.
    assert china_date(datetime(2026, 12, 5, 17, tzinfo=UTC)) == date(2026, 12, 6)
