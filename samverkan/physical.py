"""What a file holds before any parser reads it: its bytes (safely), its size limits and its record count.

The readers reconcile the rows they read with the counts here, which come from
a separate, simpler look at the file: a quote-aware scan of CSV text, the
worksheet XML of an XLSX (rows with any cell), the footer of a Parquet file. A
difference is a reader bug or a hostile file, and either way it must be said,
not absorbed.
"""

from __future__ import annotations

import hashlib
import os
import posixpath
import stat
import zipfile
from dataclasses import dataclass
from pathlib import Path
from xml.etree import ElementTree

# Limits, each far above any real export and far below what would exhaust memory on the reporting host
# (the reader holds a file's text and its frame at once, a few times the file's size):
# - a national year's participants export is a few tens of MB, so 200 MiB is generous;
MAX_FILE_BYTES = 200 * 1024 * 1024
# - openpyxl and Arrow hold the unpacked workbook or table in memory several times over, so the unpacked size
#   (the zip members' declared sizes, which Python's zipfile never reads past, or Parquet's footer) is capped
#   too: a one-cell XLSX of 400 MB otherwise takes gigabytes;
MAX_UNCOMPRESSED_BYTES = 400 * 1024 * 1024
# - an XLSX is a zip of a handful of parts; thousands of members is not a workbook;
MAX_ZIP_MEMBERS = 2000
# - Excel itself cannot hold more than 32 767 characters in a cell; a longer cell is a broken export.
MAX_CELL_CHARS = 32_767


class FileRefusedError(Exception):
    """The file is not read at all; ``reason`` is a Swedish sentence for the steward."""

    def __init__(self, reason: str):
        self.reason = reason
        super().__init__(reason)


def _mib(size: int) -> str:
    return f"{size / (1024 * 1024):.0f} MB"


def read_regular(path: Path) -> bytes:
    """The bytes of ``path`` if it is a regular file (not a link, folder, pipe or device) within the size limit."""
    try:
        info = os.lstat(path)
    except OSError as exc:
        raise FileRefusedError(f"filen kan inte öppnas ({exc.strerror})") from exc
    if stat.S_ISLNK(info.st_mode):
        raise FileRefusedError("filen är en symbolisk länk; lägg själva filen i inkorgen")
    if not stat.S_ISREG(info.st_mode):
        raise FileRefusedError("det här är ingen vanlig fil (en mapp, en pipe eller en enhet) och den läses inte")
    try:
        # O_NOFOLLOW and O_NONBLOCK: a file swapped for a link or a pipe after the check is still not followed.
        fd = os.open(path, os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK | getattr(os, "O_CLOEXEC", 0))
    except OSError as exc:
        raise FileRefusedError(f"filen kan inte öppnas ({exc.strerror})") from exc
    with os.fdopen(fd, "rb") as handle:
        opened = os.fstat(handle.fileno())
        if not stat.S_ISREG(opened.st_mode):
            raise FileRefusedError("det här är ingen vanlig fil och den läses inte")
        if opened.st_size > MAX_FILE_BYTES:
            raise FileRefusedError(f"filen är {_mib(opened.st_size)}; högst {_mib(MAX_FILE_BYTES)} läses. "
                              "Dela upp den i flera filer")
        data = handle.read(MAX_FILE_BYTES + 1)
    if len(data) > MAX_FILE_BYTES:
        raise FileRefusedError(f"filen är större än {_mib(MAX_FILE_BYTES)}; dela upp den i flera filer")
    return data


def file_sha256(path: Path) -> str:
    """SHA-256 of a regular file; empty for anything else (a link or a pipe is never opened).

    For files the pipeline itself writes or is configured with; an inbox file is hashed from the bytes the reader
    parsed (``samverkan.source_rows.load_source``), never by reading it again."""
    try:
        data = read_regular(path)
    except FileRefusedError:
        return ""
    return hashlib.sha256(data).hexdigest()


def entry_size(path: Path) -> int:
    """The size the folder entry states, without following a link; 0 if there is no entry."""
    try:
        return os.lstat(path).st_size
    except OSError:
        return 0


@dataclass(frozen=True)
class CsvCount:
    """Records in a CSV text, blank ones included, the header being record 1."""

    records: int
    # Where a quote opened that never closes: the record's number and its offset in the text.
    open_quote_record: int | None = None
    open_quote_offset: int | None = None


def count_csv_records(text: str, delimiter: str, quote: str = '"') -> CsvCount:
    """Records as the csv module's dialect defines them: a line break ends a record unless it is inside a
    quoted field, and a quote opens a field only at the field's start (elsewhere it is an ordinary character).

    ``text`` has ``\\n`` line breaks only."""
    records = 0
    record_start = 0
    pos = 0
    length = len(text)
    while pos < length:
        q = text.find(quote, pos)
        segment_end = length if q == -1 else q
        # Line breaks outside quotes end records.
        breaks = text.count("\n", pos, segment_end)
        if breaks:
            records += breaks
            record_start = text.rfind("\n", pos, segment_end) + 1
        if q == -1:
            break
        at_field_start = q == 0 or text[q - 1] in (delimiter, "\n")
        if not at_field_start:
            pos = q + 1
            continue
        k = q + 1
        while True:
            close = text.find(quote, k)
            if close == -1:
                return CsvCount(records + 1, records + 1, record_start)
            if text.startswith(quote, close + 1):
                k = close + 2
                continue
            break
        pos = close + 1
    if record_start < length:
        records += 1  # the last record has no line break after it
    return CsvCount(records)


def _sheet_part(archive: zipfile.ZipFile, title: str) -> str | None:
    """The zip member that holds the worksheet called ``title``."""
    main = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"
    rel = "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}id"
    workbook = ElementTree.fromstring(archive.read("xl/workbook.xml"))
    wanted = None
    for sheet in workbook.iter(f"{main}sheet"):
        if sheet.get("name") == title:
            wanted = sheet.get(rel)
    if wanted is None:
        return None
    rels = ElementTree.fromstring(archive.read("xl/_rels/workbook.xml.rels"))
    for item in rels:
        if item.get("Id") == wanted:
            target = item.get("Target", "")
            return target.lstrip("/") if target.startswith("/") else posixpath.normpath(posixpath.join("xl", target))
    return None


def check_zip_sizes(archive: zipfile.ZipFile) -> None:
    """Refuse an XLSX whose unpacked parts would not fit, before openpyxl unpacks anything."""
    members = archive.infolist()
    if len(members) > MAX_ZIP_MEMBERS:
        raise FileRefusedError(f"XLSX-filen har {len(members)} delar; en arbetsbok har några få")
    unpacked = sum(m.file_size for m in members)
    if unpacked > MAX_UNCOMPRESSED_BYTES:
        raise FileRefusedError(f"XLSX-filen packas upp till {_mib(unpacked)}; högst {_mib(MAX_UNCOMPRESSED_BYTES)} "
                          "läses. Spara den som CSV eller dela upp den")


def count_xlsx_rows(archive: zipfile.ZipFile, title: str) -> int | None:
    """Rows of the worksheet with at least one cell holding a value or a formula; None if the sheet is not found."""
    part = _sheet_part(archive, title)
    if part is None or part not in archive.namelist():
        return None
    rows = 0
    with archive.open(part) as handle:
        for _event, element in ElementTree.iterparse(handle, events=("end",)):
            tag = element.tag.rsplit("}", 1)[-1]
            if tag != "row":
                continue
            if any(child.tag.rsplit("}", 1)[-1] in ("v", "is", "f") for cell in element for child in cell):
                rows += 1
            element.clear()
    return rows
