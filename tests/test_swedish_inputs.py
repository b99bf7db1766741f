"""Real exports in: Swedish headers and Swedish labels are the contract's columns and codes, in any case and
with or without diacritics; a near miss names what was probably meant."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pandas as pd
import pytest
from bad_inputs.corpus import PROJECTS_ROWS, participants_csv, person, projects_csv

from samverkan import aliases
from samverkan.contract import DATASETS
from samverkan.ingest import ingest_dataset

TODAY = dt.date(2025, 6, 30)
SWEDISH_HEADER = ("Deltagar-ID;Projekt-ID;Kön;Födelseår;Inskrivningsdatum;Utskrivningsdatum;Försörjning före;"
                  "Försörjning efter;Sysselsättning före;Sysselsättning efter;Avslutsorsak")


def _accepted(inbox: Path, dataset: str) -> pd.DataFrame:
    projects = ingest_dataset(inbox, "projects", None, TODAY)
    result = projects if dataset == "projects" else ingest_dataset(inbox, dataset, projects.accepted["project_id"],
                                                                   TODAY)
    return result.accepted.drop(columns=["source_file"])


def _inbox(root: Path, name: str, files: dict[str, bytes]) -> Path:
    inbox = root / name
    inbox.mkdir()
    for file, data in files.items():
        (inbox / file).write_bytes(data)
    return inbox


ENGLISH_PEOPLE = [
    person("P-AAA1"),
    person("P-AAA2", gender="M", before="forsorjningsstod|sjukpenning:50", occ_after="subventionerat_arbete"),
    person("P-AAA3", gender="okand", exited="", after="", occ_after="", reason=""),
]
# The same people as a steward's Excel writes them: Swedish labels, any case, diacritics or none.
SWEDISH_PEOPLE = [
    person("P-AAA1", gender="Kvinna", before="Försörjningsstöd", after="Lön", occ_before="Arbetssökande",
           occ_after="Arbete", reason="ARBETE"),
    person("P-AAA2", gender="man", before="Forsorjningsstod | Sjukpenning: 50", after="lön",
           occ_before="arbetssökande", occ_after="Subventionerat arbete", reason="arbete"),
    person("P-AAA3", gender="Okänd", exited="", after="", occ_after="", reason="", occ_before="ARBETSSÖKANDE"),
]


def test_swedish_headers_and_labels_in_a_cp1252_semicolon_csv_give_the_same_rows(tmp_path: Path) -> None:
    projects = projects_csv(*PROJECTS_ROWS)
    english = _inbox(tmp_path, "en", {"projects.csv": projects, "participants.csv": participants_csv(*ENGLISH_PEOPLE)})
    swedish = _inbox(tmp_path, "sv", {"projects.csv": projects, "participants.csv": participants_csv(
        *SWEDISH_PEOPLE, header=SWEDISH_HEADER, encoding="cp1252")})
    assert "Kön".encode("cp1252") in (swedish / "participants.csv").read_bytes()  # not UTF-8: Excel's CSV
    expected = _accepted(english, "participants")
    assert len(expected) == 3
    pd.testing.assert_frame_equal(_accepted(swedish, "participants"), expected)
    assert _accepted(swedish, "participants")["support_before"].tolist() == [
        "forsorjningsstod", "forsorjningsstod|sjukpenning:50", "forsorjningsstod"]


def test_an_xlsx_with_swedish_headers_and_labels_gives_the_same_projects(tmp_path: Path) -> None:
    english = _inbox(tmp_path, "en", {"projects.csv": projects_csv(*PROJECTS_ROWS)})
    rows = pd.DataFrame({
        "Projekt-ID": ["SF01-P001", "SF01-P002"],
        "Förbund": ["Samordningsförbundet Norrdal"] * 2,
        "Namn": ["Steg till arbete", "Navet"],
        "Startdatum": [dt.datetime(2021, 1, 1), dt.datetime(2022, 3, 1)],
        "Slutdatum": [dt.datetime(2023, 12, 31), None],
        "Målgrupp": ["Unga vuxna", "Nyanlända"],
        "INRIKTNING": ["Individinriktad", "Strukturövergripande insats"],
        "Planerat antal deltagare": [60, None],
    })
    swedish = tmp_path / "sv"
    swedish.mkdir()
    rows.to_excel(swedish / "projects.xlsx", index=False, sheet_name="Insatser")
    expected = _accepted(english, "projects")
    assert expected["orientation"].tolist() == ["individinriktad", "strukturovergripande"]
    pd.testing.assert_frame_equal(_accepted(swedish, "projects"), expected)


def test_a_near_miss_code_is_quarantined_with_the_code_meant(tmp_path: Path) -> None:
    inbox = _inbox(tmp_path, "in", {"projects.csv": projects_csv(*PROJECTS_ROWS), "participants.csv": participants_csv(
        person("P-AAA1", gender="Kvina"), person("P-AAA2", before="Försörjningstöd"),
        person("P-AAA3", occ_before="arbetsokande"), person("P-AAA4", gender="Q"))})
    projects = ingest_dataset(inbox, "projects", None, TODAY)
    result = ingest_dataset(inbox, "participants", projects.accepted["project_id"], TODAY)
    messages = dict(zip(result.quarantine["source_row"], result.quarantine["message"], strict=True))
    assert messages[2] == "okänd kod 'Kvina'; tillåtna: K, M, X, okand; menade du 'Kvinna' (K)?"
    assert messages[3].endswith("menade du 'Försörjningsstöd' (forsorjningsstod)?")
    assert messages[3].startswith("okänd stödkod 'försörjningstöd'")
    assert messages[4].endswith("menade du 'Arbetssökande' (arbetssokande)?")
    assert "menade du" not in messages[5]  # nothing near 'Q'
    assert len(result.accepted) == 0 and result.rows_in == 4


def test_a_near_miss_header_names_the_column_meant(tmp_path: Path) -> None:
    header = SWEDISH_HEADER.replace("Födelseår", "Födelsår")
    inbox = _inbox(tmp_path, "in", {"projects.csv": projects_csv(*PROJECTS_ROWS),
                                    "participants.csv": participants_csv(*SWEDISH_PEOPLE, header=header)})
    projects = ingest_dataset(inbox, "projects", None, TODAY)
    result = ingest_dataset(inbox, "participants", projects.accepted["project_id"], TODAY)
    assert not result.usable
    assert "obligatorisk kolumn saknas: birth_year" in result.dataset_errors[0]
    assert result.dataset_errors[0].endswith("Okänd kolumn 'födelsår'; menade du 'Födelseår' (birth_year)?")
    assert any("menade du 'Födelseår' (birth_year)?" in n for n in result.notes)


def test_folding_ignores_case_diacritics_and_separators() -> None:
    assert aliases.fold("Deltagar-ID") == aliases.fold("deltagar_id") == aliases.fold(" DELTAGAR  id ") == "deltagar id"
    assert aliases.fold("Försörjningsstöd") == "forsorjningsstod"
    assert aliases.header_table("participants")[aliases.fold("Födelseår")] == "birth_year"
    assert aliases.header_table("participants")[aliases.fold("Participant ID")] == "participant_id"


@pytest.mark.parametrize("column", [c for d in DATASETS.values() for c in d.columns if c.codes],
                         ids=lambda c: c.name)
def test_every_code_has_a_swedish_label_and_no_label_means_two_codes(column) -> None:
    table = aliases.column_codes(column)  # raises when one folded label leads to two codes of the list
    for code in column.codes:
        assert aliases.CODE_LABELS.get(code), f"{column.name}: koden {code} har ingen svensk etikett"
        assert set(table[aliases.fold(label)] for label in aliases.CODE_LABELS[code]) == {code}


def test_every_alias_names_a_contract_column() -> None:
    for dataset, columns in aliases.HEADER_ALIASES.items():
        assert set(columns) <= set(DATASETS[dataset].column_names), dataset
        aliases.header_table(dataset)  # no alias leads to two columns
