"""A corpus of bad (and awkward but fine) inbox files, each with the outcome it must have.

Every case writes one or more files into an empty inbox (beside a good
``projects.csv`` unless the case is about projects) and states:

- ``rows``: data rows in the case's files, counted by hand (what must come in);
- ``bad``: the rows that must be quarantined, ``{(file, row): rule}`` (row as a person sees it,
  the header being row 1);
- ``error``: for a dataset error, words the check's message must contain (the file name is
  always required too); the check then fails at ERROR;
- ``column``: for a dataset error, the column it must name, where there is one;
- ``special``: files that are not plain files (``symlink`` to a file holding the case's bytes, ``fifo``).

Nothing may be lost: rows in = accepted + quarantined, and the quarantined rows are exactly ``bad``.
"""

from __future__ import annotations

import io
import os
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
    special: dict[str, str] = field(default_factory=dict)

    def write(self, inbox: Path) -> None:
        inbox.mkdir(parents=True, exist_ok=True)
        if self.dataset != "projects":
            (inbox / "projects.csv").write_bytes(projects_csv(*PROJECTS_ROWS))
        for name, data in self.files.items():
            kind = self.special.get(name)
            if kind == "symlink":
                # The target has a name no dataset matches: only the link could bring it in.
                (inbox / f".target-{name}.txt").write_bytes(data)
                (inbox / name).symlink_to(f".target-{name}.txt")
            elif kind == "fifo":
                os.mkfifo(inbox / name)
            else:
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
         {P: participants_csv(person(), header=PARTICIPANTS_HEADER.replace("birth_year", "fodelsar"))},
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
    Case("unknown_code", "participants", {P: participants_csv(person(gender="kvinn"), person("P-AAA2"))},
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


# ------------------------------------------------------------------ issue 17: personnummer as people type them

_RNG17 = np.random.default_rng(17)
# More than half of a dataset's rows in quarantine makes it unusable: cases with several bad rows add these.
GOOD_COSTS = [f"SF01-P002;{year};region;1000;nej" for year in (2021, 2023, 2024)]


def _pn(twelve: bool = False, separator: str = "-") -> str:
    return fake_personal_number(_RNG17, twelve_digits=twelve, separator=separator)


def _fullwidth(text: str) -> str:
    return text.translate({ord(c): 0xFF10 + int(c) for c in "0123456789"} | {ord("-"): 0xFF0D})


PN_SPACE = _pn(separator=" ")
PN_EN_DASH = _pn(separator=" \u2013 ")
PN_MINUS = _pn(separator="\u2212")
PN_NB_HYPHEN = _pn(separator="\u2011")
PN_NBSP = _pn(separator="\u00a0")
_zw = _pn()
PN_ZERO_WIDTH = _zw[:4] + "\u200b" + _zw[4:]
_dashed = _pn(twelve=True, separator="-")
PN_DASHED_DATE = f"{_dashed[:4]}-{_dashed[4:6]}-{_dashed[6:]}"
PN_FULLWIDTH = _fullwidth(_pn())
PN_IN_CODE = _pn(separator=" ")
PN_IN_FILE_NAME = _pn(separator="-")
PN_IN_HEADER = _pn(separator="")
# Born 2005-03-14, valid check digit; a spreadsheet number cell keeps 503141236.
PN_LOST_ZERO = "0503141236"
NEW_PERSONAL_NUMBERS = (PN_SPACE, PN_EN_DASH, PN_MINUS, PN_NB_HYPHEN, PN_NBSP, PN_ZERO_WIDTH, PN_DASHED_DATE,
                        PN_FULLWIDTH, PN_IN_CODE, PN_IN_FILE_NAME, PN_IN_HEADER, PN_LOST_ZERO)


def _workbook(header: list, rows: list[list], sheet: str) -> bytes:
    from openpyxl import Workbook

    workbook = Workbook()
    ws = workbook.active
    ws.title = sheet
    ws.append(header)
    for row in rows:
        ws.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def _patched_sheet(data: bytes, old: bytes, new: bytes) -> bytes:
    """The workbook with its first sheet's XML edited (a hostile file no spreadsheet program writes)."""
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as src, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for item in src.infolist():
            content = src.read(item.filename)
            if item.filename == "xl/worksheets/sheet1.xml":
                assert old in content
                content = content.replace(old, new)
            dst.writestr(item, content)
    return out.getvalue()


PEOPLE_HEADER = PARTICIPANTS_HEADER.split(";")


def _person_cells(pid: str, **changes: object) -> list:
    cells: list = person(pid).split(";")
    cells[3] = int(cells[3])
    for index, value in changes.items():
        cells[int(index.lstrip("c"))] = value
    return cells


TEN_PEOPLE = [person(f"P-Q{i:02d}", enrolled=f"2022-02-{i + 1:02d}") for i in range(10)]
XLSX_PEOPLE = _workbook(PEOPLE_HEADER, [_person_cells(f"P-X{i}") for i in range(4)], "participants")
XP = "participants.xlsx"


def _arrow_parquet(columns: dict[str, list]) -> bytes:
    import pyarrow as pa
    import pyarrow.parquet as pq

    buffer = io.BytesIO()
    pq.write_table(pa.table(columns), buffer)
    return buffer.getvalue()


def _pn_case(case_id: str, value: str, *, file: str = P) -> Case:
    return Case(case_id, "participants", {file: participants_csv(person(value), GOOD)}, rows=2,
                bad={(file, 2): "personnummer"}, raw_secrets=(value,))


CASES += [
    _pn_case("personnummer_space", PN_SPACE),
    _pn_case("personnummer_en_dash", PN_EN_DASH),
    _pn_case("personnummer_minus_sign", PN_MINUS),
    _pn_case("personnummer_non_breaking_hyphen", PN_NB_HYPHEN),
    _pn_case("personnummer_zero_width_space", PN_ZERO_WIDTH),
    _pn_case("personnummer_dashed_date", PN_DASHED_DATE),
    _pn_case("personnummer_fullwidth_digits", PN_FULLWIDTH),
    Case("personnummer_nbsp_in_reference", "project_events",
         {"project_events.csv": events_csv(f"SF01-P001,2022-05-01,method_documented,kommun,Beslut {PN_NBSP}",
                                           GOOD_EVENT)},
         rows=2, bad={("project_events.csv", 2): "personnummer"}, raw_secrets=(PN_NBSP,)),
    # The "okänd kod '850314 4563'": a code column quoted its value in the message.
    Case("personnummer_in_code_column", "participants", {P: participants_csv(person(gender=PN_IN_CODE), GOOD)},
         rows=2, bad={(P, 2): "personnummer"}, raw_secrets=(PN_IN_CODE,)),
    Case("personnummer_excel_number_lost_zero", "participants",
         {XP: _workbook(PEOPLE_HEADER, [_person_cells("x", c0=int(PN_LOST_ZERO)), _person_cells("P-X2")],
                        "participants")},
         rows=2, bad={(XP, 2): "personnummer"}, raw_secrets=(PN_LOST_ZERO, PN_LOST_ZERO[1:])),
    _pn_case("personnummer_csv_nine_digits", PN_LOST_ZERO[1:]),
    Case("personnummer_in_file_name", "participants", {f"participants_{PN_IN_FILE_NAME}.csv": participants_csv(GOOD)},
         rows=1, raw_secrets=(PN_IN_FILE_NAME,)),
    Case("personnummer_in_column_name", "participants",
         {P: participants_csv(GOOD + ";x", header=PARTICIPANTS_HEADER + f";kontakt {PN_IN_HEADER}")},
         rows=1, raw_secrets=(PN_IN_HEADER,)),
    # --- issue 17: rows counted against the file itself
    Case("unclosed_quote_swallows_the_rest", "participants",
         {P: participants_csv(*TEN_PEOPLE[:7], TEN_PEOPLE[7].rsplit(";", 1)[0] + ';"arbete', *TEN_PEOPLE[8:])},
         rows=10, bad={(P, r): "row_shape" for r in range(9, 12)}),
    Case("narrow_row", "participants", {P: participants_csv(GOOD, person("P-AAA2").rsplit(";", 2)[0])},
         rows=2, bad={(P, 3): "row_shape"}),
    Case("xlsx_cell_beyond_header", "participants",
         {XP: _workbook(PEOPLE_HEADER, [_person_cells("P-X1"), [*_person_cells("P-X2"), None, "utanför"],
                                        [None] * 12 + ["bara här"], _person_cells("P-X3"), _person_cells("P-X4")],
                        "participants")},
         rows=5, bad={(XP, 3): "row_shape", (XP, 4): "row_shape"}),
    Case("xlsx_lying_dimension", "participants",
         {XP: _patched_sheet(XLSX_PEOPLE, b'ref="A1:K5"', b'ref="A1:B2"')}, rows=4,
         accepted_values={"participant_id": [f"P-X{i}" for i in range(4)]}),
    Case("xlsx_row_number_repeated", "participants",
         {XP: _patched_sheet(XLSX_PEOPLE, b'<row r="3"', b'<row r="2"')}, rows=0, error="poster men"),
    Case("parquet_gender_and_Gender", "participants",
         {"participants.parquet": _arrow_parquet({"participant_id": ["P-1"], "gender": ["K"], "Gender": ["M"]})},
         rows=0, error="kolumnen förekommer flera gånger", column="gender"),
    Case("csv_header_twice_in_other_casing", "participants",
         {P: participants_csv(GOOD + ";K", header=PARTICIPANTS_HEADER + ";Gender")},
         rows=0, error="kolumnen förekommer flera gånger", column="gender"),
    Case("utf16_with_bom_tab", "participants",
         {P: participants_csv(person().replace(";", "\t"), GOOD.replace(";", "\t"),
                              header=PARTICIPANTS_HEADER.replace(";", "\t"), encoding="utf-16")}, rows=2),
    Case("utf16_without_bom", "participants", {P: participants_csv(GOOD, encoding="utf-16-le")}, rows=0,
         error="UTF-16"),
    Case("excel_sep_line", "project_costs", {C: b"sep=;\r\n" + costs_csv(GOOD_COST)}, rows=1,
         accepted_values={"amount_sek": [1000.0]}),
    Case("symlink_in_inbox", "participants", {P: participants_csv(GOOD)}, rows=0, error="symbolisk länk",
         special={P: "symlink"}),
    Case("fifo_in_inbox", "participants", {P: b""}, rows=0, error="ingen vanlig fil", special={P: "fifo"}),
    Case("cell_longer_than_excel_allows", "participants",
         {P: participants_csv(person("P-" + "A" * 40_000), GOOD)}, rows=2, bad={(P, 2): "row_shape"}),
    # --- issue 17: impossible numbers
    Case("non_finite_amounts", "project_costs",
         {C: costs_csv("SF01-P001;2022;af;inf;nej", "SF01-P001;2022;fk;1e400;nej", "SF01-P001;2022;kommun;NaN;nej",
                       "SF01-P001;2022;region;-inf;nej", GOOD_COST, *GOOD_COSTS)},
         rows=8, bad={(C, 2): "type", (C, 3): "type", (C, 4): "type", (C, 5): "type"}),
    Case("non_finite_year", "project_costs", {C: costs_csv("SF01-P001;inf;af;100;nej", GOOD_COST)},
         rows=2, bad={(C, 2): "type"}),
]
