import csv
import datetime as dt
import io
from pathlib import Path

import pandas as pd
import pytest

from samverkan.readers import ReadError, dataset_files, read_dataset, read_file

HEADER = ["project_id", "year", "financier", "amount_sek", "in_kind"]
ROWS = [["SF01-P001", "2024", "samordningsforbund", "1 250 000,50", "nej"],
        ["SF01-P001", "2024", "kommun", "300000", "ja"]]


def write_csv(path: Path, sep: str, encoding: str, rows=ROWS, header=HEADER) -> Path:
    text = "\n".join(sep.join(r) for r in [header, *rows]) + "\n"
    path.write_bytes(text.encode(encoding))
    return path


@pytest.mark.parametrize(
    ("sep", "encoding"),
    [(",", "utf-8"), (";", "utf-8"), (";", "utf-8-sig"), (";", "cp1252"), ("\t", "utf-8")],
)
def test_csv_dialects_read_the_same(tmp_path: Path, sep: str, encoding: str) -> None:
    rows = [r[:] for r in ROWS]
    if sep == ",":
        rows[0][3] = "1250000.50"
    path = write_csv(tmp_path / "project_costs.csv", sep, encoding, rows)
    frame = read_file(path, "project_costs")
    assert list(frame.columns[:5]) == HEADER  # a BOM never sticks to the first column name
    assert frame["financier"].tolist() == ["samordningsforbund", "kommun"]
    assert frame["source_file"].tolist() == ["project_costs.csv"] * 2
    assert frame["source_row"].tolist() == [2, 3]


PLAIN_AND_NOT = {
    "plain": ("a;b;c\n1;2;3\n4;5;6\n", True),
    "crlf and no final line break": ("a;b;c\r\n1;2;3\r\n4;5;6", True),
    "blank records": ("a;b;c\n1;2;3\n;;\n  ; \t;\n4;5;6\n", True),
    "no-break spaces only": ("a;b;c\n\u00a0;\u00a0;\u00a0\n1;2;3\n", True),
    "line separator inside a cell": ("a;b;c\n1\u2028x;2;3\n", True),
    "spaces around cells and names": (" A ; B ;C\n 1 ; 2 ;3 \n", True),
    "only blank records": ("a;b\n;\n;\n", True),
    "one column with an empty line": ("a\n1\n\n2\n", True),
    "empty line": ("a;b;c\n1;2;3\n\n4;5;6\n", True),
    "wide record": ("a;b;c\n1;2;3;4\n4;5;6\n", False),
    "narrow record": ("a;b;c\n1;2\n4;5;6\n", False),
    "quoted delimiter": ('a;b;c\n"1;x";2;3\n', False),
    "header only": ("a;b;c\n", False),
    "repeated column": ("a;a;c\n1;2;3\n", False),
    "unit separator": ("a;b\n\x1f;\x1f\n1;2\n", False),
}


@pytest.mark.parametrize("case", sorted(PLAIN_AND_NOT))
def test_plain_files_read_by_arrow_give_what_the_row_by_row_reader_gives(tmp_path: Path, monkeypatch, case) -> None:
    # readers._read_plain_csv reads the usual export (no quotes, even records) with Arrow; anything else
    # goes row by row. Both must give the same rows, row numbers, notes and errors.
    from samverkan import readers

    text, plain = PLAIN_AND_NOT[case]
    path = tmp_path / "project_costs.csv"
    path.write_bytes(text.encode("utf-8"))
    delimiter = readers._sniff_delimiter(text.splitlines()[0])
    assert (readers._read_plain_csv(text, delimiter) is not None) == plain

    def read(plain_reader):
        monkeypatch.setattr(readers, "_read_plain_csv", plain_reader)
        try:
            return read_file(path, "project_costs")
        except ReadError as exc:
            return str(exc)

    by_arrow = read(readers._read_plain_csv)
    by_rows = read(lambda text, delimiter: None)
    if isinstance(by_rows, str):
        assert by_arrow == by_rows
    else:
        pd.testing.assert_frame_equal(by_arrow, by_rows, check_exact=True)


def test_cp1252_keeps_swedish_letters(tmp_path: Path) -> None:
    header = ["project_id", "forbund", "name"]
    row = ["P1", "Samordningsförbundet Älvsby", "Språngbrädan – ung"]
    path = write_csv(tmp_path / "projects.csv", ";", "cp1252", [row], header)
    frame = read_file(path, "projects")
    assert frame.loc[0, "forbund"] == "Samordningsförbundet Älvsby"
    assert frame.loc[0, "name"] == "Språngbrädan – ung"


