"""The 公示 pages over HTTP: the secretary posts, closes, issues the public link and answers
objections; members object from the board; the public board takes objections by name and
contact without an account. Each form is the API's use case and refusal, said in words:
a member of another branch, an outsider, a revoked link, a form without its CSRF token are
refused with nothing recorded."""

import re
from datetime import UTC, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest
import time_machine

from tests.e2e.files import png
from tests.e2e.pages import Pages
from tests.e2e.support import MORE_USERS, publish
from tests.helpers import Api

PERIOD = "2026-10"
PAGE = f"/app/postings?branch_id=B1&period={PERIOD}"
BEIJING = ZoneInfo("Asia/Shanghai")
NAV = re.compile(r'<nav[^>]*>(.*?)</nav>', re.S)
OBJECT = re.compile(r'href="(/app/postings/[^/"]+/object/[^"]+)"')


@pytest.fixture
def world_users() -> list[dict[str, Any]]:
    return MORE_USERS


@pytest.fixture
def pages(api: Api) -> Pages:
    """Z1 (95) and Z2 (88) of branch B1 published in 2026-10; Z3 is not approved yet."""
    publish(api, "Z1", "95")
    publish(api, "Z2", "88")
    return Pages(api)


def posted(pages: Pages) -> dict[str, Any]:
    """Post through the page (partial: Z3 waits); the posting as the API reads it."""
    answer = pages.as_user("secretary").post("/app/postings", {
        "branch_id": "B1", "period": PERIOD, "days": "5", "partial": "1"}, PAGE)
    assert answer.status_code == 303, answer.text
    assert "done=posted" in answer.headers["location"]
    return pages.api.get("secretary", "/branches/B1/postings",
                         params={"period": PERIOD}).json()["items"][0]


def entry(posting: dict[str, Any], zone: str) -> dict[str, Any]:
    return next(e for e in posting["entries"] if e["zone_id"] == zone)


def history(pages: Pages, appraisal_id: str) -> list[dict[str, Any]]:
    return pages.api.get("inspector", f"/appraisals/{appraisal_id}/history").json()["events"]


def objected(pages: Pages, user: str, posting: dict[str, Any], zone: str,
             reason: str = "本月该区发生违章，得分偏高。") -> Any:
    path = f"/app/postings/{posting['id']}/object/{entry(posting, zone)['appraisal_id']}"
    return pages.as_user(user).post(path, {"reason": reason}, path)


def listed(pages: Pages) -> list[dict[str, Any]]:
    return pages.api.get("secretary", "/branches/B1/postings",
                         params={"period": PERIOD}).json()["items"]


def test_the_secretary_sees_the_ranking_now_and_posts_with_the_pending_zones_ticked(
        pages: Pages) -> None:
    page = pages.as_user("secretary").get(PAGE)
    assert page.status_code == 200
    assert '<dd data-count="ranked">2</dd>' in page.text
    assert '<dd data-count="pending">1</dd>' in page.text  # Z3
    assert "尽管还有 1 个责任区未审核通过，仍然公示" in page.text
    assert re.search(r'id="post-days"[^>]*value="5"', page.text)  # the branch's window
    assert "这一考核期还没有公示。" in page.text
    waiting = pages.post("/app/postings", {"branch_id": "B1", "period": PERIOD, "days": "5"},
                         PAGE)
    assert waiting.status_code == 409
    assert "这一考核期还有 1 个责任区未审核通过，没有发布公示。" in waiting.text
    bad = pages.post("/app/postings", {"branch_id": "B1", "period": PERIOD, "days": "五",
                                       "partial": "1"}, PAGE)
    assert bad.status_code == 422
    assert re.search(r'id="post-days-error"[^>]*>请填写数字<', bad.text)
    assert listed(pages) == []
    made = posted(pages)
    page = pages.get(PAGE).text
    assert "第 1 次公示 · <span class=\"state state-open\">公示中</span>" in page
    opens = datetime.fromisoformat(made["opens"]).astimezone(BEIJING).date()
    last = (datetime.fromisoformat(made["closes"]) - timedelta(seconds=1)).astimezone(BEIJING)
    assert f"{opens} 至 {last.date()}（北京时间）" in page
    assert f'href="/app/postings/{made["id"]}/board.pdf"' in page
    assert "公示时尚未审核通过的责任区：1 个" in page and "发布人</dt><dd>书记" in page


