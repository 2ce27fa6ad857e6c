"""代签 in a real browser, on the small mine: the branch secretary names a deputy for the
group leader on the 代签 page, the deputy signs the group review on a 360 px phone from their
inbox, and the history page names both (代签人 代 组长签)."""

import re
from datetime import timedelta

from domain.period import china_date
from tests.browser.conftest import Site, profile
from tests.browser.test_signing import fill_scores, shoot, sign_in
from tests.e2e.support import FORWARD
from tests.helpers import PASSWORD, SCORES

DEPUTY = {"username": "deputy_b", "display_name": "代签人", "member_id": None, "roles": []}
PERIOD = "2025-10"  # this test's own on the shared site


def test_a_secretary_names_a_deputy_who_reviews_on_a_phone_and_the_history_names_both(
        chromium, site: Site) -> None:
    site.api.post("admin", "/users", json={**DEPUTY, "password": PASSWORD}).raise_for_status()
    doc = site.api.open("Z1", PERIOD)
    for state in ("self_check", "zone_evaluation"):
        user, action, body = FORWARD[state]
        site.api.post(user, f"/appraisals/{doc['id']}/{action}", json=body).raise_for_status()

    context = profile(chromium, site.url)
    try:
        secretary = sign_in(context, "secretary")
        secretary.get_by_role("link", name="代签").click()
        secretary.get_by_label("被代签人").select_option("leader")
        secretary.get_by_label("代签人（用户名）").fill(DEPUTY["username"])
        last = (china_date() + timedelta(days=7)).isoformat()
        secretary.get_by_label("结束日期（含）").fill(last)
        secretary.get_by_label("原因（必填）").fill("组长井下蹲点一周")
        secretary.get_by_role("button", name="指定代签").click()
        secretary.wait_for_url(re.compile(r"done=granted"))
        card = secretary.locator("article.delegation", has_text="组长井下蹲点一周")
        assert "代签人 代 组长签" in card.inner_text()
        shoot(secretary, "delegation-page")
    finally:
        context.close()

    phone = profile(chromium, site.url)  # a 360 px phone
    try:
        deputy = sign_in(phone, DEPUTY["username"])
        row = deputy.locator("li.card", has_text="代 组长").filter(has_text="2025年10月")
        row.get_by_role("link").click()
        deputy.wait_for_url(re.compile(rf"/app/appraisals/{doc['id']}"))
        assert "您将代 组长 办理" in deputy.get_by_role("status").first.inner_text()
        fill_scores(deputy, "group-review", SCORES)
        deputy.locator("#group-review-comment").fill("代组长考核")
        deputy.get_by_role("button", name="提交").click()
        deputy.wait_for_url(re.compile(r"done=group-review"))
        assert deputy.viewport_size == {"width": 360, "height": 740}
        deputy.get_by_role("link", name="审计轨迹").click()
        event = deputy.locator("li.event-group_review_submitted")
        assert "代签人 代 组长签" in event.inner_text()
        shoot(deputy, "delegation-history")
    finally:
        phone.close()
