"""A corpus of bad (and awkward but fine) inbox files, each with the outcome it must have.

Every case writes one or more files into an empty inbox (beside a good
``projects.csv`` unless the case is about projects) and states:

- ``rows``: data rows in the case's files, counted by hand (what must come in);
- ``bad``: the rows that must be quarantined, ``{(file, row): rule}`` (row as a person sees it,
  the header being row 1);
- ``error``: for a dataset error, words the check's message must contain (the file name is
  always required too); the check then fails at ERROR;
- ``column``: for a dataset error, the column it must name, where there is one.

Nothing may be lost: rows in = accepted + quarantined, and the quarantined rows are exactly ``bad``.
"""

from __future__ import annotations

import io
import zipfile
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from samverkan.synth import fake_personal_number

PROJECTS_HEADER = "project_id,forbund,name,start_date,end_date,target_group,orientation,planned_participants"
PROJECTS_ROWS = [
    "SF01-P001,Samordningsförbundet Norrdal,Steg till arbete,2021-01-01,2023-12-31,Unga vuxna,individinriktad,60",
    "SF01-P002,Samordningsförbundet Norrdal,Navet,2022-03-01,,Nyanlända,strukturovergripande,",
]
PARTICIPANTS_HEADER = ("participant_id;project_id;gender;birth_year;enrolled_on;exited_on;support_before;"
                       "support_after;occupation_before;occupation_after;exit_reason")


def person(pid: str = "P-AAA1", project: str = "SF01-P001", gender: str = "K", birth: str = "1990",
           enrolled: str = "2022-02-01", exited: str = "2022-11-30", before: str = "forsorjningsstod",
           after: str = "lon", occ_before: str = "arbetssokande", occ_after: str = "arbete",
           reason: str = "arbete") -> str:
    return ";".join([pid, project, gender, birth, enrolled, exited, before, after, occ_before, occ_after, reason])


def participants_csv(*rows: str, header: str = PARTICIPANTS_HEADER, encoding: str = "utf-8") -> bytes:
    return ("\n".join([header, *rows]) + "\n").encode(encoding)


def costs_csv(*rows: str, header: str = "project_id;year;financier;amount_sek;in_kind",
              encoding: str = "utf-8") -> bytes:
    return ("\n".join([header, *rows]) + "\n").encode(encoding)


def projects_csv(*rows: str, header: str = PROJECTS_HEADER) -> bytes:
    return ("\n".join([header, *rows]) + "\n").encode("utf-8")


def events_csv(*rows: str) -> bytes:
    return ("\n".join(["project_id,date,kind,organisation,reference", *rows]) + "\n").encode("utf-8")


def _xlsx(frame: pd.DataFrame, sheet: str) -> bytes:
    buffer = io.BytesIO()
    frame.to_excel(buffer, index=False, sheet_name=sheet)
    return buffer.getvalue()


def _parquet(frame: pd.DataFrame) -> bytes:
    buffer = io.BytesIO()
    frame.to_parquet(buffer, index=False)
    return buffer.getvalue()


