"""The organisation's create forms and the reward-policy page over HTTP: the API's bodies and
commands (what they create the API reads back), its answers (422 and 409 beside the field,
403), nothing recorded on a refusal or without the session's CSRF token, both languages."""

import re

import pytest

from tests.e2e.pages import Pages
from tests.helpers import SCORES, Api

LOWER = {**SCORES, "order": 15}  # 90.5: still excellent
NEW_ZONE = {"id": "Z5", "name": "通风队", "group_id": "G4", "line": "通风安全线",
            "area": "井下辅助", "teams": "通风一班\n 通风二班 \n", "responsible_member_ids": "M7",
            "branch_id": "B3"}
NOTICE = {"branches": "新建支部", "groups": "新建党小组", "members": "新增党员",
          "zones": "新建责任区"}
POLICY = {"branch_id": "B1", "excellent": "300", "qualified": "50",
          "basically_qualified": "0", "unqualified": "-150.5"}


@pytest.fixture
def pages(api: Api) -> Pages:
    return Pages(api)


def beside(html: str, field_id: str, message: str) -> bool:
    """The field is described by its error element, and that element says `message`."""
    return (f'aria-describedby="{field_id}-error"' in html
            and re.search(rf'id="{field_id}-error"[^>]*>{message}<', html) is not None)


def test_an_administrator_creates_a_branch_group_member_and_zone(pages: Pages) -> None:
    pages.as_user("admin")
    for path, data in [("branches", {"id": "B3", "name": "通风支部", "branch_id": "B1"}),
                       ("groups", {"id": "G4", "name": "通风党小组", "branch_id": "B3"}),
                       ("members", {"id": "M7", "name": "孙明", "group_id": "G4",
                                    "branch_id": "B3"}),
                       ("zones", NEW_ZONE)]:
        answer = pages.post(f"/app/organisation/{path}", data)
        assert answer.status_code == 303, answer.text
        assert answer.headers["location"].startswith("/app/organisation?branch_id=B3&created=")
        shown = pages.get(answer.headers["location"]).text  # the new one, read at once
        assert '<option value="B3" selected>通风支部 (B3)</option>' in shown
        assert f"✓ {NOTICE[path]}: {data['id']}" in shown
    assert pages.api.get("admin", "/zones?branch_id=B3").json()["items"] == [
        {"id": "Z5", "name": "通风队", "branch_id": "B3", "group_id": "G4",
         "line": "通风安全线", "area": "井下辅助", "responsible_member_ids": ["M7"],
         "teams": ["通风一班", "通风二班"]}]
    assert "通风党小组" in shown and "孙明 (M7)" in shown and "通风一班" not in shown


@pytest.mark.parametrize("path, data, field_id, message", [
    ("branches", {"id": "B3", "name": "  "}, "new-branches-name", "必填"),
    ("groups", {"id": "G4", "name": "四组", "branch_id": "B9"}, "new-groups-branch_id", "不存在"),
    ("members", {"id": "M 7", "name": "孙明", "group_id": "G1"}, "new-members-G1-id", "格式不对"),
    ("zones", {**NEW_ZONE, "group_id": "G1", "responsible_member_ids": ["M1", "M99"]},
     "new-zones-G1-responsible_member_ids", "不存在"),
    ("zones", {**NEW_ZONE, "group_id": "G1", "line": ""}, "new-zones-G1-line", "必填"),
])
def test_a_bad_field_is_422_beside_it_and_nothing_is_recorded(
        pages: Pages, path: str, data: dict, field_id: str, message: str) -> None:
    pages.as_user("admin")
    before = pages.recorded()
    answer = pages.post(f"/app/organisation/{path}", {"branch_id": "B1", **data})
    assert answer.status_code == 422
    assert "422 · 请更正标出的项目后再提交。" in answer.text
    assert beside(answer.text, field_id, message)
    assert f'value="{data["name"]}"' in answer.text  # what was typed is kept
    assert pages.recorded() == before


@pytest.mark.parametrize("path, data, field_id", [
    ("branches", {"id": "B1", "name": "又一个综采支部"}, "new-branches-id"),
    ("members", {"id": "M1", "name": "张伟", "group_id": "G1"}, "new-members-G1-id"),
    ("zones", {**NEW_ZONE, "id": "Z1", "group_id": "G1", "responsible_member_ids": "M1"},
     "new-zones-G1-id"),
])
def test_a_taken_id_is_409_on_the_page(pages: Pages, path: str, data: dict,
                                       field_id: str) -> None:
    pages.as_user("admin")
    before = pages.recorded()
    answer = pages.post(f"/app/organisation/{path}", {"branch_id": "B1", **data})
    assert answer.status_code == 409
    assert "409 · " in answer.text and beside(answer.text, field_id, "编号已被使用")
    assert pages.recorded() == before


