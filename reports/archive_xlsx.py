"""The year-end archive as a spreadsheet: a cover with the manifest, a member summary per
branch for the democratic evaluation (民主评议党员), and every appraisal as one row.

An archivist must be able to reproduce an issued file byte for byte (`appraisal archive
verify FILE`), so nothing in it may depend on when it was made: the document properties
take the archive's `as_of`, and every zip entry carries that date too (openpyxl would stamp
both with the current time). The manifest is kept machine-readable in two hidden columns
of the cover, each value as JSON, so `read_manifest` gives back exactly what was written: a
key and its JSON text, or, for a value longer than a cell holds (the log's proofs), the
text's first piece beside the key and the rest in rows of the same key at the end of the
sheet, to be joined in row order.

A year's 考核表 sheet is ~2,500 rows of ~55 cells; openpyxl serialises a cell in ~20 µs
here, which alone took 3 s. Its data rows, plain values without styles, are therefore
written as XML directly and put into the sheet openpyxl wrote (with the header row, column
widths and frozen panes) as the zip is written. Strings go in as inline strings, never as
formulas, whatever they start with.
"""

import io
import json
from collections.abc import Mapping, Sequence
from typing import Any
from xml.sax.saxutils import escape as xml_escape

from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.styles import Alignment, Font
from openpyxl.utils import get_column_letter
from openpyxl.worksheet._write_only import WriteOnlyWorksheet

from domain.process import SCORED_STEPS, STEPS
from ledger import offline
from reports import archive_months
from reports import archive_view as view
from reports.labels import label, period_title
from reports.sheet_text import as_text, text_cell
from reports.xlsx_file import as_of_time, dated_bytes

COVER = offline.XLSX_COVER
SHEETS = "考核表"
FINDINGS = "督导检查"
MONTHS = "年度考核依据"
KEY_HEADER = offline.XLSX_KEY_HEADER
CELL_TEXT = 32_000
BAD_SHEET_CHARACTERS = str.maketrans(dict.fromkeys("[]:*?/\\", "_"))
Archive = Mapping[str, Any]


def workbook(archive: Archive, json_sha256: str) -> bytes:
    """The archive as XLSX bytes: the same archive and hash always give the same bytes."""
    book = Workbook(write_only=True)
    names = view.Names(archive)
    _cover(book, archive, view.manifest(archive, json_sha256, "xlsx"))
    _summaries(book, archive, names)
    sheet, rows = _appraisal_sheet(book, archive, names)
    _findings(book, archive, names)
    _months(book, archive, names)
    return _save(book, archive, {sheet: rows})


def read_manifest(data: bytes) -> dict[str, Any]:
    """The manifest written into `workbook`'s cover, exactly as it was given, read as the
    inspectors' verifier reads it (ledger.offline); ValueError if there is none."""
    return {key: json.loads(text)
            for key, text in offline.xlsx_manifest(io.BytesIO(data)).items()}


def _cover(book: Workbook, archive: Archive, manifest: Mapping[str, Any]) -> None:
    sheet = book.create_sheet(COVER)
    _widths(sheet, (16, 90, 12, 40))
    for column in "CD":  # the machine-readable manifest: a key and its value as JSON
        sheet.column_dimensions[column].hidden = True
    sheet.append([_cell(sheet, view.title(archive), bold=True, size=16)])
    sheet.append([f"范围：{view.scope(archive)}"])
    sheet.append([])
    sheet.append([_cell(sheet, "项目", bold=True), _cell(sheet, "内容", bold=True), KEY_HEADER,
                  "json"])
    rest = []
    for key, value in manifest.items():
        first, *more = _pieces(json.dumps(value, ensure_ascii=False))
        sheet.append([view.MANIFEST_LABELS.get(key, key),
                      as_text(sheet, view.manifest_value(key, value, archive)),
                      key, text_cell(sheet, first)])
        rest += [[None, None, key, text_cell(sheet, piece)] for piece in more]
    sheet.append([])
    sheet.append(["考核表份数", len(archive["appraisals"])])
    sheet.append(["党员人数", len(archive["members"])])
    sheet.append(["核验方法", _cell(sheet, view.VERIFY_TEXT, wrap=True)])
    for row in rest:  # a long value's further pieces, below what people read
        sheet.append(row)


