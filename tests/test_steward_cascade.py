"""Cascades with their cause, the rows as read, and extracts that open in Swedish Excel."""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import shutil
import subprocess
from pathlib import Path

import openpyxl
import pandas as pd
import pytest

from samverkan import quality, steward
from samverkan.files import read_csv_extract, write_csv_atomic
from samverkan.ingest import AS_READ, ingest_dataset
from samverkan.report.labels import DATASET_NAMES

TODAY = dt.date(2025, 6, 30)
PARTICIPANTS_HEADER = ("participant_id;project_id;gender;birth_year;enrolled_on;exited_on;support_before;"
                       "support_after;occupation_before;occupation_after;exit_reason")


def _participant(pid: str, project: str, gender: str = "K") -> str:
    return f"{pid};{project};{gender};1990;2024-05-01;;forsorjningsstod;;arbetssokande;;"


def cascade_inbox(tmp_path: Path) -> Path:
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    # Row 3 has an orientation outside the code list: B2 goes to quarantine.
    (inbox / "projects.csv").write_text(
        "project_id,forbund,name,start_date,orientation\n"
        "A1,Förbund A,Steg,2022-01-01,individinriktad\n"
        "B2,Förbund A,Väg,2022-01-01,individuell\n"
        "C3,Förbund A,Tre,2022-01-01,individinriktad\n", encoding="utf-8")
    rows = [
        _participant("p1", "A1"),             # row 2: accepted
        _participant("p2", "B2"),             # row 3: only its project is at fault
        _participant("19121212-1212", "B2"),  # row 4: a personnummer of its own, and the project
        _participant("p4", "Z9"),             # row 5: a project no file has
        _participant("p5", "C3"),             # rows 6 and 7: accepted
        _participant("p6", "A1"),
    ]
    (inbox / "participants.csv").write_text(PARTICIPANTS_HEADER + "\n" + "\n".join(rows) + "\n", encoding="utf-8")
    return inbox


def _ingest(inbox: Path):
    projects = ingest_dataset(inbox, "projects", None, TODAY)
    participants = ingest_dataset(inbox, "participants", projects.accepted["project_id"], TODAY,
                                  projects.quarantine)
    return projects, participants


def test_an_unknown_project_whose_row_is_in_quarantine_names_that_row(tmp_path: Path) -> None:
    projects, participants = _ingest(cascade_inbox(tmp_path))
    assert projects.quarantine[["source_row", "rule"]].values.tolist() == [[3, "allowed_codes"]]
    found = participants.quarantine[["source_row", "rule", "message"]].values.tolist()
    assert [3, "project_in_quarantine", "projektet är i karantän: projects.csv rad 3"] in found
    assert [4, "project_in_quarantine", "projektet är i karantän: projects.csv rad 3"] in found
    assert [5, "unknown_project", "projektet Z9 finns inte bland de godkända raderna i projects"] in found
    assert {r for r, rule, _ in found if rule == "personnummer"} == {4}
    # Row 4 has a fault of its own, so only row 3 is counted under its cause.
    assert participants.cascades == {"projects.csv rad 3": 1}
    assert (participants.rows_in, len(participants.accepted)) == (6, 3) and participants.usable


def test_without_the_projects_quarantine_the_project_is_only_unknown(tmp_path: Path) -> None:
    inbox = cascade_inbox(tmp_path)
    projects = ingest_dataset(inbox, "projects", None, TODAY)
    participants = ingest_dataset(inbox, "participants", projects.accepted["project_id"], TODAY)
    assert set(participants.quarantine["rule"]) == {"unknown_project", "personnummer"}
    assert participants.cascades == {}


def test_the_quarantine_carries_the_row_as_read_masked(tmp_path: Path) -> None:
    _projects, participants = _ingest(cascade_inbox(tmp_path))
    quarantine = participants.quarantine
    row4 = json.loads(quarantine.loc[quarantine["source_row"] == 4, AS_READ].iloc[0])
    assert row4["participant_id"] == "19XXXXXX-XXXX" and row4["project_id"] == "B2"
    assert list(row4)[:3] == ["participant_id", "project_id", "gender"]
    assert "121212" not in quarantine.to_csv()
    rows = quality.rows_as_read({"participants": quarantine})["participants"]
    assert rows["source_row"].tolist() == [3, 4, 5]
    assert rows.loc[rows["source_row"] == 3, "participant_id"].item() == "p2"


def test_quality_xlsx_shows_the_rows_as_read_with_the_failing_cell_highlighted(tmp_path: Path) -> None:
    projects, participants = _ingest(cascade_inbox(tmp_path))
    quarantines = {"projects": projects.quarantine, "participants": participants.quarantine}
    verdicts = {"projects": projects.verdict(), "participants": participants.verdict()}
    problems, summary = quality.combine(quarantines, verdicts)
    _csv, _summary, workbook = quality.write_extracts(tmp_path / "out", problems, summary,
                                                      quality.rows_as_read(quarantines), DATASET_NAMES.get)
    book = openpyxl.load_workbook(workbook)
    assert book.sheetnames == ["Sammanfattning", "Projekt", "Deltagare"]
    sheet = book["Deltagare"]
    header = [c.value for c in sheet[1]]
    row3 = [c.value for c in sheet[2]]
    assert row3[:4] == ["participants.csv", 3, "p2", "B2"]
    assert row3[-1] == "projektet är i karantän: projects.csv rad 3 (projektet ligger i karantän)"
    assert sheet.cell(2, header.index("project_id") + 1).fill.fgColor.rgb.endswith("FFE08A")
    assert sheet.cell(2, header.index("gender") + 1).fill.fill_type is None
    assert sheet.cell(3, header.index("participant_id") + 1).value == "19XXXXXX-XXXX"
    projects_sheet = book["Projekt"]
    assert [c.value for c in projects_sheet[2]][:7] == [
        "projects.csv", 3, "B2", "Förbund A", "Väg", "2022-01-01", "individuell"]


