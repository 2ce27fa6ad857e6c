"""公示 over HTTP: a branch posts its period's results for a window of working days, members
and the public object, the secretary answers (upheld: reopened, corrected, posted again),
and the posting closes with every objection answered, making its results final (定稿).

The window is real: the clock is moved past it (time-machine), and tokens are signed
again there, as an hour-long token would have run out.
"""

import io
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
import time_machine
from pypdf import PdfReader

from tests.e2e.support import (
    MORE_USERS,
    assert_problem,
    events,
    marks,
    publish,
)
from tests.helpers import Api

PERIOD = "2026-10"


def post(api: Api, user: str = "secretary", **body: Any) -> Any:
    return api.post(user, "/branches/B1/postings", json={"period": PERIOD, **body})


def posted(api: Api, **body: Any) -> dict[str, Any]:
    response = post(api, **body)
    assert response.status_code == 201, response.text
    return response.json()


def later(api: Api, days: int = 10) -> time_machine.travel:
    """The clock `days` on (the window over); tokens are signed again there."""
    api.tokens.clear()
    return time_machine.travel(datetime.now(UTC) + timedelta(days=days), tick=True)


@pytest.fixture
def world_users() -> list[dict[str, Any]]:
    return MORE_USERS


def two_published(api: Api) -> tuple[dict[str, Any], dict[str, Any]]:
    return publish(api, "Z1", "95"), publish(api, "Z2", "88")


def test_a_posting_shows_the_ranking_as_posted_and_needs_partial_while_zones_wait(api):
    z1, z2 = two_published(api)
    waiting = assert_problem(post(api), 409)
    assert "1 zones" in waiting["detail"]  # Z3 is not approved yet
    assert waiting["reason"] == "pending"  # which state refused it, for the pages' words
    board = posted(api, partial=True)
    assert board["state"] == "open" and board["window_open"] and board["pending"] == 1
    assert board["days"] == 5 and board["as_of"] == board["opens"] < board["closes"]
    assert [(e["rank"], e["zone_id"], e["score"], e["grade"], e["appraisal_id"])
            for e in board["entries"]] == [(1, "Z1", 95, "excellent", z1["id"]),
                                           (2, "Z2", 88, "qualified", z2["id"])]
    assert board["distribution"]["excellent"] == 1
    # The ranking as it stood at the posting's instant, frozen: a later change to the
    # ranking does not change what was posted.
    then = api.get("m4", f"/rankings/{PERIOD}", params={"branch_id": "B1",
                                                       "as_of": board["as_of"]}).json()
    assert [{k: v for k, v in e.items() if k != "final"} for e in then["entries"]] \
        == board["entries"]
    publish(api, "Z3", "99")
    read = api.get("m4", f"/postings/{board['id']}")
    assert read.status_code == 200 and read.json() == board
    listed = api.get("m1", "/branches/B1/postings", params={"period": PERIOD}).json()
    assert [p["id"] for p in listed["items"]] == [board["id"]]
    assert api.get("m1", "/branches/B1/postings").json()["items"][0]["id"] == board["id"]


def test_posting_is_for_the_branch_secretary_and_bounded(api):
    two_published(api)
    assert_problem(post(api, "secretary2", partial=True), 403)
    assert_problem(post(api, "m1", partial=True), 403)
    assert_problem(post(api, "inspector", partial=True), 403)
    for bad in ({"days": 0}, {"days": 31}, {"days": "5"}, {"period": "2026-13"},
                {"partial": "yes"}):
        assert_problem(post(api, **{"partial": True, **bad}), 422)
    assert api.get("secretary", "/branches/B1/postings",
                   params={"period": PERIOD}).json() == {"items": []}
    assert_problem(api.post("secretary", "/branches/B9/postings",
                            json={"period": PERIOD}), 404)
    assert_problem(api.get("m1", "/postings/not-a-posting"), 404)
    set_days = api.put("secretary", "/branches/B1/posting-days", json={"days": 7})
    assert set_days.status_code == 200 and set_days.json()["days"] == 7
    assert posted(api, partial=True)["days"] == 7
    assert_problem(api.put("secretary2", "/branches/B1/posting-days", json={"days": 3}), 403)


