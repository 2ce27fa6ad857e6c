"""The web pages over HTTP: session cookie, CSRF, the same rules as the API, languages."""

import re
import time
from datetime import UTC, datetime, timedelta

import pytest

from ledger.keys import SigningKey
from ledger.offline import COSIGNATURE, open_checkpoint
from service.cases import checkpoints, witnesses
from service.web.session import COOKIE
from tests.e2e.pages import Pages
from tests.helpers import PASSWORD, SCORES, USERS, Api

ACTION_FORM = re.compile(r'<form method="post" action="/app/appraisals/[^/"]+/([a-z-]+)"')
INCLUDED = re.compile(r'<p class="small included">([^<]*)</p>')
TEXT_SCORES = {code: str(value) for code, value in SCORES.items()}


@pytest.fixture
def pages(api: Api) -> Pages:
    return Pages(api)


def version_of(api: Api, appraisal_id: str) -> int:
    return api.get("inspector", f"/appraisals/{appraisal_id}").json()["version"]


def test_signing_in_puts_the_apis_token_in_a_secure_httponly_samesite_cookie(api: Api) -> None:
    api.client.base_url = "https://testserver"
    answer = Pages(api).sign_in("m1", PASSWORD, next="/app/appraisals?period=2026-10")
    assert answer.status_code == 303
    assert answer.headers["location"] == "/app/appraisals?period=2026-10"
    cookie = answer.headers["set-cookie"].lower()
    assert all(flag in cookie for flag in ("httponly", "secure", "samesite=lax", "path=/"))
    token = api.client.cookies[COOKIE]
    me = api.client.get("/me", headers={"Authorization": f"Bearer {token}"}).json()
    assert me["username"] == "m1"


def test_a_wrong_password_signs_nobody_in(api: Api) -> None:
    api.client.base_url = "https://testserver"  # the sign-in form's cookie is Secure
    answer = Pages(api).sign_in("m1", "nope")
    assert answer.status_code == 401
    assert "用户名或密码错误" in answer.text
    assert COOKIE not in answer.headers.get("set-cookie", "")


def test_a_page_without_a_session_sends_the_browser_to_sign_in_and_back(pages: Pages) -> None:
    answer = pages.get("/app/appraisals?period=2026-10")
    assert answer.status_code == 303
    assert answer.headers["location"] == "/app/sign-in?next=/app/appraisals%3Fperiod%3D2026-10"
    assert pages.get("/").headers["location"] == "/app/inbox"


def test_signing_out_needs_the_sessions_csrf_token_and_clears_the_cookie(pages: Pages) -> None:
    pages.as_user("m1")
    refused = pages.api.client.post("/app/sign-out", data={"csrf": "0" * 64})
    assert refused.status_code == 403
    answer = pages.post("/app/sign-out", {})
    assert answer.status_code == 303
    assert f'{COOKIE}=""' in answer.headers["set-cookie"]


@pytest.mark.parametrize("csrf", [None, "", "0" * 64, "the token of another session"])
def test_a_step_posted_without_this_sessions_csrf_token_is_refused_and_records_nothing(
        pages: Pages, csrf: str | None) -> None:
    doc = pages.api.open()
    pages.as_user("m1")
    data = {**TEXT_SCORES, **({} if csrf is None else {"csrf": csrf})}
    answer = pages.api.client.post(f"/app/appraisals/{doc['id']}/self-check", data=data)
    assert answer.status_code == 403
    assert "未作任何记录" in answer.text
    assert version_of(pages.api, doc["id"]) == 1


def test_a_signer_takes_their_step_with_the_apis_command(pages: Pages) -> None:
    doc = pages.api.open()
    page = f"/app/appraisals/{doc['id']}"
    answer = pages.as_user("m1").post(f"{page}/self-check",
                                      {**TEXT_SCORES, "comment": "自查", "version": "1"}, page)
    assert answer.status_code == 303
    assert answer.headers["location"] == f"{page}?done=self-check"
    now = pages.api.get("inspector", f"/appraisals/{doc['id']}").json()
    assert (now["state"], now["self_check"]["total"], now["self_check"]["actor"]) == \
        ("zone_evaluation", 93.5, "m1")


def test_the_servers_422_is_shown_beside_the_field_and_records_nothing(pages: Pages) -> None:
    doc = pages.api.open()
    page = f"/app/appraisals/{doc['id']}"
    answer = pages.as_user("m1").post(f"{page}/self-check",
                                      {**TEXT_SCORES, "thought": "16"}, page)
    assert answer.status_code == 422
    assert re.search(r'id="self-check-thought-error"[^>]*>超出 0 到满分的范围<', answer.text)
    assert 'value="16"' in answer.text  # what was typed stays in the form
    assert version_of(pages.api, doc["id"]) == 1


