"""The overdue list (逾期清单): every appraisal waiting past its step's due date, for the
organisation department and the secretaries to chase.

One sheet: a title row (the period or every period, and the instant it is as of in China
time), the headers, then a row per late appraisal, most overdue first. Days are numbers and
due dates ISO text, so the sheet sorts and filters; names as text, never a formula
(reports.sheet_text). Dated by its `as_of`, so the same list gives the same bytes
(reports.xlsx_file).
"""

from collections.abc import Mapping
from typing import Any
from urllib.parse import quote

from openpyxl.styles import Font

from reports.archive_view import local_time
from reports.labels import label, period_title
from reports.sheet_text import as_text, text_cell
from reports.xlsx_file import as_of_time, dated_bytes, one_sheet

MEDIA_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
WORDS: dict[str, dict[str, Any]] = {
    "zh": {"sheet": "逾期清单", "title": "{period}党员责任区考核逾期清单（截至 {as_of} 北京时间）",
           "every": "全部考核期",
           "headers": ("考核期", "支部", "党小组", "责任区编号", "责任区", "待办环节", "签署角色",
                       "责任人", "截止日期", "逾期天数"),
           "sep": "、"},
    "en": {"sheet": "Overdue", "title": "Overdue appraisals, {period} (as of {as_of} China time)",
           "every": "every period",
           "headers": ("Period", "Branch", "Party group", "Zone id", "Zone", "Step waiting",
                       "Signed by (role)", "Responsible", "Due", "Days overdue"),
           "sep": ", "},
}
WIDTHS = (12, 18, 14, 12, 18, 14, 14, 18, 12, 10)


def workbook(overdue: Mapping[str, Any], lang: str = "zh") -> bytes:
    """The overdue list's body (service.cases.overdue.read) as XLSX bytes."""
    words = WORDS[lang]
    book, sheet = one_sheet(words["sheet"], WIDTHS, "A3")
    period = overdue["period"]
    title = words["title"].format(
        period=words["every"] if period is None else period_title(period, lang),
        as_of=local_time(overdue["as_of"]))
    heading = text_cell(sheet, title)
    heading.font = Font(bold=True, size=14)
    sheet.append([heading])
    sheet.append([_bold(sheet, header) for header in words["headers"]])
    for row in overdue["items"]:
        sheet.append([as_text(sheet, value) for value in _values(row, lang)])
    book.properties.title = title
    return dated_bytes(book, as_of_time(overdue["as_of"]))


def filename(overdue: Mapping[str, Any]) -> str:
    """A Content-Disposition value: an ASCII name, and the Chinese one for clients that read it."""
    period = overdue["period"] or "all"
    chinese = quote(f"逾期清单-{period}.xlsx")
    return f"attachment; filename=\"overdue-{period}.xlsx\"; filename*=UTF-8''{chinese}"


def _values(row: Mapping[str, Any], lang: str) -> list[Any]:
    return [period_title(row["period"], lang), row["branch_name"], row["group_name"],
            row["zone_id"], row["zone_name"], label("step", row["step"], lang),
            label("role", row["role"], lang), WORDS[lang]["sep"].join(row["who"]), row["due"],
            row["days_overdue"]]


def _bold(sheet: Any, value: str) -> Any:
    cell = text_cell(sheet, value)
    cell.font = Font(bold=True)
    return cell
