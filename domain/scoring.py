"""Scores, totals and grade bands, in exact decimal arithmetic."""

from collections.abc import Collection, Mapping
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from enum import StrEnum
from typing import Any

from domain.errors import InvalidError

ONE_DECIMAL = Decimal("0.1")
CENT = Decimal("0.01")


class Grade(StrEnum):
    """The four bands of 004 §4.4(4)."""

    EXCELLENT = "excellent"
    QUALIFIED = "qualified"
    BASICALLY_QUALIFIED = "basically_qualified"
    UNQUALIFIED = "unqualified"

    @classmethod
    def of(cls, total: Decimal) -> "Grade":
        """≥90 excellent, ≥80 qualified, ≥70 basically qualified, below that unqualified."""
        if total >= 90:
            return cls.EXCELLENT
        if total >= 80:
            return cls.QUALIFIED
        if total >= 70:
            return cls.BASICALLY_QUALIFIED
        return cls.UNQUALIFIED


def _score(code: str, value: Any, maximum: Decimal) -> Decimal:
    # Floats come from JSON; their shortest repr is the number the client wrote. A string
    # is not a number, even one that reads as one (API.md: "each a number").
    if isinstance(value, bool) or not isinstance(value, int | float | Decimal):
        raise InvalidError(f"score {code!r} is not a number", {code: "not a number"})
    try:
        number = Decimal(str(value))
    except InvalidOperation:
        raise InvalidError(f"score {code!r} is not a number", {code: "not a number"}) from None
    if not number.is_finite():
        raise InvalidError(f"score {code!r} is not a finite number", {code: "not finite"})
    # The range comes first: quantizing a huge number (1e30) overflows the decimal context.
    if not 0 <= number <= maximum:
        raise InvalidError(f"score {code!r} must be from 0 to {maximum}", {code: "out of range"})
    if number != number.quantize(ONE_DECIMAL):
        raise InvalidError(f"score {code!r} has more than one decimal", {code: "one decimal"})
    return number.quantize(ONE_DECIMAL)


def validate_scores(items: Mapping[str, str], scores: Any) -> dict[str, Decimal]:
    """Check that `scores` names every item of the form once, each 0..max with ≤1 decimal."""
    if not isinstance(scores, Mapping):
        raise InvalidError("scores must be an object of item codes", {"scores": "not an object"})
    unknown = sorted(set(scores) - set(items))
    missing = sorted(set(items) - set(scores))
    if unknown or missing:
        errors = {code: "unknown item" for code in unknown} | {
            code: "missing" for code in missing
        }
        raise InvalidError("scores must name every item of the form exactly once", errors)
    return {code: _score(code, scores[code], Decimal(items[code])) for code in items}


def total_of(scores: Mapping[str, Decimal]) -> Decimal:
    """The exact sum of the item scores."""
    return sum(scores.values(), Decimal("0"))


def mean(values: Collection[Decimal], places: Decimal) -> Decimal | None:
    """The exact average of `values` in whole `places`, halves rounded up (88.125 → 88.13),
    as a person averaging by hand would; None for no values."""
    if not values:
        return None
    return (sum(values, Decimal(0)) / len(values)).quantize(places, ROUND_HALF_UP)
