"""The posted result list (公示表) as PDF: read back with a PDF library, page by page — the
title, the table's rows, the window in China time, how to object, the seal line — in
reproducible bytes, in Chinese and in English."""

import io
import re
import time
from datetime import UTC, datetime
from typing import Any
from urllib.parse import unquote

import pypdf
import pytest

from reports import board_pdf

GRADES = ("excellent", "qualified", "basically_qualified", "unqualified")
NAMES = {"branch": {"B1": "综采支部"}, "group": {"G1": "综采一队党小组"},
         "member": {"M1": "张三", "M2": "欧阳娜娜"}}
HEADER = "排名 责任区 责任党员 党小组 得分 等次 奖惩（元）"
MANY = 120


def posting(entries: int = 3, **changes: Any) -> dict[str, Any]:
    """A branch's November posting, open from 7 to 11 December (China time)."""
    rows = [{"rank": i + 1, "appraisal_id": f"00000000-0000-5000-8000-{i:012d}",
             "zone_id": f"Z{i + 1}", "zone_name": f"综采一队{i + 1}号责任区", "branch_id": "B1",
             "group_id": "G1", "line": "采煤线", "responsible_member_ids": ["M1", "M2"],
             "score": 95.5 - i * 0.5, "grade": GRADES[i % 4], "reward": (200, -100.5, 0, 50)[i % 4]}
            for i in range(entries)]
    counts = {grade: sum(1 for row in rows if row["grade"] == grade) for grade in GRADES}
    return {"id": "B1-2026-11-p1", "branch_id": "B1", "period": "2026-11", "number": 1,
            "as_of": "2026-12-07T01:00:00.000000Z", "opens": "2026-12-07T01:00:00.000000Z",
            "closes": "2026-12-11T16:00:00.000000Z", "days": 5, "state": "open",
            "replaces": None, "pending": 0, "entries": rows, "distribution": counts, **changes}


def texts(data: bytes) -> list[str]:
    return [page.extract_text() for page in pypdf.PdfReader(io.BytesIO(data)).pages]


def joined(data: bytes) -> str:
    """Every page's text without white space: a wrapped cell's lines read as one."""
    return re.sub(r"\s", "", "".join(texts(data)))


@pytest.fixture(scope="module")
def many() -> bytes:
    return board_pdf.document(posting(MANY), NAMES)


@pytest.fixture(scope="module")
def pages(many: bytes) -> list[str]:
    return texts(many)


def test_the_title_names_the_branch_and_the_period(pages: list[str]) -> None:
    assert pages[0].startswith("综采支部2026年11月党员责任区考核结果公示\n")
    assert "更正" not in pages[0]


def test_a_year_end_posting_is_titled_by_the_year() -> None:
    page = texts(board_pdf.document(posting(period="2026"), NAMES))[0]
    assert "综采支部2026年度党员责任区考核结果公示" in page


def test_a_zone_row_shows_rank_names_score_grade_and_reward(pages: list[str]) -> None:
    assert "1 综采一队1号责任区 张三、欧阳娜娜 综采一队党小组 95.5 优秀 200.00" in pages[0]
    assert "2 综采一队2号责任区 张三、欧阳娜娜 综采一队党小组 95.0 合格 -100.50" in pages[0]
    assert "3 综采一队3号责任区 张三、欧阳娜娜 综采一队党小组 94.5 基本合格 0.00" in pages[0]


def test_the_window_runs_to_the_day_before_it_closes_in_china_time(pages: list[str]) -> None:
    assert "公示期：2026年12月7日至2026年12月11日" in pages[-1]


def test_the_window_is_read_in_china_time_whatever_the_utc_date() -> None:
    # 17:00 UTC is 01:00 the next day in China; closing at 10:00 China time keeps that day.
    late = posting(opens="2026-12-06T17:00:00.000000Z", closes="2026-12-12T02:00:00.000000Z")
    page = texts(board_pdf.document(late, NAMES))[0]
    assert "公示期：2026年12月7日至2026年12月12日" in page
    assert "2026年12月7日\n" in page  # the seal's date: the day it was posted, China time


def test_the_board_says_how_to_object_and_ends_with_the_seal(pages: list[str]) -> None:
    last = pages[-1]
    assert "对考核结果如有异议，可向党支部书记当面或书面提出" in last
    assert ("等次分布：优秀 30 个，合格 30 个，基本合格 30 个，不合格 30 个，"
            "共 120 个责任区。") in last
    assert last.index("公示期") < last.index("中共综采支部（盖章）\n2026年12月7日")


