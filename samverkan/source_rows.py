"""What every reader gives back, and how it says what went wrong.

Each reader returns a frame of text cells plus ``source_file`` (the file's name
as it may be shown, personnummer masked), ``source_row`` and ``source_problem``
(a note on a row that could only partly be read; empty when fine). A file that
cannot be read at all raises ``ReadError``. These are the only two ways a
reader reports trouble.

A file is read once: ``load_source`` takes its bytes and their SHA-256 together,
and every reader parses exactly those bytes, so the inbox's fingerprint
(``samverkan.inbox``) describes what was parsed, never a later look at the disk.
"""

from __future__ import annotations

import hashlib
import re
import unicodedata
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from samverkan.physical import MAX_CELL_CHARS, FileRefusedError, read_regular
from samverkan.privacy import mask_personal_numbers, shown_file_name

# A reader's note on a row it could only partly read (e.g. too many fields); empty when fine.
SOURCE_PROBLEM = "source_problem"
SOURCE = ("source_file", "source_row", SOURCE_PROBLEM)


class ReadError(Exception):
    """A file that cannot be read at all; the message names file, row and column where known."""

    def __init__(self, file: str, message: str, row: int | None = None, column: str | None = None):
        self.file = file
        self.row = row
        self.column = column
        self.reason = message
        where = file
        if row is not None:
            where += f", rad {row}"
        if column is not None:
            where += f", kolumn {column!r}"
        super().__init__(f"{where}: {message}")


_INVISIBLE = re.compile(r"[\u00ad\u200b-\u200f\u2060-\u2064\ufeff]")


def normalise_header(name: object) -> str:
    text = "" if name is None else str(name)
    # NFKC and no invisible characters: "Gender", "GENDER " and "gen\u200bder" are one column, found twice.
    # A header is shown (notes, the list of columns read): a personnummer in it is masked from here on.
    return mask_personal_numbers(_INVISIBLE.sub("", unicodedata.normalize("NFKC", text)).strip().lower())


@dataclass(frozen=True)
class SourceFile:
    """One inbox file as it was read: its shown name (personnummer masked), its bytes and their SHA-256."""

    path: Path
    file: str
    data: bytes
    sha256: str

    @property
    def size(self) -> int:
        return len(self.data)


def load_source(path: Path) -> SourceFile:
    """The file's bytes, read once, hashed as they are handed to the parser; ``ReadError`` if it is refused."""
    file = shown_file_name(path.name)
    try:
        data = read_regular(path)
    except FileRefusedError as exc:
        raise ReadError(file, exc.reason) from exc
    return SourceFile(Path(path), file, data, hashlib.sha256(data).hexdigest())


def reconcile(file: str, physical: int, read: int) -> None:
    if physical != read:
        raise ReadError(file, f"filen har {physical} poster men {read} lästes; filen tas inte emot "
                              "hellre än att rader försvinner. Spara om den och kör igen")


def _cap_cells(frame: pd.DataFrame, problems: list[str]) -> list[str]:
    """Cells longer than Excel allows are cut and their row noted; the memory they held goes with them."""
    notes = list(problems)
    for column in frame.columns:
        lengths = frame[column].str.len()
        long = (lengths > MAX_CELL_CHARS).fillna(False).to_numpy()
        if long.any():
            frame[column] = frame[column].str.slice(0, MAX_CELL_CHARS)
            for i in long.nonzero()[0]:
                note = f"cellen i {column!r} har {int(lengths.iloc[i])} tecken; högst {MAX_CELL_CHARS} läses"
                notes[i] = f"{notes[i]}; {note}" if notes[i] else note
    return notes


def with_source(
    frame: pd.DataFrame, file: str, row_numbers: list[int], problems: list[str] | None = None
) -> pd.DataFrame:
    duplicated = frame.columns[frame.columns.duplicated()].tolist()
    if duplicated:
        raise ReadError(file, f"kolumnen förekommer flera gånger: {', '.join(duplicated)}", row=1)
    frame = frame.fillna("")
    problems = _cap_cells(frame, problems or [""] * len(frame))
    frame["source_file"] = pd.Series([file] * len(frame), dtype="str", index=frame.index)
    frame["source_row"] = pd.Series(row_numbers, dtype="int64", index=frame.index)
    frame[SOURCE_PROBLEM] = pd.Series(problems, dtype="str", index=frame.index)
    return frame
