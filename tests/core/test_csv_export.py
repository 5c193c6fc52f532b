"""One CSV helper for every export: formulas defused, empty cells empty, lists joined."""

from __future__ import annotations

import csv
import io

import pytest

from core.csv_export import csv_response, spreadsheet_cell


@pytest.mark.parametrize("text", ["=HYPERLINK(\"x\")", "+1", "-2+3", "@SUM(A1)", "\tindent", "\rcr"])
def test_a_cell_that_a_spreadsheet_would_run_is_text(text):
    assert spreadsheet_cell(text) == "'" + text


@pytest.mark.parametrize(("value", "expected"), [(None, ""), ("", ""), (0, "0"), ("Ana", "Ana"), (["a", "b"], "a;b")])
def test_ordinary_cells_are_written_as_they_are(value, expected):
    assert spreadsheet_cell(value) == expected


def test_the_response_is_a_download_with_one_row_per_record():
    response = csv_response("people.csv", ["name", "note"], [["Ana", ""], ["=cmd", None]], bom=True)
    assert response["Content-Disposition"] == 'attachment; filename="people.csv"'
    text = response.content.decode("utf-8")
    assert text.startswith("\ufeff")
    assert list(csv.reader(io.StringIO(text.lstrip("\ufeff")))) == [["name", "note"], ["Ana", ""], ["'=cmd", ""]]


def test_the_header_row_is_escaped_too():
    """A column named by a coordinator (a registration question) cannot start a formula."""
    from core.csv_export import csv_response

    response = csv_response("x.csv", ["name", "=HYPERLINK(\"http://evil.example\")"], [["Ana", "yes"]])
    first_line = response.content.decode().splitlines()[0]
    assert first_line.startswith("name,\"'=HYPERLINK(")
