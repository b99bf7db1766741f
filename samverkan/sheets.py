"""Excel workbooks and Parquet files as raw text frames (see ``samverkan.readers``)."""

from __future__ import annotations

import datetime as dt
import io
import zipfile

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

from samverkan.physical import MAX_UNCOMPRESSED_BYTES, FileRefusedError, check_zip_sizes, count_xlsx_rows
from samverkan.source_rows import ReadError, SourceFile, normalise_header, reconcile, with_source


def _cell_text(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, float):
        if value != value:  # NaN
            return ""
        if value.is_integer():
            return str(int(value))
        return repr(value)
    if isinstance(value, dt.datetime):
        if value.time() == dt.time(0, 0):
            return value.date().isoformat()
        return value.isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, pd.Timestamp):
        return _cell_text(value.to_pydatetime())
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def _column_letter(number: int) -> str:
    letters = ""
    while number:
        number, rest = divmod(number - 1, 26)
        letters = chr(65 + rest) + letters
    return letters


def read_xlsx(source: SourceFile, dataset: str) -> pd.DataFrame:
    from openpyxl import load_workbook

    file, data = source.file, source.data
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
        check_zip_sizes(archive)
        # data_only=False: a formula cell comes back as its formula text, so it is quarantined as a formula
        # instead of silently becoming empty (exports rarely carry cached values).
        workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=False)
    except FileRefusedError as exc:
        raise ReadError(file, exc.reason) from exc
    except (zipfile.BadZipFile, KeyError, OSError, ValueError) as exc:
        raise ReadError(file, f"XLSX-filen är skadad eller inte en Excel-arbetsbok ({type(exc).__name__})") from exc
    try:
        names = {n.lower(): n for n in workbook.sheetnames}
        sheet = workbook[names[dataset]] if dataset in names else workbook.worksheets[0]
        # Read-only mode trusts the sheet's stated size and would cut rows and columns beyond it.
        sheet.reset_dimensions()
        rows = sheet.iter_rows(values_only=True)
        try:
            header_cells = next(rows)
        except StopIteration:
            raise ReadError(file, f"bladet {sheet.title!r} är tomt") from None
        header = [normalise_header(h) for h in header_cells]
        while header and not header[-1]:
            header.pop()
        width = len(header)
        seen = int(any(c is not None for c in header_cells))
        body: list[list[str]] = []
        row_numbers: list[int] = []
        problems: list[str] = []
        for number, cells in enumerate(rows, start=2):
            seen += any(c is not None for c in cells)
            texts = [_cell_text(c) for c in cells[:width]]
            beyond = [i for i, c in enumerate(cells[width:], start=width + 1) if _cell_text(c).strip()]
            if not any(t.strip() for t in texts) and not beyond:
                continue
            body.append(texts + [""] * (width - len(texts)))
            row_numbers.append(number)
            problems.append(f"raden har ett värde i kolumn {_column_letter(beyond[0])}, utanför rubrikens "
                            f"{width} kolumner" if beyond else "")
        physical = count_xlsx_rows(archive, sheet.title)
    except (zipfile.BadZipFile, OSError, EOFError) as exc:
        raise ReadError(file, f"XLSX-filen är avkortad eller skadad ({type(exc).__name__})") from exc
    finally:
        workbook.close()
    if physical is not None:
        reconcile(file, physical, seen)
    frame = pd.DataFrame(body, columns=header, dtype="str") if body else pd.DataFrame(columns=header, dtype="str")
    return with_source(frame, file, row_numbers, problems)


def _arrow_column_text(column: pa.ChunkedArray) -> list[str]:
    return [_cell_text(v) for v in column.to_pylist()]


def read_parquet(source: SourceFile) -> pd.DataFrame:
    file, data = source.file, source.data
    try:
        parquet = pq.ParquetFile(pa.BufferReader(data))
        meta = parquet.metadata
        unpacked = sum(meta.row_group(i).total_byte_size for i in range(meta.num_row_groups))
        if unpacked > MAX_UNCOMPRESSED_BYTES:
            raise ReadError(file, f"Parquet-filen packas upp till {unpacked // (1024 * 1024)} MB; högst "
                                  f"{MAX_UNCOMPRESSED_BYTES // (1024 * 1024)} MB läses. Dela upp den")
        names = parquet.schema_arrow.names
        _refuse_repeated_names(file, names)
        table = parquet.read()
    except (pa.ArrowInvalid, OSError) as exc:
        raise ReadError(file, f"Parquet-filen kan inte läsas: {exc}") from exc
    reconcile(file, meta.num_rows, table.num_rows)
    data_by_name = {normalise_header(name): _arrow_column_text(table.column(i)) for i, name in enumerate(names)}
    frame = pd.DataFrame(data_by_name, dtype="str")
    return with_source(frame, file, list(range(1, table.num_rows + 1)))


def _refuse_repeated_names(file: str, names: list[str]) -> None:
    spellings: dict[str, list[str]] = {}
    for name in names:
        spellings.setdefault(normalise_header(name), []).append(str(name))
    repeated = {k: v for k, v in spellings.items() if len(v) > 1}
    if repeated:
        shown = "; ".join(f"{k} ({', '.join(v)})" for k, v in repeated.items())
        raise ReadError(file, f"kolumnen förekommer flera gånger: {shown}", row=1)
