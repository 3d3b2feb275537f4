"""Spreadsheet export (office.spreadsheet): a text cell that begins with = + - @ (or a tab or
carriage return) is written as text, never as a formula; numbers and dates keep their types.
Every export of the project goes through it (incoming register, petition ledger, the
time-limited completion register, the supervision bulletin)."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from openpyxl import load_workbook

from office.spreadsheet import Workbook
from tests.documents.incoming_flow import register

DANGEROUS = ['=HYPERLINK("http://x","点我")', "+1+1", "-2+3", "@SUM(A1)", "\t=1", "\r=1"]


def test_text_that_looks_like_a_formula_is_written_as_text():
    wb = Workbook()
    ws = wb.sheet("表", header=["值"])
    for value in DANGEROUS:
        wb.row(ws, [value])
    wb.row(ws, [42, 3.5, dt.date(2026, 6, 15), None, "正常文字"])
    sheet = load_workbook(io.BytesIO(wb.content())).active
    rows = list(sheet.iter_rows(min_row=2))
    for value, row in zip(DANGEROUS, rows, strict=False):
        # (XML keeps no bare carriage return: a reader gives it back as a line feed)
        assert row[0].value == value.replace("\r", "\n")
        assert row[0].data_type == "s" and row[0].quotePrefix
    last = rows[-1]
    assert last[0].value == 42 and last[0].data_type == "n"
    assert last[1].value == 3.5
    assert last[2].value == dt.datetime(2026, 6, 15)
    assert last[4].value == "正常文字" and last[4].data_type == "s" and not last[4].quotePrefix


@pytest.mark.django_db
def test_the_incoming_register_export_writes_a_formula_title_as_text(client_for, secretary):
    register(secretary, title='=HYPERLINK("http://evil","关于供暖")')
    response = client_for(secretary).get("/documents/incoming/export.xlsx")
    sheet = load_workbook(io.BytesIO(response.content)).active
    title = sheet.cell(row=2, column=5)
    assert title.value.startswith("=HYPERLINK") and title.data_type == "s"
