"""Each demo role does its job in a real browser, on the demo mine `make run` loads and with the
accounts the README lists (password demo-2026): the zone head's self-check, the evaluation,
the group leader's return with a reason and review, the branch's approval; a correction
reopened by the branch and audited by the inspector, history and as it stood; the archivist's
PDF, whose SHA-256 is the API's; a reader outside the scope refused in their language."""

import hashlib
import time
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit
from zoneinfo import ZoneInfo

import pytest

from demo.load import PASSWORD
from domain.appraisal import Appraisal
from tests.browser.conftest import Site, profile
from tests.browser.test_signing import fill_scores, open_from_inbox, shoot, sign_in, unlabelled
from tests.helpers import SCORES

CM01 = "综采一队生产一班责任区"  # zone CM01 of group G01, branch B1; m001 is its zone head
OCTOBER = str(Appraisal.create_id("CM01", "2026-10"))  # opened by the demo, not yet signed
SEPTEMBER = str(Appraisal.create_id("CM02", "2026-09"))  # published by the demo
BEIJING = ZoneInfo("Asia/Shanghai")

SignIn = Callable[..., Any]


@pytest.fixture
def signed_in(chromium, demo: Site) -> Iterator[SignIn]:
    """`signed_in("m001")`: a page of m001's, signed in to the demo in a profile of their own."""
    profiles: list[Any] = []

    def page_of(username: str, screenshot: bool = False) -> Any:
        profiles.append(profile(chromium, demo.url))
        return sign_in(profiles[-1], username, screenshot, password=PASSWORD)

    yield page_of
    for context in profiles:
        context.close()


def test_a_zones_month_goes_from_the_zone_heads_self_check_to_publication_with_a_return(
        signed_in: SignIn, demo: Site) -> None:
    member = signed_in("m001", screenshot=True)
    assert member.get_by_role("heading", name="我的待办").is_visible()
    me = demo.api.get("m001", "/me").json()
    assert member.locator(".who").inner_text() == me["display_name"]
    assert member.locator(".who").get_attribute("title") == "m001"
    shoot(member, "inbox")
    open_from_inbox(member, CM01)
    fill_scores(member, "self-check", SCORES)
    assert member.locator("[data-total]").inner_text() == "93.5"
    member.locator("#self-check-comment").fill("本月组织班前安全学习6次，谈心谈话4人次。")
    shoot(member, "appraisal-self-check")
    member.get_by_role("button", name="提交").click()
    assert member.get_by_role("status").inner_text() == "✓ 提交自查"

    evaluator = signed_in("evaluator-g01")
    open_from_inbox(evaluator, CM01)
    assert evaluator.locator("#zone-evaluation-order").input_value() == "18"  # the self-check's
    evaluator.locator("#zone-evaluation-order").fill("17.5")
    assert evaluator.locator("[data-total]").inner_text() == "93"
    evaluator.get_by_role("button", name="提交").click()

    leader = signed_in("leader-g01")
    open_from_inbox(leader, CM01)
    leader.get_by_text("退回上一环节").first.click()
    leader.get_by_label("原因（必填）").fill("秩序稳定一项缺少现场检视记录，请补充。")
    leader.get_by_role("button", name="退回上一环节").click()
    assert leader.get_by_role("status").inner_text() == "✓ 退回"

    evaluator.goto("/app/inbox")
    open_from_inbox(evaluator, CM01)
    evaluator.locator("#zone-evaluation-comment").fill("实地检视：已补充现场检视记录。")
    evaluator.get_by_role("button", name="提交").click()

    leader.goto("/app/inbox")
    open_from_inbox(leader, CM01)
    left_open = leader.context.new_page()  # the same form in a second tab, submitted first
    left_open.goto(leader.url)
    left_open.get_by_role("button", name="提交").click()
    leader.get_by_role("button", name="提交").click()
    refusal = leader.locator("#form-error").inner_text()
    assert refusal.startswith("412 · 您打开的是第 5 版，之后这份考核表已有变动（现为第 6 版）")
    assert "请查看最新内容，核对后再办理。" in refusal and "version 5 is stale" in refusal
    shoot(leader, "appraisal-stale")

    secretary = signed_in("secretary-b1")
    open_from_inbox(secretary, CM01)
    secretary.get_by_label("说明（考核方式、依据）").fill("经支部委员会审核，同意公示。")
    secretary.get_by_role("button", name="审核通过并公示").click()
    assert secretary.get_by_role("status").inner_text() == "✓ 支部审核通过"
    assert "300" in secretary.locator(".signed").inner_text()  # B1's own reward policy
    shoot(secretary, "appraisal-published")
    published = demo.api.get("inspector", f"/appraisals/{OCTOBER}").json()
    assert (published["state"], published["score"], published["grade"]) == \
        ("published", 93, "excellent")