def truncated_xlsx() -> bytes:
    whole = _xlsx(pd.DataFrame({"project_id": ["SF01-P001"], "year": [2022], "financier": ["af"],
                                "amount_sek": [1000.0], "in_kind": [False]}), "project_costs")
    assert zipfile.is_zipfile(io.BytesIO(whole))
    return whole[: len(whole) // 2]


_RNG = np.random.default_rng(11)
PN_10_DASH = fake_personal_number(_RNG, twelve_digits=False, separator="-")
PN_12_PLAIN = fake_personal_number(_RNG, twelve_digits=True, separator="")
PN_10_PLUS = fake_personal_number(_RNG, twelve_digits=False, separator="+")
PN_SAMORDNING = fake_personal_number(_RNG, twelve_digits=True, separator="-", coordination=True)
PN_10_PLAIN = fake_personal_number(_RNG, twelve_digits=False, separator="")
PERSONAL_NUMBERS = (PN_10_DASH, PN_12_PLAIN, PN_10_PLUS, PN_SAMORDNING, PN_10_PLAIN)


@dataclass(frozen=True)
class Case:
    id: str
    dataset: str
    files: dict[str, bytes]
    rows: int
    bad: dict[tuple[str, int], str] = field(default_factory=dict)
    error: str | None = None
    column: str | None = None
    # Raw values that must not appear anywhere in what ingest and GX give back.
    raw_secrets: tuple[str, ...] = ()
    # Accepted values that prove the file was understood: column -> values in order.
    accepted_values: dict[str, list] = field(default_factory=dict)

    def write(self, inbox: Path) -> None:
        inbox.mkdir(parents=True, exist_ok=True)
        if self.dataset != "projects":
            (inbox / "projects.csv").write_bytes(projects_csv(*PROJECTS_ROWS))
        for name, data in self.files.items():
            (inbox / name).write_bytes(data)


P = "participants.csv"
GOOD = person("P-GOOD1", enrolled="2022-03-01")
GOOD_COST = "SF01-P002;2022;region;1000;nej"
GOOD_EVENT = "SF01-P002,2022-06-01,implementation_plan,region,y"
C = "project_costs.csv"
LONG_TEXT = "Lång text " * 600

CASES: list[Case] = [
    # --- dialects and encodings that must simply work
    Case("semicolon_utf8", "participants", {P: participants_csv(person(), person("P-AAA2"))}, rows=2),
    Case("comma_delimiter", "participants",
         {P: participants_csv(person().replace(";", ","), header=PARTICIPANTS_HEADER.replace(";", ","))}, rows=1),
    Case("tab_delimiter", "participants",
         {P: participants_csv(person().replace(";", "\t"), header=PARTICIPANTS_HEADER.replace(";", "\t"))}, rows=1),
    Case("utf8_bom", "participants", {P: b"\xef\xbb\xbf" + participants_csv(person())}, rows=1),
    Case("cp1252_excel", "project_costs",
         {C: costs_csv("SF01-P001;2022;kommun;250000;ja", "SF01-P002;2022;samordningsforbund;1 250 000,50;nej",
                       encoding="cp1252")}, rows=2, accepted_values={"amount_sek": [250000.0, 1250000.5]}),
    Case("cp1252_names", "projects",
         {"projects.csv": projects_csv(*PROJECTS_ROWS).decode("utf-8").encode("cp1252")}, rows=2,
         accepted_values={"forbund": ["Samordningsförbundet Norrdal"] * 2}),
    Case("decimal_comma_thousands", "project_costs", {C: costs_csv("SF01-P001;2023;af;1.234.567,25;nej")}, rows=1,
         accepted_values={"amount_sek": [1234567.25]}),
    Case("extra_column_ignored", "participants",
         {P: participants_csv(person() + ";x", header=PARTICIPANTS_HEADER + ";anteckning")}, rows=1),
    Case("xlsx_with_excel_dates", "project_events",
         {"project_events.xlsx": _xlsx(pd.DataFrame({"project_id": ["SF01-P001"],
                                                      "date": [pd.Timestamp("2022-05-20")],
                                                      "kind": ["method_documented"],
                                                      "organisation": ["kommun"], "reference": ["KS 2022/1"]}),
                                       "project_events")}, rows=1,
         accepted_values={"date": [pd.Timestamp("2022-05-20")]}),
    Case("header_only", "participants", {P: participants_csv()}, rows=0),
    # --- the file or its columns are unusable: dataset error naming file (and column)
    Case("wrong_delimiter_pipe", "participants",
         {P: participants_csv(person().replace(";", "|"), header=PARTICIPANTS_HEADER.replace(";", "|"))},
         rows=1, bad={(P, 2): "missing_column"}, error="obligatorisk kolumn saknas", column="participant_id"),
    Case("missing_required_column", "participants",
         {P: participants_csv(";".join(person().split(";")[:2] + person().split(";")[3:]),
                              header=PARTICIPANTS_HEADER.replace(";gender", ""))},
         rows=1, bad={(P, 2): "missing_column"}, error="obligatorisk kolumn saknas", column="gender"),
    Case("renamed_column", "participants",
         {P: participants_csv(person(), header=PARTICIPANTS_HEADER.replace("birth_year", "fodelsear"))},
         rows=1, bad={(P, 2): "missing_column"}, error="obligatorisk kolumn saknas", column="birth_year"),
    Case("empty_file", "participants", {P: b""}, rows=0, error="filen är tom"),
    Case("duplicate_header", "participants",
         {P: participants_csv(person() + ";K", header=PARTICIPANTS_HEADER + ";gender")},
         rows=0, error="kolumnen förekommer flera gånger", column="gender"),
    Case("truncated_xlsx", "project_costs", {"project_costs.xlsx": truncated_xlsx()}, rows=0,
         error="XLSX-filen"),
    Case("not_cp1252_either", "participants", {P: participants_csv(person()) + b"\x81\x8d\n"}, rows=0,
         error="teckenkodningen"),
    Case("projects_header_only", "projects", {"projects.csv": projects_csv()}, rows=0, error="inga projekt"),
    # --- rows quarantined with a rule, the rest accepted
    Case("ragged_row", "participants", {P: participants_csv(person(), person("P-AAA2") + ";extra;fält")},
         rows=2, bad={(P, 3): "row_shape"}),
    Case("duplicate_project_id", "projects",
         {"projects.csv": projects_csv(*PROJECTS_ROWS, PROJECTS_ROWS[0].replace("Steg till arbete", "Kopia"))},
         rows=3, bad={("projects.csv", 4): "duplicate_key"}),
    Case("duplicate_episode", "participants", {P: participants_csv(person(), person("P-AAA2"), person())},
         rows=3, bad={(P, 4): "duplicate_key"}),
    Case("unknown_code", "participants", {P: participants_csv(person(gender="kvinna"), person("P-AAA2"))},
         rows=2, bad={(P, 2): "allowed_codes"}),
    Case("future_date", "participants",
         {P: participants_csv(person(enrolled="2999-01-01", exited="", after="", occ_after="", reason=""), GOOD)},
         rows=2, bad={(P, 2): "future_date"}),
    Case("future_event", "project_events", {"project_events.csv": events_csv("SF01-P001,2998-05-01,"
                                                                             "method_documented,kommun,x", GOOD_EVENT)},
         rows=2, bad={("project_events.csv", 2): "future_date"}),
    Case("swapped_dates", "participants",
         {P: participants_csv(person(enrolled="2022-06-01", exited="2022-01-15"), GOOD)},
         rows=2, bad={(P, 2): "date_order"}),
    Case("project_ends_before_start", "projects",
         {"projects.csv": projects_csv(PROJECTS_ROWS[0].replace("2023-12-31", "2020-12-31"), PROJECTS_ROWS[1])},
         rows=2, bad={("projects.csv", 2): "date_order"}),
    Case("exit_reason_without_date", "participants", {P: participants_csv(person(exited=""), GOOD)},
         rows=2, bad={(P, 2): "needs_value"}),
    Case("bad_date_format", "participants", {P: participants_csv(person(enrolled="1/2/2022"), GOOD)},
         rows=2, bad={(P, 2): "date_format"}),
    Case("negative_amount", "project_costs", {C: costs_csv("SF01-P001;2022;af;-5000;nej",
                                                           "SF01-P001;2022;fk;5000;nej")},
         rows=2, bad={(C, 2): "range"}),
    Case("orphan_project_costs", "project_costs", {C: costs_csv("SF09-P999;2022;af;5000;nej", GOOD_COST)},
         rows=2, bad={(C, 2): "unknown_project"}),
    Case("orphan_project_events", "project_events",
         {"project_events.csv": events_csv("SF09-P999,2022-05-01,method_documented,kommun,x", GOOD_EVENT)},
         rows=2, bad={("project_events.csv", 2): "unknown_project"}),
    Case("birth_year_implausible", "participants",
         {P: participants_csv(person(birth="1850"), person("P-AAA2", birth="2024"), person("P-AAA3", birth="19"))},
         rows=3, bad={(P, 2): "range", (P, 3): "range", (P, 4): "range"}, error="ingen av de 3 raderna"),
    Case("bad_support_extent", "participants", {P: participants_csv(person(before="sjukpenning:30"), GOOD)},
         rows=2, bad={(P, 2): "support_code"}),
    Case("missing_required_value", "participants", {P: participants_csv(person(gender=""), GOOD)},
         rows=2, bad={(P, 2): "required"}),
    Case("boolean_not_understood", "project_costs", {C: costs_csv("SF01-P001;2022;af;5000;kanske", GOOD_COST)},
         rows=2, bad={(C, 2): "type"}),
    Case("parquet_wrong_types", "project_costs",
         {"project_costs.parquet": _parquet(pd.DataFrame({
             "project_id": ["SF01-P001", "SF01-P001", "SF01-P002", "SF01-P002", "SF01-P002"],
             "year": [2022.0, 2022.5, 2023.0, 2024.0, 2025.0],
             "financier": ["af", "fk", "region", "region", "region"],
             "amount_sek": ["tusen", "2000", "3000", "3000", "3000"], "in_kind": ["nej"] * 5}))},
         rows=5, bad={("project_costs.parquet", 1): "type", ("project_costs.parquet", 2): "type"}),
    # --- personnummer: refused wherever they appear, only ever shown masked
    Case("personnummer_10_dash", "participants", {P: participants_csv(person(PN_10_DASH), GOOD)},
         rows=2, bad={(P, 2): "personnummer"}, raw_secrets=(PN_10_DASH,)),
    Case("personnummer_12_plain", "participants", {P: participants_csv(person(PN_12_PLAIN), GOOD)},
         rows=2, bad={(P, 2): "personnummer"}, raw_secrets=(PN_12_PLAIN,)),
    Case("personnummer_10_plus", "participants", {P: participants_csv(person(PN_10_PLUS), GOOD)},
         rows=2, bad={(P, 2): "personnummer"}, raw_secrets=(PN_10_PLUS,)),
    Case("samordningsnummer", "participants", {P: participants_csv(person(PN_SAMORDNING), GOOD)},
         rows=2, bad={(P, 2): "personnummer"}, raw_secrets=(PN_SAMORDNING,)),
    Case("personnummer_in_reference", "project_events",
         {"project_events.csv": events_csv(f"SF01-P001,2022-05-01,method_documented,kommun,Ärende {PN_10_PLAIN}",
                                           GOOD_EVENT)},
         rows=2, bad={("project_events.csv", 2): "personnummer"}, raw_secrets=(PN_10_PLAIN,)),
    # --- text a spreadsheet would run, and text no field should hold
    Case("formula_hyperlink", "projects",
         {"projects.csv": projects_csv(PROJECTS_ROWS[0].replace("Unga vuxna", '"=HYPERLINK(""http://x.invalid"")"'),
                                       PROJECTS_ROWS[1])},
         rows=2, bad={("projects.csv", 2): "formula"}),
    Case("formula_at_sign", "participants", {P: participants_csv(person("@SUM(A1:A9)"), GOOD)},
         rows=2, bad={(P, 2): "formula"}),
    Case("very_long_text", "projects",
         {"projects.csv": projects_csv(PROJECTS_ROWS[0].replace("Unga vuxna", LONG_TEXT), PROJECTS_ROWS[1])},
         rows=2, bad={("projects.csv", 2): "too_long"}),
]
