"""A year-end appraisal in a real browser: its months on the page, the self-check starting
from their averages with the live total, and signed as offered (screenshot appraisal-year-end)."""

from tests.browser.conftest import Site
from tests.browser.test_signing import shoot, sign_in
from tests.e2e.support import marks

# Z2's 2024 (a year no other browser test touches): two months published, 95 and 86.
MONTHS = {"2024-01": "95", "2024-02": "86"}
# Each item's average of the two months' group reviews (support.marks): thought (10 + 1) / 2.
OFFERED = {"thought": "5.5", "study": "15", "talks": "10", "order": "20", "policy": "10",
           "duty": "20", "skills": "10"}


def test_a_year_end_self_check_starts_from_the_months_and_is_signed_as_offered(
        browser, site: Site) -> None:
    for period, total in MONTHS.items():
        site.api.publish("Z2", period, scores=marks(total))
    year_end = site.api.open("Z2", "2024")
    member = sign_in(browser, "m2")
    member.goto(f"/app/appraisals/{year_end['id']}")
    months = member.locator("#months")
    assert months.locator("[data-average]").inner_text() == "90.5"
    assert months.get_by_role("link", name="86").is_visible()
    assert months.get_by_text("未公示").count() == 10
    assert member.locator("#self-check-from-months").is_visible()
    for code, value in OFFERED.items():
        assert member.locator(f"#self-check-{code}").input_value() == value
    assert member.locator("[data-total]").inner_text() == "90.5"  # the live total, at once
    assert member.locator("[data-grade]").inner_text() == "优秀"
    shoot(member, "appraisal-year-end")
    # Signed as offered; it leaves m2's inbox, which other tests on this site read.
    member.get_by_role("button", name="提交").click()
    member.wait_for_url("**done=self-check")
    signed = site.api.get("m2", f"/appraisals/{year_end['id']}").json()["self_check"]
    assert signed["total"] == 90.5
    assert {code: str(value) for code, value in signed["scores"].items()} == OFFERED
