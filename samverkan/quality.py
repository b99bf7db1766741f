"""Row rules beyond single cells: keys, references, order of dates, plausibility, dangerous text.

Each rule here is a vectorised mask over the typed frame from ``conform`` and
gives one problem row per failing row (``dataset, source_file, source_row,
column, rule, message``). The rule tables below are also what the Great
Expectations suites are generated from (``pipelines/gx.py``), so a rule is
written once and both the quarantine and the suite follow it.

The steward extracts (``quality.csv``, ``quality_summary.csv``) are combined
here from the per-dataset parts each ingest step leaves in the output folder, so
they exist even when a dataset error stopped the rest of the run.
"""

from __future__ import annotations

import datetime as dt
import io
from pathlib import Path

import pandas as pd

from samverkan.conform import PROBLEM_COLUMNS, problem_rows
from samverkan.contract import DATASETS, Dataset
from samverkan.files import write_bytes_atomic, write_csv_atomic

# (earlier, later): the later date may not be before the earlier one.
DATE_ORDER: dict[str, tuple[tuple[str, str], ...]] = {
    "projects": (("start_date", "end_date"),),
    "participants": (("enrolled_on", "exited_on"),),
}
# (if this column has a value, that column must have one too).
NEEDS: dict[str, tuple[tuple[str, str], ...]] = {
    "participants": (("exit_reason", "exited_on"),),
}
# A participant is at least this old at enrolment: younger birth years are not plausible.
MIN_PARTICIPANT_AGE = 15
# Longer free text is a pasted document or a broken export, not a name or a reference.
MAX_TEXT_LENGTH = 500
# What a spreadsheet would run as a formula: '=' or '@' first, or '+'/'-' followed by a function call.
FORMULA_PATTERN = r"^\s*(?:[=@]|[+\-]\s*[A-Za-z_][A-Za-z0-9_.]*\s*\()"

SUMMARY_COLUMNS = ["dataset", "rows_in", "accepted", "quarantined"]
PARTS_DIR = "quality_parts"
QUALITY_FILE = "quality.csv"
SUMMARY_FILE = "quality_summary.csv"


def _iso(values: pd.Series) -> pd.Series:
    return values.dt.strftime("%Y-%m-%d").fillna("")


def duplicate_problems(spec: Dataset, typed: pd.DataFrame) -> pd.DataFrame:
    """The first row of a key is kept; every later one is quarantined naming the row it repeats."""
    key = [c for c in spec.key if c in typed.columns]
    if not key or typed.empty:
        return pd.DataFrame(columns=PROBLEM_COLUMNS)
    complete = typed[key].notna().all(axis=1)
    keyed = typed.loc[complete, key]
    repeat = keyed.duplicated(keep="first")
    if not repeat.any():
        return pd.DataFrame(columns=PROBLEM_COLUMNS)
    first_index = keyed.groupby(key, sort=False, dropna=False).ngroup()
    firsts = pd.Series(keyed.index, index=keyed.index).groupby(first_index).transform("first")
    mask = pd.Series(False, index=typed.index)
    mask[repeat[repeat].index] = True
    origin = typed.loc[firsts.loc[mask[mask].index]]
    message = pd.Series("", index=typed.index, dtype="str")
    message[mask] = (
        f"samma nyckel ({', '.join(key)}) som "
        + origin["source_file"].to_numpy().astype(str)
        + " rad "
        + origin["source_row"].to_numpy().astype(str)
        + "; den första raden behålls"
    )
    return problem_rows(typed, mask, spec.name, "+".join(key), "duplicate_key", message)


