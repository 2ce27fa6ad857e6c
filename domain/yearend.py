"""The year-end appraisal's evidence (年度考核依据): the zone's twelve monthly results as
they stood when the year-end appraisal was opened, their average and their extremes.

The months are the zone's own `Appraisal` aggregates, read from the event store; a month
counts only while its result stands published (a month reopened for correction and not yet
approved again counts as not published). Everything here is made from values the domain
already took and bounded — twelve months at most, the form's items, one-decimal scores — so
the evidence is as safe downstream as the months themselves.
"""

from collections.abc import Mapping, Sequence
from decimal import Decimal
from typing import Any

from domain.appraisal import Appraisal
from domain.period import Period
from domain.process import State
from domain.scoring import CENT, ONE_DECIMAL, Grade, mean


def months_of(year_end: str) -> tuple[str, ...]:
    """`2026` → `2026-01` … `2026-12`."""
    year = Period.parse(year_end).year
    return tuple(str(Period(year, month)) for month in range(1, 13))


def evidence(months: Mapping[str, Appraisal | None], items: Mapping[str, str]) -> dict[str, Any]:
    """What the year-end appraisal records of `months` (each month's appraisal, or None when
    it was never opened), for a form of `items`: the `MonthsSummarised` event's fields, in
    primitives (decimals as text)."""
    published = [a for a in months.values() if a is not None and a.state == State.PUBLISHED]
    scores = [a.score for a in published if a.score is not None]
    grades = [Grade.of(score) for score in scores]
    average = mean(scores, CENT)
    return {
        "results": {period: _result(a) for period, a in months.items()},
        "average": None if average is None else str(average),
        "excellent": grades.count(Grade.EXCELLENT),
        "unqualified": grades.count(Grade.UNQUALIFIED),
        "offered": _offered(published, items),
    }


def _result(month: Appraisal | None) -> dict[str, Any] | None:
    """A month's published result as read (its score, grade, whether final, and the version
    of the month's appraisal it was read at); None when not opened or not published."""
    if month is None or month.state != State.PUBLISHED or month.score is None:
        return None
    return {"score": str(month.score), "grade": str(Grade.of(month.score)),
            "final": month.final is not None, "version": month.version}


def _offered(published: Sequence[Appraisal], items: Mapping[str, str]) -> dict[str, str] | None:
    """Each item's average group-review score over the published months, to one decimal: the
    starting point offered to the year-end's signers. Only when every published month was
    scored on the year-end form's items (an item's average means nothing across forms);
    averages of scores within 0..max stay within it, so the offer fits the form."""
    maxima = _maxima(items)
    if not published or any(_maxima(a.items) != maxima for a in published):
        return None
    # A published result always has its group review: the review is what publishes a score.
    reviewed = [review["scores"] for a in published if (review := a.steps[State.GROUP_REVIEW])]
    return {code: str(mean([Decimal(scores[code]) for scores in reviewed], ONE_DECIMAL))
            for code in items}


def _maxima(items: Mapping[str, str]) -> dict[str, Decimal]:
    return {code: Decimal(maximum) for code, maximum in items.items()}
