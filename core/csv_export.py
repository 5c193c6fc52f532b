"""Downloads that are safe to open in a spreadsheet: CSV (``csv_response``) and Excel
(``xlsx_response``, openpyxl), both through one escaping rule, ``defuse``.

A text cell that starts with ``=``, ``+``, ``-``, ``@``, a tab or a carriage return would be run
as a formula by Excel or LibreOffice (CSV injection); such a cell gets a leading apostrophe,
which spreadsheets show as text. Only text is escaped, and only when it starts with one of those:
an empty cell stays empty, and real numbers, dates and booleans are written as they are (a
number ``-5`` stays ``-5``). Text that merely looks like a number ("-5" typed into a form) is
escaped like any other text: we cannot tell a visitor's "-5" from the start of "-5+cmd|…", and
the apostrophe only makes the spreadsheet show it as text. Python's ``csv`` module and openpyxl
quote correctly but know nothing of formulas (openpyxl even turns text starting with ``=`` into
a formula), hence this one module for every export.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable
from datetime import date, datetime, time
from decimal import Decimal
from typing import Any

from django.http import HttpResponse
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE, TYPE_STRING
from openpyxl.styles import Font

FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")
XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def defuse(text: str) -> str:
    """``text`` with a leading apostrophe when it starts with a formula prefix; else unchanged."""
    return "'" + text if text.startswith(FORMULA_PREFIXES) else text


def spreadsheet_cell(value: Any) -> str:
    """``value`` as CSV text: "" for None, lists joined with ";", dates in ISO 8601, numbers as
    they are, text defused."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return str(value)
    if isinstance(value, (int, float, Decimal)):
        return str(value)
    if isinstance(value, (datetime, date, time)):
        return value.isoformat()
    if isinstance(value, (list, tuple)):
        value = ";".join(str(item) for item in value)
    return defuse(str(value))


def _download(response: HttpResponse, filename: str) -> HttpResponse:
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


def csv_response(
    filename: str, header: Iterable[str], rows: Iterable[Iterable[Any]], *, bom: bool = False
) -> HttpResponse:
    """A CSV download: the header row, then every row, each cell through ``spreadsheet_cell``
    (the header too: column names can be text coordinators wrote, such as registration questions).
    ``bom`` starts the file with a byte-order mark, so that Excel reads it as UTF-8."""
    response = _download(HttpResponse(content_type="text/csv; charset=utf-8"), filename)
    if bom:
        response.write("\ufeff")
    writer = csv.writer(response)
    writer.writerow([spreadsheet_cell(name) for name in header])
    writer.writerows([spreadsheet_cell(value) for value in row] for row in rows)
    return response


def xlsx_rows(header: Iterable[str], rows: Iterable[Iterable[Any]], *, sheet_title: str = "") -> bytes:
    """An Excel workbook of one sheet: the header row in bold, then every row. Text is defused
    and stored as text (never a formula); numbers, booleans and dates keep their type (an aware
    time is written as the wall-clock time of its own zone: Excel has no zones, so an export
    that needs the zone gives it a column of its own).

    Written row by row (openpyxl's write-only mode), so the time grows with the number of cells
    and not with its square (the ordinary mode's ``max_row`` counts every cell again)."""
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(title=sheet_title[:31] or None)
    sheet.freeze_panes = "A2"
    bold = Font(bold=True)
    sheet.append([_xlsx_cell(sheet, name, font=bold) for name in header])
    for row in rows:
        sheet.append([_xlsx_cell(sheet, value) for value in row])
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def _xlsx_cell(sheet: Any, value: Any, *, font: Font | None = None) -> WriteOnlyCell:
    """One cell of ``xlsx_rows``: text is always stored as text (openpyxl would otherwise make
    a formula of "=…" and an error value of "#N/A"), a date and time shown to the minute."""
    cell = WriteOnlyCell(sheet, value=_xlsx_value(value))
    if isinstance(cell.value, str):
        cell.data_type = TYPE_STRING
    elif isinstance(cell.value, datetime):
        cell.number_format = "yyyy-mm-dd hh:mm"
    if font is not None:
        cell.font = font
    return cell


def _xlsx_value(value: Any) -> Any:
    if value is None or isinstance(value, (bool, int, float, Decimal, date, time)) and not isinstance(value, datetime):
        return value
    if isinstance(value, datetime):
        return value.replace(tzinfo=None)
    if isinstance(value, (list, tuple)):
        value = ";".join(str(item) for item in value)
    # Control characters other than tab and newlines cannot be stored in the file format.
    text = defuse(ILLEGAL_CHARACTERS_RE.sub("", str(value)))
    return text if text else None


def xlsx_response(
    filename: str, header: Iterable[str], rows: Iterable[Iterable[Any]], *, sheet_title: str = ""
) -> HttpResponse:
    """An Excel download of ``xlsx_rows``."""
    workbook = xlsx_rows(header, rows, sheet_title=sheet_title)
    return _download(HttpResponse(workbook, content_type=XLSX_CONTENT_TYPE), filename)
