"""The appraisal page's cancel form (撤销): shown to the branch's secretary while nobody has
signed, taken with the API's command, refused beside its field or saying why; a cancelled
appraisal's page, the list's state filter and the audit trail."""

import re

import pytest

from tests.e2e.pages import Pages
from tests.e2e.support import events
from tests.helpers import SCORES, Api

FORM = re.compile(r'<form method="post" action="/app/appraisals/[^/"]+/cancel"')


@pytest.fixture
def pages(api: Api) -> Pages:
    return Pages(api)


def page_of(doc: dict) -> str:
    return f"/app/appraisals/{doc['id']}"


def test_the_secretary_alone_sees_the_cancel_form_while_nothing_is_signed(pages: Pages) -> None:
    doc = pages.api.open()
    shown = pages.as_user("secretary").get(page_of(doc)).text
    assert FORM.search(shown)
    assert "撤销考核（误开启）" in shown and "只有尚无任何环节签署时才能撤销" in shown
    assert 'id="cancel-reason"' in shown
    for user in ("m1", "leader", "inspector"):
        assert not FORM.search(pages.as_user(user).get(page_of(doc)).text), user
    api = pages.api
    api.post("m1", f"/appraisals/{doc['id']}/self-check", json={"scores": SCORES})
    api.post("evaluator", f"/appraisals/{doc['id']}/return", json={"reason": "补充"})
    assert not FORM.search(pages.as_user("secretary").get(page_of(doc)).text)


def test_cancelling_from_the_page_records_it_and_the_page_says_so(pages: Pages) -> None:
    doc = pages.api.open()
    page = page_of(doc)
    answer = pages.as_user("secretary").post(f"{page}/cancel",
                                             {"reason": "开错了", "version": "1"}, page)
    assert answer.status_code == 303
    assert answer.headers["location"] == f"{page}?done=cancel"
    assert [e["type"] for e in events(pages.api, doc)] == ["opened", "cancelled"]
    shown = pages.get(answer.headers["location"]).text
    assert "✓ 撤销（误开启）" in shown
    assert 'id="cancelled"' in shown and "这份考核已撤销" in shown and "开错了" in shown
    assert "书记" in shown  # who cancelled it, by name
    assert '<ol class="progress"' not in shown and not FORM.search(shown)
    assert "状态: <strong>已撤销</strong>" in shown
    history = pages.get(f"{page}/history").text
    assert "撤销（误开启）" in history and "开错了" in history


def test_a_cancel_without_a_reason_is_refused_beside_the_field(pages: Pages) -> None:
    doc = pages.api.open()
    page = page_of(doc)
    answer = pages.as_user("secretary").post(f"{page}/cancel", {"reason": " ", "version": "1"},
                                             page)
    assert answer.status_code == 422
    assert re.search(r'id="cancel-reason-error"[^>]*>必填<', answer.text)
    assert [e["type"] for e in events(pages.api, doc)] == ["opened"]


def test_a_cancel_after_a_signature_is_409_saying_why(pages: Pages) -> None:
    doc = pages.api.open()
    page = page_of(doc)
    form = pages.as_user("secretary").csrf(page)  # the form as it was shown, still unsigned
    api = pages.api
    api.post("m1", f"/appraisals/{doc['id']}/self-check", json={"scores": SCORES})
    api.post("evaluator", f"/appraisals/{doc['id']}/return", json={"reason": "补充"})
    answer = api.client.post(f"{page}/cancel", data={"csrf": form, "reason": "开错了"},
                             follow_redirects=False)
    assert answer.status_code == 409
    assert "这份考核表已有环节签署过（退回也保留签署），不能撤销" in answer.text
    assert len(events(api, doc)) == 3


def test_the_list_filters_by_state_cancelled_included(pages: Pages) -> None:
    kept, gone = pages.api.open("Z1"), pages.api.open("Z2")
    pages.api.post("secretary", f"/appraisals/{gone['id']}/cancel",
                   json={"reason": "开错了"}).raise_for_status()
    listed = pages.as_user("inspector").get("/app/appraisals?state=cancelled").text
    assert gone["id"] in listed and kept["id"] not in listed
    assert '<option value="cancelled" selected>已撤销</option>' in listed
    everything = pages.get("/app/appraisals").text
    assert gone["id"] in everything and kept["id"] in everything
