"""Spreadsheets with no trace of the clock, so that the same content gives the same bytes.

openpyxl stamps a workbook's properties with the current time, and every zip entry it
writes by name with the time it is written (write-only sheets: their temporary files'
times). Here the properties and every entry carry one given moment, and fixed attributes,
whatever the clock or the platform.
"""

import io
from collections.abc import Mapping
from datetime import datetime
from typing import Any
from zipfile import ZIP_DEFLATED, ZipFile, ZipInfo

from openpyxl import Workbook
from openpyxl.worksheet._write_only import WriteOnlyWorksheet
from openpyxl.writer.excel import ExcelWriter

# Zip entries hold no date before 1980 (an instant of the 1970s is a valid `as_of`).
ZIP_EPOCH = datetime(1980, 1, 1)


def saved(book: Workbook, moment: datetime,
          rows: Mapping[WriteOnlyWorksheet, bytes] | None = None) -> bytes:
    """The book's bytes, its properties and zip entries dated `moment` (naive, UTC); `rows`
    (row XML by sheet) go at the end of their sheets' data."""
    book.properties.created = book.properties.modified = moment
    stamp = max(moment, ZIP_EPOCH).timetuple()[:6]
    out = io.BytesIO()
    with DatedZip(out, "w", ZIP_DEFLATED, stamp=stamp, rows=rows or {}) as dated:
        ExcelWriter(book, dated).save()
    return out.getvalue()


class DatedZip(ZipFile):
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
