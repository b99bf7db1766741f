"""Import profiles: a made-up export layout mapped without code, every profile mistake one Swedish line, the
check command's view of an inbox, the shipped Uppföljning Finsam profile, and every unread file named."""

from __future__ import annotations

import datetime as dt
import os
import re
from pathlib import Path

import pandas as pd
import pytest
import yaml
from bad_inputs.corpus import PROJECTS_HEADER, PROJECTS_ROWS, costs_csv, participants_csv, person, projects_csv

from pipelines.cli import build_parser, main
from samverkan import steward
from samverkan.ingest import ingest_dataset
from samverkan.overrides import RunFileError
from samverkan.profile import PROFILE_FILE, SHIPPED, load_profile, parse_profile
from samverkan.profile_check import check_inbox
from samverkan.unread import unread_files, unread_for_run

TODAY = dt.date(2025, 6, 30)

# A made-up case system's export: its own file names, column names, numeric gender codes, day-first dates
# and a decimal comma with point thousands.
PROFILE = """\
name: Ärendesystemet Ärla
files:
  participants: ["export_deltagare_*.csv"]
  project_costs: "ekonomi*.csv"
columns:
  participants:
    Löpnr: participant_id
    Projekt: project_id
    Sex: gender
    Född: birth_year
    Start: enrolled_on
    Slut: exited_on
    Stöd in: support_before
    Stöd ut: support_after
    Syss in: occupation_before
    Syss ut: occupation_after
    Orsak: exit_reason
  project_costs:
    Projekt: project_id
    Kostnad: amount_sek
    Betalare: financier
    Natura: in_kind
values:
  participants:
    gender: {"1": K, "2": M}
    support_before: {FS: Försörjningsstöd, "FS+SP50": "forsorjningsstod|sjukpenning:50"}
    exit_reason: {"Jobb": arbete}
  project_costs:
    financier: {SF: samordningsforbund, AF: af}
date_formats: ["%d/%m/%Y"]
decimal: ","
"""
MADE_UP_PARTICIPANTS = ("Löpnr;Projekt;Sex;Född;Start;Slut;Stöd in;Stöd ut;Syss in;Syss ut;Orsak;Anteckning\n"
                        "P-AAA1;SF01-P001;1;1990;01/02/2022;30/11/2022;FS;lon;arbetssokande;arbete;Jobb;x\n"
                        "P-AAA2;SF01-P001;2;1990;01/02/2022;30/11/2022;FS+SP50;lon;arbetssokande;arbete;Jobb;y\n")
ENGLISH_PARTICIPANTS = participants_csv(person("P-AAA1"), person("P-AAA2", gender="M",
                                                                   before="forsorjningsstod|sjukpenning:50"))
MADE_UP_COSTS = "Projekt;år;Betalare;Kostnad;Natura\nSF01-P001;2022;SF;1.250.000,50;nej\nSF01-P001;2022;AF;12,5;ja\n"


def _made_up_inbox(root: Path) -> Path:
    inbox = root / "inkorg"
    inbox.mkdir()
    (inbox / "projects.csv").write_bytes(projects_csv(*PROJECTS_ROWS))
    (inbox / "export_deltagare_2022.csv").write_text(MADE_UP_PARTICIPANTS, encoding="cp1252")
    (inbox / "ekonomi_2022.csv").write_text(MADE_UP_COSTS, encoding="utf-8")
    (inbox / PROFILE_FILE).write_text(PROFILE, encoding="utf-8")
    return inbox


def _accepted(inbox: Path, dataset: str, profile_file: str = "") -> pd.DataFrame:
    projects = ingest_dataset(inbox, "projects", None, TODAY, profile_file=profile_file)
    result = ingest_dataset(inbox, dataset, projects.accepted["project_id"], TODAY, profile_file=profile_file)
    assert result.usable, result.dataset_errors
    return result.accepted.drop(columns=["source_file"])


