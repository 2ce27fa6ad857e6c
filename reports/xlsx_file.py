"""Workbooks written with no trace of the clock, the same bytes every time.

openpyxl stamps the document properties and every zip entry with the current time; a
report is dated by the data it shows instead (its `as_of`), so the same data gives the
same file. Shared by the year-end archive, the ranking and the progress sheet.
"""

import io
from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Any
from zipfile import ZIP_DEFLATED, ZipFile, ZipInfo

from openpyxl import Workbook
from openpyxl.utils import get_column_letter
from openpyxl.worksheet._write_only import WriteOnlyWorksheet
from openpyxl.writer.excel import ExcelWriter

# Zip entries hold no date before 1980 (an instant of the 1970s is a valid `as_of`).
ZIP_EPOCH = datetime(1980, 1, 1)


def one_sheet(name: str, widths: Sequence[int],
              freeze: str) -> tuple[Workbook, WriteOnlyWorksheet]:
    """A write-only book of one sheet, its columns `widths` wide, frozen at `freeze`."""
    book = Workbook(write_only=True)
    sheet = book.create_sheet(name)
    for index, width in enumerate(widths, start=1):
        sheet.column_dimensions[get_column_letter(index)].width = width
    sheet.freeze_panes = freeze
    return book, sheet


def as_of_time(instant: str) -> datetime:
    """`2026-12-07T01:00:00.000000Z` as the naive UTC datetime openpyxl's properties take."""
    return datetime.strptime(instant[:19], "%Y-%m-%dT%H:%M:%S")


def dated_bytes(book: Workbook, as_of: datetime,
                rows: Mapping[WriteOnlyWorksheet, bytes] | None = None) -> bytes:
    """The book's bytes, its properties and zip entries dated `as_of`; `rows` (row XML by
    sheet) go at the end of their sheets' data."""
    book.properties.created = book.properties.modified = as_of
    out = io.BytesIO()
    with _DatedZip(out, "w", ZIP_DEFLATED, stamp=max(as_of, ZIP_EPOCH).timetuple()[:6],
                   rows=rows or {}) as archive_zip:
        ExcelWriter(book, archive_zip).save()
    return out.getvalue()


class _DatedZip(ZipFile):
    """A zip whose every entry carries one given date and fixed attributes, whatever the
    clock or the platform (openpyxl writes entries by name, which stamps them with now);
    sheets written from files (write-only mode) get their extra rows here."""

    def __init__(self, *args: Any, stamp: tuple[int, int, int, int, int, int],
                 rows: Mapping[WriteOnlyWorksheet, bytes], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.stamp = stamp
        self.rows = rows

    def writestr(self, zinfo_or_arcname: str | ZipInfo, data: Any, *args: Any,
                 **kwargs: Any) -> None:
        name = zinfo_or_arcname
        if not isinstance(name, ZipInfo):
            name = ZipInfo(name, date_time=self.stamp)
            name.compress_type = ZIP_DEFLATED
            name.create_system = 3
            name.external_attr = 0o600 << 16
        super().writestr(name, data, *args, **kwargs)

    def write(self, filename: Any, arcname: Any = None, *args: Any, **kwargs: Any) -> None:
        name = arcname or str(filename)
        with open(filename, "rb") as source:
            data = source.read()
        for sheet, rows in self.rows.items():
            if name == sheet.path.lstrip("/"):  # a sheet's path is known once it is written
                data = data.replace(b"</sheetData>", rows + b"</sheetData>", 1)
        self.writestr(name, data)
