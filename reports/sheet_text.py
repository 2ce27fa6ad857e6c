"""Text into spreadsheet cells as text, whatever it starts with.

openpyxl takes a string starting with "=" for a formula and "#N/A" and the like for error
values; a zone, a member or a comment named so would then be computed when the file is
opened (formula injection). Every cell written from text is therefore typed as a string.
Control characters that XML cannot hold (openpyxl refuses them) are left out, as the
archive's own row writer does.
"""

from typing import Any

from openpyxl.cell import WriteOnlyCell
from openpyxl.cell.cell import ERROR_CODES, ILLEGAL_CHARACTERS_RE
from openpyxl.worksheet._write_only import WriteOnlyWorksheet


def text_cell(sheet: WriteOnlyWorksheet, value: Any) -> WriteOnlyCell:
    """A cell of `value`; a string is a string cell, never a formula or an error."""
    if not isinstance(value, str):
        return WriteOnlyCell(sheet, value=value)
    cell = WriteOnlyCell(sheet, value=ILLEGAL_CHARACTERS_RE.sub("", value))
    cell.data_type = "s"
    return cell


def as_text(sheet: WriteOnlyWorksheet, value: Any) -> Any:
    """`value` for a row of plain values: as it is, unless openpyxl would not keep it as the
    text it is; then a string cell of it. (A cell per value would cost a row of 100,000
    zones its speed, so only such text gets one.)"""
    if not isinstance(value, str) or not _misread(value):
        return value
    return text_cell(sheet, value)


def _misread(text: str) -> bool:
    return text.startswith("=") or text in ERROR_CODES or bool(ILLEGAL_CHARACTERS_RE.search(text))