def test_a_closing_is_refused_in_words_until_the_window_is_over_and_objections_answered(
        pages: Pages) -> None:
    made = posted(pages)
    close = f"/app/postings/{made['id']}/close"
    early = pages.as_user("secretary").post(close, {}, PAGE)
    assert early.status_code == 409
    assert re.search(r"公示期到 \d{4}-\d\d-\d\d 00:00（北京时间）才结束，现在还不能定稿。",
                     early.text)
    assert objected(pages, "m2", made, "Z2").status_code == 303
    pages.api.tokens.clear()
    with time_machine.travel(datetime.now(UTC) + timedelta(days=10), tick=True):
        waiting = pages.as_user("secretary").post(close, {}, PAGE)
        assert waiting.status_code == 409 and "还有 1 条异议没有答复，不能定稿。" in waiting.text
        assert pages.as_user("secretary2").post(close, {}, "/app/postings").status_code == 403
        objection = pages.api.get("secretary", f"/postings/{made['id']}/objections").json()
        answered = pages.as_user("secretary").post(
            f"/app/objections/{objection['items'][0]['id']}/answer",
            {"upheld": "false", "reason": "经核实，结果维持。", "branch_id": "B1",
             "period": PERIOD}, PAGE)
        assert answered.status_code == 303 and "done=dismissed" in answered.headers["location"]
        closed = pages.post(close, {}, PAGE)
        assert closed.status_code == 303 and "done=closed" in closed.headers["location"]
        page = pages.get(closed.headers["location"]).text
        assert "已定稿：公示结果成为最终结果" in page and "state-closed\">已定稿" in page
        again = pages.post(close, {}, PAGE)
        assert again.status_code == 409 and "这次公示已经定稿。" in again.text
        z1 = entry(made, "Z1")["appraisal_id"]
        trail = pages.as_user("inspector").get(f"/app/appraisals/{z1}/history").text
        assert "公示期满定稿" in trail and f'href="/app/postings/{made["id"]}"' in trail
    pages.api.tokens.clear()


def test_a_member_objects_from_the_board_and_others_are_refused_in_words(pages: Pages) -> None:
    made = posted(pages)
    board = pages.as_user("m2").get("/app/board")  # m2's own branch, its latest posting
    assert board.status_code == 200
    assert "综采一队" in board.text and "张伟" in board.text and "公示中" in board.text
    links = OBJECT.findall(board.text)
    assert len(links) == 2 and "提出异议<span class=\"vh\">：综采一队</span>" in board.text
    z1 = entry(made, "Z1")["appraisal_id"]
    before = history(pages, z1)
    empty = objected(pages, "m2", made, "Z1", reason="  ")
    assert empty.status_code == 422 and re.search(r'id="object-reason-error"[^>]*>必填<',
                                                  empty.text)
    other_branch = objected(pages, "m4", made, "Z1")  # a member of B2
    assert other_branch.status_code == 403
    assert "这不在您负责的范围" in other_branch.text and "对考核结果提出异议" in other_branch.text
    path = f"/app/postings/{made['id']}/object/{z1}"
    pages.as_user("m2")
    assert all(f.status_code == 403 for f in pages.forged(path, {"reason": "伪造"}))
    pages.api.client.cookies.clear()
    outsider = pages.api.client.post(path, data={"reason": "x"}, follow_redirects=False)
    assert outsider.status_code == 303 and "/app/sign-in" in outsider.headers["location"]
    assert history(pages, z1) == before
    raised = objected(pages, "m2", made, "Z1")
    assert raised.status_code == 303
    assert "异议已提交，支部将核实并答复。" in pages.get(raised.headers["location"]).text
    assert history(pages, z1)[-1]["type"] == "objection_raised"
    assert pages.as_user("m2").get(f"/app/postings/{made['id']}/object/not-one").status_code \
        == 404


