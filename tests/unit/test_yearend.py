"""The year-end's evidence of its months (domain.yearend): which months count, the average
and the offered item scores in exact decimals, and the document and history showing it."""

from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest

from domain.appraisal import Appraisal
from domain.documents import document, history_entry, replayed
from domain.forms import DEFAULT_ITEMS
from domain.scoring import CENT, ONE_DECIMAL, mean
from domain.yearend import evidence, months_of

START = datetime(2026, 1, 1, tzinfo=UTC)


def month(period: str, scores: dict[str, str], *, publish: bool = True,
          items: dict[str, str] = DEFAULT_ITEMS) -> Appraisal:
    """Z1's appraisal of `period`, its group review of `scores`, approved if `publish`."""
    at = iter(START + timedelta(minutes=n) for n in range(100))
    signed = {"actor": "someone", "role": "r", "member_id": ""}
    appraisal = Appraisal(zone_id="Z1", zone_name="综采一队", line="采煤线", period=period,
                          branch_id="B1", group_id="G1", template_id="default",
                          template_version=1, items=dict(items), responsible_member_ids=["M1"],
                          state="self_check", actor="secretary", role="branch_secretary",
                          timestamp=next(at))
    total = str(sum(map(Decimal, scores.values())))
    appraisal.submit_group_review(scores=scores, total=total, comment="", state="branch_approval",
                                  timestamp=next(at), **signed)
    if publish:
        appraisal.approve(comment="", reward="0", state="published", timestamp=next(at),
                          **signed)
    return appraisal


def marks(**lower: str) -> dict[str, str]:
    """Full marks, but for the items given."""
    return {**DEFAULT_ITEMS, **lower}


def test_the_twelve_months_of_a_year() -> None:
    assert months_of("2026") == tuple(f"2026-{m:02d}" for m in range(1, 13))


@pytest.mark.parametrize(("values", "places", "expected"), [
    (["95", "65", "85.5"], CENT, "81.83"),  # 81.8333…
    (["88.1", "88.15"], CENT, "88.13"),  # 88.125: a half, rounded up
    (["1.25"], ONE_DECIMAL, "1.3"),
    (["0.1", "0.2"], ONE_DECIMAL, "0.2"),  # 0.15, exact in decimals (a float gives 0.1)
])
def test_a_mean_is_exact_and_rounds_halves_up(values: list[str], places: Decimal,
                                              expected: str) -> None:
    assert mean([Decimal(v) for v in values], places) == Decimal(expected)


def test_no_values_have_no_mean() -> None:
    assert mean([], CENT) is None


def test_only_published_months_count_and_each_is_read_with_its_version() -> None:
    january = month("2026-01", marks(thought="10"))  # 95
    february = month("2026-02", marks(thought="0", study="0", talks="5"))  # 65
    pending = month("2026-03", marks(thought="0"), publish=False)  # 85, not approved yet
    january.finalise(posting="p1", state="published", actor="sec", role="branch_secretary",
                     timestamp=START + timedelta(hours=1))
    found = evidence({**dict.fromkeys(months_of("2026")), "2026-01": january,
                      "2026-02": february, "2026-03": pending}, DEFAULT_ITEMS)
    assert found["results"] == {
        **dict.fromkeys(months_of("2026")),
        "2026-01": {"score": "95", "grade": "excellent", "final": True, "version": 4},
        "2026-02": {"score": "65", "grade": "unqualified", "final": False, "version": 3}}
    assert (found["average"], found["excellent"], found["unqualified"]) == ("80.00", 1, 1)
    assert found["offered"] == {"thought": "5.0", "study": "7.5", "talks": "7.5", "order": "20.0",
                                "policy": "10.0", "duty": "20.0", "skills": "10.0"}


def test_no_published_month_offers_nothing_and_has_no_average() -> None:
    found = evidence({"2026-01": month("2026-01", marks(), publish=False)}, DEFAULT_ITEMS)
    assert found == {"results": {"2026-01": None}, "average": None, "excellent": 0,
                     "unqualified": 0, "offered": None}


def test_months_of_another_form_offer_no_item_scores() -> None:
    other = {**DEFAULT_ITEMS, "thought": "20", "skills": "5"}
    found = evidence({"2026-01": month("2026-01", marks()),
                      "2026-02": month("2026-02", marks(skills="5", thought="20"), items=other)},
                     DEFAULT_ITEMS)
    assert (found["average"], found["offered"]) == ("100.00", None)
    # The same maxima written otherwise ("15.0") are the same form.
    same = {code: f"{maximum}.0" for code, maximum in DEFAULT_ITEMS.items()}
    assert evidence({"2026-01": month("2026-01", marks(), items=same)},
                    DEFAULT_ITEMS)["offered"] is not None


def test_the_document_and_the_history_show_the_evidence_and_a_replay_agrees() -> None:
    year_end = month("2026", marks(), publish=False)
    assert "months" not in document(year_end)
    found = evidence({"2026-01": month("2026-01", marks(thought="10.5"))}, DEFAULT_ITEMS)
    year_end.summarise_months(**found, state=year_end.state, actor="secretary",
                              role="branch_secretary", timestamp=START + timedelta(hours=2))
    shown = {"results": {"2026-01": {"score": 95.5, "grade": "excellent", "final": False,
                                     "version": 3}},
             "average": 95.5, "excellent": 1, "unqualified": 0,
             "offered": {"thought": 10.5, "study": 15, "talks": 10, "order": 20, "policy": 10,
                         "duty": 20, "skills": 10}}
    assert document(year_end)["months"] == shown
    history = [history_entry(e) for e in year_end.collect_events()]
    assert history[-1]["type"] == "months_summarised"
    assert history[-1]["data"] == shown
    assert replayed(str(year_end.id), history) == document(year_end)