def test_objections_are_raised_in_the_window_and_answered_on_the_record(api):
    z1, z2 = two_published(api)
    board = posted(api, partial=True)
    raised = api.post("m2", f"/appraisals/{z1['id']}/objections",
                      json={"reason": "本月该区发生违章，得分偏高。"})
    assert raised.status_code == 201, raised.text
    objection = raised.json()
    assert objection["id"].startswith(z1["id"]) and objection["posting"] == board["id"]
    other = api.post("m1", f"/appraisals/{z2['id']}/objections", json={"reason": "请复核"})
    assert other.status_code == 201
    # Outside the branch, or without a reason: refused, nothing recorded.
    before = events(api, z1)
    assert_problem(api.post("m4", f"/appraisals/{z1['id']}/objections",
                            json={"reason": "x"}), 403)
    assert_problem(api.post("m2", f"/appraisals/{z1['id']}/objections",
                            json={"reason": " "}), 422)
    assert events(api, z1) == before
    listed = api.get("secretary", f"/postings/{board['id']}/objections").json()["items"]
    assert {o["id"] for o in listed} == {objection["id"], other.json()["id"]}
    assert_problem(api.get("m1", f"/postings/{board['id']}/objections"), 403)
    assert_problem(api.post("leader", f"/objections/{objection['id']}/answer",
                            json={"upheld": True, "reason": "x"}), 403)

    upheld = api.post("secretary", f"/objections/{objection['id']}/answer",
                      json={"upheld": True, "reason": "经核实属实，重新考核。"})
    assert upheld.status_code == 200, upheld.text
    assert upheld.json()["appraisal"]["state"] == "group_review"
    assert_problem(api.post("secretary", f"/objections/{objection['id']}/answer",
                            json={"upheld": False, "reason": "again"}), 409)
    dismissed = api.post("secretary", f"/objections/{other.json()['id']}/answer",
                         json={"upheld": False, "reason": "经核实，结果维持。"})
    assert dismissed.json()["appraisal"]["state"] == "published"
    history = events(api, z1)
    assert [e["type"] for e in history[-3:]] == ["objection_raised", "objection_answered",
                                                 "reopened"]
    assert history[-3]["data"] == {"objection": objection["id"], "posting": board["id"],
                                   "reason": "本月该区发生违章，得分偏高。", "name": ""}
    assert history[-2]["data"]["upheld"] is True and history[-1]["state"] == "group_review"
    assert_problem(api.post("secretary", f"/objections/{z1['id']}-o9/answer",
                            json={"upheld": False, "reason": "x"}), 404)


def test_a_posting_closes_after_its_window_with_every_objection_answered(api):
    z1, z2 = two_published(api)
    board = posted(api, partial=True)
    objection = api.post("m2", f"/appraisals/{z2['id']}/objections",
                         json={"reason": "请复核"}).json()
    assert_problem(api.post("secretary", f"/postings/{board['id']}/close"), 409)  # window
    with later(api):
        assert_problem(api.post("m1", f"/appraisals/{z1['id']}/objections",
                                json={"reason": "too late"}), 409)
        still_open = assert_problem(api.post("secretary", f"/postings/{board['id']}/close"),
                                    409)
        assert objection["id"] in still_open["detail"]
        assert still_open["reason"] == "objections_open"
        api.post("secretary", f"/objections/{objection['id']}/answer",
                 json={"upheld": False, "reason": "维持"}).raise_for_status()
        assert_problem(api.post("secretary2", f"/postings/{board['id']}/close"), 403)
        closed = api.post("secretary", f"/postings/{board['id']}/close")
        assert closed.status_code == 200, closed.text
        assert closed.json()["state"] == "closed" and closed.json()["closed_by"] == "secretary"
        assert_problem(api.post("secretary", f"/postings/{board['id']}/close"), 409)
        for doc in (z1, z2):
            last = events(api, doc)[-1]
            assert last["type"] == "finalised" and last["data"] == {"posting": board["id"]}


def test_an_upheld_objection_is_corrected_and_posted_again(api):
    z1, _ = two_published(api)
    first = posted(api, partial=True)
    objection = api.post("m2", f"/appraisals/{z1['id']}/objections",
                         json={"reason": "偏高"}).json()
    api.post("secretary", f"/objections/{objection['id']}/answer",
             json={"upheld": True, "reason": "属实"}).raise_for_status()
    for user, action, body in (("leader", "group-review", {"scores": marks("85"),
                                                           "comment": "更正"}),
                               ("secretary", "branch-approval", {"comment": "同意"})):
        api.post(user, f"/appraisals/{z1['id']}/{action}", json=body).raise_for_status()
    with later(api):
        changed = assert_problem(api.post("secretary", f"/postings/{first['id']}/close"), 409)
        assert "Z1" in changed["detail"]
    second = posted(api, partial=True)
    assert second["replaces"] == first["id"] and second["number"] == 2
    assert [(e["zone_id"], e["score"]) for e in second["entries"]] == [("Z2", 88), ("Z1", 85)]
    again = api.get("m1", f"/postings/{first['id']}").json()
    assert again["state"] == "superseded" and again["replaced_by"] == second["id"]
    assert_problem(api.post("secretary", f"/postings/{first['id']}/close"), 409)
    with later(api):
        assert api.post("secretary", f"/postings/{second['id']}/close").status_code == 200


