"""The zones' supervision findings (督导检查) in the year's XLSX and PDF: a sheet and a section
of their own, every finding with its rectification (整改) or 未整改, text kept as text."""

import io
from typing import Any

import openpyxl
import pypdf

from reports import archive_pdf, archive_xlsx
from reports.archive_view import event_note
from tests.archive_sample import sample_archive

SHA = "0" * 64
HEADERS = ("支部", "责任区编号", "责任区", "检查日期", "检查方式", "发现的问题", "附件", "检查人",
           "记录时间", "整改情况", "整改附件", "整改人", "整改时间")


def with_findings() -> dict[str, Any]:
    archive = sample_archive(zones=2, months=1)
    zone = archive["appraisals"][0]
    base = {"zone_id": zone["zone_id"], "zone_name": zone["zone_name"],
            "branch_id": zone["branch_id"], "appraisal_id": None, "period": None,
            "actor": "admin"}
    photo = {"sha256": "ab" * 32, "name": "现场.jpg", "media_type": "image/jpeg", "size": 9}
    archive["findings"] = [
        {**base, "id": "s-f1", "method": "on_site", "date": "2026-03-02",
         "text": "=HYPERLINK(\"http://x\")", "attachments": [photo],
         "at": "2026-03-02T01:00:00.000000Z",
         "rectification": {"text": "已整改", "attachments": [], "actor": "admin",
                           "at": "2026-03-04T17:30:00.000000Z"}},
        {**base, "id": "s-f2", "method": "records", "date": "2026-05-06", "text": "台账缺页",
         "attachments": [], "at": "2026-05-06T02:00:00.000000Z", "rectification": None}]
    return archive


def test_the_workbook_has_a_sheet_of_findings_with_their_answers_as_text() -> None:
    book = openpyxl.load_workbook(io.BytesIO(archive_xlsx.workbook(with_findings(), SHA)))
    rows = list(book["督导检查"].iter_rows(values_only=True))
    assert rows[0] == HEADERS
    assert rows[1][3:10] == ("2026-03-02", "实地检视", "=HYPERLINK(\"http://x\")",
                             "现场.jpg（abababab）", "系统管理员（admin）", "2026-03-02 09:00",
                             "已整改")
    assert rows[1][12] == "2026-03-05 01:30"  # Beijing time, the next day
    assert rows[2][9] == "未整改" and len(rows) == 3
    assert book["督导检查"].cell(2, 6).data_type == "s"


def test_an_archive_without_findings_still_has_their_sheet_and_section() -> None:
    archive = sample_archive(zones=1, months=1)
    book = openpyxl.load_workbook(io.BytesIO(archive_xlsx.workbook(archive, SHA)))
    assert list(book["督导检查"].iter_rows(values_only=True)) == [HEADERS]
    text = _text(archive_pdf.document(archive, SHA))
    assert "本年度无责任区督导检查记录" in text


def test_the_pdf_lists_each_finding_with_its_answer() -> None:
    text = _text(archive_pdf.document(with_findings(), SHA))
    for shown in ("责任区督导检查", "实地检视", "台账缺页", "附件：现场.jpg（abababab）", "已整改",
                  "未整改"):
        assert shown in text, shown


def test_an_appraisals_history_says_what_was_found_and_answered() -> None:
    found = {"type": "finding_recorded", "data": {
        "finding": "x-f1", "method": "spot_check", "date": "2026-10-08", "text": "抽查夜班",
        "attachments": []}}
    assert event_note(found) == "重点抽查（2026-10-08）：抽查夜班"
    answered = {"type": "rectification_recorded", "data": {
        "finding": "x-f1", "text": "已培训", "attachments": []}}
    assert event_note(answered) == "整改：已培训"


def _text(pdf: bytes) -> str:
    return "".join(page.extract_text() for page in pypdf.PdfReader(io.BytesIO(pdf)).pages)
