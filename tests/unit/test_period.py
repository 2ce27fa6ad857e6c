"""Appraisal periods: `YYYY-MM` for a month, `YYYY` for the year-end appraisal."""

import pytest

from domain.errors import InvalidError
from domain.period import Period


@pytest.mark.parametrize(("text", "year", "month"), [
    ("2026-10", 2026, 10), ("2026-01", 2026, 1), ("2026-12", 2026, 12), ("2026", 2026, None),
    ("1900", 1900, None), ("2999-12", 2999, 12),
])
def test_a_month_or_a_year_parses(text, year, month):
    period = Period.parse(text)
    assert (period.year, period.month) == (year, month)
    assert period.is_year_end is (month is None)


@pytest.mark.parametrize("text", ["2026-10", "2026", "2026-01"])
def test_a_period_prints_as_it_was_written(text):
    assert str(Period.parse(text)) == text


@pytest.mark.parametrize("text", [
    "", "26", "202610", "2026-1", "2026-001", "2026-00", "2026-13", "2026/10", "10-2026",
    "2026-10-01", " 2026-10", "2026-10 ", "2026-10\n", "2026-", "-10", "abcd", "1899",
    "3000", "2026-Q4", "２０２６-10",
])
def test_anything_else_is_rejected(text):
    with pytest.raises(InvalidError):
        Period.parse(text)


def test_periods_order_by_year_then_month():
    months = [Period.parse(t) for t in ["2026-02", "2025-12", "2026-10", "2026-01"]]
    assert [str(p) for p in sorted(months)] == ["2025-12", "2026-01", "2026-02", "2026-10"]


def test_a_year_end_is_not_a_month():
    assert Period.parse("2026") != Period.parse("2026-12")
