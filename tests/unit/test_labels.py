"""One table of labels for every file made for people, in Chinese and English."""

import pytest

from reports.archive_view import event_note
from reports.labels import GRADES, LABELS, label, period_title


def test_grades_steps_roles_and_events_have_chinese_names() -> None:
    assert [label("grade", g) for g in GRADES] == ["优秀", "合格", "基本合格", "不合格"]
    assert label("step", "group_review") == "党小组长考核"
    assert label("role", "responsible_member") == "责任人"
    assert label("event", "returned") == "退回"
    assert label("item", "order") == "秩序稳定"


def test_an_unknown_code_shows_as_itself() -> None:
    assert label("item", "safety_walks") == "safety_walks"
    assert label("role", "auditor", "en") == "auditor"


@pytest.mark.parametrize("kind", ["grade", "role", "step", "event", "item", "thing"])
def test_english_names_the_same_codes(kind: str) -> None:
    assert set(LABELS["en"][kind]) == set(LABELS["zh"][kind])


@pytest.mark.parametrize(("period", "zh", "en"), [("2026-10", "2026年10月", "October 2026"),
                                                   ("2026-01", "2026年1月", "January 2026"),
                                                   ("2026", "2026年度", "Year 2026")])
def test_period_titles(period: str, zh: str, en: str) -> None:
    assert period_title(period) == zh
    assert period_title(period, "en") == en


def test_the_archive_says_objections_their_answers_and_finality() -> None:
    def note(kind: str, **data: object) -> str:
        return event_note({"type": kind, "data": data})

    assert note("objection_raised", reason="偏高", name="王师傅") == "异议（王师傅）：偏高"
    assert note("objection_raised", reason="偏高", name="") == "异议：偏高"
    assert note("objection_answered", upheld=True, reason="属实") == "异议成立：属实"
    assert note("objection_answered", upheld=False, reason="维持") == "异议不成立：维持"
    assert note("finalised", posting="x-p1") == "公示 x-p1 期满定稿"
    assert note("reopened", reason="复核") == "原因：复核"
