"""Each signer does their job in a real browser: sign in, find it in the inbox, fill in the
form (live total and grade), return with a reason, approve; an inspector audits the history;
a reader outside the scope is refused. Screenshots of each page go to docs/screenshots/."""

import re

from tests.browser.conftest import DESKTOP, PHONE, SCREENSHOTS, Site
from tests.helpers import FULL_MARKS, PASSWORD, SCORES

EVALUATED = {**SCORES, "order": 17.5}  # 93


def sign_in(context, username: str, screenshot: bool = False, password: str = PASSWORD):
    page = context.new_page()
    page.goto("/app/inbox")
    if screenshot:
        shoot(page, "sign-in")
    page.get_by_label("用户名").fill(username)
    page.get_by_label("密码").fill(password)
    page.get_by_role("button", name="登录").click()
    return page


def shoot(page, name: str) -> None:
    """The page as a phone and as a desktop show it, whole."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    for size, suffix in ((PHONE, "360"), (DESKTOP, "1280")):
        page.set_viewport_size(size)
        page.screenshot(path=SCREENSHOTS / f"{name}-{suffix}.png", full_page=True)
    page.set_viewport_size(PHONE)


def open_from_inbox(page, zone_name: str) -> None:
    page.get_by_role("link", name=re.compile(zone_name)).click()
    page.wait_for_url(re.compile(r"/app/appraisals/"))


def fill_scores(page, action: str, scores: dict[str, float]) -> None:
    for code, value in scores.items():
        page.locator(f"#{action}-{code}").fill(str(value))


def test_a_zone_goes_from_self_check_to_publication_with_one_return(browser, site: Site) -> None:
    doc = site.api.open("Z1", "2026-10")
    member = sign_in(browser, "m1", screenshot=True)
    assert member.get_by_role("heading", name="我的待办").is_visible()
    shoot(member, "inbox")
    open_from_inbox(member, "综采一队")
    fill_scores(member, "self-check", SCORES)
    assert member.locator("[data-total]").inner_text() == "93.5"
    assert member.locator("[data-grade]").inner_text() == "优秀"
    member.locator("#self-check-comment").fill("本月组织班前安全学习6次。")
    shoot(member, "appraisal-self-check")
    member.get_by_role("button", name="提交").click()
    assert member.get_by_role("status").inner_text() == "✓ 提交自查"
    assert member.locator(".progress [aria-current=step]").inner_text().endswith("责任区评价")

    evaluator = sign_in(browser.browser.new_context(base_url=site.url), "evaluator")
    open_from_inbox(evaluator, "综采一队")
    assert evaluator.locator("#zone-evaluation-order").input_value() == "18"  # the self-check's
    evaluator.locator("#zone-evaluation-order").fill("17.5")
    assert evaluator.locator("[data-total]").inner_text() == "93"
    evaluator.get_by_role("button", name="提交").click()

    leader = sign_in(browser.browser.new_context(base_url=site.url), "leader")
    open_from_inbox(leader, "综采一队")
    leader.get_by_text("退回上一环节").first.click()
    leader.get_by_label("原因（必填）").fill("秩序稳定一项缺少现场检视记录，请补充。")
    leader.get_by_role("button", name="退回上一环节").click()
    assert leader.get_by_role("status").inner_text() == "✓ 退回"
    assert leader.get_by_text("当前没有您可办理的环节。").is_visible()

    evaluator.goto("/app/inbox")
    open_from_inbox(evaluator, "综采一队")
    evaluator.locator("#zone-evaluation-comment").fill("已补充现场检视记录。")
    evaluator.get_by_role("button", name="提交").click()

    leader.goto("/app/inbox")
    open_from_inbox(leader, "综采一队")
    fill_scores(leader, "group-review", EVALUATED)
    leader.get_by_role("button", name="提交").click()

    secretary = sign_in(browser.browser.new_context(base_url=site.url), "secretary")
    open_from_inbox(secretary, "综采一队")
    secretary.get_by_label("说明（考核方式、依据）").fill("经支部委员会审核，同意公示。")
    secretary.get_by_role("button", name="审核通过并公示").click()
    assert secretary.get_by_role("status").inner_text() == "✓ 支部审核通过"
    shoot(secretary, "appraisal-published")
    published = site.api.get("inspector", f"/appraisals/{doc['id']}").json()
    assert (published["state"], published["score"], published["grade"]) == \
        ("published", 93, "excellent")


def test_an_inspector_reads_who_changed_which_score_and_the_appraisal_as_it_stood(
        browser, site: Site) -> None:
    doc = site.api.publish("Z2", "2026-09")
    inspector = sign_in(browser, "inspector")
    inspector.goto(f"/app/appraisals/{doc['id']}/history")
    timeline = inspector.locator(".timeline > li")
    assert timeline.count() == 5
    assert "王芳" in timeline.nth(1).inner_text() and "责任人" in timeline.nth(1).inner_text()
    assert "— → 14.5" in timeline.nth(1).inner_text()
    shoot(inspector, "history")
    inspector.get_by_label("版本").select_option("2")
    inspector.get_by_role("button", name="查看").first.click()
    assert "这是考核表在历史时点的样子" in inspector.get_by_role("status").inner_text()
    assert inspector.locator(".progress [aria-current=step]").inner_text().endswith("责任区评价")
    assert inspector.locator("form[data-scored]").count() == 0


def test_the_browser_checks_a_score_before_the_server_does(browser, site: Site) -> None:
    site.api.open("Z2", "2026-08")
    member = sign_in(browser, "m2")
    open_from_inbox(member, "掘进二队")
    fill_scores(member, "self-check", {**SCORES, "thought": 16})
    assert member.locator("#self-check-thought-error").inner_text() == "超出 0 到满分的范围"
    assert member.locator("[data-total]").inner_text() == "—"
    member.get_by_role("button", name="提交").click()
    assert member.locator("#self-check-thought").evaluate("e => e === document.activeElement")
    assert "done=" not in member.url


def test_a_reader_outside_the_scope_is_refused_and_english_is_a_click_away(
        browser, site: Site) -> None:
    doc = site.api.open("Z1", "2026-07")
    outsider = sign_in(browser, "inspector2")
    response = outsider.goto(f"/app/appraisals/{doc['id']}")
    assert response.status == 403
    assert outsider.get_by_role("heading", name="无权访问").is_visible()
    outsider.get_by_role("link", name="English").click()
    assert outsider.get_by_role("heading", name="Forbidden").is_visible()
    outsider.goto("/app/inbox")
    assert outsider.get_by_role("heading", name="My inbox").is_visible()


def _luminance(rgb: str) -> float:
    """WCAG relative luminance of a CSS `rgb(r, g, b)` colour."""
    channels = [int(c) / 255 for c in re.findall(r"\d+", rgb)[:3]]
    linear = [c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
    return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]


def unlabelled(page) -> list[str]:
    """The names of the page's controls that no label names."""
    return page.evaluate("""() => [...document.querySelectorAll(
        'input:not([type=hidden]), select, textarea')].filter(e => !e.labels.length)
        .map(e => e.name)""")


def test_every_control_is_labelled_and_every_grade_badge_reads_at_aa_contrast(
        browser, site: Site) -> None:
    doc = site.api.open("Z2", "2026-07")
    member = sign_in(browser, "m2")
    member.goto(f"/app/appraisals/{doc['id']}")
    assert unlabelled(member) == []
    for total, grade in ((93, "excellent"), (85, "qualified"), (75, "basically_qualified"),
                         (60, "unqualified")):
        rest = total - 60  # the other items' full marks make 60
        fill_scores(member, "self-check", {**FULL_MARKS, "order": min(rest, 20),
                                           "duty": max(rest - 20, 0)})
        badge = member.locator("[data-grade]")
        assert badge.get_attribute("class") == f"badge grade-{grade}"
        fg, bg = badge.evaluate("e => [getComputedStyle(e).color, "
                                "getComputedStyle(e).backgroundColor]")
        light, dark = sorted((_luminance(fg), _luminance(bg)), reverse=True)
        assert (light + 0.05) / (dark + 0.05) >= 4.5, grade