def test_a_profile_maps_a_made_up_layout_onto_the_contract(tmp_path: Path) -> None:
    inbox = _made_up_inbox(tmp_path)
    english = tmp_path / "english"
    english.mkdir()
    (english / "projects.csv").write_bytes(projects_csv(*PROJECTS_ROWS))
    (english / "participants.csv").write_bytes(ENGLISH_PARTICIPANTS)
    pd.testing.assert_frame_equal(_accepted(inbox, "participants"), _accepted(english, "participants"))
    costs = _accepted(inbox, "project_costs")
    # 1.250.000,50 with a decimal comma: the points are thousands.
    assert costs["amount_sek"].tolist() == [1_250_000.5, 12.5]
    assert costs["financier"].tolist() == ["samordningsforbund", "af"]
    assert costs["in_kind"].tolist() == [False, True]


def test_without_the_profile_the_made_up_files_are_not_read_and_say_why(tmp_path: Path) -> None:
    inbox = _made_up_inbox(tmp_path)
    (inbox / PROFILE_FILE).unlink()
    unread = {u.name: u.reason for u in unread_files(inbox, None)}
    assert set(unread) == {"export_deltagare_2022.csv", "ekonomi_2022.csv"}
    assert unread["export_deltagare_2022.csv"].startswith("namnet matchar inget dataset (projects, ")


def test_an_explicit_profile_wins_over_the_inbox_one(tmp_path: Path) -> None:
    inbox = _made_up_inbox(tmp_path)
    other = tmp_path / "other.yaml"
    other.write_text("name: tom\n", encoding="utf-8")
    assert _accepted(inbox, "participants", str(other)).empty
    unread = {u.name: u.reason for u in unread_for_run(inbox, other)}
    assert unread[PROFILE_FILE] == "importprofilen i inkorgen används inte: körningen anger en annan"
    assert "export_deltagare_2022.csv" in unread


@pytest.mark.parametrize(("text", "line"), [
    ("name: x\nfile: {}\n", "importprofilen p.yaml: okänd nyckel file (tillåtna: name, description, source, files, "
                            "columns, values, date_formats, decimal)"),
    ("columns:\n  participants:\n    Kön: sex\n",
     "importprofilen p.yaml: columns.participants: 'Kön' ska bli 'sex', som inte är en kolumn i participants"),
    ("values:\n  participants:\n    gender: {'1': kvinnlig}\n",
     "importprofilen p.yaml: values.participants.gender: '1' ska bli 'kvinnlig', som inte är en kod för gender"),
    ("files:\n  deltagare: ['*.csv']\n", "importprofilen p.yaml: files: okänt dataset 'deltagare'"),
    ("date_formats: ['%d/%m']\n",
     "importprofilen p.yaml: date_formats: datumformatet '%d/%m' ska ha år, månad och dag"),
    ("decimal: ';'\n", "importprofilen p.yaml: decimal ska vara \",\" (komma) eller \".\" (punkt), fick ';'"),
])
def test_every_profile_mistake_is_one_swedish_line(text: str, line: str) -> None:
    with pytest.raises(RunFileError) as caught:
        parse_profile(yaml.safe_load(text), "p.yaml")
    assert len(caught.value.lines) == 1
    assert caught.value.lines[0].startswith(line)


def test_a_yaml_error_names_the_file_and_line(tmp_path: Path) -> None:
    path = tmp_path / "p.yaml"
    path.write_text("name: x\ncolumns:\n  participants:\n    Kön: gender\n   Född: birth_year\n", encoding="utf-8")
    with pytest.raises(RunFileError) as caught:
        load_profile(path)
    # The parser's own words are libyaml's or PyYAML's, whichever is installed; the line and the advice are ours.
    [line] = caught.value.lines
    assert re.fullmatch(re.escape(f"importprofilen {path}, rad 5: inte giltig YAML; kontrollera indrag, kolon och "
                                  "citattecken (parserns besked: ") + r"[^()]+\)", line), line
    path.write_text("name: x\nname: y\n", encoding="utf-8")
    with pytest.raises(RunFileError, match="rad 2.*nyckeln 'name' anges två gånger"):
        load_profile(path)


