"""Progress at a glance (进度一览): where each branch's appraisals of a period stand, for the
organisation department.

One sheet: a title row (the period, and the instant it is as of in China time), the
headers, a row per branch, then the totals (合计). Counts are stored as numbers, so the
department can sum and filter them; names as text, never a formula (reports.sheet_text).
The file is dated by its `as_of`, so the same progress gives the same bytes
(reports.xlsx_file).
"""

from collections.abc import Mapping
from typing import Any
from urllib.parse import quote

from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Alignment, Font
from openpyxl.worksheet._write_only import WriteOnlyWorksheet

from domain.process import State
from reports.archive_view import local_time
from reports.labels import label, period_title
from reports.sheet_text import as_text, text_cell
from reports.xlsx_file import as_of_time, dated_bytes, one_sheet

MEDIA_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
GAPS = ("zones_without_responsible", "members_without_zone", "groups_without_zone")
POSTINGS = ("none", "open", "closed")
WORDS: dict[str, dict[str, Any]] = {
    "zh": {"sheet": "进度一览", "title": "{period}党员责任区考核进度一览（截至 {as_of} 北京时间）",
           "branch": "支部", "zones": "责任区数", "not_opened": "未开启", "published": "已公示",
           "posting": "公示状态", "final": "已定稿", "open_objections": "未答复异议",
           "gaps": ("无责任党员的责任区", "未分配责任区的党员", "无责任区的党小组"),
           "postings": ("未公示", "公示中", "已定稿"), "totals": "合计"},
    "en": {"sheet": "Progress", "title": "Appraisal progress, {period} (as of {as_of} China time)",
           "branch": "Branch", "zones": "Zones", "not_opened": "Not opened",
           "published": "Published", "posting": "Posting", "final": "Final",
           "open_objections": "Objections unanswered",
           "gaps": ("Zones without a responsible member", "Members without a zone",
                    "Groups without a zone"),
           "postings": ("Not posted", "Posted", "Final"), "totals": "Total"},
}
WIDTHS = (22, 9, 9, 9, 12, 12, 12, 9, 9, 10, 9, 11, 14, 14, 14)

Progress = Mapping[str, Any]
Names = Mapping[str, Mapping[str, str]]


def workbook(progress: Progress, names: Names, lang: str = "zh") -> bytes:
    """The progress (a period's counts by branch, and their totals) as XLSX bytes; a branch
    without a name in `names["branch"]` shows as its id."""
    words = WORDS[lang]
    book, sheet = one_sheet(words["sheet"], WIDTHS, "B3")
    title = words["title"].format(period=period_title(progress["period"], lang),
                                  as_of=local_time(progress["as_of"]))
    sheet.append([_cell(sheet, title, bold=True, size=14)])
    sheet.append([_cell(sheet, header, bold=True, wrap=True) for header in _headers(lang)])
    branches = names.get("branch", {})
    for branch in progress["branches"]:
        shown = branches.get(branch["branch_id"], branch["branch_id"])
        sheet.append([as_text(sheet, value) for value in (shown, *_counts(branch, lang))])
    sheet.append([_cell(sheet, words["totals"], bold=True),
                  *(_cell(sheet, value, bold=True) for value in _counts(progress["totals"], lang))])
    book.properties.title = title
    return dated_bytes(book, as_of_time(progress["as_of"]))


def filename(progress: Progress) -> str:
    """A Content-Disposition value: an ASCII name, and the Chinese one for clients that read it."""
    period = progress["period"]
    chinese = quote(f"进度一览-{period}.xlsx")
    return f"attachment; filename=\"progress-{period}.xlsx\"; filename*=UTF-8''{chinese}"


def _headers(lang: str) -> list[str]:
    words = WORDS[lang]
    # A column per state, in State's order as _counts gives them: the steps awaited, then
    # published and cancelled.
    states = [words["published"] if state == State.PUBLISHED else label("step", state, lang)
              for state in State]
    return [words["branch"], words["zones"], words["not_opened"], *states,
            words["posting"], words["final"], words["open_objections"], *words["gaps"]]


def _counts(row: Mapping[str, Any], lang: str) -> list[Any]:
    """A branch's (or the totals') cells after its name, in the order of the headers; the
    totals have no posting state, and leave its cell empty."""
    states, gaps = row["states"], row["gaps"]
    posting = row.get("posting")
    shown = None if posting is None else _posting(posting, lang)
    return [row["zones"], row["not_opened"], *(states.get(state, 0) for state in State), shown,
            row["final"], row["open_objections"], *(gaps.get(gap, 0) for gap in GAPS)]


def _posting(code: str, lang: str) -> str:
    """未公示, 公示中 or 已定稿; a state this sheet does not know shows as it is."""
    return dict(zip(POSTINGS, WORDS[lang]["postings"], strict=True)).get(code, code)


def _cell(sheet: WriteOnlyWorksheet, value: Any, *, bold: bool = False, size: int | None = None,
          wrap: bool = False) -> WriteOnlyCell:
    cell = text_cell(sheet, value)
    cell.font = Font(bold=bold, size=size)
    if wrap:
        cell.alignment = Alignment(wrap_text=True, horizontal="center", vertical="center")
    return cell

