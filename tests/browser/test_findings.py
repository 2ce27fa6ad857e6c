"""督导检查 in a real browser, on the small mine: an inspector records a finding with a photo
on a 360 px phone, the branch secretary answers it (整改) and both read the file back from
the list. No page scrolls sideways at 360 px. Screenshots: findings-new-*.png,
findings-list-*.png."""

import re

from tests.browser.conftest import Site, profile
from tests.browser.test_publicity import overflow
from tests.browser.test_signing import shoot, sign_in, unlabelled
from tests.e2e.files import png

TEXT = "巷道顶板锚杆外露，未按规定防护"


def test_an_inspector_records_a_finding_with_a_photo_and_the_secretary_answers(
        chromium, browser, site: Site) -> None:
    inspector = sign_in(browser, "inspector")
    inspector.get_by_role("link", name="督导检查").click()
    inspector.get_by_role("link", name="记录督导检查发现").click()
    inspector.get_by_label("责任区", exact=True).select_option("Z2")
    inspector.get_by_label("检查方式").select_option(label="实地检视")
    inspector.get_by_label("检查日期").fill("2026-11-03")
    inspector.get_by_label("发现的问题").fill(TEXT)
    inspector.get_by_label(re.compile("^照片或 PDF")).set_input_files(
        [{"name": "顶板.png", "mimeType": "image/png", "buffer": png()}])
    assert unlabelled(inspector) == [] and overflow(inspector) == 0
    shoot(inspector, "findings-new")
    inspector.get_by_role("button", name="记录发现").click()
    assert "已记录督导检查发现" in inspector.get_by_role("status").inner_text()
    found = inspector.locator("article.finding", has_text=TEXT)
    assert "待整改" in found.inner_text() and "实地检视" in found.inner_text()
    assert overflow(inspector) == 0
    [item] = [f for f in site.api.get("inspector", "/findings").json()["items"]
              if f["text"] == TEXT]
    assert item["zone_id"] == "Z2" and item["attachments"][0]["name"] == "顶板.png"

    context = profile(chromium, site.url)
    try:
        secretary = sign_in(context, "secretary")
        secretary.get_by_role("link", name="督导检查").click()
        secretary.get_by_label("只看待整改").check()
        secretary.get_by_role("button", name="查看").click()
        article = secretary.locator("article.finding", has_text=TEXT)
        with secretary.expect_download() as download:
            article.get_by_role("link", name="顶板.png").click()
        assert download.value.suggested_filename.endswith(".png")
        article.get_by_label("整改情况").fill("已补设护网并复查合格")
        assert unlabelled(secretary) == [] and overflow(secretary) == 0
        article.get_by_role("button", name="提交整改情况").click()
        assert "已提交整改情况" in secretary.get_by_role("status").inner_text()
        answered = secretary.locator("article.finding", has_text=TEXT).inner_text()
        assert "已补设护网并复查合格" in answered and "待整改" not in answered
        assert overflow(secretary) == 0
        shoot(secretary, "findings-list")
    finally:
        context.close()
    [item] = [f for f in site.api.get("secretary", "/findings").json()["items"]
              if f["text"] == TEXT]
    assert item["rectification"]["actor"] == "secretary"