def _pieces(text: str) -> list[str]:
    """`text` in pieces a cell holds (Excel keeps 32,767 characters a cell at most)."""
    return [text[i:i + CELL_TEXT] for i in range(0, len(text), CELL_TEXT)] or [text]


def _summaries(book: Workbook, archive: Archive, names: view.Names) -> None:
    """One sheet per branch: each member's year at a glance."""
    used = {COVER, SHEETS, FINDINGS, MONTHS}
    for branch_id, members in view.by_branch(archive).items():
        branch = names.branch(branch_id) or "未分支部"
        sheet = book.create_sheet(_sheet_name(f"汇总-{branch}", branch_id, used))
        _widths(sheet, (10, 10, 16, 24, 10, 10, *[8] * view.MONTHS, 9, 9, 10))
        sheet.freeze_panes = "C3"
        title = f"{branch}{period_title(archive['year'])}党员责任区考核汇总（民主评议党员用）"
        sheet.append([_cell(sheet, title, bold=True, size=14)])
        sheet.append(_headers(sheet, view.SUMMARY_HEADERS))
        for member in members:
            sheet.append([as_text(sheet, value)
                          for value in view.summary_cells(view.member_row(member, names))])


def _sheet_name(wanted: str, branch_id: str | None, used: set[str]) -> str:
    """A legal sheet name (≤ 31 characters, none of []:*?/\\), unique in the book."""
    name = wanted.translate(BAD_SHEET_CHARACTERS)[:31]
    if name in used:
        name = f"{name[:31 - len(branch_id or '-') - 1]}-{branch_id or '-'}"
    while name in used:
        name = f"{name[:28]}-{len(used)}"
    used.add(name)
    return name


def _appraisal_sheet(book: Workbook, archive: Archive, names: view.Names
                     ) -> tuple[WriteOnlyWorksheet, bytes]:
    """Every appraisal as a row: what each step scored and who signed it, when, in which
    role. The sheet holds the header; the rows come back as XML to put into it."""
    codes = view.item_codes(archive)
    sheet = book.create_sheet(SHEETS)
    headers = _appraisal_headers(codes)
    _widths(sheet, [_width(header) for header in headers])
    sheet.freeze_panes = "H2"
    sheet.append(_headers(sheet, headers))
    letters = [get_column_letter(index) for index in range(1, len(headers) + 1)]
    rows = (_xml_row(number, letters, _appraisal_row(appraisal, codes, names))
            for number, appraisal in enumerate(archive["appraisals"], start=2))
    return sheet, "".join(rows).encode("utf-8")


def _findings(book: Workbook, archive: Archive, names: view.Names) -> None:
    """The zones' own supervision findings of the year, each with its rectification."""
    sheet = book.create_sheet(FINDINGS)
    _widths(sheet, (12, 12, 20, 12, 10, 48, 24, 16, 17, 48, 24, 16, 17))
    sheet.freeze_panes = "D2"
    sheet.append(_headers(sheet, view.FINDING_HEADERS))
    for finding in view.findings(archive):
        sheet.append([text_cell(sheet, cell) for cell in view.finding_cells(finding, names)])


def _months(book: Workbook, archive: Archive, names: view.Names) -> None:
    """The year-end appraisals' months (年度考核依据): a row per year-end, each month's
    score as read when it opened, the counts, and the item scores offered."""
    sheet = book.create_sheet(MONTHS)
    year_ends = archive_months.year_ends(archive)
    codes = archive_months.offered_codes(year_ends)
    headers = archive_months.headers(codes)
    _widths(sheet, [_width(header) for header in headers])
    sheet.freeze_panes = "F2"
    sheet.append(_headers(sheet, headers))
    for appraisal in year_ends:
        row = archive_months.cells(appraisal, names, codes)
        sheet.append([as_text(sheet, cell) for cell in row])


def _appraisal_headers(codes: Sequence[str]) -> list[str]:
    headers = ["档案号", "支部", "党小组", "条线", "责任区编号", "责任区", "考核期", "责任人",
               "得分", "等次", "奖惩金额(元)", "是否定稿", "考核表版本"]
    for step in STEPS:
        name = label("step", step)
        if step in SCORED_STEPS:
            headers += [f"{name}·{label('item', code)}" for code in codes] + [f"{name}·合计"]
        headers += [f"{name}·签署人", f"{name}·角色", f"{name}·时间", f"{name}·意见"]
    return [*headers, "退回与重新打开"]


