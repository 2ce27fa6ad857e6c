"""The year-end archive as PDF: reproducible bytes, the manifest read back, Chinese text
that a PDF library extracts (so it is really there, in an embedded font), every page traced
to its JSON by the footer."""

import io
import json
import re
import time

import pypdf
import pytest

from reports import archive_pdf, pdf_typeset
from reports import archive_view as view
from reports.labels import label, period_title
from tests.archive_sample import LONG, sample_archive

SHA = "0123456789abcdef" * 4


@pytest.fixture(scope="module")
def archive() -> dict:
    return sample_archive(zones=5, months=3)


@pytest.fixture(scope="module")
def pdf(archive: dict) -> bytes:
    return archive_pdf.document(archive, SHA)


@pytest.fixture(scope="module")
def pages(pdf: bytes) -> list[str]:
    return [page.extract_text() for page in pypdf.PdfReader(io.BytesIO(pdf)).pages]


def test_the_same_archive_gives_the_same_bytes_whatever_the_clock(
        archive: dict, pdf: bytes, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(time, "time", lambda: 4_102_444_800.0)  # 2100-01-01
    assert archive_pdf.document(archive, SHA) == pdf


def test_a_different_hash_gives_a_different_file(archive: dict, pdf: bytes) -> None:
    assert archive_pdf.document(archive, "f" * 64) != pdf


def test_the_manifest_reads_back_exactly(archive: dict, pdf: bytes) -> None:
    expected = {**archive["manifest"], "json_sha256": SHA, "format": "pdf",
                "font": "wqy-microhei.ttc"}
    assert archive_pdf.read_manifest(pdf) == expected
    info = pypdf.PdfReader(io.BytesIO(pdf)).metadata
    assert json.loads(info["/AppraisalManifest"]) == expected
    assert info.title == "2026年度党员责任区考核档案"


def test_a_file_without_a_manifest_is_refused() -> None:
    with pytest.raises(ValueError, match="no appraisal manifest"):
        archive_pdf.read_manifest(b"%PDF-1.4\n%%EOF\n")


def test_the_chinese_font_is_embedded(pdf: bytes) -> None:
    reader = pypdf.PdfReader(io.BytesIO(pdf))
    fonts = reader.pages[3]["/Resources"]["/Font"]
    for font in fonts.values():
        descriptor = font.get_object()["/FontDescriptor"].get_object()
        assert "/FontFile2" in descriptor, font.get_object()["/BaseFont"]


def test_the_cover_carries_the_manifest_and_how_to_verify(pages: list[str]) -> None:
    cover = pages[0]
    assert "2026年度党员责任区考核档案" in cover
    assert SHA in cover
    assert "appraisal archive verify" in cover
    assert "全部支部" in cover


def test_the_cover_shows_the_log_checkpoint_and_the_info_carries_its_proofs(
        archive: dict, pdf: bytes, pages: list[str]) -> None:
    checkpoint = archive["manifest"]["ledger"]["checkpoint"]
    assert f"日志检查点 {checkpoint['size']}（根哈希 {checkpoint['root'][:16]}…，SM3）" in \
        re.sub(r"\s*\n\s*", " ", pages[0])
    assert archive_pdf.read_manifest(pdf)["ledger"] == archive["manifest"]["ledger"]


def test_the_summary_lists_each_member_with_their_year(archive: dict, pages: list[str]
                                                       ) -> None:
    summary = pages[1]
    assert "党员考核汇总" in summary and "月均分" in summary
    for member in archive["members"]:
        assert member["name"] in summary
        if member["monthly_average"] is not None:
            assert str(member["monthly_average"]) in summary


def test_each_appraisal_has_its_form_with_names_scores_and_grade(
        archive: dict, pages: list[str]) -> None:
    text = "\n".join(pages)
    assert text.count("党员责任区考核表") >= len(archive["appraisals"])
    users = archive["names"]["users"]
    for appraisal in archive["appraisals"]:
        own_id = re.compile(re.escape(appraisal["id"]) + r"(?![-\d])")  # CM001-2026 ≠ …-2026-01
        page = next(p for p in pages if "党员责任区考核表" in p and own_id.search(p))
        review = appraisal["group_review"]
        for code, score in review["scores"].items():
            assert str(score) in page, (appraisal["id"], code)
        assert str(appraisal["score"]) in page
        assert {"excellent": "优秀", "qualified": "合格", "basically_qualified": "基本合格",
                "unqualified": "不合格"}[appraisal["grade"]] in page
        assert users[review["actor"]] in page
        for member_id in appraisal["responsible_member_ids"]:
            assert archive["names"]["members"][member_id] in page


def test_each_form_says_whether_its_result_was_final(archive: dict, pages: list[str]) -> None:
    said = {True: "已定稿", False: "未定稿"}
    assert {a["final"] for a in archive["appraisals"]} == {True, False}
    for appraisal in archive["appraisals"]:
        own_id = re.compile(re.escape(appraisal["id"]) + r"(?![-\d])")
        page = next(p for p in pages if "党员责任区考核表" in p and own_id.search(p))
        assert "公示定稿" in page and said[appraisal["final"]] in page, appraisal["id"]
        assert said[not appraisal["final"]] not in page, appraisal["id"]


def test_history_rows_show_signers_named_over_two_lines_in_full(
        archive: dict, pages: list[str]) -> None:
    """A signer's name and login take two lines in the history's narrow cell; each row
    shows them whole, the cell's lines one after the other, between event and role."""
    users = archive["names"]["users"]
    texts = [re.sub(r"\s", "", page) for page in pages]
    for appraisal in archive["appraisals"]:
        subtitle = f"（{appraisal['zone_id']}）·{period_title(appraisal['period'])}"
        text = "".join(page for page in texts if subtitle in page)
        for entry in appraisal["history"]:
            row = (f"{view.local_time(entry['at'])}{label('event', entry['type'])}"
                   f"{users[entry['actor']]}（{entry['actor']}）{label('role', entry['role'])}")
            assert row.replace(" ", "") in text, row


def test_forms_alike_share_their_grid(archive: dict, pdf: bytes) -> None:
    """A form's grid and labels are drawn once per shape (a PDF form XObject) that every
    page of that shape draws under its own texts."""
    reader = pypdf.PdfReader(io.BytesIO(pdf))
    sheets = [page for page in reader.pages if "党员责任区考核表" in page.extract_text()]
    assert all(page["/Resources"]["/XObject"] for page in sheets)
    # The months' forms; the year-ends, which carry their months, are shapes of their own.
    monthly = [page for page in sheets if re.search(r"2026年\d+月", page.extract_text())]
    year_end = [page for page in sheets if page not in monthly]
    shared = {name for page in monthly for name in page["/Resources"]["/XObject"]}
    months = sum(len(a["period"]) > 4 for a in archive["appraisals"])
    assert len(shared) <= (months + 1) // 2  # half the forms, rounded up
    assert len({name for page in year_end for name in page["/Resources"]["/XObject"]}) < \
        len(year_end)


def test_returns_and_reopenings_show_with_their_reasons(archive: dict, pages: list[str]) -> None:
    text = "".join(pages).replace("\n", "")
    reasons = [entry["data"]["reason"] for appraisal in archive["appraisals"]
               for entry in appraisal["history"] if entry["type"] in ("returned", "reopened")]
    assert reasons, "the sample has returns"
    for reason in reasons:
        assert reason in text


def test_an_empty_archive_still_makes_a_file() -> None:
    empty = {**sample_archive(zones=0), "members": []}
    data = archive_pdf.document(empty, SHA)
    assert archive_pdf.read_manifest(data)["json_sha256"] == SHA
    assert "考核表 0 份" in _text(data)


def test_an_unsigned_step_renders() -> None:
    archive = sample_archive(zones=1, months=1)
    appraisal = archive["appraisals"][0]
    appraisal["self_check"] = None
    appraisal["history"] = [e for e in appraisal["history"]
                            if e["type"] != "self_check_submitted"]
    text = _text(archive_pdf.document(archive, SHA))
    assert "未签署" in text


def test_a_long_comment_wraps_in_full_onto_a_continued_page(pages: list[str]) -> None:
    assert any("考核表（续）" in page for page in pages)
    assert LONG in "".join(pages).replace("\n", "")


def test_every_page_has_a_footer_with_its_number_and_the_hash(pages: list[str]) -> None:
    for number, page in enumerate(pages, start=1):
        assert f"第 {number} / {len(pages)} 页" in page
        assert f"SHA-256 {SHA[:16]}" in page


def test_a_branch_archive_names_its_branch(archive: dict) -> None:
    branch = {**archive, "manifest": {**archive["manifest"], "branch_id": "K0001-B1"}}
    assert "1矿综采支部（K0001-B1）" in _text(archive_pdf.document(branch, SHA))


def test_without_the_font_file_it_falls_back_and_says_so(
        archive: dict, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(pdf_typeset, "FONT_PATH", "/nonexistent/wqy-microhei.ttc")
    data = archive_pdf.document(archive, SHA)
    assert archive_pdf.read_manifest(data)["font"] == "STSong-Light (not embedded)"
    assert "未嵌入" in _text(data)


def _text(data: bytes) -> str:
    return "\n".join(page.extract_text() for page in pypdf.PdfReader(io.BytesIO(data)).pages)


def test_a_year_end_form_shows_its_months_as_read(archive: dict, pages: list[str]) -> None:
    for year_end in (a for a in archive["appraisals"] if a["period"] == "2026"):
        subtitle = f"（{year_end['zone_id']}）·{period_title('2026')}"
        text = "".join(re.sub(r"\s", "", page) for page in pages if subtitle in
                       re.sub(r"\s", "", page))
        months = year_end["months"]
        assert "各月考核结果（年度考核依据）" in text
        for found in months["results"].values():
            if found is not None:
                assert f"{found['score']}{label('grade', found['grade'])}" in text
        assert f"已公示3个月；月均分{months['average']}" in text
        assert f"履职尽责{months['offered']['duty']}" in text
    monthly = [p for p in pages if re.search(r"2026年\d+月", p)]
    assert monthly and not [p for p in monthly if "年度考核依据" in p]
