"""批量办理, the bulk sign-off page, over HTTP on SQLite and PostgreSQL: pick a step, select,
review, confirm, read each item's outcome; the API's use case and its rules underneath."""

import re
from typing import Any

import pytest

from service.web import bulk_pages
from tests.e2e.pages import Pages
from tests.e2e.support import act_ok, events, nothing_recorded
from tests.e2e.test_bulk import standing_in
from tests.helpers import Api

PICKS = re.compile(r'name="id" value="([^"]+)"')
ITEMS = re.compile(r'name="item" value="([^"]+)"')
KEY = re.compile(r'name="key" value="([^"]+)"')
ROW_STATUS = re.compile(r'<tr data-status="(\d+)">')


@pytest.fixture
def pages(api: Api) -> Pages:
    return Pages(api)


def review(pages: Pages, action: str, ids: list[str]) -> Any:
    answer = pages.post("/app/bulk/review", {"action": action, "id": ids}, "/app/bulk")
    assert answer.status_code == 200, answer.text
    return answer


def confirm(pages: Pages, action: str, reviewed: Any, comment: str = "") -> Any:
    return pages.post("/app/bulk", {"action": action, "item": ITEMS.findall(reviewed.text),
                                    "key": KEY.search(reviewed.text).group(1),
                                    "comment": comment}, "/app/bulk")


def test_a_secretary_approves_several_at_once_and_reads_each_outcome(api, pages):
    docs = [standing_in(api, "Z1", "branch_approval", f"2026-0{m}") for m in (1, 2, 3)]
    early = standing_in(api, "Z2", "group_review", "2026-01")
    pages.as_user("secretary")
    assert 'href="/app/bulk"' in pages.get("/app/inbox").text
    chooser = pages.get("/app/bulk")
    assert chooser.status_code == 200
    listed = PICKS.findall(chooser.text)
    assert sorted(listed) == sorted(d["id"] for d in docs)  # not Z2's, waiting for its review
    reviewed = review(pages, "branch-approval", listed[:2])
    assert "93" in reviewed.text and "综采一队" in reviewed.text  # the group review's total
    done = confirm(pages, "branch-approval", reviewed, "月底批量审核")
    assert done.status_code == 200
    assert ROW_STATUS.findall(done.text) == ["200", "200"]
    assert "已办理: 2 / 2" in done.text
    for doc in docs:
        history = events(api, doc)
        if doc["id"] in listed[:2]:
            assert (history[-1]["type"], history[-1]["data"]["comment"]) == (
                "branch_approved", "月底批量审核")
        else:
            assert history[-1]["type"] == "group_review_submitted"
    assert events(api, early)[-1]["type"] == "zone_evaluation_submitted"


def test_a_group_leaders_review_is_signed_with_the_zone_evaluations_scores_shown(api, pages):
    doc = standing_in(api, "Z1", "group_review", "2026-01")
    pages.as_user("leader")
    assert PICKS.findall(pages.get("/app/bulk?action=group-review").text) == [doc["id"]]
    reviewed = review(pages, "group-review", [doc["id"]])
    evaluated = doc["zone_evaluation"]["scores"]
    assert all(f"{value}" in reviewed.text for value in evaluated.values())
    done = confirm(pages, "group-review", reviewed)
    assert ROW_STATUS.findall(done.text) == ["200"]
    signed = events(api, doc)[-1]
    assert (signed["type"], signed["data"]["scores"]) == ("group_review_submitted", evaluated)


def test_an_appraisal_changed_since_the_review_is_refused_in_words_and_left_alone(api, pages):
    docs = [standing_in(api, "Z1", "branch_approval", f"2026-0{m}") for m in (1, 2)]
    pages.as_user("secretary")
    reviewed = review(pages, "branch-approval", [d["id"] for d in docs])
    moved = act_ok(api, "secretary", docs[1], "return", {"reason": "补充材料"})
    with nothing_recorded(api, moved):
        done = confirm(pages, "branch-approval", reviewed)
    assert ROW_STATUS.findall(done.text) == ["200", "412"]
    assert "之后这份考核表已有变动" in done.text


def test_the_confirmation_sent_again_answers_the_same_and_records_nothing(api, pages):
    doc = standing_in(api, "Z1", "branch_approval", "2026-01")
    pages.as_user("secretary")
    reviewed = review(pages, "branch-approval", [doc["id"]])
    first = confirm(pages, "branch-approval", reviewed)
    published = events(api, doc)
    again = confirm(pages, "branch-approval", reviewed)
    assert ROW_STATUS.findall(again.text) == ROW_STATUS.findall(first.text) == ["200"]
    assert events(api, doc) == published


def test_the_page_is_for_those_who_sign_a_step_by_their_role(api, pages):
    for user in ("m1", "inspector", "archivist", "admin"):
        pages.as_user(user)
        assert 'href="/app/bulk"' not in pages.get("/app/inbox").text
        assert pages.get("/app/bulk").status_code == 403
    pages.as_user("evaluator")  # an evaluator signs zone evaluations by a role
    assert pages.get("/app/bulk").status_code == 200


def test_a_forged_or_oversized_confirmation_records_nothing(api, pages):
    doc = standing_in(api, "Z1", "branch_approval", "2026-01")
    pages.as_user("secretary")
    with nothing_recorded(api, doc):
        for forged in pages.forged("/app/bulk", {"action": "branch-approval",
                                                 "item": [f"{doc['id']} {doc['version']}"]}):
            assert forged.status_code == 403
        too_many = [f"{doc['id'][:-3]}{n:03d} 1" for n in range(501)]
        assert pages.post("/app/bulk", {"action": "branch-approval", "item": too_many},
                          "/app/bulk").status_code == 422
        twice = pages.post("/app/bulk", {"action": "branch-approval",
                                         "item": [f"{doc['id']} 5", f"{doc['id'].upper()} 5"]},
                           "/app/bulk")
        assert twice.status_code == 422
        other = pages.post("/app/bulk", {"action": "reopen", "item": [f"{doc['id']} 5"]},
                           "/app/bulk")
        assert other.status_code == 422
        assert pages.post("/app/bulk/review", {"action": "branch-approval", "id": []},
                          "/app/bulk").status_code == 422


def test_the_page_lists_one_requests_worth_at_most_and_says_more_wait(api, pages,
                                                                       monkeypatch):
    monkeypatch.setattr(bulk_pages, "MAX_BULK", 2)
    for month in (1, 2, 3):
        standing_in(api, "Z1", "branch_approval", f"2026-0{month}")
    chooser = pages.as_user("secretary").get("/app/bulk")
    assert len(PICKS.findall(chooser.text)) == 2
    assert "还有更多等待办理：这里列出最早的 2 份" in chooser.text