def test_many_entries_run_onto_further_pages_under_the_header_again(pages: list[str]) -> None:
    assert len(pages) == 4
    for number, page in enumerate(pages, start=1):
        assert HEADER in page
        assert f"第 {number} 页 共 4 页" in page
    for page in pages[1:]:
        assert page.startswith("综采支部2026年11月党员责任区考核结果公示（续）\n")
    rows = re.findall(r"^(\d+) 综采一队(\d+)号责任区", "\n".join(pages), re.MULTILINE)
    assert [int(rank) for rank, _ in rows] == list(range(1, MANY + 1))


def test_the_same_posting_gives_the_same_bytes_whatever_the_clock(
        many: bytes, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(time, "time", lambda: 4_102_444_800.0)  # 2100-01-01
    assert board_pdf.document(posting(MANY), NAMES) == many


def test_the_document_is_dated_as_of_the_posting(many: bytes) -> None:
    info = pypdf.PdfReader(io.BytesIO(many)).metadata
    assert info is not None
    assert info.creation_date == datetime(2026, 12, 7, 1, 0, tzinfo=UTC)
    assert info.title == "综采支部2026年11月党员责任区考核结果公示"


def test_a_reposting_says_so_and_names_the_posting_it_replaces() -> None:
    page = texts(board_pdf.document(posting(number=2, id="B1-2026-11-p2",
                                            replaces="B1-2026-11-p1"), NAMES))[0]
    assert "考核结果公示\n（更正后重新公示）" in page
    assert "替代编号为 B1-2026-11-p1 的公示" in page


def test_a_superseded_or_closed_posting_says_so() -> None:
    assert "不再有效" in texts(board_pdf.document(posting(state="superseded"), NAMES))[0]
    assert "公示期已结束" in texts(board_pdf.document(posting(state="closed"), NAMES))[0]


def test_zones_still_pending_are_mentioned_only_when_there_are_some(pages: list[str]) -> None:
    assert "另有 2 个责任区" in texts(board_pdf.document(posting(pending=2), NAMES))[0]
    assert "另有" not in pages[-1]


def test_an_id_without_a_name_shows_as_the_id() -> None:
    page = texts(board_pdf.document(posting(1), {"branch": {}, "group": {}, "member": {}}))[0]
    assert page.startswith("B12026年11月党员责任区考核结果公示")
    assert "1 综采一队1号责任区 M1、M2 G1 95.5 优秀 200.00" in page
    assert "中共B1（盖章）" in page


def test_long_names_wrap_in_their_cells_and_are_never_cut() -> None:
    zone = "1矿综采一队生产一班及机电维修班联合党员责任区（含井下运输大巷和回风巷道）"
    branch = "某某煤矿综采一队及机电维修班联合党支部委员会第一党支部" * 2
    changed = posting(1)
    changed["entries"][0]["zone_name"] = zone
    names = {**NAMES, "branch": {"B1": branch}}
    data = board_pdf.document(changed, names)
    page = texts(data)[0]
    assert zone not in page and branch not in page  # neither fits on one line
    assert zone in joined(data) and f"{branch}2026年11月" in joined(data)
    assert "…" not in page


def test_an_empty_posting_still_makes_a_board() -> None:
    page = texts(board_pdf.document(posting(0), NAMES))[0]
    assert HEADER in page and "本期没有可公示的考核结果" in page


def test_the_english_board_uses_english_words_and_dates() -> None:
    data = board_pdf.document(posting(MANY, replaces="B1-2026-11-p0"), NAMES, lang="en")
    pages = texts(data)
    title = "综采支部: party-member responsibility zone appraisal results, November 2026"
    assert re.sub(r"\s+", " ", pages[0]).startswith(f"{title} (public notice)")
    assert "(re-posted after correction)" in pages[0]
    for header in ("Rank", "Zone", "Responsible", "members", "Party group", "Score", "Grade"):
        assert header in pages[0]
    assert "1 综采一队1号责任区 张三, 欧阳娜娜 综采一队党小组 95.5 Excellent 200.00" in pages[0]
    assert "Basically qualified" in re.sub(r"\s+", " ", pages[0])
    last = pages[-1]
    assert "Posting period: 7 December 2026 to 11 December 2026" in last
    assert "CPC 综采支部 (seal)\n7 December 2026" in last
    assert f"Page {len(pages)} of {len(pages)}" in last
    for chinese in ("排名", "优秀", "公示期", "盖章", "共"):
        assert chinese not in "".join(pages)


def test_the_filename_has_an_ascii_name_and_the_chinese_one() -> None:
    value = board_pdf.filename(posting(number=2), NAMES)
    assert value.startswith('attachment; filename="board-B1-2026-11-2.pdf"; filename*=UTF-8\'\'')
    assert unquote(value.split("''", 1)[1]) == "综采支部-2026-11-考核结果公示-第2次.pdf"
    hostile = board_pdf.filename({**posting(), "branch_id": 'B"1/支'}, {"branch": {}})
    assert 'filename="board-B_1__-2026-11-1.pdf"' in hostile
    assert board_pdf.MEDIA_TYPE == "application/pdf"