@pytest.mark.parametrize("path, data", [
    ("/app/organisation/branches", {"id": "B3", "name": "通风支部"}),
    ("/app/organisation/groups", {"id": "G4", "name": "四组", "branch_id": "B1"}),
    ("/app/organisation/members", {"id": "M7", "name": "孙明", "group_id": "G1"}),
    ("/app/organisation/zones", {**NEW_ZONE, "group_id": "G1", "responsible_member_ids": "M1"}),
    ("/app/policy", POLICY),
])
def test_a_form_without_this_sessions_csrf_token_records_nothing(
        pages: Pages, path: str, data: dict) -> None:
    before = pages.recorded()
    for answer in pages.as_user("admin").forged(path, data):
        assert answer.status_code == 403 and "未作任何记录" in answer.text
    assert pages.recorded() == before


def test_only_an_administrator_creates(pages: Pages) -> None:
    secretary = pages.as_user("secretary").get("/app/organisation").text
    assert "/app/organisation/branches" not in secretary
    before = pages.recorded()
    assert pages.post("/app/organisation/branches",
                      {"id": "B3", "name": "通风支部"}).status_code == 403
    assert pages.recorded() == before


def reward_of(api: Api, zone_id: str) -> float:
    ranking = api.get("m1", "/rankings/2026-10").json()
    return next(e["reward"] for e in ranking["entries"] if e["zone_id"] == zone_id)


def test_a_secretary_sets_their_branchs_policy_for_results_published_from_then_on(
        pages: Pages) -> None:
    pages.api.publish("Z2", "2026-10", scores=LOWER)  # before the change: the default 200
    page = pages.as_user("secretary").get("/app/policy")
    assert page.status_code == 200
    assert '<td class="num" data-grade="excellent">200</td>' in page.text
    assert "新标准只用于今后公示的结果；已公示结果的奖惩不会改写。" in page.text
    answer = pages.post("/app/policy", POLICY)
    assert answer.status_code == 303
    assert pages.api.get("secretary", "/branches/B1/reward-policy").json() == {
        "branch_id": "B1", "excellent": 300, "qualified": 50, "basically_qualified": 0,
        "unqualified": -150.5}
    shown = pages.get(answer.headers["location"]).text
    assert "✓ 奖惩标准已保存" in shown and 'data-grade="unqualified">-150.5<' in shown
    pages.api.publish("Z1", "2026-10")
    assert reward_of(pages.api, "Z1") == 300
    assert reward_of(pages.api, "Z2") == 200  # published earlier: not rewritten


@pytest.mark.parametrize("amounts, field, message", [
    ({"excellent": "三百"}, "excellent", "请填写数字"),
    ({"qualified": ""}, "qualified", "必填"),
    ({"unqualified": "-100.005"}, "unqualified", "以元为单位，最多两位小数"),
])
def test_a_bad_amount_is_422_beside_it_and_nothing_is_recorded(
        pages: Pages, amounts: dict, field: str, message: str) -> None:
    pages.as_user("secretary")
    before = pages.recorded()
    answer = pages.post("/app/policy", {**POLICY, **amounts})
    assert answer.status_code == 422
    assert beside(answer.text, f"policy-{field}", message)
    assert pages.recorded() == before
    assert pages.api.get("admin", "/branches/B1/reward-policy").json()["excellent"] == 200


def test_the_policy_page_is_for_admins_and_the_branchs_own_secretary(pages: Pages) -> None:
    before = pages.recorded()
    pages.as_user("secretary2")  # B2's
    assert re.search(r'<option value="B1"', pages.get("/app/policy").text) is None
    assert pages.get("/app/policy?branch_id=B1").status_code == 403
    assert pages.post("/app/policy", POLICY).status_code == 403
    pages.as_user("leader")
    assert "/app/policy" not in pages.get("/app/inbox").text
    assert pages.get("/app/policy").status_code == 403
    assert pages.post("/app/policy", POLICY).status_code == 403
    assert pages.recorded() == before
    admin = pages.as_user("admin").get("/app/policy?branch_id=B2")
    assert admin.status_code == 200 and '<option value="B1"' in admin.text
    assert pages.get("/app/policy?branch_id=B9").status_code == 404


LABELLED = re.compile(r'<(?:input|select|textarea)\b(?![^>]*type="(?:hidden|checkbox)")'
                      r'[^>]*\bid="([^"]+)"')


@pytest.mark.parametrize("path", ["/app/organisation?branch_id=B1", "/app/policy"])
def test_every_field_has_a_label_and_its_error_is_linked(pages: Pages, path: str) -> None:
    html = pages.as_user("admin").get(path).text
    fields = LABELLED.findall(html)
    assert len(fields) > 4
    for field_id in fields:
        assert f'<label for="{field_id}"' in html, field_id
    for described in re.findall(r'aria-describedby="([^"]+)"', html):
        assert f'id="{described}"' in html, described


def test_the_english_switch_shows_english_words(pages: Pages) -> None:
    pages.as_user("admin")
    pages.api.client.cookies.set("appraisal_lang", "en")
    organisation = pages.get("/app/organisation?branch_id=B1").text
    assert "New zone: 一组" in organisation and "Teams (one a line)" in organisation
    policy = pages.get("/app/policy").text
    assert "Reward policy" in policy and "results published from now on" in policy
    taken = pages.post("/app/organisation/branches", {"id": "B1", "name": "综采支部"})
    assert beside(taken.text, "new-branches-id", "this id is already taken")
