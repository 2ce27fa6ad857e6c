"""批量办理 in a real browser, on the small mine: a secretary picks the step, filters a month,
selects all, reviews the chosen list with each group review's total, confirms, and reads
each appraisal's outcome; the screenshots are docs/screenshots/bulk-*.png."""

import re

from tests.browser.conftest import Site
from tests.browser.test_signing import shoot, sign_in, unlabelled
from tests.e2e.support import FORWARD

PERIOD = "2023-11"  # no other browser test signs this month (nor year: the year-end reads it)


def waiting_for_approval(site: Site, zone: str, member: str) -> dict:
    doc = site.api.open(zone, PERIOD)
    for state in ("self_check", "zone_evaluation", "group_review"):
        user, action, body = FORWARD[state]
        response = site.api.post(member if state == "self_check" else user,
                                 f"/appraisals/{doc['id']}/{action}", json=body)
        assert response.status_code == 200, response.text
        doc = response.json()
    return doc


def test_a_secretary_approves_several_at_once_and_reads_each_outcome(browser, site: Site):
    docs = [waiting_for_approval(site, zone, member) for zone, member in (("Z1", "m1"),
                                                                          ("Z2", "m2"))]
    secretary = sign_in(browser, "secretary")
    secretary.get_by_role("link", name="批量办理").click()
    secretary.wait_for_url(re.compile(r"/app/bulk"))
    secretary.get_by_label("考核期").fill(PERIOD)
    secretary.get_by_role("button", name="查看").click()
    secretary.wait_for_url(re.compile(r"period=2023-11"))
    assert unlabelled(secretary) == []
    secretary.get_by_label("全选").check()
    picks = secretary.locator("[data-pick]")
    assert picks.count() == 2
    assert all(picks.nth(n).is_checked() for n in range(2))
    shoot(secretary, "bulk-select")
    secretary.get_by_role("button", name="核对所选").click()
    secretary.wait_for_url(re.compile(r"/app/bulk/review"))
    rows = secretary.locator("tbody tr")
    assert rows.count() == 2 and "93.5" in rows.first.inner_text()
    secretary.get_by_label("说明（考核方式、依据）").fill("经支部委员会审核，同意公示。")
    secretary.get_by_role("button", name=re.compile("确认办理")).click()
    status = secretary.get_by_role("status")
    assert status.inner_text() == "已办理: 2 / 2"
    outcomes = secretary.locator("tbody tr")
    assert [outcomes.nth(n).get_attribute("data-status") for n in range(2)] == ["200", "200"]
    assert "支部审核通过" in outcomes.first.inner_text()
    shoot(secretary, "bulk-done")
    for doc in docs:
        now = site.api.get("inspector", f"/appraisals/{doc['id']}").json()
        assert (now["state"], now["branch_approval"]["comment"]) == (
            "published", "经支部委员会审核，同意公示。")
