"""CSV downloads that are safe to open in a spreadsheet.

A cell a visitor wrote that starts with ``=``, ``+``, ``-``, ``@``, a tab or a carriage return
would be run as a formula by Excel or LibreOffice (CSV injection); such a cell gets a leading
apostrophe, which spreadsheets show as text. Empty cells stay empty. Python's ``csv`` module
quotes correctly but knows nothing of formulas, hence this one helper for every export.
"""

from __future__ import annotations

import csv
from collections.abc import Iterable
from typing import Any

from django.http import HttpResponse

FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")


def spreadsheet_cell(value: Any) -> str:
    """``value`` as CSV text: "" for None, lists joined with ";", formulas defused."""
    if value is None:
        return ""
    if isinstance(value, (list, tuple)):
        value = ";".join(str(item) for item in value)
    text = str(value)
    return "'" + text if text.startswith(FORMULA_PREFIXES) else text


def csv_response(filename: str, header: Iterable[str], rows: Iterable[Iterable[Any]], *, bom: bool = False) -> HttpResponse:
    """A CSV download: the header row, then every row, each cell through ``spreadsheet_cell``
    (the header too: column names can be text coordinators wrote, such as registration questions).
    ``bom`` starts the file with a byte-order mark, so that Excel reads it as UTF-8."""
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    if bom:
        response.write("\ufeff")
    writer = csv.writer(response)
    writer.writerow([spreadsheet_cell(name) for name in header])
    writer.writerows([spreadsheet_cell(value) for value in row] for row in rows)
    return response
