"""The ranking as the spreadsheet a branch posts (公示) and pays from.

One sheet: a title row naming the period (and the instant, for a ranking as it stood then),
the ranking under Chinese headers with whether each result is final (定稿), then the
reward/penalty ledger (奖惩汇总) of the final rows listed: a branch pays what can no longer
change. Numbers are stored as numbers so a branch can sum them itself, and text as text,
never a formula (reports.sheet_text); written in write-only mode, so a period of 100,000
zones streams out without building every cell as an object first. A ranking as of an
instant is dated by it (reports.xlsx_file): the same ranking, the same bytes.
"""

from collections.abc import Mapping
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any
from urllib.parse import quote

from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Alignment, Font
from openpyxl.worksheet._write_only import WriteOnlyWorksheet

from reports.archive_view import local_time
from reports.labels import GRADES, period_title
from reports.sheet_text import as_text, text_cell
from reports.xlsx_file import dated_bytes

MEDIA_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
HEADERS = ("名次", "责任区", "支部", "党小组", "条线", "责任人", "得分", "等次", "奖惩金额(元)",
           "定稿")
WIDTHS = (8, 22, 16, 16, 14, 24, 10, 12, 14, 8)
SCORE_FORMAT = "0.0"
MONEY_FORMAT = "#,##0.00"
FINAL = {True: "是", False: "否"}
LEDGER_TITLE = "奖惩汇总（仅计已定稿结果）"


def filename(period: str, as_of: str | None = None) -> str:
    """A Content-Disposition value: an ASCII name, and the Chinese one for clients that read
    it; a ranking as of an instant is named with it (UTC, to the second)."""
    name = period if as_of is None else f"{period}-{as_of.replace('-', '').replace(':', '')[:15]}"
    chinese = quote(f"排名公示-{name}.xlsx")
    return f"attachment; filename=\"ranking-{name}.xlsx\"; filename*=UTF-8''{chinese}"


Names = Mapping[str, Mapping[str, str]]


def workbook(ranking: Mapping[str, Any], names: Names, scope: str = "") -> bytes:
    """The ranking (the JSON body of GET /rankings) as XLSX bytes. `names["member"]`,
    `["branch"]` and `["group"]` map ids to names; an id without one is shown as it is."""
    book = Workbook(write_only=True)
    sheet = book.create_sheet("排名公示")
    for column, width in zip("ABCDEFGHIJ", WIDTHS, strict=True):
        sheet.column_dimensions[column].width = width
    sheet.freeze_panes = "A3"
    sheet.append([_cell(sheet, title(ranking, scope), bold=True, size=14)])
    sheet.append([_cell(sheet, header, bold=True, centred=True) for header in HEADERS])
    for entry in ranking["entries"]:
        sheet.append(_row(sheet, entry, names))
    sheet.append([])
    _ledger(sheet, ranking)
    as_of = ranking.get("as_of")
    moment = datetime.now(UTC) if as_of is None else datetime.fromisoformat(as_of)
    return dated_bytes(book, moment.replace(tzinfo=None))


def title(ranking: Mapping[str, Any], scope: str = "") -> str:
    """The sheet's title: the period, the filters, and the instant if it is one's (Beijing
    time: 2026年10月党员责任区考核排名公示（综采支部）（截至北京时间 2026-11-05 09:30））."""
    as_of = ranking.get("as_of")
    then = "" if as_of is None else f"（截至北京时间 {local_time(as_of)}）"
    return f"{period_title(ranking['period'])}党员责任区考核排名公示{scope}{then}"


def _row(sheet: WriteOnlyWorksheet, entry: Mapping[str, Any], names: Names) -> list[Any]:
    people = "、".join(names["member"].get(m, m) for m in entry["responsible_member_ids"])
    branch, group = entry["branch_id"], entry["group_id"]
    texts = (entry["zone_name"], names["branch"].get(branch, branch),
             names["group"].get(group, group), entry["line"], people)
    return [entry["rank"], *(as_text(sheet, text) for text in texts),
            _cell(sheet, entry["score"], number_format=SCORE_FORMAT), GRADES[entry["grade"]],
            _cell(sheet, entry["reward"], number_format=MONEY_FORMAT), FINAL[entry["final"]]]


def _ledger(sheet: WriteOnlyWorksheet, ranking: Mapping[str, Any]) -> None:
    """Totals of what the listed final rows pay and fine, how many of them fall in each
    grade, and how many results are not final yet, not published, or cancelled."""
    final = [entry for entry in ranking["entries"] if entry["final"]]
    # Exact sums: each reward is yuan with at most two decimals, whose shortest repr is exact.
    amounts = [Decimal(str(entry["reward"])) for entry in final]
    rewards = sum((a for a in amounts if a > 0), Decimal(0))
    penalties = sum((a for a in amounts if a < 0), Decimal(0))
    sheet.append([_cell(sheet, LEDGER_TITLE, bold=True)])
    for label, amount in (("奖励合计(元)", rewards), ("处罚合计(元)", penalties),
                          ("净额(元)", rewards + penalties)):
        sheet.append([label, _cell(sheet, _number(amount), number_format=MONEY_FORMAT)])
    listed = [entry["grade"] for entry in final]
    for grade, chinese in GRADES.items():
        sheet.append([f"{chinese}(个)", listed.count(grade)])
    sheet.append(["未定稿(个)", len(ranking["entries"]) - len(final)])
    sheet.append(["未公示(个)", ranking["unpublished"]])
    sheet.append(["已撤销(个)", ranking["cancelled"]])  # opened by mistake: never ranked


def _number(amount: Decimal) -> int | float:
    return int(amount) if amount == amount.to_integral_value() else float(amount)


def _cell(sheet: WriteOnlyWorksheet, value: Any, *, bold: bool = False, size: int | None = None,
          centred: bool = False, number_format: str | None = None) -> WriteOnlyCell:
    cell = text_cell(sheet, value)
    if bold or size:
        cell.font = Font(bold=bold, size=size)
    if centred:
        cell.alignment = Alignment(horizontal="center")
    if number_format:
        cell.number_format = number_format
    return cell

