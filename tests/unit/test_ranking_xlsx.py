"""The ranking as XLSX: whether each result is final, a reward ledger of final results only,
and a ranking as of an instant titled and dated by it, the same bytes whatever the clock."""

import io
import time
from typing import Any

import pytest
from openpyxl import load_workbook

from reports import ranking_xlsx

NAMES = {"member": {"M1": "张伟", "M2": "王芳"}, "branch": {"B1": "综采支部"},
         "group": {"G1": "一组"}}


def entry(rank: int, zone: str, score: float, grade: str, reward: float,
          final: bool) -> dict[str, Any]:
    return {"rank": rank, "appraisal_id": f"id-{zone}", "zone_id": zone, "zone_name": zone,
            "branch_id": "B1", "group_id": "G1", "line": "采煤线",
            "responsible_member_ids": ["M1"], "score": score, "grade": grade,
            "reward": reward, "final": final}


RANKING = {"period": "2026-10", "unpublished": 3, "cancelled": 1, "distribution": {}, "entries": [
    entry(1, "Z1", 95, "excellent", 200, True), entry(2, "Z2", 90, "excellent", 200, False),
    entry(3, "Z3", 85.5, "qualified", 50.25, True), entry(4, "Z4", 60, "unqualified", -100,
                                                         True),
    entry(5, "Z5", 55, "unqualified", -100, False)]}


def sheet_rows(data: bytes) -> list[list[Any]]:
    return [list(row) for row in load_workbook(io.BytesIO(data)).active.iter_rows(
        values_only=True)]


def test_each_row_says_whether_its_result_is_final():
    rows = sheet_rows(ranking_xlsx.workbook(RANKING, NAMES))
    assert rows[1][-2:] == ["奖惩金额(元)", "定稿"]
    assert [(r[1], r[-1]) for r in rows[2:7]] == [("Z1", "是"), ("Z2", "否"), ("Z3", "是"),
                                                  ("Z4", "是"), ("Z5", "否")]


def test_the_ledger_counts_only_final_results_and_says_so():
    rows = sheet_rows(ranking_xlsx.workbook(RANKING, NAMES))
    ledger = {r[0]: r[1] for r in rows[7:] if r and r[0]}
    assert ledger == {"奖惩汇总（仅计已定稿结果）": None, "奖励合计(元)": 250.25,
                      "处罚合计(元)": -100, "净额(元)": 150.25, "优秀(个)": 1, "合格(个)": 1,
                      "基本合格(个)": 0, "不合格(个)": 1, "未定稿(个)": 2, "未公示(个)": 3,
                      "已撤销(个)": 1}


def test_a_ranking_as_of_an_instant_is_titled_in_beijing_time_and_named_by_it():
    then = {**RANKING, "as_of": "2026-11-04T17:30:00.123456Z"}
    title = sheet_rows(ranking_xlsx.workbook(then, NAMES, "（综采支部）"))[0][0]
    assert title == "2026年10月党员责任区考核排名公示（综采支部）（截至北京时间 2026-11-05 01:30）"
    assert sheet_rows(ranking_xlsx.workbook(RANKING, NAMES))[0][0] == \
        "2026年10月党员责任区考核排名公示"
    assert 'filename="ranking-2026-10-20261104T173000.xlsx"' in \
        ranking_xlsx.filename("2026-10", then["as_of"])
    assert 'filename="ranking-2026-10.xlsx"' in ranking_xlsx.filename("2026-10")


def test_a_ranking_as_of_an_instant_is_the_same_bytes_whatever_the_clock(
        monkeypatch: pytest.MonkeyPatch):
    then = {**RANKING, "as_of": "2026-11-04T17:30:00.123456Z"}
    first = ranking_xlsx.workbook(then, NAMES)
    monkeypatch.setattr(time, "time", lambda: 4_102_444_800.0)  # 2100-01-01: zip entry dates
    assert ranking_xlsx.workbook(then, NAMES) == first
    properties = load_workbook(io.BytesIO(first)).properties
    assert properties.created.isoformat() == "2026-11-04T17:30:00"


def test_a_ranking_as_of_before_1980_still_makes_a_file():
    then = {**RANKING, "entries": [], "as_of": "1970-01-01T00:00:00.000000Z"}
    assert sheet_rows(ranking_xlsx.workbook(then, NAMES))[0][0].endswith(
        "（截至北京时间 1970-01-01 08:00）")
