"""The page forms read through the API's own body schemas: a comment or reason the API
refuses as too long (over 4,000 characters) the page refuses too, 422 beside its field,
with nothing recorded; one the API takes, the page takes."""

import re

import pytest

from service.schemas import ApprovalIn, ReasonIn
from tests.e2e.pages import Pages
from tests.e2e.support import advance, nothing_recorded, opened_in
from tests.helpers import SCORES, Api

TEXT_SCORES = {code: str(value) for code, value in SCORES.items()}
LONGEST = 4000  # Comment's and Reason's max_length in service/schemas.py
# (state, signer, action, the text field, whether scored, the field's id on the page)
FORMS = [
    ("self_check", "m1", "self-check", "comment", True, "self-check-comment"),
    ("zone_evaluation", "evaluator", "zone-evaluation", "comment", True,
     "zone-evaluation-comment"),
    ("group_review", "leader", "group-review", "comment", True, "group-review-comment"),
    ("branch_approval", "secretary", "branch-approval", "comment", False, "approval-comment"),
    ("zone_evaluation", "evaluator", "return", "reason", False, "return-reason"),
    ("published", "secretary", "reopen", "reason", False, "reopen-reason"),
    ("self_check", "secretary", "cancel", "reason", False, "cancel-reason"),
]


def _opened(api: Api, state: str) -> dict:
    return advance(api, opened_in(api, "branch_approval"), state) if state == "published" \
        else opened_in(api, state)


def _form(doc: dict, scored: bool, field: str, text: str) -> dict[str, str]:
    """The page's form: each score its own field, the version the page was read at."""
    return {**(TEXT_SCORES if scored else {}), field: text, "version": str(doc["version"])}


def test_the_limit_is_the_apis_own() -> None:
    assert ApprovalIn.model_json_schema()["properties"]["comment"]["maxLength"] == LONGEST
    assert ReasonIn.model_json_schema()["properties"]["reason"]["maxLength"] == LONGEST


@pytest.mark.parametrize(("state", "user", "action", "field", "scored", "ident"), FORMS)
@pytest.mark.parametrize("length", [LONGEST + 1, 5000])
def test_a_text_over_the_apis_limit_is_refused_by_the_page_and_the_api_alike(
        api: Api, state: str, user: str, action: str, field: str, scored: bool,
        ident: str, length: int) -> None:
    doc = _opened(api, state)
    page = f"/app/appraisals/{doc['id']}"
    text = "意" * length
    with nothing_recorded(api, doc):
        answer = Pages(api).as_user(user).post(
            f"{page}/{action}", _form(doc, scored, field, text), page)
        assert answer.status_code == 422
        assert re.search(rf'id="{ident}-error"[^>]*>太长<', answer.text)
        refused = api.post(user, f"/appraisals/{doc['id']}/{action}",
                           json={**({"scores": SCORES} if scored else {}), field: text})
        assert refused.status_code == 422
        assert refused.json()["errors"][0]["loc"] == ["body", field]


@pytest.mark.parametrize(("state", "user", "action", "field", "scored", "ident"), FORMS)
def test_a_text_at_the_apis_limit_is_taken_by_the_page(
        api: Api, state: str, user: str, action: str, field: str, scored: bool,
        ident: str) -> None:
    doc = _opened(api, state)
    page = f"/app/appraisals/{doc['id']}"
    answer = Pages(api).as_user(user).post(
        f"{page}/{action}", _form(doc, scored, field, "意" * LONGEST), page)
    assert answer.status_code == 303
    events = api.get("inspector", f"/appraisals/{doc['id']}/history").json()["events"]
    assert events[-1]["data"][field] == "意" * LONGEST


def test_the_page_says_the_apis_limit_to_the_browser(api: Api) -> None:
    doc = opened_in(api, "zone_evaluation")
    answer = Pages(api).as_user("evaluator").get(f"/app/appraisals/{doc['id']}")
    boxes = re.findall(r'<textarea[^>]*name="(comment|reason)"[^>]*maxlength="(\d+)"',
                       answer.text)
    assert {name for name, _ in boxes} == {"comment", "reason"}
    assert {int(limit) for _, limit in boxes} == {LONGEST}


def test_a_reassignment_with_a_reason_over_the_limit_is_refused_and_records_nothing(
        api: Api) -> None:
    pages = Pages(api).as_user("admin")
    before = api.get("admin", "/zones/Z1/history").json()
    answer = pages.post("/app/organisation/zones/Z1/responsibles",
                        {"member_ids": ["M5"], "reason": "调" * 5000, "branch_id": "B1"},
                        "/app/organisation?branch_id=B1")
    assert answer.status_code == 422
    assert api.get("admin", "/zones/Z1/history").json() == before
    assert api.put("admin", "/zones/Z1/responsibles",
                   json={"member_ids": ["M5"], "reason": "调" * 5000}).status_code == 422


@pytest.mark.parametrize("dates", [{"self_check": "2027-2-1"}, {"self_check": "x" * 11},
                                   {"self_check": "2026-12-31"}, {"self_check": "2027-02-09"},
                                   {"self_check": "２０２７-02-01"}])
def test_a_date_the_api_refuses_the_deadlines_page_refuses_alike(api: Api, dates: dict) -> None:
    pages = Pages(api).as_user("secretary")
    before = pages.recorded()
    answer = pages.post("/app/deadlines", {"period": "2027-01", "scope": "B1", **dates},
                        "/app/deadlines")
    refused = api.put("secretary", "/branches/B1/deadlines/2027-01", json={"dates": dates})
    assert answer.status_code == refused.status_code == 422
    assert 'role="alert"' in answer.text
    assert pages.recorded() == before