def test_extracts_open_in_swedish_excel_bom_semicolon_decimal_comma(tmp_path: Path) -> None:
    frame = pd.DataFrame({"project_id": ["A1", "B2"], "share": [0.25, 1.5], "note": ["a;b", "=1+1"],
                          "rows": [3, 4]})
    path = write_csv_atomic(frame, tmp_path / "x.csv")
    data = path.read_bytes()
    assert data.startswith(b"\xef\xbb\xbf")
    # What a spreadsheet does with a double-clicked file in a Swedish locale: UTF-8 by the BOM, split on ';'.
    with path.open(encoding="utf-8-sig", newline="") as handle:
        rows = list(csv.reader(handle, delimiter=";"))
    assert rows == [["project_id", "share", "note", "rows"], ["A1", "0,25", "a;b", "3"], ["B2", "1,5", "'=1+1", "4"]]
    back = read_csv_extract(path)
    assert back["share"].tolist() == [0.25, 1.5] and back["note"].tolist() == ["a;b", "'=1+1"]


def test_the_notice_counts_a_cascade_under_its_cause() -> None:
    outcomes = [
        steward.CheckOutcome("projects", False, "WARN", rows_in=3, accepted=2, quarantined=1),
        steward.CheckOutcome("participants", False, "WARN", rows_in=6, accepted=3, quarantined=3,
                             cascades=({"cause": "projects.csv rad 3", "rows": 1},)),
        steward.CheckOutcome("project_costs", False, "WARN", rows_in=4, accepted=2, quarantined=2,
                             cascades=({"cause": "projects.csv rad 3", "rows": 2},)),
    ]
    text = steward.notice_markdown("2024", "r1", outcomes, Path("/ut/2024"))
    assert ("- projects.csv rad 3: 3 rader (participants 1, project_costs 2) ligger i karantän bara för att "
            "projektet gör det") in text
    assert "| participants | varning | 6 | 3 | 2 (+1 via projekt) |" in text
    assert "| project_costs | varning | 4 | 2 | 0 (+2 via projekt) |" in text
    assert "| projects | varning | 3 | 2 | 1 |" in text
    assert "/ut/2024/quality.xlsx" in text
    # One own problem in projects and two in participants; the three that follow from projects.csv rad 3 are not.
    assert steward.subject("2024", outcomes) == "[samverkansbokslut] 2024: 3 rader i karantän att granska"


def test_read_back_with_the_csv_module_alone(tmp_path: Path) -> None:
    message = "okänd kod 'kvinna'; tillåtna: K"
    problems = pd.DataFrame([["participants", "p.csv", 3, "gender", "allowed_codes", message]],
                            columns=["dataset", "source_file", "source_row", "column", "rule", "message"])
    verdicts = {"participants": quality.verdict("participants", 4, 3, [])}
    paths = quality.write_extracts(tmp_path, *quality.combine({"participants": problems}, verdicts))
    text = paths[0].read_bytes().decode("utf-8-sig")
    assert list(csv.DictReader(io.StringIO(text), delimiter=";")) == [{
        "dataset": "participants", "source_file": "p.csv", "source_row": "3", "column": "gender",
        "rule": "allowed_codes", "rule_label": "okänd kod", "message": message}]


@pytest.mark.slow
@pytest.mark.skipif(shutil.which("soffice") is None, reason="LibreOffice is not installed")
def test_libreoffice_in_swedish_reads_the_numbers_and_the_letters(tmp_path: Path) -> None:
    frame = pd.DataFrame({"message": ["värdet; okänd kod"], "share": [0.25], "rows": [3]})
    write_csv_atomic(frame, tmp_path / "x.csv")
    # Semicolon (59), double quote (34), UTF-8 (76), from line 1, Swedish (1053): what a Swedish user's import has.
    subprocess.run(["soffice", "--headless", "--infilter=CSV:59,34,76,1,,1053", "--convert-to", "xlsx",
                    "--outdir", str(tmp_path), str(tmp_path / "x.csv")], check=True, capture_output=True, timeout=180)
    sheet = openpyxl.load_workbook(tmp_path / "x.xlsx").active
    assert [c.value for c in sheet[2]] == ["värdet; okänd kod", 0.25, 3]
    assert sheet.cell(2, 2).data_type == "n"


def test_a_personnummer_as_a_header_is_masked_in_the_row_as_read(tmp_path: Path) -> None:
    (tmp_path / "projects.csv").write_text(
        "project_id,forbund,name,start_date,orientation,19121212-1212\n"
        "A1,Förbund A,Steg,2022-01-01,individinriktad,x\n"
        "B2,Förbund A,Väg,2022-01-01,individuell,y\n"
        "C3,Förbund A,Tre,2022-01-01,individinriktad,z\n", encoding="utf-8")
    result = ingest_dataset(tmp_path, "projects", None, TODAY)
    [as_read] = result.quarantine[AS_READ].tolist()
    assert json.loads(as_read)["19XXXXXX-XXXX"] == "y" and "121212" not in as_read
