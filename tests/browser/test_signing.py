"""The appraisal form's own checks in a real browser, on the small mine: a score out of range
is refused before it is sent, every control is labelled, every grade badge reads at AA
contrast. The helpers here sign people in and take the screenshots (docs/screenshots/) for
every browser test; each role's job on the demo mine is in test_demo_roles.py."""

import re

from tests.browser.conftest import DESKTOP, PHONE, SCREENSHOTS, Site
from tests.helpers import FULL_MARKS, PASSWORD, SCORES


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