def test_blank_lines_are_skipped_but_row_numbers_stay_true(tmp_path: Path) -> None:
    path = tmp_path / "project_costs.csv"
    path.write_text(";".join(HEADER) + "\n" + ";".join(ROWS[0]) + "\n\n" + ";".join(ROWS[1]) + "\n", encoding="utf-8")
    assert read_file(path, "project_costs")["source_row"].tolist() == [2, 4]


def test_ragged_row_is_kept_with_a_reason(tmp_path: Path) -> None:
    path = tmp_path / "project_costs.csv"
    path.write_text(";".join(HEADER) + "\n" + ";".join([*ROWS[0], "extra"]) + "\n" + ";".join(ROWS[1][:3]) + "\n",
                    encoding="utf-8")
    frame = read_file(path, "project_costs")
    assert len(frame) == 2
    assert "6 fält" in frame.loc[0, "source_problem"]
    assert "3 fält" in frame.loc[1, "source_problem"]


def test_xlsx_named_sheet_and_excel_dates(tmp_path: Path) -> None:
    path = tmp_path / "projects.xlsx"
    with pd.ExcelWriter(path) as writer:
        pd.DataFrame({"note": ["not this sheet"]}).to_excel(writer, sheet_name="Info", index=False)
        pd.DataFrame({
            "Project_ID ": ["P1", "P2"],
            "start_date": [dt.datetime(2021, 3, 1), dt.datetime(2022, 1, 15)],
            "planned_participants": [40, 12.0],
        }).to_excel(writer, sheet_name="projects", index=False)
    frame = read_file(path, "projects")
    assert frame["project_id"].tolist() == ["P1", "P2"]
    assert frame["start_date"].tolist() == ["2021-03-01", "2022-01-15"]
    assert frame["planned_participants"].tolist() == ["40", "12"]
    assert frame["source_row"].tolist() == [2, 3]


def test_xlsx_first_sheet_when_no_sheet_is_named_after_the_dataset(tmp_path: Path) -> None:
    path = tmp_path / "projects_2024.xlsx"
    pd.DataFrame({"project_id": ["P9"]}).to_excel(path, sheet_name="Blad1", index=False)
    assert read_file(path, "projects")["project_id"].tolist() == ["P9"]