def test_the_secretary_upholds_one_objection_and_dismisses_another(pages: Pages) -> None:
    made = posted(pages)
    assert objected(pages, "m2", made, "Z1").status_code == 303
    assert objected(pages, "m1", made, "Z2", reason="请复核").status_code == 303
    page = pages.as_user("secretary").get(PAGE).text
    assert "本月该区发生违章，得分偏高。" in page and "王芳 (党员)" in page
    ids = [o["id"] for o in pages.api.get(
        "secretary", f"/postings/{made['id']}/objections").json()["items"]]
    first, second = (next(i for i in ids if i.startswith(entry(made, z)["appraisal_id"]))
                     for z in ("Z1", "Z2"))
    place = {"branch_id": "B1", "period": PERIOD}
    blank = pages.post(f"/app/objections/{first}/answer", {"reason": " ", **place}, PAGE)
    assert blank.status_code == 422
    assert re.search(rf'id="{first}-upheld-error"[^>]*>必填<', blank.text)
    assert re.search(rf'id="{first}-reason-error"[^>]*>必填<', blank.text)
    assert pages.as_user("inspector").post(f"/app/objections/{first}/answer", {
        "upheld": "true", "reason": "督查无权答复", **place}, PAGE).status_code == 403
    inspector = pages.get(PAGE).text  # read-only: no forms that write
    assert "只读" in inspector and 'action="/app/objections/' not in inspector
    assert 'method="post" action="/app/postings' not in inspector
    upheld = pages.as_user("secretary").post(f"/app/objections/{first}/answer", {
        "upheld": "true", "reason": "经核实属实，重新考核。", **place}, PAGE)
    assert upheld.status_code == 303
    said = pages.get(upheld.headers["location"]).text
    assert "异议成立：该责任区的结果已退回党小组长考核，更正并审核通过后须重新发布公示。" in said
    assert "有异议成立：相关结果更正并审核通过后，请重新发布公示" in said  # beside the posting
    z1 = entry(made, "Z1")["appraisal_id"]
    assert pages.api.get("inspector", f"/appraisals/{z1}").json()["state"] == "group_review"
    dismissed = pages.post(f"/app/objections/{second}/answer", {
        "upheld": "false", "reason": "经核实，结果维持。", **place}, PAGE)
    assert "已答复：异议不成立，结果维持。" in pages.get(dismissed.headers["location"]).text
    twice = pages.post(f"/app/objections/{second}/answer", {
        "upheld": "true", "reason": "再答", **place}, PAGE)
    assert twice.status_code == 409 and "这条异议已经答复过了" in twice.text
    trail = pages.as_user("inspector").get(f"/app/appraisals/{z1}/history").text
    for words in ("提出异议", "答复异议", "异议成立", "经核实属实，重新考核。", "重新打开",
                  "角色: 党员", "异议 #1"):
        assert words in trail, words
    appraisal = pages.get(f"/app/appraisals/{z1}").text
    assert "本月该区发生违章，得分偏高。" in appraisal and "异议成立" in appraisal


def test_the_secretarys_forms_without_the_sessions_token_record_nothing(pages: Pages) -> None:
    made = posted(pages)
    assert objected(pages, "m2", made, "Z1").status_code == 303
    objection = pages.api.get("secretary", f"/postings/{made['id']}/objections").json()
    place = {"branch_id": "B1", "period": PERIOD}
    before = pages.recorded()
    pages.as_user("secretary")
    for path, data in (("/app/postings", {**place, "partial": "1"}),
                       (f"/app/postings/{made['id']}/close", {}),
                       ("/app/postings/link", place), ("/app/postings/link/revoke", place),
                       (f"/app/objections/{objection['items'][0]['id']}/answer",
                        {**place, "upheld": "true", "reason": "伪造"})):
        for answer in pages.forged(path, data):
            assert answer.status_code == 403 and "未作任何记录" in answer.text, path
    assert pages.recorded() == before


def test_the_postings_page_is_for_overseers_and_in_their_navigation(pages: Pages) -> None:
    posted(pages)
    for user in ("m1", "leader", "archivist"):
        assert pages.as_user(user).get("/app/postings").status_code == 403, user
        assert "/app/postings\"" not in NAV.search(pages.get("/app/board").text).group(1)
    assert pages.as_user("secretary2").get(PAGE).status_code == 403  # B1 is not theirs
    assert pages.as_user("secretary2").post("/app/postings", {
        "branch_id": "B1", "period": PERIOD, "partial": "1"},
        "/app/postings").status_code == 403
    assert len(listed(pages)) == 1
    assert re.findall(r'<option value="(B\d)"', pages.as_user("inspector2").get(
        "/app/postings").text) == ["B2"]
    for user in ("secretary", "admin", "inspector"):
        nav = NAV.search(pages.as_user(user).get("/app/inbox").text).group(1)
        assert 'href="/app/postings"' in nav and 'href="/app/board"' in nav, user
    assert "发布公示" in pages.as_user("admin").get(PAGE).text


