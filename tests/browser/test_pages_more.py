"""The ranking, archives and organisation pages in a real browser: a filtered ranking, an
archivist's PDF whose SHA-256 is the API's, a re-assignment with its reason; every control
labelled; screenshots at 360 and 1280 px."""

import hashlib
import re
from pathlib import Path

from tests.browser.conftest import Site
from tests.browser.test_signing import shoot, sign_in, unlabelled
from tests.helpers import SCORES

LOWER = {**SCORES, "order": 15}  # 90.5


def test_a_reader_filters_the_ranking_by_group(browser, site: Site) -> None:
    site.api.publish("Z1", "2026-05")
    site.api.publish("Z2", "2026-05", scores=LOWER)
    page = sign_in(browser, "m4")
    page.get_by_role("link", name="排名公示").click()
    page.get_by_label("考核期").select_option("2026-05")
    page.get_by_label("党小组").select_option("G1")
    page.get_by_role("button", name="查看").click()
    page.wait_for_url(re.compile(r"group_id=G1"))
    rows = page.locator("table.ranking tbody tr")
    assert rows.count() == 2
    assert rows.nth(0).inner_text().startswith("1\t综采一队")
    assert "90.5" in rows.nth(1).inner_text() and "王芳" in rows.nth(1).inner_text()
    assert unlabelled(page) == []
    shoot(page, "ranking")


def test_an_archivist_downloads_a_pdf_whose_sha256_is_the_apis(browser, site: Site,
                                                                tmp_path: Path) -> None:
    site.api.publish("Z2", "2026-04")
    page = sign_in(browser, "archivist")
    page.get_by_role("link", name="年度档案").click()
    page.get_by_label("年度").fill("2026")
    page.get_by_role("button", name="计算 SHA-256 并固定时点").click()
    shown = page.locator('code[data-form="pdf"]').inner_text()
    with page.expect_download() as download:
        page.get_by_role("link", name="下载 PDF").click()
    saved = tmp_path / "archive.pdf"
    download.value.save_as(saved)
    as_of = re.search(r"as_of=([^&]+)", download.value.url).group(1)
    api = site.api.get("archivist", f"/archives/2026?format=pdf&as_of={as_of}")
    sha256 = hashlib.sha256(saved.read_bytes()).hexdigest()
    assert sha256 == shown == hashlib.sha256(api.content).hexdigest()
    assert unlabelled(page) == []
    shoot(page, "archives")


def test_an_administrator_reassigns_a_zone_with_a_reason(browser, site: Site) -> None:
    page = sign_in(browser, "admin", password="admin-password")
    page.get_by_role("link", name="组织管理").click()
    assert page.locator(".gap-row").count() == 0
    assert "陈静 (M5)" in page.locator(".gap").inner_text()  # a member without a zone
    page.get_by_text("调整责任党员: 机电队 (Z3)").click()
    form = page.locator('form[action="/app/organisation/zones/Z3/responsibles"]')
    form.get_by_label("陈静 (M5)").check()
    form.get_by_label("原因（必填）").fill("陈静调入机电队，与李强共同负责。")
    form.get_by_role("button", name="调整责任党员").click()
    assert "已调整责任党员" in page.get_by_role("status").inner_text()
    zone = site.api.get("admin", "/zones/Z3").json()
    assert zone["responsible_member_ids"] == ["M3", "M5"]
    assert unlabelled(page) == []
    shoot(page, "organisation")
