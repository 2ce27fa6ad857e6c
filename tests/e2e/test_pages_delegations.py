"""The 代签 pages over HTTP: a secretary names a deputy for a signer of their branch, the
deputy finds the principal's appraisal in their inbox marked for whom, signs it on its page,
and the appraisal and history pages name both; a revocation from the page. Each form is the
API's use case and refusal: a bad day beside its field, an overlap said, a signer of another
branch not offered and refused, nothing recorded."""

import re
from datetime import timedelta
from typing import Any

from domain.period import china_date
from tests.e2e.pages import Pages
from tests.e2e.support import add_users, opened_in
from tests.helpers import SCORES, Api

PAGE = "/app/delegations"
TODAY = china_date()
DEPUTY = {"username": "deputy", "display_name": "代签人", "member_id": None, "roles": []}


def form(**changes: str) -> dict[str, str]:
    return {"principal": "leader", "deputy": "deputy", "from": TODAY.isoformat(),
            "to": (TODAY + timedelta(days=3)).isoformat(), "reason": "井下蹲点", **changes}


def post(pages: Pages, user: str, path: str, data: dict[str, Any]) -> Any:
    pages.as_user(user)
    return pages.post(path, data, PAGE)


def test_a_secretary_names_a_deputy_who_signs_from_the_inbox_and_the_pages_name_both(
        api: Api, settings: Any) -> None:
    add_users(api, settings, [DEPUTY])
    pages = Pages(api)
    page = pages.as_user("secretary").get(PAGE)
    assert page.status_code == 200
    offered = re.findall(r'<option value="([^"]+)"', page.text)
    assert "leader" in offered and "evaluator" in offered and "secretary2" not in offered
    done = post(pages, "secretary", PAGE, form())
    assert done.status_code == 303, done.text
    assert done.headers["location"] == f"{PAGE}?done=granted"
    listing = pages.get(f"{PAGE}?done=granted").text
    for shown in ("已指定代签人", "代签人 代 组长签", "井下蹲点", "生效中", "支部书记"):
        assert shown in listing, shown

    doc = opened_in(api, "group_review")
    inbox = pages.as_user("deputy").get("/app/inbox").text
    assert "代 组长" in inbox and f"/app/appraisals/{doc['id']}" in inbox
    # 批量办理 offers the deputy the principal's step, with the principal's appraisals.
    assert 'href="/app/bulk"' in inbox
    assert f'value="{doc["id"]}"' in pages.get("/app/bulk?action=group-review").text
    sheet = pages.get(f"/app/appraisals/{doc['id']}").text
    assert "您将代 组长 办理" in sheet and 'action="/app/appraisals/' in sheet
    scores = {code: str(value) for code, value in SCORES.items()}
    signed = post(pages, "deputy", f"/app/appraisals/{doc['id']}/group-review",
                  {**scores, "comment": "代签", "version": str(doc["version"])})
    assert signed.status_code == 303, signed.text
    assert "代签人 代 组长签" in pages.get(f"/app/appraisals/{doc['id']}").text
    assert "代签人 代 组长签" in pages.as_user("inspector").get(
        f"/app/appraisals/{doc['id']}/history").text


def test_the_page_refuses_what_the_api_refuses_and_records_nothing(api: Api,
                                                                   settings: Any) -> None:
    add_users(api, settings, [DEPUTY])
    pages = Pages(api)
    before = pages.recorded()
    past = post(pages, "leader", PAGE, form(**{"from": (TODAY - timedelta(days=1)).isoformat()}))
    assert past.status_code == 422
    assert re.search(r'id="grant-from-error"[^>]*>不能早于今天<', past.text)
    self = post(pages, "leader", PAGE, form(deputy="leader"))
    assert self.status_code == 422 and "不能指定本人" in self.text
    foreign = post(pages, "secretary2", PAGE, form())  # B2's secretary, for B1's leader
    assert foreign.status_code == 403
    assert pages.recorded() == before
    assert post(pages, "leader", PAGE, form()).status_code == 303
    again = post(pages, "leader", PAGE, form())
    assert again.status_code == 409 and 'role="alert"' in again.text


def test_a_delegation_is_revoked_from_the_page(api: Api, settings: Any) -> None:
    add_users(api, settings, [DEPUTY])
    pages = Pages(api)
    assert post(pages, "leader", PAGE, form()).status_code == 303
    (found,) = api.get("leader", "/delegations").json()["items"]
    assert f'action="{PAGE}/{found["id"]}/revoke"' not in pages.as_user("deputy").get(PAGE).text
    path = f"{PAGE}/{found['id']}/revoke"
    assert post(pages, "leader", path, {"reason": ""}).status_code == 422
    assert post(pages, "deputy", path, {"reason": "不用了"}).status_code == 403
    done = post(pages, "leader", path, {"reason": "已返岗"})
    assert done.status_code == 303
    assert "已撤销" in pages.get(f"{PAGE}?done=revoked").text
    assert api.get("leader", f"/delegations/{found['id']}").json()["revoked"]["reason"] == \
        "已返岗"
