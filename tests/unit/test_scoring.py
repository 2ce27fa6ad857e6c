"""Score validation, exact decimal totals and grade bands (domain/scoring.py)."""

from decimal import Decimal

import pytest

from domain.errors import InvalidError
from domain.forms import DEFAULT_ITEMS
from domain.scoring import Grade, total_of, validate_scores

FULL = {code: int(maximum) for code, maximum in DEFAULT_ITEMS.items()}
SCORES = {"thought": 14.5, "study": 15, "talks": 9, "order": 18, "policy": 9.5, "duty": 19,
          "skills": 8.5}  # 93.5


def with_score(code: str, value: object) -> dict[str, object]:
    return {**FULL, code: value}


def test_valid_scores_come_back_as_decimals_for_every_item():
    scores = validate_scores(DEFAULT_ITEMS, SCORES)
    assert scores == {code: Decimal(str(value)) for code, value in SCORES.items()}
    assert all(isinstance(value, Decimal) for value in scores.values())


@pytest.mark.parametrize("value", [0, 0.0, 7, 7.5, 14.9, 15, 15.0, Decimal("3.5")])
def test_any_number_from_zero_to_the_maximum_with_one_decimal_is_accepted(value):
    assert validate_scores(DEFAULT_ITEMS, with_score("thought", value))["thought"] == Decimal(
        str(value))


@pytest.mark.parametrize("value", [-0.1, -1, 15.1, 16, 100, 2**63])
def test_a_score_outside_zero_to_the_maximum_is_rejected(value):
    with pytest.raises(InvalidError) as raised:
        validate_scores(DEFAULT_ITEMS, with_score("thought", value))
    assert "thought" in raised.value.errors


@pytest.mark.parametrize("value", [1.25, 0.05, 14.99, 1e-7, 0.30000000000000004])
def test_a_score_with_more_than_one_decimal_is_rejected(value):
    with pytest.raises(InvalidError) as raised:
        validate_scores(DEFAULT_ITEMS, with_score("thought", value))
    assert "thought" in raised.value.errors


@pytest.mark.parametrize("value", [
    True, False, None, "14.5", "abc", "", [1], {"v": 1}, float("nan"), float("inf"),
    float("-inf"), Decimal("NaN"), Decimal("Infinity"), 1e30, 10**40,
])
def test_non_numbers_bools_nan_infinite_and_huge_values_are_rejected_as_invalid(value):
    with pytest.raises(InvalidError) as raised:
        validate_scores(DEFAULT_ITEMS, with_score("thought", value))
    assert "thought" in raised.value.errors


def test_an_unknown_item_code_is_rejected():
    with pytest.raises(InvalidError) as raised:
        validate_scores(DEFAULT_ITEMS, {**FULL, "bonus": 1})
    assert raised.value.errors == {"bonus": "unknown item"}


def test_a_missing_item_code_is_rejected():
    scores = dict(FULL)
    del scores["skills"]
    with pytest.raises(InvalidError) as raised:
        validate_scores(DEFAULT_ITEMS, scores)
    assert raised.value.errors == {"skills": "missing"}


@pytest.mark.parametrize("scores", [None, [], [["thought", 15]], "thought=15", 93.5, {}])
def test_scores_that_are_not_an_object_of_every_item_are_rejected(scores):
    with pytest.raises(InvalidError):
        validate_scores(DEFAULT_ITEMS, scores)


def test_the_total_is_the_exact_decimal_sum():
    scores = validate_scores(DEFAULT_ITEMS, {**SCORES, "order": 16})  # 91.5
    total = total_of(scores)
    assert total == Decimal("91.5")
    assert str(total) == "91.5"


def test_tenths_that_float_arithmetic_gets_wrong_add_up_exactly():
    tenths = {"thought": 0.1, "study": 0.2, "talks": 0.1, "order": 0.2, "policy": 0.1,
              "duty": 0.2, "skills": 0.1}
    assert sum(tenths.values()) != 1.0  # the float trap this module exists to avoid
    assert total_of(validate_scores(DEFAULT_ITEMS, tenths)) == Decimal("1.0")


def test_full_marks_total_one_hundred():
    assert total_of(validate_scores(DEFAULT_ITEMS, FULL)) == Decimal("100")


@pytest.mark.parametrize(("total", "grade"), [
    ("100", Grade.EXCELLENT), ("90.0", Grade.EXCELLENT), ("90", Grade.EXCELLENT),
    ("89.9", Grade.QUALIFIED), ("80", Grade.QUALIFIED), ("80.0", Grade.QUALIFIED),
    ("79.9", Grade.BASICALLY_QUALIFIED), ("70", Grade.BASICALLY_QUALIFIED),
    ("69.9", Grade.UNQUALIFIED), ("0", Grade.UNQUALIFIED),
])
def test_grade_bands_follow_004_with_decimals_on_the_edges(total, grade):
    assert Grade.of(Decimal(total)) is grade


def test_grade_names_are_the_api_strings():
    assert [g.value for g in Grade] == [
        "excellent", "qualified", "basically_qualified", "unqualified"]