def test_profile_check_shows_what_every_file_and_column_becomes(tmp_path: Path) -> None:
    inbox = _made_up_inbox(tmp_path)
    report = check_inbox(inbox, inbox / PROFILE_FILE)
    assert report.ok, report.lines
    lines = report.lines
    assert lines[0] == f"importprofil: Ärendesystemet Ärla ({inbox / PROFILE_FILE})"
    assert "export_deltagare_2022.csv → participants (2 rader)" in lines
    assert "  'löpnr' → participant_id (profilen)" in lines
    assert "  'anteckning' → okänd kolumn 'anteckning'; används inte" in lines
    assert "  'år' → year (svenskt namn)" in lines
    assert "  'project_id' → project_id (kontraktet)" in lines
    assert "  värden i gender: 2 med träff i profilen, 0 utan" in lines
    assert "  värden i exit_reason: 2 med träff i profilen, 0 utan" in lines
    assert "  värden i support_before: 2 med träff i profilen, 0 utan" in lines


def test_profile_check_fails_with_2_on_a_missing_column_or_an_unread_file(tmp_path: Path, capsys) -> None:
    inbox = _made_up_inbox(tmp_path)
    profile = str(inbox / PROFILE_FILE)
    assert main(["profile", "check", "--inbox", str(inbox), "--profile", profile]) == 0
    (inbox / "kostnader_gamla.xls").write_bytes(b"\xd0\xcf\x11\xe0")
    (inbox / "export_deltagare_2023.csv").write_text("Löpnr;Projekt\nP-AAA9;SF01-P001\n", encoding="utf-8")
    capsys.readouterr()
    assert main(["profile", "check", "--inbox", str(inbox), "--profile", profile]) == 2
    out = capsys.readouterr().out
    assert "  saknas (obligatoriska): gender, birth_year, enrolled_on, support_before, occupation_before; filen kan " \
           "inte tas emot" in out
    assert "  kostnader_gamla.xls: det gamla Excel-formatet .xls läses inte; spara filen som Excel-arbetsbok " \
           "(.xlsx)" in out
    assert main(["profile", "check", "--inbox", str(inbox), "--profile", str(tmp_path / "saknas.yaml")]) == 2
    assert f"importprofilen {tmp_path / 'saknas.yaml'} finns inte" in capsys.readouterr().out


def test_every_unread_file_is_in_the_notice_with_its_reason(tmp_path: Path) -> None:
    inbox = tmp_path / "inkorg"
    inbox.mkdir()
    (inbox / "projects.csv").write_bytes(projects_csv(*PROJECTS_ROWS))
    (inbox / "project_costs.csv").write_bytes(costs_csv("SF01-P001;2022;af;100;nej"))
    (inbox / "deltagare_2023.csv").write_bytes(ENGLISH_PARTICIPANTS)
    (inbox / "kostnader_gamla.xls").write_bytes(b"\xd0\xcf\x11\xe0")
    (inbox / ".DS_Store").write_bytes(b"")
    (inbox / "~$projects.xlsx").write_bytes(b"")
    (inbox / "plans").mkdir()
    os.symlink(inbox / "projects.csv", inbox / "kopia.csv")
    unread = unread_files(inbox, None)
    assert [(u.name, u.notable) for u in unread] == [
        (".DS_Store", False), ("deltagare_2023.csv", True), ("kopia.csv", True), ("kostnader_gamla.xls", True),
        ("plans", False), ("~$projects.xlsx", False)]
    reasons = {u.name: u.reason for u in unread}
    assert "menade du participants_2023.csv?" in reasons["deltagare_2023.csv"]
    assert reasons["kopia.csv"] == "en symbolisk länk läses inte; lägg själva filen i inkorgen"
    assert reasons["plans"] == "en mapp; filer i undermappar läses inte"

    clean = [steward.CheckOutcome("projects", True, "WARN", 2, 2, 0)]
    assert steward.needs_notice(clean, unread)
    assert not steward.needs_notice(clean, [u for u in unread if not u.notable])
    assert steward.subject("2024", clean, unread) == "[samverkansbokslut] 2024: 3 filer i inkorgen lästes inte"
    text = steward.notice_markdown("2024", "r1", clean, tmp_path, unread=unread)
    assert "## Filer i inkorgen som inte lästes" in text
    for u in unread:
        assert f"- `{u.name}`: {u.reason}" in text


