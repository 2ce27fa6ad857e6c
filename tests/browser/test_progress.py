"""Progress at a glance and the printed board, looked at as pictures: the progress page in a
real browser at 360 and 1280 px (no sideways scrolling on a phone), and the board's A4 PDF
rendered to an image by poppler's pdftoppm (installed by `make test` with Chromium)."""

import shutil
import subprocess
from pathlib import Path

import pytest

from tests.browser.conftest import PHONE, SCREENSHOTS, Site
from tests.browser.test_signing import shoot, sign_in
from tests.conftest import IN_CI

PDFTOPPM = shutil.which("pdftoppm")


def test_the_progress_page_shows_each_branch_as_bars_on_a_phone(browser, site: Site) -> None:
    site.api.publish("Z1", "2026-04")
    site.api.open("Z3", "2026-04")  # waits for a self-check no one in this store signs
    page = sign_in(browser, "inspector")
    page.get_by_role("link", name="进度一览").click()
    page.get_by_label("考核期").fill("2026-04")
    page.get_by_role("button", name="查看").click()
    branch = page.locator("section.progress-branch").first
    assert "综采支部" in branch.inner_text()  # B1: Z1 published, Z3 at its self-check
    assert branch.locator("rect.part-published").count() == 1
    assert branch.locator("rect.part-self_check").count() == 1
    page.set_viewport_size(PHONE)
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    shoot(page, "progress")


def test_the_printed_board_looks_like_a_board(site: Site, tmp_path: Path) -> None:
    if PDFTOPPM is None:
        if IN_CI:
            pytest.fail("pdftoppm is missing: `make test` installs poppler-utils")
        pytest.skip("pdftoppm (poppler-utils) is not installed")
    site.api.publish("Z1", "2026-03")
    posted = site.api.post("secretary", "/branches/B1/postings",
                           json={"period": "2026-03", "partial": True})
    assert posted.status_code == 201, posted.text
    pdf = site.api.get("m1", f"/postings/{posted.json()['id']}/board")
    (tmp_path / "board.pdf").write_bytes(pdf.content)
    subprocess.run([PDFTOPPM, "-png", "-r", "60", "-f", "1", "-l", "1", "-singlefile",
                    str(tmp_path / "board.pdf"), str(tmp_path / "board")], check=True)
    picture = (tmp_path / "board.png").read_bytes()
    assert picture.startswith(b"\x89PNG") and len(picture) > 10_000  # drawn, not blank
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    (SCREENSHOTS / "board.png").write_bytes(picture)
