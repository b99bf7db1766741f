"""Read the files of an inbox folder into raw text frames.

Every cell comes back as text exactly as the file holds it (Excel dates and
Parquet dates become ISO dates, whole numbers lose Excel's trailing ``.0``), so
that type conversion and validation happen in one place with one set of error
messages. Every row carries ``source_file`` and ``source_row``: the file's name
and the row number a person sees when opening it (the header is row 1 in CSV and
XLSX; Parquet rows are numbered from 1). A file name is shown with any
personnummer in it masked, here and everywhere after.

Nothing is merged or dropped silently. The records of each file are counted
apart from the parser (``samverkan.physical``) and reconciled with the rows
read; a difference refuses the file. A row the reader could only partly read (a
record wider or narrower than the header, a cell beyond the header in XLSX, a
cell longer than Excel allows, the records after a quote that never closes)
is kept with a note in ``source_problem`` and quarantined with rule
``row_shape``; a file that cannot be read at all (a link, a pipe, too large,
UTF-16 without a byte-order mark, a column name twice in any casing) raises
``ReadError``. Excel's ``sep=;`` first line sets the delimiter and is not a
record: rows are numbered as Excel shows them, the header being row 1.
"""

from __future__ import annotations

import codecs
import csv
import io
import re
from pathlib import Path

import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pa_csv

from samverkan.contract import DATASETS
from samverkan.physical import count_csv_records
from samverkan.sheets import read_parquet, read_xlsx
from samverkan.source_rows import (
    SOURCE,
    SOURCE_PROBLEM,
    ReadError,
    SourceFile,
    load_source,
    normalise_header,
    reconcile,
    with_source,
)

__all__ = ["SOURCE_PROBLEM", "SUFFIXES", "ReadError", "SourceFile", "dataset_files", "load_source",
           "normalise_header", "parse_source", "read_csv", "read_dataset", "read_file", "read_parquet", "read_xlsx"]

SUFFIXES = (".csv", ".xlsx", ".parquet")


def dataset_files(inbox: Path, dataset: str) -> list[Path]:
    """Files in ``inbox`` that hold ``dataset``: its name, optionally followed by ``_`` or ``-`` and more."""
    if dataset not in DATASETS:
        raise KeyError(f"unknown dataset {dataset!r}")
    pattern = re.compile(rf"^{re.escape(dataset)}([_\-. ].*)?$", re.IGNORECASE)
    # Links, folders and pipes with a dataset's name are listed too, so that reading refuses them by name
    # instead of skipping them unseen.
    found = [
        p
        for p in Path(inbox).iterdir()
        if p.suffix.lower() in SUFFIXES and pattern.match(p.stem) and not p.name.startswith("~$")
    ]
    return sorted(found, key=lambda p: p.name)


def _decode(raw: bytes, file: str) -> str:
    if raw.startswith((codecs.BOM_UTF32_LE, codecs.BOM_UTF32_BE)):
        raise ReadError(file, "filen är sparad som UTF-32; spara den som CSV UTF-8")
    if raw.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        # Excel's "Unicode text" is UTF-16 with a byte-order mark: read it.
        try:
            return raw.decode("utf-16")
        except UnicodeDecodeError as exc:
            raise ReadError(file, "filen är sparad som UTF-16 men är avkortad eller skadad") from exc
    if raw[:4096].count(b"\x00") * 4 > len(raw[:4096]):
        raise ReadError(file, "filen verkar vara sparad som UTF-16 utan byte-ordningsmärke; "
                              "spara den som CSV UTF-8")
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        # Excel on Windows saves "CSV" as Windows-1252; cp1252 leaves five bytes undefined.
        try:
            return raw.decode("cp1252")
        except UnicodeDecodeError as exc:
            raise ReadError(file, "teckenkodningen är varken UTF-8 eller Windows-1252") from exc


def _sniff_delimiter(header_line: str) -> str:
    counts = {d: header_line.count(d) for d in (";", ",", "\t")}
    best = max(counts, key=lambda d: counts[d])
    return best if counts[best] > 0 else ","