def test_a_return_needs_a_reason(pages: Pages) -> None:
    doc = pages.api.open()
    pages.api.post("m1", f"/appraisals/{doc['id']}/self-check",
                   json={"scores": SCORES}).raise_for_status()
    page = f"/app/appraisals/{doc['id']}"
    answer = pages.as_user("evaluator").post(f"{page}/return", {"reason": "  "}, page)
    assert answer.status_code == 422
    assert re.search(r'id="return-reason-error"[^>]*>必填<', answer.text)
    assert version_of(pages.api, doc["id"]) == 2


def test_a_form_left_open_while_someone_else_acted_is_refused_as_stale(pages: Pages) -> None:
    doc = pages.api.open()
    page = f"/app/appraisals/{doc['id']}"
    answer = pages.as_user("m1").post(f"{page}/self-check", {**TEXT_SCORES, "version": "0"}, page)
    assert answer.status_code == 412
    assert "您打开的是第 0 版，之后这份考核表已有变动（现为第 1 版）" in answer.text
    assert "请查看最新内容" in answer.text
    assert "技术细节: <span lang=\"en\">version 0 is stale" in answer.text
    assert version_of(pages.api, doc["id"]) == 1


# One appraisal through every state: who signs on the way, before each comparison.
STOPS = [
    (None, None, None),
    ("m1", "self-check", {"scores": SCORES}),
    ("evaluator", "zone-evaluation", {"scores": SCORES}),
    ("leader", "group-review", {"scores": SCORES}),
    ("secretary", "branch-approval", {}),
]


def test_a_page_offers_exactly_the_actions_the_api_allows_and_refuses_who_the_api_refuses(
        pages: Pages) -> None:
    doc = pages.api.open()
    for signer, action, body in STOPS:
        if signer:
            pages.api.post(signer, f"/appraisals/{doc['id']}/{action}",
                           json=body).raise_for_status()
        for user in [u["username"] for u in USERS]:
            api_view = pages.api.get(user, f"/appraisals/{doc['id']}")
            page = pages.as_user(user).get(f"/app/appraisals/{doc['id']}")
            assert page.status_code == api_view.status_code, (user, action)
            if api_view.status_code == 200:
                assert ACTION_FORM.findall(page.text) == api_view.json()["allowed_actions"], \
                    (user, action)


def test_a_reader_outside_the_scope_can_neither_read_nor_act(pages: Pages) -> None:
    doc = pages.api.open()
    page = f"/app/appraisals/{doc['id']}"
    pages.as_user("inspector2")
    refused = pages.get(page)
    assert refused.status_code == 403
    assert "这不在您负责的范围（支部、党小组或责任区）之内。" in refused.text
    assert pages.get(f"{page}/history").status_code == 403
    answer = pages.post(f"{page}/self-check", TEXT_SCORES)
    assert answer.status_code == 403
    assert "综采一队" not in answer.text
    assert version_of(pages.api, doc["id"]) == 1


def test_the_inbox_lists_what_waits_for_the_reader_like_the_api(pages: Pages) -> None:
    first, second = pages.api.open("Z1"), pages.api.open("Z2")
    answer = pages.as_user("evaluator").get("/app/inbox")
    assert "没有等待您处理的考核" in answer.text
    for member, doc in (("m2", second), ("m1", first)):
        pages.api.post(member, f"/appraisals/{doc['id']}/self-check",
                       json={"scores": SCORES}).raise_for_status()
    links = re.findall(r'href="/app/appraisals/([^"?]+)"', pages.get("/app/inbox").text)
    api_ids = [d["id"] for d in pages.api.get("evaluator", "/inbox").json()["items"]]
    assert links == api_ids == [second["id"], first["id"]]