def _next_second() -> datetime:
    """The next whole second, once it has passed: what was recorded so far is before it."""
    cut = datetime.now(UTC).replace(microsecond=0) + timedelta(seconds=1)
    while datetime.now(UTC) <= cut:
        time.sleep(0.05)
    return cut


def test_the_branch_reopens_a_result_and_the_inspector_audits_it_as_it_stood(
        signed_in: SignIn) -> None:
    before = _next_second()
    secretary = signed_in("secretary-b1")
    secretary.goto(f"/app/appraisals/{SEPTEMBER}")
    secretary.get_by_text("重新打开（更正）").first.click()
    secretary.get_by_label("原因（必填）").fill("职工反映当月有一起违章作业，经核实重新考核。")
    secretary.get_by_role("button", name="重新打开（更正）").click()
    assert secretary.get_by_role("status").inner_text() == "✓ 重新打开"

    inspector = signed_in("inspector")
    inspector.goto(f"/app/appraisals/{SEPTEMBER}/history")
    last = inspector.locator(".timeline > li").last.inner_text()
    assert "重新打开" in last and "支部书记" in last and "一起违章作业" in last
    assert "综采支部书记" in last  # the secretary by their display name
    assert "— → " in inspector.locator(".timeline > li").nth(1).inner_text()  # self-check
    shoot(inspector, "history")
    inspector.get_by_label("时间（北京时间）").fill(
        before.astimezone(BEIJING).strftime("%Y-%m-%dT%H:%M:%S"))
    inspector.get_by_role("button", name="查看").last.click()
    assert "这是考核表在历史时点的样子" in inspector.get_by_role("status").inner_text()
    assert "状态: 公示" in inspector.locator(".sub").first.inner_text()
    inspector.get_by_role("link", name="回到当前").click()
    assert "状态: 党小组长考核" in inspector.locator(".sub").first.inner_text()


def test_the_archivist_downloads_a_branchs_pdf_whose_sha256_is_the_apis(
        signed_in: SignIn, demo: Site, tmp_path: Path) -> None:
    page = signed_in("archivist")
    page.get_by_role("link", name="年度档案").click()
    page.get_by_label("年度").fill("2026")
    page.get_by_label("范围").select_option("B1")
    page.get_by_role("button", name="计算 SHA-256 并固定时点").click()
    shown = page.locator('code[data-form="pdf"]').inner_text()
    with page.expect_download() as download:
        page.get_by_role("link", name="下载 PDF").click()
    saved = tmp_path / "archive.pdf"
    download.value.save_as(saved)
    asked = parse_qs(urlsplit(download.value.url).query)
    assert asked["branch_id"] == ["B1"]
    api = demo.api.get("archivist", "/archives/2026", params={
        "format": "pdf", "branch_id": "B1", "as_of": asked["as_of"][0]})
    sha256 = hashlib.sha256(saved.read_bytes()).hexdigest()
    assert sha256 == shown == hashlib.sha256(api.content).hexdigest()
    assert unlabelled(page) == []
    shoot(page, "archives")


def test_a_reader_outside_the_scope_is_refused_and_told_why_in_their_language(
        signed_in: SignIn) -> None:
    outsider = signed_in("inspector-b6")  # 地面支部 only; CM01 is in 综采支部
    response = outsider.goto(f"/app/appraisals/{OCTOBER}")
    assert response.status == 403
    assert outsider.get_by_role("heading", name="无权访问").is_visible()
    said = outsider.get_by_role("alert").inner_text()
    assert "这不在您负责的范围（支部、党小组或责任区）之内。" in said
    assert "技术细节: this appraisal is outside your scope" in said
    shoot(outsider, "refused")
    outsider.get_by_role("link", name="English").click()
    assert outsider.get_by_role("heading", name="Forbidden").is_visible()
    assert "This lies outside your branch, party group or zone." in \
        outsider.get_by_role("alert").inner_text()
    outsider.goto("/app/inbox")
    assert outsider.get_by_role("heading", name="My inbox").is_visible()