_EXCEL_SEP = re.compile(r"sep=(.)[ \t]*(?:\r\n|\n|\r|$)", re.IGNORECASE)


def _excel_delimiter(text: str) -> tuple[str, str | None]:
    """Excel's ``sep=;`` first line: the text without it and the delimiter it names."""
    match = _EXCEL_SEP.match(text.lstrip("\ufeff"))
    if match is None:
        return text, None
    return text.lstrip("\ufeff")[match.end():], match.group(1)


def read_csv(source: SourceFile) -> pd.DataFrame:
    file = source.file
    text, delimiter = _excel_delimiter(_decode(source.data, file))
    if not text.strip():
        raise ReadError(file, "filen är tom")
    # One kind of line break, so that the record count and every parser agree on where records end.
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    delimiter = delimiter or _sniff_delimiter(text.split("\n", 1)[0])
    count = count_csv_records(text, delimiter)
    if count.open_quote_record == 1:
        raise ReadError(file, "ett citattecken i rubrikraden stängs aldrig", row=1)
    head = text if count.open_quote_offset is None else text[: count.open_quote_offset]
    frame, seen = _read_csv_text(head, delimiter, file)
    if count.open_quote_offset is not None:
        tail, tail_records = _unclosed_quote_rows(text[count.open_quote_offset:], delimiter,
                                                  [c for c in frame.columns if c not in SOURCE],
                                                  count.open_quote_record, file)
        frame = pd.concat([frame, tail], ignore_index=True)
        seen += tail_records
        physical = count.open_quote_record - 1 + tail_records
    else:
        physical = count.records
    reconcile(file, physical, seen)
    return frame


def _unclosed_quote_rows(tail: str, delimiter: str, header: list[str], first: int,
                         file: str) -> tuple[pd.DataFrame, int]:
    """The records from a quote that never closes to the end of the file, one per line, each quarantined: the
    csv module would read them all as one cell."""
    lines = tail.split("\n")
    if lines and lines[-1] == "":
        lines.pop()
    width = len(header)
    body, numbers, problems = [], [], []
    for offset, line in enumerate(lines):
        cells = next(csv.reader([line], delimiter=delimiter), [])
        if not any(c.strip() for c in cells):
            continue
        body.append((cells + [""] * width)[:width])
        numbers.append(first + offset)
        problems.append(f"ett citattecken på rad {first} stängs aldrig; raderna {first}–{first + len(lines) - 1} "
                        "kan inte tolkas säkert")
    frame = pd.DataFrame(body, columns=header, dtype="str") if body else pd.DataFrame(columns=header, dtype="str")
    return with_source(frame, file, numbers, problems), len(lines)


def _read_csv_text(text: str, delimiter: str, file: str) -> tuple[pd.DataFrame, int]:
    """The rows of a CSV text whose quotes all close, and the number of records the parser saw."""
    plain = _read_plain_csv(text, delimiter)
    if plain is not None:
        frame, row_numbers, problems, seen = plain
        return with_source(frame, file, row_numbers, problems), seen
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    try:
        rows = list(reader)
    except csv.Error as exc:
        reason = str(exc)
        if "field larger than field limit" in reason:
            reason = f"en cell är längre än {csv.field_size_limit():,} tecken".replace(",", " ")
        raise ReadError(file, f"CSV-filen kan inte tolkas: {reason}", row=reader.line_num) from exc
    header = [normalise_header(h) for h in rows[0]]
    if not any(header):
        raise ReadError(file, "rubrikraden saknas", row=1)
    width = len(header)
    body: list[list[str]] = []
    row_numbers: list[int] = []
    problems: list[str] = []
    for number, row in enumerate(rows[1:], start=2):
        if not row or all(not cell.strip() for cell in row):
            continue
        problem = ""
        if len(row) != width:
            # Keep the row so nothing is lost; validation quarantines it with this reason.
            problem = f"raden har {len(row)} fält men rubriken har {width}"
            row = (row + [""] * width)[:width]
        body.append(row)
        row_numbers.append(number)
        problems.append(problem)
    frame = pd.DataFrame(body, columns=header, dtype="str") if body else pd.DataFrame(columns=header, dtype="str")
    return with_source(frame, file, row_numbers, problems), len(rows)


