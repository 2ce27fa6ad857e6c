"""Reward policy: the yuan a branch pays (or fines) per grade."""

from collections.abc import Mapping
from decimal import Decimal, InvalidOperation
from typing import Any

from domain.bounds import MAX_AMOUNT
from domain.errors import InvalidError
from domain.scoring import Grade

# Seed 000 §2.3: about +200 for good zones, nothing for average, −100 for poor.
DEFAULT_POLICY: dict[str, str] = {
    Grade.EXCELLENT: "200",
    Grade.QUALIFIED: "0",
    Grade.BASICALLY_QUALIFIED: "0",
    Grade.UNQUALIFIED: "-100",
}


def check_policy(amounts: Mapping[str, Any]) -> dict[str, str]:
    """A policy names an amount in yuan (at most two decimals) for each of the four grades."""
    grades = [grade.value for grade in Grade]
    if set(amounts) != set(grades):
        raise InvalidError("a reward policy names exactly the four grades", {"policy": "grades"})
    policy = {}
    for grade in grades:
        value = amounts[grade]
        try:
            if isinstance(value, bool):
                raise InvalidOperation
            amount = Decimal(str(value))
        except InvalidOperation:
            raise InvalidError(f"{grade} is not a number", {grade: "not a number"}) from None
        # The range comes first: quantizing a huge amount (1e30) overflows the decimal context.
        if not amount.is_finite() or abs(amount) > MAX_AMOUNT:
            raise InvalidError(f"{grade} must be from -{MAX_AMOUNT} to {MAX_AMOUNT} yuan",
                               {grade: "amount range"})
        if amount != amount.quantize(Decimal("0.01")):
            raise InvalidError(f"{grade} must be yuan with two decimals at most", {grade: "amount"})
        policy[grade] = str(amount)
    return policy

