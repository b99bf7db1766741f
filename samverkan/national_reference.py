"""The national reference: every förbund's comparison measures of a year, with where they came from.

Every full run exports it (``national_reference.csv``) beside its reports, so that a run limited to some förbund
(``samverkan run --forbund``) or an inbox holding one förbund can still show the förbund against the country. It
holds only what the benchmarks chapter compares (``samverkan.comparison``): per förbund the share of leavers to
work or studies, the cost per participant and the return per krona, for the compared (individual-oriented)
projects; a share or cost over fewer than five people is already empty, as in the reports.

Columns: ``year``, ``forbund``, ``share_work_or_studies`` (0–1), ``cost_per_participant`` (kronor),
``return_ratio`` (kronor back per krona), ``source`` (free text: who computed the figures and from what; an
exported file names its year and its inbox's fingerprint). One year and one source per file.

An exported reference has ``national_reference_inbox.csv`` beside it: the inbox it was computed from. A run of
that very inbox (a run limited to some förbund after the full run) compares with the same förbund and the same
figures as the full run did, so its report reads as the full run's, with one sentence naming the source
(``of_inbox``).
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from samverkan.files import read_csv_extract
from samverkan.inbox import inbox_digest

REFERENCE_FILE = "national_reference.csv"
# Beside an exported reference: name, size and SHA-256 of every inbox file its run read (samverkan.scope).
REFERENCE_INBOX_FILE = "national_reference_inbox.csv"
MEASURE_COLUMNS = ("share_work_or_studies", "cost_per_participant", "return_ratio")
REFERENCE_COLUMNS = ["year", "forbund", *MEASURE_COLUMNS, "source"]
FINGERPRINT_COLUMNS = ["dataset", "file", "bytes", "sha256"]


class NationalReferenceError(ValueError):
    """A national reference file that cannot be used; the message is one Swedish line naming the file."""


@dataclass(frozen=True)
class NationalReference:
    year: int
    source: str
    table: pd.DataFrame  # indexed by forbund, one column per measure (float, NaN when not given)
    # The digest (samverkan.inbox.inbox_digest) of the inbox it was computed from, when its inbox file is beside
    # it; empty for a reference from elsewhere.
    inbox_sha256: str = ""

    @property
    def forbund(self) -> int:
        return len(self.table)


def reference_table(measures: pd.DataFrame, returns: pd.Series, year: int, source: str) -> pd.DataFrame:
    """The year's rows of ``comparison.yearly_measures`` with each förbund's return per krona, as the file's
    columns. ``returns`` is the ledger's return of each förbund as a whole for the year."""
    same_year = measures[measures["year"] == year]
    table = pd.DataFrame({
        "year": year,
        "forbund": same_year["forbund"].astype(str).to_numpy(),
        "share_work_or_studies": same_year["share_work_or_studies"].astype("float64").to_numpy(),
        "cost_per_participant": same_year["cost_per_participant"].astype("float64").to_numpy(),
    })
    table["return_ratio"] = table["forbund"].map(returns).astype("float64") if len(returns) else np.nan
    table["source"] = source
    return table[REFERENCE_COLUMNS].sort_values("forbund", ignore_index=True)


def exported_source(year: int, fingerprint: str) -> str:
    """The source line of an exported reference: the year and the inbox it was computed from."""
    # Not the run id: the same inbox and parameters give the same file, whichever run wrote it (the run is in
    # the folder's run.json).
    return f"den fullständiga körningen av {year} (inkorg {fingerprint[:12]})"


def from_table(table: pd.DataFrame, where: str = REFERENCE_FILE) -> NationalReference:
    """A reference from its file's rows; refuses, in one Swedish line, what the benchmarks could not use."""
    missing = [c for c in REFERENCE_COLUMNS if c not in table.columns]
    if missing:
        raise NationalReferenceError(
            f"{where}: kolumnerna {', '.join(missing)} saknas (ska ha {', '.join(REFERENCE_COLUMNS)})")
    if table.empty:
        raise NationalReferenceError(f"{where}: filen har inga rader")
    years = pd.to_numeric(table["year"], errors="coerce")
    if years.isna().any() or years.nunique() != 1:
        raise NationalReferenceError(f"{where}: kolumnen year ska ha ett och samma år på varje rad")
    sources = table["source"].fillna("").astype(str).str.strip()
    if (sources == "").any() or sources.nunique() != 1:
        raise NationalReferenceError(f"{where}: kolumnen source ska ha en och samma källa på varje rad")
    names = table["forbund"].fillna("").astype(str).str.strip()
    if (names == "").any() or names.duplicated().any():
        raise NationalReferenceError(
            f"{where}: varje rad ska ha ett eget förbund (tomt eller dubblett i kolumnen forbund)")
    values = {}
    for column in MEASURE_COLUMNS:
        numbers = pd.to_numeric(table[column], errors="coerce")
        if (numbers.isna() & table[column].notna()).any():
            raise NationalReferenceError(f"{where}: kolumnen {column} har värden som inte är tal")
        # A return per krona is negative when the effects are; a share and a cost cannot be.
        if column != "return_ratio" and ((numbers < 0).any() or (column == "share_work_or_studies"
                                                                  and (numbers > 1).any())):
            raise NationalReferenceError(f"{where}: kolumnen {column} har värden utanför det möjliga")
        values[column] = numbers.astype("float64").to_numpy()
    frame = pd.DataFrame(values, index=pd.Index(names.to_numpy(), name="forbund"))
    return NationalReference(year=int(years.iloc[0]), source=str(sources.iloc[0]), table=frame.sort_index())


def read_reference(path: Path | str) -> NationalReference:
    path = Path(path)
    try:
        table = read_csv_extract(path)
    except (OSError, ValueError) as exc:
        raise NationalReferenceError(f"{path.name}: filen kan inte läsas ({exc})") from None
    reference = from_table(table, path.name)
    beside = path.with_name(REFERENCE_INBOX_FILE)
    if not beside.is_file():
        return reference
    try:
        files = read_csv_extract(beside)
        digest = inbox_digest(files) if set(FINGERPRINT_COLUMNS) <= set(files.columns) else ""
    except (OSError, ValueError):
        digest = ""  # an unreadable inbox file only means the inbox is unknown: the reference is still named
    return dataclasses.replace(reference, inbox_sha256=digest)


def of_inbox(reference: NationalReference | None, files: pd.DataFrame | None) -> bool:
    """Whether ``reference`` was computed from exactly the inbox ``files`` (dataset, file, sha256, bytes) are.
    Its förbund and figures are then the inbox's own, as a full run of it computes them."""
    if reference is None or not reference.inbox_sha256 or files is None or files.empty:
        return False
    return reference.inbox_sha256 == inbox_digest(files)


def find_reference(explicit: str, inbox: Path) -> NationalReference | None:
    """The reference a run compares with: ``explicit`` (a path set for the run) or the inbox's own
    ``national_reference.csv``; ``None`` when there is neither."""
    if explicit:
        return read_reference(explicit)
    candidate = Path(inbox) / REFERENCE_FILE
    return read_reference(candidate) if candidate.is_file() else None