def test_the_public_link_shows_the_board_and_takes_objections_by_name(api):
    z1, _ = two_published(api)
    assert_problem(api.post("secretary", "/branches/B1/postings/link",
                            json={"period": PERIOD}), 409)  # nothing posted yet
    board = posted(api, partial=True)
    assert_problem(api.post("m1", "/branches/B1/postings/link", json={"period": PERIOD}), 403)
    link = api.post("secretary", "/branches/B1/postings/link", json={"period": PERIOD})
    assert link.status_code == 201
    secret = link.json()["secret"]
    shown = api.client.get(f"/public/boards/{secret}")
    assert shown.status_code == 200 and shown.json()["id"] == board["id"]
    raised = api.client.post(f"/public/boards/{secret}/objections", json={
        "appraisal_id": z1["id"], "reason": "群众反映", "name": "王师傅", "contact": "13800000000"})
    assert raised.status_code == 201, raised.text
    entry = events(api, z1)[-1]
    assert entry["actor"] == "public" and entry["data"]["name"] == "王师傅"
    assert "13800000000" not in str(events(api, z1))  # the contact is the branch's only
    listed = api.get("secretary", f"/postings/{board['id']}/objections").json()["items"]
    assert listed[0]["contact"] == "13800000000"
    for wrong in (secret[:-1] + ("A" if secret[-1] != "A" else "B"), "x" * 80, "short"):
        assert_problem(api.client.get(f"/public/boards/{wrong}"), 404)
        assert_problem(api.client.post(f"/public/boards/{wrong}/objections", json={
            "appraisal_id": z1["id"], "reason": "r", "name": "n", "contact": "c"}), 404)
    assert_problem(api.client.post(f"/public/boards/{secret}/objections", json={
        "appraisal_id": z1["id"], "reason": "r", "name": "", "contact": "c"}), 422)
    revoked = api.client.delete("/branches/B1/postings/link", params={"period": PERIOD},
                                headers=api.headers("secretary"))
    assert revoked.status_code == 204
    assert_problem(api.client.get(f"/public/boards/{secret}"), 404)


def test_progress_counts_each_branch_at_a_glance_for_those_who_oversee_it(api):
    z1, _ = two_published(api)
    api.open("Z3", PERIOD)

    def progress(user: str = "inspector", **query: Any) -> dict[str, Any]:
        response = api.get(user, "/progress", params={"period": PERIOD, **query})
        assert response.status_code == 200, response.text
        return {row["branch_id"]: row for row in response.json()["branches"]}

    b1, b2 = progress()["B1"], progress()["B2"]
    assert (b1["zones"], b1["not_opened"], b1["posting"], b1["final"]) == (3, 0, "none", 0)
    assert b1["states"] == {"self_check": 1, "zone_evaluation": 0, "group_review": 0,
                            "branch_approval": 0, "published": 2, "cancelled": 0}
    assert (b2["zones"], b2["not_opened"], b2["states"]["self_check"]) == (1, 1, 0)
    board = posted(api, partial=True)
    api.post("m2", f"/appraisals/{z1['id']}/objections", json={"reason": "偏高"})
    b1 = progress("secretary")["B1"]
    assert (b1["posting"], b1["open_objections"]) == ("open", 1)
    assert list(progress("secretary")) == ["B1"] and list(progress("secretary2")) == ["B2"]
    assert_problem(api.get("secretary", "/progress", params={"period": PERIOD,
                                                             "branch_id": "B2"}), 403)
    assert_problem(api.get("m1", "/progress", params={"period": PERIOD}), 403)
    assert_problem(api.get("inspector", "/progress", params={"period": PERIOD,
                                                             "branch_id": "B9"}), 422)
    assert_problem(api.get("inspector", "/progress", params={"period": "2026-13"}), 422)
    sheet = api.get("inspector", "/progress", params={"period": PERIOD, "format": "xlsx"})
    assert sheet.status_code == 200 and sheet.content.startswith(b"PK")
    objection = api.get("secretary", f"/postings/{board['id']}/objections").json()["items"][0]
    api.post("secretary", f"/objections/{objection['id']}/answer",
             json={"upheld": False, "reason": "维持"}).raise_for_status()
    with later(api):
        api.post("secretary", f"/postings/{board['id']}/close").raise_for_status()
        b1 = progress()["B1"]
    assert (b1["posting"], b1["final"], b1["open_objections"]) == ("closed", 2, 0)


def test_the_board_prints_as_an_a4_pdf_in_chinese_or_english(api):
    two_published(api)
    board = posted(api, partial=True)
    printed = api.get("m1", f"/postings/{board['id']}/board")
    assert printed.status_code == 200 and printed.headers["content-type"] == "application/pdf"
    text = "".join(p.extract_text() for p in PdfReader(io.BytesIO(printed.content)).pages)
    assert "综采支部" in text and "综采一队" in text and "张伟" in text and "盖章" in text
    english = api.get("m1", f"/postings/{board['id']}/board", params={"lang": "en"})
    assert "seal" in "".join(p.extract_text() for p in
                             PdfReader(io.BytesIO(english.content)).pages)
    assert printed.content == api.get("m4", f"/postings/{board['id']}/board").content
    assert_problem(api.get("m1", f"/postings/{board['id']}/board", params={"lang": "fr"}), 422)