def public(pages: Pages) -> tuple[str, dict[str, Any]]:
    """The posting and its public link, issued through the page (shown in full once)."""
    pages.api.client.base_url = "https://testserver"  # the board's form cookie is Secure
    made = posted(pages)
    issued = pages.as_user("secretary").post("/app/postings/link",
                                             {"branch_id": "B1", "period": PERIOD}, PAGE)
    assert issued.status_code == 200
    assert "这个链接只显示这一次" in issued.text
    url = re.search(r'<code class="hash" id="public-url">([^<]+)</code>', issued.text).group(1)
    assert url.startswith("https://testserver/board/")
    secret = url.rsplit("/", 1)[1]
    assert secret not in pages.get(PAGE).text  # never again
    assert "这一考核期的公开链接现在有效。" in pages.get(PAGE).text
    pages.api.client.cookies.clear()
    return secret, made


def test_the_public_board_shows_the_posting_and_nothing_more_without_signing_in(
        pages: Pages) -> None:
    secret, _ = public(pages)
    board = pages.get(f"/board/{secret}")
    assert board.status_code == 200
    assert "综采一队" in board.text and "张伟" in board.text and "95" in board.text
    assert "/app/inbox" not in board.text and "退出" not in board.text
    for hidden in ("一组", "G1", "secretary", "书记", "采煤线", "board.pdf"):
        assert hidden not in board.text, hidden
    assert OBJECT.findall(board.text) == []
    assert len(re.findall(rf'href="/board/{secret}/object/', board.text)) == 2


def test_the_public_objects_by_name_and_contact_with_the_forms_token(pages: Pages) -> None:
    secret, made = public(pages)
    z1 = entry(made, "Z1")["appraisal_id"]
    path = f"/board/{secret}/object/{z1}"
    fields = {"name": "王师傅", "contact": "13800000000", "reason": "群众反映该区有违章"}
    before = history(pages, z1)
    assert pages.api.client.post(path, data=fields).status_code == 403  # no token, no cookie
    form = pages.get(path)
    assert form.status_code == 200 and "appraisal_board=" in form.headers["set-cookie"]
    assert "samesite=strict" in form.headers["set-cookie"].lower()
    token = re.search(r'name="csrf" value="([0-9a-f]+)"', form.text).group(1)
    assert pages.api.client.post(path, data={**fields, "csrf": "0" * 64}).status_code == 403
    missing = pages.api.client.post(path, data={**fields, "name": " ", "csrf": token})
    assert missing.status_code == 422
    assert re.search(r'id="object-name-error"[^>]*>必填<', missing.text)
    assert history(pages, z1) == before
    raised = pages.api.client.post(path, data={**fields, "csrf": token}, follow_redirects=False)
    assert raised.status_code == 303 and raised.headers["location"] == f"/board/{secret}?raised=1"
    last = history(pages, z1)[-1]
    assert last["type"] == "objection_raised" and last["data"]["name"] == "王师傅"
    page = pages.as_user("secretary").get(PAGE).text
    assert "王师傅 (群众（公开链接）) · 联系方式: 13800000000" in page
    trail = pages.as_user("inspector").get(f"/app/appraisals/{z1}/history").text
    assert "操作人: 王师傅" in trail and "13800000000" not in trail


