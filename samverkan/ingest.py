"""From inbox files to accepted rows and a quarantine, with nothing lost on the way.

``ingest_dataset`` reads every file of a dataset, converts it to the contract's
types and applies the row rules. A row with any problem goes to quarantine (one
quarantine row per problem, so a steward sees every reason); the others are
accepted. Whatever happens, ``rows_in == accepted + quarantined rows``.
A file that cannot be used at all (unreadable, or missing a required column) is
reported as a dataset error naming the file; its rows are not counted as read.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from samverkan import quality
from samverkan.conform import PROBLEM_COLUMNS, conform
from samverkan.contract import DATASETS
from samverkan.readers import ReadError, dataset_files, read_file


@dataclass(frozen=True)
class InputFile:
    name: str
    sha256: str
    rows: int


@dataclass
class IngestResult:
    dataset: str
    accepted: pd.DataFrame
    quarantine: pd.DataFrame
    rows_in: int
    files: list[InputFile] = field(default_factory=list)
    dataset_errors: list[str] = field(default_factory=list)

    @property
    def quarantined_rows(self) -> int:
        if self.quarantine.empty:
            return 0
        return len(self.quarantine[["source_file", "source_row"]].drop_duplicates())

    def summary(self) -> dict[str, int | str]:
        return {
            "dataset": self.dataset,
            "rows_in": self.rows_in,
            "accepted": len(self.accepted),
            "quarantined": self.quarantined_rows,
        }


def sha256_of(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def ingest_dataset(inbox: Path, name: str, known_project_ids: pd.Series | None = None) -> IngestResult:
    spec = DATASETS[name]
    frames: list[pd.DataFrame] = []
    files: list[InputFile] = []
    errors: list[str] = []
    for path in dataset_files(Path(inbox), name):
        try:
            raw = read_file(path, name)
        except ReadError as exc:
            errors.append(str(exc))
            continue
        missing = [c for c in spec.required_columns if c not in raw.columns]
        if missing:
            errors.append(
                f"{path.name}: obligatoriska kolumner saknas: {', '.join(missing)} "
                f"(kolumner i filen: {', '.join(c for c in raw.columns if not c.startswith('source_'))})"
            )
            continue
        frames.append(raw)
        files.append(InputFile(path.name, sha256_of(path), len(raw)))
    raw = pd.concat(frames, ignore_index=True).fillna("") if frames else _empty_raw(name)
    conformed = conform(raw, spec)
    typed = conformed.rows
    problems = [conformed.problems, quality.row_problems(name, typed, known_project_ids)]
    problem_frame = pd.concat([p for p in problems if not p.empty] or [pd.DataFrame(columns=PROBLEM_COLUMNS)],
                              ignore_index=True)
    bad_keys = problem_frame[["source_file", "source_row"]].drop_duplicates()
    is_bad = pd.MultiIndex.from_frame(typed[["source_file", "source_row"]]).isin(
        pd.MultiIndex.from_frame(bad_keys.astype({"source_row": "int64"}))
    )
    accepted = typed.loc[~is_bad].reset_index(drop=True)
    quarantine = problem_frame.sort_values(["source_file", "source_row", "column", "rule"], ignore_index=True)
    quarantine["source_row"] = quarantine["source_row"].astype("int64")
    return IngestResult(name, accepted, quarantine, len(typed), files, errors)


def _empty_raw(name: str) -> pd.DataFrame:
    columns = [*DATASETS[name].column_names, "source_file"]
    frame = pd.DataFrame({c: pd.Series(dtype="str") for c in columns})
    frame["source_row"] = pd.Series(dtype="int64")
    return frame