def test_the_shipped_uppfoljning_finsam_profile_reads_its_documented_layout(tmp_path: Path) -> None:
    shipped = SHIPPED / "uppfoljning_finsam.yaml"
    profile = load_profile(shipped)
    inbox = tmp_path / "inkorg"
    inbox.mkdir()
    pd.DataFrame({
        "Insats-ID": ["SF01-P001"], "Insatsens namn": ["Steg till arbete"],
        "Samordningsförbund": ["Samordningsförbundet Norrdal"], "Insatsinriktning": ["Individinriktad insats"],
        "Startdatum": ["2021-01-01"], "Slutdatum": ["20231231"], "target_share_work_or_studies": [0.25],
    }).to_excel(inbox / "insatser_2024.xlsx", index=False)
    pd.DataFrame({
        "Deltagar-ID": ["P-AAA1", "P-AAA2"], "Insats-ID": ["SF01-P001"] * 2, "Kön": ["Kvinna", "Man"],
        "Födelseår": [1990, 1985], "Inregistreringsdatum": ["01/02/2022", "2022-03-01"],
        "Utregistreringsdatum": ["30/11/2022", ""], "Folkbokföringskommun": ["Borås", "Borås"],
        "Försörjningskälla före insats": ["Försörjningsstöd/ekonomiskt bistånd", "Arbetslöshetsersättning"],
        "Försörjningskälla efter insats": ["Lön", ""],
        "Sysselsättning före insats": ["Aktivt arbetssökande", "Övriga"],
        "Sysselsättning efter insats": ["Förvärvsarbete", ""],
        "Högsta slutförda utbildningsnivå": ["Gymnasial utbildning", "Uppgift saknas"],
        "Avslutsanledning": ["Arbete", ""],
    }).to_excel(inbox / "deltagare_2024.xlsx", index=False)
    projects = _accepted(inbox, "projects", str(shipped))
    assert projects[["project_id", "orientation"]].values.tolist() == [["SF01-P001", "individinriktad"]]
    assert projects["end_date"].tolist() == [pd.Timestamp("2023-12-31")]
    # An Excel number is not text with a decimal comma: the profile's decimal mark leaves it alone.
    assert projects["target_share_work_or_studies"].tolist() == [0.25]
    people = _accepted(inbox, "participants", str(shipped))
    assert people["support_before"].tolist() == ["forsorjningsstod", "a_kassa"]
    assert people["occupation_before"].tolist() == ["arbetssokande", "ovrigt"]
    assert people["education_level"].tolist() == ["gymnasial", "okand"]
    assert people["enrolled_on"].tolist() == [pd.Timestamp("2022-02-01"), pd.Timestamp("2022-03-01")]
    assert profile.name.startswith("Uppföljning Finsam")


def test_run_and_backfill_take_a_profile(tmp_path: Path) -> None:
    path = tmp_path / "p.yaml"
    path.write_text("name: x\n", encoding="utf-8")
    args = build_parser().parse_args(["run", "--inbox", str(tmp_path), "--year", "2024", "--out", str(tmp_path),
                                      "--profile", str(path)])
    assert args.profile_file == str(path.resolve())
    path.write_text("nam: x\n", encoding="utf-8")
    assert main(["run", "--inbox", str(tmp_path), "--year", "2024", "--out", str(tmp_path / "ut"),
                 "--profile", str(path)]) == 2


def test_two_columns_that_mean_the_same_refuse_the_file_by_name(tmp_path: Path) -> None:
    inbox = tmp_path / "inkorg"
    inbox.mkdir()
    (inbox / "projects.csv").write_bytes(projects_csv(*PROJECTS_ROWS, header=PROJECTS_HEADER + ",Startdatum")
                                         .replace(b"60\n", b"60,2021-01-01\n"))
    result = ingest_dataset(inbox, "projects", None, TODAY)
    assert not result.usable
    assert "flera kolumner betyder samma sak: 'start_date', 'startdatum' blir alla start_date" in \
        result.dataset_errors[0]