def test_public_objections_are_counted_with_the_apis_per_address(pages: Pages) -> None:
    secret, made = public(pages)
    z1 = entry(made, "Z1")["appraisal_id"]
    path = f"/board/{secret}/object/{z1}"
    token = re.search(r'name="csrf" value="([0-9a-f]+)"', pages.get(path).text).group(1)
    fields = {"name": "王师傅", "contact": "13800000000", "reason": "群众反映", "csrf": token}
    for _ in range(5):
        assert pages.api.client.post(f"/public/boards/{secret}/objections", json={
            "appraisal_id": z1, "name": "李", "contact": "1", "reason": "r"}).status_code == 201
    for _ in range(5):
        assert pages.api.client.post(path, data=fields, follow_redirects=False).status_code \
            == 303
    throttled = pages.api.client.post(path, data=fields, follow_redirects=False)
    assert throttled.status_code == 429 and int(throttled.headers["retry-after"]) > 0
    assert "请稍后再试" in throttled.text and "/app/inbox" not in throttled.text
    assert sum(e["type"] == "objection_raised" for e in history(pages, z1)) == 10


def test_a_revoked_or_unknown_link_is_a_plain_404(pages: Pages) -> None:
    secret, made = public(pages)
    z1 = entry(made, "Z1")["appraisal_id"]
    path = f"/board/{secret}/object/{z1}"
    token = re.search(r'name="csrf" value="([0-9a-f]+)"', pages.get(path).text).group(1)
    revoked = pages.as_user("secretary").post("/app/postings/link/revoke",
                                              {"branch_id": "B1", "period": PERIOD}, PAGE)
    assert revoked.status_code == 303 and "done=revoked" in revoked.headers["location"]
    pages.api.client.cookies.delete("__Host-appraisal_session")
    before = history(pages, z1)
    for wrong in (secret, secret[:-1] + ("A" if secret[-1] != "A" else "B"), "x" * 60, "x"):
        answer = pages.get(f"/board/{wrong}")
        assert answer.status_code == 404 and answer.headers["content-type"].startswith("text/html")
        assert "找不到这个公示：链接有误，或已停用。" in answer.text
        assert "<nav" in answer.text and "/app/inbox" not in answer.text
    refused = pages.api.client.post(path, data={"name": "王", "contact": "1", "reason": "r",
                                                "csrf": token})
    assert refused.status_code == 404 and "找不到这个公示" in refused.text
    assert history(pages, z1) == before
    assert pages.get(f"/board/{secret}/object").status_code == 404


def test_the_board_pdf_is_the_use_cases_file(pages: Pages) -> None:
    made = posted(pages)
    pdf = pages.as_user("m4").get(f"/app/postings/{made['id']}/board.pdf")  # any reader
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF-")
    assert pdf.headers["content-type"] == "application/pdf"
    assert "attachment" in pdf.headers["content-disposition"]
    assert pages.get("/app/postings/not-a-posting/board.pdf").status_code == 404


def test_the_board_and_history_speak_english_too(pages: Pages) -> None:
    made = posted(pages)
    pages.api.client.cookies.set("appraisal_lang", "en")
    board = pages.as_user("m1").get(f"/app/postings/{made['id']}").text
    assert "Raise an objection" in board and "Posting 1" in board and "Beijing time" in board
    page = pages.as_user("secretary").get(PAGE).text
    assert "Post although 1 zones are not approved yet" in page
    assert "Results approved and ranked now" in page and "Posted by" in page


def test_the_history_says_findings_and_rectifications_in_words(pages: Pages) -> None:
    z1 = publish(pages.api, "Z1", "93", period="2026-11")["id"]
    photo = pages.api.post("inspector", "/attachments?name=现场照片.png", content=png()).json()
    found = pages.api.post("inspector", f"/appraisals/{z1}/findings", json={
        "method": "on_site", "date": "2026-11-03", "text": "安全通道堵塞",
        "attachments": [photo]})
    assert found.status_code == 201, found.text
    pages.api.post("secretary", f"/findings/{found.json()['id']}/rectification",
                   json={"text": "已清理通道", "attachments": []}).raise_for_status()
    trail = pages.as_user("inspector").get(f"/app/appraisals/{z1}/history").text
    for words in ("督导检查发现", "实地检视", "检查日期 2026-11-03", "安全通道堵塞", "现场照片.png",
                  "整改情况", "已清理通道", "操作人: 组织干部科"):
        assert words in trail, words
    assert "→ 公示" not in trail.split("event-finding_recorded")[1]  # beside the steps
    page = pages.get(f"/app/appraisals/{z1}").text
    assert "督导检查" in page and "安全通道堵塞" in page and "已清理通道" in page
