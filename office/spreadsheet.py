"""Spreadsheet export (.xlsx), one helper for every register and ledger.

Formula-safe cells (SECURITY.md: exported data is data; OWASP "CSV/formula injection"): a text
value beginning with = + - @ (or a tab or carriage return) would be taken as a formula by a
spreadsheet — openpyxl itself writes any string starting with "=" as one. Every text cell is
written as a string cell with Excel's quote prefix, so a petitioner's "=HYPERLINK(…)" is shown
as the text it is and never runs. Numbers, dates and times keep their types.
"""

from __future__ import annotations

import io
from numbers import Number

from django.http import HttpResponse

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


class Workbook:
    """A write-only workbook (constant memory for a million rows): `sheet()`, `row()`,
    `content()`."""

    def __init__(self):
        from openpyxl import Workbook as _Workbook

        self.book = _Workbook(write_only=True)

    def sheet(self, title: str, *, header=None, widths=None):
        ws = self.book.create_sheet(str(title)[:31])
        for column, width in enumerate(widths or [], start=1):
            from openpyxl.utils import get_column_letter

            ws.column_dimensions[get_column_letter(column)].width = width
        if header is not None:
            self.row(ws, header, bold=True)
        return ws

    def row(self, ws, values, *, bold: bool = False, size: int | None = None) -> None:
        ws.append([cell(ws, v, bold=bold, size=size) for v in values])

    def content(self) -> bytes:
        buffer = io.BytesIO()
        self.book.save(buffer)
        return buffer.getvalue()


def cell(ws, value, *, bold: bool = False, size: int | None = None):
    """One cell; text is always text (see the module's docstring)."""
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.styles import Font

    if value is not None and not isinstance(value, Number) and not hasattr(value, "isoformat"):
        value = str(value)
    c = WriteOnlyCell(ws, value=value)
    if isinstance(value, str):
        c.data_type = "s"  # never "f", whatever the text begins with
        if value.startswith(FORMULA_START):
            c.quotePrefix = True  # and Excel keeps it text when the cell is edited
    if bold or size:
        c.font = Font(bold=bold, size=size)
    return c


def xlsx_response(content: bytes, filename: str) -> HttpResponse:
    from office.files import content_disposition

    response = HttpResponse(content, content_type=XLSX)
    response["Content-Disposition"] = content_disposition(filename)
    response["Cache-Control"] = "private, no-store"
    return response