# Characters that make a file more than "fields split by a delimiter, records by line breaks": quoting,
# NUL (which the csv module refuses) and the separators str.strip() counts as white space but Unicode does not.
_NOT_PLAIN = re.compile(r'["\x00\x1c-\x1f]')


def _read_plain_csv(text: str, delimiter: str) -> tuple[pd.DataFrame, list[int], list[str], int] | None:
    """Arrow's multi-threaded reader for a plain file, the usual export: no quotes and every record as wide as
    the header. It gives what the row-by-row reader gives (frame, row numbers counting skipped blank records, no
    row notes, records seen) in a fraction of the time (benchmarks/README.md), on the critical path before any
    report. None for any other file: the row-by-row reader then reads it,
    keeps every row and says what is wrong with it."""
    if _NOT_PLAIN.search(text):
        return None
    width = re.match(r"[^\r\n]*", text)[0].count(delimiter) + 1  # the header: records end at \r or \n only
    try:
        table = pa_csv.read_csv(
            pa.py_buffer(text.encode("utf-8")),
            read_options=pa_csv.ReadOptions(autogenerate_column_names=True),
            parse_options=pa_csv.ParseOptions(delimiter=delimiter, quote_char=False, ignore_empty_lines=False),
            convert_options=pa_csv.ConvertOptions(
                column_types={f"f{i}": pa.string() for i in range(width)},
                strings_can_be_null=False,
            ),
        )
    except pa.ArrowInvalid:
        return None  # a record wider or narrower than the header: read row by row
    if table.num_rows < 2:
        return None
    header = [normalise_header(h) for h in table.slice(0, 1).to_pylist()[0].values()]
    if not any(header) or len(set(header)) < len(header):
        return None  # the row-by-row reader names the problem
    body = table.slice(1).rename_columns(header)
    # As the row-by-row reader: a record of blank cells is skipped, but still counted in the row numbers.
    blank = pa.array([True] * body.num_rows)
    for column in body.columns:
        blank = pc.and_(blank, pc.equal(pc.utf8_length(pc.utf8_trim_whitespace(column)), 0))
    numbers = pa.array(range(2, body.num_rows + 2), type=pa.int64())
    keep = pc.invert(blank)
    frame = body.filter(keep).to_pandas()
    frame = frame.astype("str") if not frame.empty else pd.DataFrame(columns=header, dtype="str")
    return frame, numbers.filter(keep).to_pylist(), [""] * len(frame), table.num_rows


def parse_source(source: SourceFile, dataset: str) -> pd.DataFrame:
    """The rows of a file already read by ``load_source``: its bytes are parsed, the disk is not looked at again."""
    suffix = source.path.suffix.lower()
    if suffix == ".csv":
        return read_csv(source)
    if suffix == ".xlsx":
        return read_xlsx(source, dataset)
    if suffix == ".parquet":
        return read_parquet(source)
    raise ReadError(source.file, f"okänt filformat {suffix!r}; använd .csv, .xlsx eller .parquet")


def read_file(path: Path, dataset: str) -> pd.DataFrame:
    return parse_source(load_source(path), dataset)


def read_dataset(inbox: Path, dataset: str) -> pd.DataFrame:
    """All files of one dataset in the inbox, stacked; columns as text plus the source columns."""
    frames = [read_file(p, dataset) for p in dataset_files(Path(inbox), dataset)]
    if not frames:
        columns = [*DATASETS[dataset].column_names, "source_file", "source_row", SOURCE_PROBLEM]
        return pd.DataFrame({c: pd.Series(dtype="int64" if c == "source_row" else "str") for c in columns})
    return pd.concat(frames, ignore_index=True).fillna("")
