"""A refused request as a page says it: what happened, from the error's kind and fields, in
Chinese or English; what to do next; the service's English words only as the detail."""

from datetime import UTC, datetime

import pytest

from domain.errors import (
    ConflictError,
    ForbiddenError,
    InvalidError,
    NotFoundError,
    StaleVersionError,
    StateConflictError,
    UnknownReferenceError,
)
from service.errors import TooManyAttemptsError
from service.web.problems import PHRASES, SAID, TITLES, explain


def test_a_stale_version_names_both_versions_and_says_to_look_at_the_latest() -> None:
    said = explain(StaleVersionError(3, 5), 412, "zh")
    assert said.title == "考核表已有变动"
    assert said.message == ("您打开的是第 3 版，之后这份考核表已有变动（现为第 5 版），"
                            "您的提交未作记录。")
    assert said.advice == "请查看最新内容，核对后再办理。"
    assert said.detail == "version 3 is stale; the current version is 5"
    assert explain(StaleVersionError(3, 5), 412, "en").title == "The appraisal has changed"


@pytest.mark.parametrize(("error", "zh", "en"), [
    (NotFoundError("zone", "Z9"), "找不到责任区“Z9”。", "There is no zone “Z9”."),
    (UnknownReferenceError("member_id", "M9"), "党员“M9”不存在，未作任何记录。",
     "There is no member “M9”; nothing was recorded."),
])
def test_a_missing_record_is_named_by_its_kind(error: Exception, zh: str, en: str) -> None:
    assert explain(error, 404, "zh").message == zh
    assert explain(error, 404, "en").message == en


@pytest.mark.parametrize(("reason", "sentence"), [
    (None, "您的角色不能查看或办理这一项。"),
    ("scope", "这不在您负责的范围（支部、党小组或责任区）之内。"),
    ("signed", "同一份考核表的不同环节不能由同一人签署，您已签署过其中另一个环节。"),
    ("own_zone", "您是这个责任区的责任党员，不能考核或审核自己的责任区。"),
    ("not_responsible", "只有考核时负责这个责任区的党员才能提交它的自查。"),
])
def test_a_refusal_says_why_by_its_reason(reason: str | None, sentence: str) -> None:
    said = explain(ForbiddenError("the service's words", reason), 403, "zh")
    assert (said.title, said.message, said.detail) == ("无权访问", sentence, "the service's words")


def test_a_state_conflict_names_the_state_and_what_the_reader_may_do_now() -> None:
    error = StateConflictError("'self-check' is not allowed in state 'published'", "published",
                               ["reopen"])
    said = explain(error, 409, "zh")
    assert said.message == "这份考核表现在处于“公示”环节，不能办理这一操作。"
    assert said.points == ["您现在可以办理：重新打开（更正）。"]
    assert explain(error, 409, "en").points == ["You may now: Reopen (correct)."]
    nothing = StateConflictError("…", "group_review", [])
    assert explain(nothing, 409, "zh").points == ["您现在没有可办理的操作。"]


def test_field_errors_are_listed_by_the_fields_names() -> None:
    error = InvalidError("scores do not fit", {"reason": "empty", "order": "out of range"})
    assert explain(error, 422, "zh").points == ["原因：必填", "秩序稳定：超出 0 到满分的范围"]
    assert explain(error, 422, "en").points == [
        "Reason: required", "Order and stability: must be from 0 to the maximum"]


def test_an_error_of_no_known_kind_is_still_said_plainly() -> None:
    said = explain(RuntimeError("boom"), 500, "zh")
    assert (said.title, said.message, said.detail) == ("出错了", "这次请求没有办成。", "boom")


@pytest.mark.parametrize(("error", "zh", "en"), [
    (ConflictError("…", "window_open", closes=datetime(2026, 10, 9, 16, tzinfo=UTC)),
     "公示期到 2026-10-10 00:00（北京时间）才结束，现在还不能定稿。",
     "The window is open until 2026-10-10 00:00 (Beijing time): the posting cannot be closed "
     "yet."),
    (ConflictError("…", "results_changed", zones=["Z1", "Z2"]),
     "公示以后，这些责任区的结果有了变动：Z1、Z2，这次公示不能定稿。",
     "Results changed since they were posted (Z1, Z2): this posting cannot be closed."),
    (ConflictError("…", "pending", pending=3),
     "这一考核期还有 3 个责任区未审核通过，没有发布公示。",
     "3 zones of this period are not approved yet; nothing was posted."),
    (ConflictError("…"), "现在的状态不允许这一操作，未作任何记录。",
     "This cannot be done in the present state; nothing was recorded."),
    (ConflictError("…", "a reason of later work"), "现在的状态不允许这一操作，未作任何记录。",
     "This cannot be done in the present state; nothing was recorded."),
])
def test_a_refusal_of_publicity_says_which_state_with_its_facts(error: ConflictError, zh: str,
                                                                en: str) -> None:
    assert explain(error, 409, "zh").title == "未能办理"
    assert (explain(error, 409, "zh").message, explain(error, 409, "en").message) == (zh, en)


def test_a_public_link_that_names_nothing_and_throttling_are_said_plainly() -> None:
    assert explain(NotFoundError("link", "link"), 404, "zh").message == \
        "找不到这个公示：链接有误，或已停用。"
    assert explain(ForbiddenError("…", "link"), 403, "zh").message == "这个链接公示的不是这一结果。"
    throttled = explain(TooManyAttemptsError("too many", 60), 429, "zh")
    assert (throttled.title, throttled.message) == ("请稍后再试",
                                                    "提交的次数太多，暂时不能受理，未作任何记录。")


@pytest.mark.parametrize("table", [TITLES, SAID, PHRASES])
def test_english_says_everything_chinese_says(table: dict) -> None:
    assert set(table["en"]) == set(table["zh"])
