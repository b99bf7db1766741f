"""quality.xlsx: the rows with findings as they were read, failing cells highlighted, masked, deterministic."""

from __future__ import annotations

import io
import zipfile

import openpyxl
import pandas as pd

from samverkan.steward_workbook import HIGHLIGHT, SUMMARY_SHEET, quality_workbook

SUMMARY = pd.DataFrame([("projects", 3, 2, 1), ("participants", 4, 2, 2), ("project_costs", 2, 2, 0)],
                       columns=["dataset", "rows_in", "accepted", "quarantined"])
PROBLEMS = pd.DataFrame([
    ("projects", "projekt.csv", 3, "end_date", "date_order", "end_date 2023-01-01 är före start_date 2024-01-01"),
    ("participants", "deltagare.xlsx", 2, "gender", "allowed_codes", "okänd kod 'kvinna'"),
    ("participants", "deltagare.xlsx", 2, "birth_year", "range", "födelseåret 2030 är inte rimligt"),
    ("participants", "deltagare.xlsx", 5, "participant_id", "personnummer", "personnummer 121212-1212 avvisat"),
], columns=["dataset", "source_file", "source_row", "column", "rule", "message"])
ROWS = {
    "projects": pd.DataFrame([("projekt.csv", 3, "P3", "2024-01-01", "2023-01-01")],
                             columns=["source_file", "source_row", "project_id", "start_date", "end_date"]),
    "participants": pd.DataFrame([("deltagare.xlsx", 2, "D2", "kvinna", "2030"),
                                  ("deltagare.xlsx", 5, "19121212-1212", "K", "=1+1")],
                                 columns=["source_file", "source_row", "participant_id", "gender", "birth_year"]),
}
LABELS = {"date_order": "datum i fel ordning", "allowed_codes": "okänd kod", "range": "utanför intervall",
          "personnummer": "personnummer i data"}


def _book(data: bytes):
    return openpyxl.load_workbook(io.BytesIO(data))


def test_one_sheet_per_dataset_with_findings_and_a_summary_first():
    book = _book(quality_workbook(SUMMARY, PROBLEMS, ROWS, LABELS.get, lambda d: {"projects": "Projekt"}.get(d, d)))
    assert book.sheetnames == [SUMMARY_SHEET, "Projekt", "participants"]
    summary = [[c.value for c in row] for row in book[SUMMARY_SHEET].iter_rows()]
    assert summary[1][:4] == ["Projekt", 3, 2, 1] and summary[3][:4] == ["project_costs", 2, 2, 0]
    assert ["participants", "gender", "okänd kod", "allowed_codes", 1] in summary


def test_rows_as_read_with_the_failing_cells_highlighted_and_the_messages_beside_them():
    sheet = _book(quality_workbook(SUMMARY, PROBLEMS, ROWS, LABELS.get))["participants"]
    rows = [[c.value for c in row] for row in sheet.iter_rows()]
    assert rows[0] == ["Fil", "Rad", "participant_id", "gender", "birth_year", "Fel"]
    assert rows[1][:5] == ["deltagare.xlsx", 2, "D2", "kvinna", "2030"]
    assert rows[1][5] == "okänd kod 'kvinna' (okänd kod)\nfödelseåret 2030 är inte rimligt (utanför intervall)"
    fills = [c.fill.fgColor.rgb == HIGHLIGHT.fgColor.rgb for c in sheet[2]]
    assert fills == [False, False, False, True, True, False]


def test_personnummer_are_masked_and_formulas_stay_text():
    data = quality_workbook(SUMMARY, PROBLEMS, ROWS, LABELS.get)
    sheet = _book(data)["participants"]
    values = [c.value for c in sheet[3]]
    assert values[2] == "19XXXXXX-XXXX" and values[4] == "=1+1" and sheet.cell(3, 5).data_type == "s"
    assert sheet.cell(3, 5).quotePrefix
    assert "121212" not in values[5]
    for name in zipfile_names(data):
        assert b"121212" not in zipfile_read(data, name)


def test_same_findings_same_bytes():
    assert quality_workbook(SUMMARY, PROBLEMS, ROWS) == quality_workbook(SUMMARY, PROBLEMS, ROWS)


def zipfile_names(data: bytes) -> list[str]:
    return zipfile.ZipFile(io.BytesIO(data)).namelist()


def zipfile_read(data: bytes, name: str) -> bytes:
    return zipfile.ZipFile(io.BytesIO(data)).read(name)


def test_headers_and_number_cells_are_masked_and_never_formulas():
    rows = {"participants": pd.DataFrame([("deltagare.xlsx", 2, 191212121212, "K")],
                                         columns=["source_file", "source_row", '=HYPERLINK("http://x","klicka")',
                                                  "19121212-1212"])}
    problems = PROBLEMS[PROBLEMS["source_row"] == 2]
    data = quality_workbook(SUMMARY, problems, rows)
    sheet = _book(data)["participants"]
    header = [c for c in sheet[1]]
    assert header[2].value == '=HYPERLINK("http://x","klicka")' and header[2].data_type == "s"
    assert header[3].value == "19XXXXXX-XXXX"
    assert sheet.cell(2, 3).value == "19XXXXXXXXXX"
    for name in zipfile_names(data):
        assert b"<f>" not in zipfile_read(data, name)