def test_truncated_xlsx_names_the_file(tmp_path: Path) -> None:
    good = tmp_path / "good.xlsx"
    pd.DataFrame({"project_id": ["P1"] * 200}).to_excel(good, index=False)
    bad = tmp_path / "projects.xlsx"
    bad.write_bytes(good.read_bytes()[: good.stat().st_size // 2])
    with pytest.raises(ReadError, match=r"^projects\.xlsx: "):
        read_file(bad, "projects")


def test_parquet_with_typed_columns_reads_as_text(tmp_path: Path) -> None:
    path = tmp_path / "project_events.parquet"
    pd.DataFrame({
        "project_id": ["P1", "P2"],
        "date": [dt.date(2024, 5, 20), dt.date(2023, 1, 2)],
        "kind": ["method_documented", "system_finding"],
    }).to_parquet(path)
    frame = read_file(path, "project_events")
    assert frame["date"].tolist() == ["2024-05-20", "2023-01-02"]
    assert frame["source_row"].tolist() == [1, 2]


def test_empty_csv_is_a_read_error(tmp_path: Path) -> None:
    path = tmp_path / "participants.csv"
    path.write_bytes(b"")
    with pytest.raises(ReadError, match="participants.csv: filen är tom"):
        read_file(path, "participants")


def test_header_only_gives_no_rows(tmp_path: Path) -> None:
    path = write_csv(tmp_path / "project_costs.csv", ",", "utf-8", rows=[])
    frame = read_file(path, "project_costs")
    assert frame.empty and "amount_sek" in frame.columns


def test_dataset_files_match_by_prefix_only(tmp_path: Path) -> None:
    for name in ["projects.xlsx", "projects_2024.csv", "project_costs.csv", "project_events.parquet",
                 "participants_2023.csv", "notes.txt", "~$projects.xlsx", "projectsx.csv"]:
        (tmp_path / name).write_bytes(b"")
    assert [p.name for p in dataset_files(tmp_path, "projects")] == ["projects.xlsx", "projects_2024.csv"]
    assert [p.name for p in dataset_files(tmp_path, "participants")] == ["participants_2023.csv"]


def test_read_dataset_stacks_files_in_every_format(small_inbox: Path) -> None:
    participants = read_dataset(small_inbox, "participants")
    assert participants["source_file"].nunique() >= 5  # one file per enrolment year
    assert not participants.duplicated(["source_file", "source_row"]).any()
    assert len(read_dataset(small_inbox, "projects")) > 0  # xlsx
    assert len(read_dataset(small_inbox, "project_costs")) > 0  # cp1252 semicolon csv
    assert len(read_dataset(small_inbox, "project_events")) > 0  # parquet


# ------------------------------------------------------------------ hostile files: counted, never silently merged

COSTS_HEADER = "project_id;year;financier;amount_sek;in_kind\n"
TEN_COSTS = "".join(f"SF01-P001;2022;af;{i};nej\n" for i in range(1, 11))


def test_unclosed_quote_quarantines_every_record_it_would_swallow(tmp_path: Path) -> None:
    # The csv module alone reads rows 3-12 as one cell of row 3: a 10-row file counted as 2.
    path = tmp_path / "project_costs.csv"
    path.write_text(COSTS_HEADER + 'SF01-P001;2022;af;0;"nej\n' + TEN_COSTS, encoding="utf-8")
    frame = read_file(path, "project_costs")
    assert frame["source_row"].tolist() == list(range(2, 13))
    assert (frame["source_problem"] == "ett citattecken på rad 2 stängs aldrig; raderna 2–12 kan inte tolkas säkert"
            ).all()
    assert frame["amount_sek"].tolist() == [str(i) for i in range(11)]


def test_rows_before_an_unclosed_quote_are_read_normally(tmp_path: Path) -> None:
    path = tmp_path / "project_costs.csv"
    path.write_text(COSTS_HEADER + TEN_COSTS + 'SF01-P001;2022;"af;0;nej\n', encoding="utf-8")
    frame = read_file(path, "project_costs")
    assert frame["source_row"].tolist() == list(range(2, 13))
    assert (frame["source_problem"].iloc[:10] == "").all()
    assert "rad 12 stängs aldrig" in frame["source_problem"].iloc[10]


def test_unclosed_quote_in_the_header_is_a_read_error(tmp_path: Path) -> None:
    path = tmp_path / "project_costs.csv"
    path.write_text('"project_id;year\n1;2\n', encoding="utf-8")
    with pytest.raises(ReadError, match=r"project_costs\.csv, rad 1: ett citattecken i rubrikraden"):
        read_file(path, "project_costs")


def test_a_quoted_line_break_is_one_record(tmp_path: Path) -> None:
    path = tmp_path / "project_costs.csv"
    path.write_text(COSTS_HEADER + 'SF01-P001;2022;"a\nb";1;nej\n' + TEN_COSTS, encoding="utf-8")
    frame = read_file(path, "project_costs")
    assert len(frame) == 11 and frame.loc[0, "financier"] == "a\nb"
    assert (frame["source_problem"] == "").all()


def test_a_parser_that_loses_records_is_caught(tmp_path: Path, monkeypatch) -> None:
    from samverkan import readers
    from samverkan.physical import CsvCount

    path = tmp_path / "project_costs.csv"
    path.write_text(COSTS_HEADER + TEN_COSTS, encoding="utf-8")
    monkeypatch.setattr(readers, "count_csv_records", lambda text, delimiter: CsvCount(12))
    with pytest.raises(ReadError, match="filen har 12 poster men 11 lästes"):
        read_file(path, "project_costs")


@pytest.mark.parametrize("line_break", ["\n", "\r\n"])
def test_excel_sep_line_sets_the_delimiter(tmp_path: Path, line_break: str) -> None:
    path = tmp_path / "project_costs.csv"
    body = (COSTS_HEADER + TEN_COSTS).replace(";", ",").replace("\n", line_break)
    path.write_text(f"sep=,{line_break}" + body, encoding="utf-8", newline="")
    frame = read_file(path, "project_costs")
    assert list(frame.columns[:5]) == HEADER
    # Excel hides the sep line: the header is row 1 as the steward sees it.
    assert frame["source_row"].tolist() == list(range(2, 12))


def test_utf16_with_byte_order_mark_is_read_and_without_it_refused(tmp_path: Path) -> None:
    path = tmp_path / "project_costs.csv"
    path.write_bytes((COSTS_HEADER + TEN_COSTS).replace(";", "\t").encode("utf-16"))
    assert read_file(path, "project_costs")["amount_sek"].tolist() == [str(i) for i in range(1, 11)]
    path.write_bytes((COSTS_HEADER + TEN_COSTS).encode("utf-16-le"))
    with pytest.raises(ReadError, match="UTF-16 utan byte-ordningsmärke"):
        read_file(path, "project_costs")


def test_links_and_pipes_are_refused_by_name(tmp_path: Path) -> None:
    import os

    target = tmp_path / "elsewhere.csv"
    target.write_text(COSTS_HEADER + TEN_COSTS, encoding="utf-8")
    (tmp_path / "project_costs.csv").symlink_to(target)
    os.mkfifo(tmp_path / "project_costs_2.csv")
    (tmp_path / "project_costs_3.csv").mkdir()
    found = dataset_files(tmp_path, "project_costs")
    assert [p.name for p in found] == ["project_costs.csv", "project_costs_2.csv", "project_costs_3.csv"]
    with pytest.raises(ReadError, match=r"^project_costs\.csv: filen är en symbolisk länk"):
        read_file(found[0], "project_costs")
    for path in found[1:]:
        with pytest.raises(ReadError, match="ingen vanlig fil"):
            read_file(path, "project_costs")


def test_a_file_above_the_size_limit_is_refused_before_it_is_read(tmp_path: Path, monkeypatch) -> None:
    from samverkan import physical

    monkeypatch.setattr(physical, "MAX_FILE_BYTES", 100)
    path = tmp_path / "project_costs.csv"
    path.write_text(COSTS_HEADER + TEN_COSTS, encoding="utf-8")
    with pytest.raises(ReadError, match="högst 0 MB läses"):
        read_file(path, "project_costs")


def test_an_xlsx_that_unpacks_too_large_is_refused_before_openpyxl(tmp_path: Path, monkeypatch) -> None:
    from samverkan import physical

    path = tmp_path / "projects.xlsx"
    pd.DataFrame({"project_id": ["P1"] * 50}).to_excel(path, index=False)
    monkeypatch.setattr(physical, "MAX_UNCOMPRESSED_BYTES", 1000)
    monkeypatch.setattr("openpyxl.load_workbook", lambda *a, **k: pytest.fail("openpyxl must not be reached"))
    with pytest.raises(ReadError, match="XLSX-filen packas upp till"):
        read_file(path, "projects")


def test_cells_longer_than_excel_allows_are_cut_and_noted(tmp_path: Path) -> None:
    from samverkan.physical import MAX_CELL_CHARS

    path = tmp_path / "project_costs.csv"
    path.write_text(COSTS_HEADER + f"SF01-P001;2022;{'a' * (MAX_CELL_CHARS + 5)};1;nej\n" + TEN_COSTS,
                    encoding="utf-8")
    frame = read_file(path, "project_costs")
    assert len(frame.loc[0, "financier"]) == MAX_CELL_CHARS
    assert frame.loc[0, "source_problem"] == f"cellen i 'financier' har {MAX_CELL_CHARS + 5} tecken; högst " \
                                             f"{MAX_CELL_CHARS} läses"
    assert (frame["source_problem"].iloc[1:] == "").all()


def test_a_csv_cell_beyond_the_csv_module_limit_is_a_swedish_error(tmp_path: Path) -> None:
    path = tmp_path / "project_costs.csv"
    path.write_text(COSTS_HEADER + f'SF01-P001;2022;"{"a" * 200_000}";1;nej\n', encoding="utf-8")
    with pytest.raises(ReadError, match="en cell är längre än 131 072 tecken"):
        read_file(path, "project_costs")


def _costs_workbook(path: Path, *rows: list) -> Path:
    from openpyxl import Workbook

    workbook = Workbook()
    sheet = workbook.active
    sheet.title = "project_costs"
    sheet.append(HEADER)
    for row in rows:
        sheet.append(row)
    workbook.save(path)
    return path


def test_xlsx_cell_beyond_the_header_keeps_the_row_with_a_reason(tmp_path: Path) -> None:
    path = _costs_workbook(tmp_path / "project_costs.xlsx", ["SF01-P001", 2022, "af", 5, "nej", None, "extra"],
                           [None] * 6 + ["bara här"], ["SF01-P001", 2022, "af", 6, "nej"])
    frame = read_file(path, "project_costs")
    assert frame["source_row"].tolist() == [2, 3, 4]
    assert frame["source_problem"].tolist() == ["raden har ett värde i kolumn G, utanför rubrikens 5 kolumner"] * 2 \
        + [""]


def test_xlsx_with_a_lying_size_is_read_whole(tmp_path: Path) -> None:
    # Read-only openpyxl trusts <dimension>: a sheet claiming A1:B2 would lose rows and columns.
    import zipfile

    good = _costs_workbook(tmp_path / "good.xlsx", *[["SF01-P001", 2022, "af", i, "nej"] for i in range(5)])
    lying = tmp_path / "project_costs.xlsx"
    with zipfile.ZipFile(good) as src, zipfile.ZipFile(lying, "w") as dst:
        for item in src.infolist():
            data = src.read(item.filename)
            if item.filename == "xl/worksheets/sheet1.xml":
                data = data.replace(b"A1:E6", b"A1:B2")
                assert b"A1:B2" in data
            dst.writestr(item, data)
    frame = read_file(lying, "project_costs")
    assert frame["amount_sek"].tolist() == ["0", "1", "2", "3", "4"]


def test_xlsx_rows_openpyxl_would_drop_are_caught(tmp_path: Path) -> None:
    # Two <row r="2"> elements: openpyxl yields the first only; the worksheet XML says there were two.
    import zipfile

    good = _costs_workbook(tmp_path / "good.xlsx", ["SF01-P001", 2022, "af", 1, "nej"],
                           ["SF01-P001", 2022, "af", 2, "nej"])
    bad = tmp_path / "project_costs.xlsx"
    with zipfile.ZipFile(good) as src, zipfile.ZipFile(bad, "w") as dst:
        for item in src.infolist():
            data = src.read(item.filename)
            if item.filename == "xl/worksheets/sheet1.xml":
                data = data.replace(b'<row r="3"', b'<row r="2"').replace(b'r="A3"', b'r="A2"')
            dst.writestr(item, data)
    with pytest.raises(ReadError, match="filen har 3 poster men 2 lästes"):
        read_file(bad, "project_costs")


@pytest.mark.parametrize("names", [("gender", "Gender"), ("gender", "GENDER "), ("gender", "gen\u200bder")])
def test_a_column_twice_in_any_casing_is_refused(tmp_path: Path, names: tuple[str, str]) -> None:
    import pyarrow as pa
    import pyarrow.parquet as pq

    path = tmp_path / "participants.parquet"
    pq.write_table(pa.table({names[0]: ["K"], names[1]: ["M"]}), path)
    with pytest.raises(ReadError, match="kolumnen förekommer flera gånger: gender"):
        read_file(path, "participants")
    csv_path = tmp_path / "participants.csv"
    csv_path.write_text(f"{names[0]};{names[1]}\nK;M\n", encoding="utf-8")
    with pytest.raises(ReadError, match="kolumnen förekommer flera gånger: gender"):
        read_file(csv_path, "participants")


def test_a_personnummer_in_a_file_name_is_masked_in_source_file(tmp_path: Path) -> None:
    path = tmp_path / "project_costs_811218 9876.csv"
    path.write_text(COSTS_HEADER + TEN_COSTS, encoding="utf-8")
    assert set(read_file(path, "project_costs")["source_file"]) == {"project_costs_XXXXXX-XXXX.csv"}
    with pytest.raises(ReadError, match=r"^project_costs_XXXXXX-XXXX\.csv: filen är tom"):
        path.write_bytes(b"")
        read_file(path, "project_costs")


@pytest.mark.parametrize(("text", "records", "open_at"), [
    ("a;b\n1;2\n", 2, None),
    ("a;b\n1;2", 2, None),
    ("a;b\n\n1;2\n", 3, None),
    ('a;b\n"x\ny";2\n', 2, None),  # a quoted line break is inside the record
    ('a;b\n1;"2""3"\n', 2, None),  # a doubled quote is a quote
    ('a;b\nab"c;d\n', 2, None),  # a quote inside a field is an ordinary character
    ('a;b\n1;2\n4;"open\n5;6\n', 3, 3),  # the open record runs to the end
])
def test_records_are_counted_with_quoting_understood(text: str, records: int, open_at: int | None) -> None:
    from samverkan.physical import count_csv_records

    count = count_csv_records(text, ";")
    assert (count.records, count.open_quote_record) == (records, open_at)
    assert len(list(csv.reader(io.StringIO(text), delimiter=";"))) == records or open_at