def _width(header: str) -> float:
    if header.endswith("意见") or header.startswith("退回") or header == "档案号":
        return 36
    return max(8, min(20, 2 * len(header) + 2))


def _appraisal_row(appraisal: Mapping[str, Any], codes: Sequence[str], names: view.Names
                   ) -> list[Any]:
    row = [appraisal["id"], names.branch(appraisal["branch_id"]),
           names.group(appraisal["group_id"]), appraisal["line"], appraisal["zone_id"],
           appraisal["zone_name"], period_title(appraisal["period"]),
           names.people(appraisal["responsible_member_ids"]), appraisal["score"],
           view.grade_text(appraisal["grade"]), appraisal["reward"],
           "是" if appraisal["final"] else "否",
           f"{appraisal['template_id']} 第{appraisal['template_version']}版"]
    for step in STEPS:
        signed = appraisal[step]
        if step in SCORED_STEPS:
            scores = (signed or {}).get("scores") or {}
            row += [scores.get(code) for code in codes] + [(signed or {}).get("total")]
        row += _signature(appraisal, step, names)
    return [*row, _corrections(appraisal, names)]


def _signature(appraisal: Mapping[str, Any], step: str, names: view.Names) -> list[Any]:
    signed = appraisal[step]
    if signed is None:
        return ["未签署", None, None, None]
    return [names.signer(signed["actor"], signed.get("on_behalf_of")),
            label("role", view.signer_role(appraisal, step)),
            view.local_time(signed["at"]), signed["comment"] or None]


def _corrections(appraisal: Mapping[str, Any], names: view.Names) -> str | None:
    """Each return and reopening: when, who in which role, and why."""
    lines = [f"{view.local_time(e['at'])} {view.entry_signer(e, names)}"
             f"（{label('role', e['role'])}）"
             f"{label('event', e['type'])}：{(e.get('data') or {}).get('reason', '')}"
             for e in appraisal.get("history", ()) if e["type"] in ("returned", "reopened")]
    return "；".join(lines) or None


def _xml_row(number: int, letters: Sequence[str], values: Sequence[Any]) -> str:
    """A row as sheet XML: numbers as numbers, text as inline strings, None left out."""
    cells = []
    for letter, value in zip(letters, values, strict=True):
        if value is None:
            continue
        if isinstance(value, bool) or not isinstance(value, int | float):
            text = xml_escape(ILLEGAL_CHARACTERS_RE.sub("", str(value)))
            space = ' xml:space="preserve"' if text != text.strip() else ""
            cells.append(f'<c r="{letter}{number}" t="inlineStr"><is><t{space}>{text}</t></is></c>')
        else:
            cells.append(f'<c r="{letter}{number}" t="n"><v>{value!r}</v></c>')
    return f'<row r="{number}">{"".join(cells)}</row>'



def _headers(sheet: WriteOnlyWorksheet, headers: Sequence[str]) -> list[WriteOnlyCell]:
    return [_cell(sheet, header, bold=True, wrap=True) for header in headers]


def _widths(sheet: WriteOnlyWorksheet, widths: Sequence[float]) -> None:
    for index, width in enumerate(widths, start=1):
        sheet.column_dimensions[get_column_letter(index)].width = width


def _cell(sheet: WriteOnlyWorksheet, value: Any, *, bold: bool = False, size: int | None = None,
          wrap: bool = False) -> WriteOnlyCell:
    cell = text_cell(sheet, value)
    if bold or size:
        cell.font = Font(bold=bold, size=size)
    if wrap:
        cell.alignment = Alignment(wrap_text=True, vertical="top")
    return cell


def _save(book: Workbook, archive: Archive, rows: Mapping[WriteOnlyWorksheet, bytes]) -> bytes:
    """Write the book with no trace of the clock (reports.xlsx_file), dated `as_of`; `rows`
    (row XML by sheet) go at the end of their sheets' data."""
    book.properties.creator = book.properties.lastModifiedBy = archive["manifest"]["software"]
    book.properties.title = view.title(archive)
    return dated_bytes(book, as_of_time(archive["as_of"]), rows)