def test_the_history_shows_each_score_old_to_new_and_the_appraisal_as_it_stood(
        pages: Pages) -> None:
    doc = pages.api.publish(scores=SCORES)
    pages.api.post("secretary", f"/appraisals/{doc['id']}/reopen",
                   json={"reason": "秩序稳定分数录入有误"}).raise_for_status()
    pages.api.post("leader", f"/appraisals/{doc['id']}/group-review",
                   json={"scores": {**SCORES, "order": 17}}).raise_for_status()
    pages.as_user("inspector")
    history = pages.get(f"/app/appraisals/{doc['id']}/history").text
    assert "秩序稳定分数录入有误" in history
    assert re.search(r"秩序稳定</th><td>18 → <strong>17</strong>", history)
    then = pages.get(f"/app/appraisals/{doc['id']}?version=5")
    assert then.status_code == 200 and "这是考核表在历史时点的样子" in then.text
    assert ACTION_FORM.findall(then.text) == []
    future = (datetime.now(UTC) + timedelta(days=1)).strftime("%Y-%m-%dT%H:%M:%S")
    assert pages.get(f"/app/appraisals/{doc['id']}?as_of={future}").status_code == 422


def test_the_history_says_which_checkpoint_includes_each_event_and_who_cosigned_it(
        pages: Pages) -> None:
    doc = pages.api.publish(scores=SCORES)
    rt = pages.api.client.app.state.runtime
    signed = checkpoints.make(rt)
    witness = SigningKey.generate("矿党委<i>")  # a key's name may hold markup: escaped
    witnesses.add_witness(rt, str(witness.verifier(COSIGNATURE)))
    body = open_checkpoint(signed.note).body
    witnesses.add_cosignature(rt, signed.size, witness.cosign(body, int(time.time())).line())
    pages.api.post("secretary", f"/appraisals/{doc['id']}/reopen",
                   json={"reason": "复核"}).raise_for_status()
    path = f"/app/appraisals/{doc['id']}/history"
    said = INCLUDED.findall(pages.as_user("inspector").get(path).text)
    events = version_of(pages.api, doc["id"])
    assert said[:-1] == [f"已纳入检查点 {signed.size}，由 矿党委&lt;i&gt; 联署"] * (events - 1)
    assert said[-1] == "尚未纳入检查点"  # the reopening came after the checkpoint
    pages.api.client.cookies.set("appraisal_lang", "en")
    said = INCLUDED.findall(pages.get(path).text)
    assert said[0] == f"Included in checkpoint {signed.size}, cosigned by 矿党委&lt;i&gt;"
    assert said[-1] == "Not yet in a checkpoint"


def test_the_language_switch_is_kept_and_never_leaves_the_site(pages: Pages) -> None:
    pages.as_user("m1")
    answer = pages.get("/app/language/en?next=/app/inbox")
    assert answer.headers["location"] == "/app/inbox"
    assert "My inbox" in pages.get("/app/inbox").text
    assert pages.get("/app/language/zh?next=https://evil.example/").headers["location"] == \
        "/app/inbox"
    assert "我的待办" in pages.get("/app/inbox").text


def test_an_error_page_keeps_the_readers_header(pages: Pages) -> None:
    pages.as_user("secretary")
    answer = pages.get("/app/appraisals/no-such-appraisal")
    assert answer.status_code == 404
    assert 'href="/app/inbox"' in answer.text and "退出" in answer.text


@pytest.mark.parametrize(("path", "status"), [("/app/no-such-page", 404),
                                              ("/app/sign-out", 405)])
def test_no_such_page_or_a_form_target_opened_is_a_page_not_json(
        pages: Pages, path: str, status: int) -> None:
    pages.as_user("m1")
    answer = pages.get(path)
    assert answer.status_code == status
    assert answer.headers["content-type"].startswith("text/html")
    assert "没有这个页面" in answer.text and "退出" in answer.text
    if status == 405:
        assert answer.headers["allow"] == "POST"
    api = pages.get("/no-such-endpoint")
    assert api.status_code == 404
    assert api.headers["content-type"] == "application/problem+json"


def test_a_branch_approval_on_the_page_is_followed_by_a_checkpoint(pages: Pages) -> None:
    doc = pages.api.open()
    for signer, action, body in STOPS[1:4]:
        pages.api.post(signer, f"/appraisals/{doc['id']}/{action}",
                       json=body).raise_for_status()
    rt = pages.api.client.app.state.runtime
    before = checkpoints.latest_checkpoint(rt)
    page = f"/app/appraisals/{doc['id']}"
    answer = pages.as_user("secretary").post(
        f"{page}/branch-approval", {"version": str(version_of(pages.api, doc["id"]))}, page)
    assert answer.status_code == 303, answer.text
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        made = checkpoints.latest_checkpoint(rt)
        if made is not None and (before is None or made.size > before.size):
            break
        time.sleep(0.1)
    else:
        raise AssertionError("no checkpoint followed the page's branch approval")