def row_problems(dataset: str, typed: pd.DataFrame, known_project_ids: pd.Series | None,
                 today: dt.date | None = None) -> pd.DataFrame:
    """Every row rule of ``dataset`` over the typed frame; one problem row per failing row and rule."""
    spec = DATASETS[dataset]
    today = today or dt.date.today()
    found: list[pd.DataFrame] = []

    if known_project_ids is not None and spec.references_projects and "project_id" in typed.columns:
        unknown = typed["project_id"].notna() & ~typed["project_id"].isin(set(known_project_ids.dropna()))
        found.append(problem_rows(typed, unknown, dataset, "project_id", "unknown_project",
                               "projektet " + typed["project_id"].fillna("").astype(str)
                               + " finns inte bland de godkända raderna i projects"))

    found.append(duplicate_problems(spec, typed))

    for earlier, later in DATE_ORDER.get(dataset, ()):
        swapped = (typed[later] < typed[earlier]).fillna(False).astype(bool)
        found.append(problem_rows(typed, swapped, dataset, later, "date_order",
                               f"{later} " + _iso(typed[later]) + f" är före {earlier} " + _iso(typed[earlier])))

    for present, needed in NEEDS.get(dataset, ()):
        lacking = typed[present].notna() & typed[needed].isna()
        found.append(problem_rows(typed, lacking, dataset, needed, "needs_value",
                               f"{present} " + typed[present].fillna("").astype(str)
                               + f" kräver att {needed} är ifyllt"))

    limit = pd.Timestamp(today)
    for column in spec.columns:
        if column.type == "date":
            future = (typed[column.name] > limit).fillna(False).astype(bool)
            found.append(problem_rows(typed, future, dataset, column.name, "future_date",
                                   "datumet " + _iso(typed[column.name])
                                   + f" ligger efter i dag ({today.isoformat()})"))
        if column.type == "text":
            text = typed[column.name].fillna("").astype(str)
            formula = text.str.contains(FORMULA_PATTERN, regex=True)
            found.append(problem_rows(typed, formula, dataset, column.name, "formula",
                                   "texten ser ut som en kalkylbladsformel och tas inte emot: "
                                   + text.str.slice(0, 40)))
            long = text.str.len() > MAX_TEXT_LENGTH
            found.append(problem_rows(typed, long, dataset, column.name, "too_long",
                                   "texten har " + text.str.len().astype(str)
                                   + f" tecken; högst {MAX_TEXT_LENGTH} tas emot"))

    if dataset == "participants" and "birth_year" in typed.columns:
        latest = today.year - MIN_PARTICIPANT_AGE
        young = (typed["birth_year"] > latest).fillna(False).astype(bool)
        found.append(problem_rows(typed, young, dataset, "birth_year", "range",
                               "födelseåret " + typed["birth_year"].astype("string").fillna("")
                               + f" är inte rimligt för en deltagare (senast {latest})"))

    found = [f for f in found if not f.empty]
    return pd.concat(found, ignore_index=True) if found else pd.DataFrame(columns=PROBLEM_COLUMNS)


# ------------------------------------------------------------------ steward extracts


def summary_row(dataset: str, rows_in: int, accepted: int) -> pd.DataFrame:
    return pd.DataFrame([{"dataset": dataset, "rows_in": rows_in, "accepted": accepted,
                          "quarantined": rows_in - accepted}], columns=SUMMARY_COLUMNS)


def _write_parquet(frame: pd.DataFrame, path: Path) -> Path:
    buffer = io.BytesIO()
    frame.to_parquet(buffer, index=False)
    return write_bytes_atomic(path, buffer.getvalue())


def write_part(out_dir: Path, dataset: str, quarantine: pd.DataFrame, rows_in: int, accepted: int) -> Path:
    """One dataset's quarantine and counts, left beside the year's extracts for ``write_extracts``."""
    folder = Path(out_dir) / PARTS_DIR
    _write_parquet(quarantine[PROBLEM_COLUMNS].astype({"source_row": "int64"}), folder / f"{dataset}.parquet")
    return _write_parquet(summary_row(dataset, rows_in, accepted), folder / f"{dataset}.summary.parquet")


def clear_dependent_parts(out_dir: Path) -> None:
    """Drop the parts of datasets checked against projects: a new projects result makes them stale.

    Without this, a run where projects failed would leave last run's participants part in the extracts.
    """
    folder = Path(out_dir) / PARTS_DIR
    for spec in DATASETS.values():
        if spec.references_projects:
            for suffix in (".parquet", ".summary.parquet"):
                (folder / f"{spec.name}{suffix}").unlink(missing_ok=True)


def read_parts(out_dir: Path) -> tuple[pd.DataFrame, pd.DataFrame]:
    """All datasets' quarantine rows and counts, in contract order; a dataset without a part is absent."""
    folder = Path(out_dir) / PARTS_DIR
    problems: list[pd.DataFrame] = []
    summaries: list[pd.DataFrame] = []
    for name in DATASETS:
        summary = folder / f"{name}.summary.parquet"
        if not summary.exists():
            continue
        summaries.append(pd.read_parquet(summary))
        problems.append(pd.read_parquet(folder / f"{name}.parquet"))
    quality = pd.concat(problems, ignore_index=True) if problems else pd.DataFrame(columns=PROBLEM_COLUMNS)
    quality = quality.reindex(columns=PROBLEM_COLUMNS)
    quality["source_row"] = quality["source_row"].astype("int64")
    summary = pd.concat(summaries, ignore_index=True) if summaries else pd.DataFrame(columns=SUMMARY_COLUMNS)
    return quality, summary.reindex(columns=SUMMARY_COLUMNS)


def write_extracts(out_dir: Path) -> tuple[Path, Path]:
    """``quality.csv`` and ``quality_summary.csv`` of the year from the parts."""
    quality, summary = read_parts(out_dir)
    problems_path = write_csv_atomic(quality, Path(out_dir) / QUALITY_FILE)
    summary_path = write_csv_atomic(summary, Path(out_dir) / SUMMARY_FILE)
    return problems_path, summary_path
