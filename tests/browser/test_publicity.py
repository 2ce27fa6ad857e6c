"""公示 in a real browser, on the small mine: a member objects to a result from the board on a
360 px phone; the secretary upholds one objection and dismisses another; the posting closes
once its window is over (the clock moved past it with time-machine: the server runs in this
process, so its clock moves too, and people sign in again, as their sessions ran out); the
public board takes an objection from a browser that never signed in. No page scrolls
sideways at 360 px (a table scrolls inside its own box). Screenshots: board-phone.png,
posting-secretary.png."""

import re
from datetime import UTC, datetime, timedelta
from typing import Any

import time_machine
from playwright.sync_api import expect

from tests.browser.conftest import DESKTOP, PHONE, SCREENSHOTS, Site, profile
from tests.browser.test_signing import sign_in, unlabelled
from tests.helpers import SCORES

LOWER = {**SCORES, "order": 15}  # 90.5, below Z1's 93.5


def posted(site: Site, period: str) -> dict[str, Any]:
    """Z1 and Z2 of branch B1 published in `period` and posted (Z3 waits: partial)."""
    z1 = site.api.publish("Z1", period)
    z2 = site.api.publish("Z2", period, scores=LOWER)
    made = site.api.post("secretary", "/branches/B1/postings",
                         json={"period": period, "partial": True})
    assert made.status_code == 201, made.text
    return {"posting": made.json(), "Z1": z1, "Z2": z2}


def overflow(page) -> int:
    """How far the page reaches past the screen's width (0: no sideways scrolling)."""
    return page.evaluate("() => document.documentElement.scrollWidth"
                         " - document.documentElement.clientWidth")


def last_event(site: Site, doc: dict[str, Any]) -> dict[str, Any]:
    return site.api.get("inspector", f"/appraisals/{doc['id']}/history").json()["events"][-1]


def shoot_as(page, name: str, size: dict[str, int]) -> None:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.set_viewport_size(size)
    page.screenshot(path=SCREENSHOTS / f"{name}.png", full_page=True)
    page.set_viewport_size(PHONE)


def show_period(page, period: str) -> None:
    page.get_by_label("考核期").select_option(period)
    page.get_by_role("button", name="查看").click()
    page.wait_for_url(re.compile(f"period={period}"))


def test_a_member_objects_to_a_result_from_the_board_on_a_phone(browser, site: Site) -> None:
    world = posted(site, "2025-06")
    member = sign_in(browser, "m2")
    member.get_by_role("link", name="公示栏").click()
    show_period(member, "2025-06")
    entries = member.locator("ol.board > li")
    assert entries.count() == 2
    first = entries.nth(0).inner_text()  # the rank is read out as such
    assert re.match(r"名次\s+1\s+综采一队\s+优秀", first) and "张伟" in first
    assert overflow(member) == 0
    member.get_by_role("link", name=re.compile("^提出异议.*综采一队")).click()
    member.get_by_role("button", name="提交异议").click()  # the browser asks for a reason
    assert "/object/" in member.url and member.locator("#object-reason").evaluate(
        "e => !e.validity.valid")
    member.get_by_label("异议理由（必填）").fill("本月该区发生一起违章，得分偏高，请复核。")
    assert unlabelled(member) == [] and overflow(member) == 0
    member.get_by_role("button", name="提交异议").click()
    assert "异议已提交" in member.get_by_role("status").inner_text()
    event = last_event(site, world["Z1"])
    assert event["type"] == "objection_raised" and event["actor"] == "m2"
    assert overflow(member) == 0
    shoot_as(member, "board-phone", PHONE)


def test_the_secretary_upholds_one_objection_and_dismisses_another(browser, site: Site) -> None:
    world = posted(site, "2025-07")
    for user, zone in (("m2", "Z1"), ("m1", "Z2")):
        site.api.post(user, f"/appraisals/{world[zone]['id']}/objections",
                      json={"reason": f"{zone} 的得分请复核"}).raise_for_status()
    secretary = sign_in(browser, "secretary")
    secretary.get_by_role("link", name="公示管理").click()
    show_period(secretary, "2025-07")
    assert secretary.locator('[data-count="ranked"]').inner_text() == "2"
    assert "公示中" in secretary.locator("section.posting h2").inner_text()
    assert unlabelled(secretary) == [] and overflow(secretary) == 0
    first = secretary.get_by_role("article", name=re.compile("综采一队"))
    assert "Z1 的得分请复核" in first.inner_text() and "王芳" in first.inner_text()
    first.get_by_label("异议成立").check()
    first.get_by_label("原因（必填）").fill("经核实属实，退回党小组长重新考核。")
    first.get_by_role("button", name="提交答复").click()
    assert "退回党小组长考核" in secretary.get_by_role("status").inner_text()
    assert "请重新发布公示" in secretary.locator("section.posting").inner_text()
    second = secretary.get_by_role("article", name=re.compile("掘进二队"))
    second.get_by_label("异议不成立").check()
    second.get_by_label("原因（必填）").fill("经核实，评分依据充分，结果维持。")
    second.get_by_role("button", name="提交答复").click()
    assert "异议不成立" in secretary.get_by_role("status").inner_text()
    states = {zone: site.api.get("inspector", f"/appraisals/{world[zone]['id']}").json()["state"]
              for zone in ("Z1", "Z2")}
    assert states == {"Z1": "group_review", "Z2": "published"}
    assert overflow(secretary) == 0
    shoot_as(secretary, "posting-secretary", DESKTOP)


def test_a_posting_closes_once_its_window_is_over(chromium, site: Site) -> None:
    world = posted(site, "2025-08")
    early = profile(chromium, site.url)
    secretary = sign_in(early, "secretary")
    secretary.goto("/app/postings?branch_id=B1&period=2025-08")
    secretary.get_by_role("button", name="公示期满，定稿").click()
    assert "现在还不能定稿" in secretary.get_by_role("alert").inner_text()  # 409, in words
    early.close()
    with time_machine.travel(datetime.now(UTC) + timedelta(days=10), tick=True):
        site.api.tokens.clear()
        context = profile(chromium, site.url)
        try:
            secretary = sign_in(context, "secretary")  # the session of before has run out
            secretary.get_by_role("link", name="公示管理").click()
            show_period(secretary, "2025-08")
            assert "公示期已结束" in secretary.locator("section.posting").inner_text()
            secretary.get_by_role("button", name="公示期满，定稿").click()
            assert "已定稿" in secretary.get_by_role("status").inner_text()
            assert "已定稿" in secretary.locator("section.posting h2").inner_text()
            assert overflow(secretary) == 0
            assert last_event(site, world["Z1"])["type"] == "finalised"
        finally:
            context.close()
            site.api.tokens.clear()


def test_the_public_board_takes_an_objection_without_an_account(chromium, browser,
                                                                site: Site) -> None:
    world = posted(site, "2025-09")
    secretary = sign_in(browser, "secretary")
    secretary.goto("/app/postings?branch_id=B1&period=2025-09")
    secretary.get_by_role("button", name="生成公开链接").click()
    # The click returns once the form is sent: wait for the answer's page to show it.
    expect(secretary.get_by_text(re.compile("这个链接只显示这一次"))).to_be_visible()
    url = secretary.locator("#public-url").inner_text()
    assert overflow(secretary) == 0  # the long link breaks inside its box
    stranger = profile(chromium, site.url)
    try:
        board = stranger.new_page()
        board.goto(url)
        assert board.locator("nav a").all_inner_texts() == ["English"]  # no header links
        assert board.locator("ol.board > li").count() == 2 and overflow(board) == 0
        board.get_by_role("link", name=re.compile("^提出异议.*掘进二队")).click()
        board.get_by_label("姓名（必填）").fill("王师傅")
        board.get_by_label("联系方式（电话等，必填，只有支部能看到）").fill("13800000000")
        board.get_by_label("异议理由（必填）").fill("掘进二队本月有人违章，群众有意见。")
        assert unlabelled(board) == [] and overflow(board) == 0
        board.get_by_role("button", name="提交异议").click()
        assert "异议已提交" in board.get_by_role("status").inner_text()
    finally:
        stranger.close()
    event = last_event(site, world["Z2"])
    assert (event["actor"], event["data"]["name"]) == ("public", "王师傅")
