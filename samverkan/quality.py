"""Row rules beyond single cells, a dataset's verdict, the data gate and the steward extracts.

Each row rule here is a vectorised mask over the typed frame from ``conform``
and gives one problem row per failing row (``dataset, source_file, source_row,
column, rule, message``); names and messages come from
``samverkan.validation_rules``. The rule tables below are also what the Great
Expectations suites are generated from (``pipelines/gx/suites.py``), so a rule
is written once and both the quarantine and the suite follow it.

Every ingest step leaves, beside its accepted rows, its quarantine and a
one-row verdict (rows in, accepted, quarantined, usable, errors). The steward
extracts (``quality.csv``, ``quality_summary.csv``) are combined from those for
every dataset, ``quality.xlsx`` beside them shows the rows as read, and
``gate_message`` says in Swedish which datasets stop the ledger and the report.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable, Mapping
from pathlib import Path

import pandas as pd

from samverkan import validation_rules as rules
from samverkan.conform import PROBLEM_COLUMNS, problem_rows
from samverkan.contract import DATASETS, Dataset
from samverkan.files import write_bytes_atomic, write_csv_atomic
from samverkan.steward_workbook import quality_workbook

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

# More than this share of a dataset's rows in quarantine and it is not fit to report on.
MAX_QUARANTINE_SHARE = 0.5

SUMMARY_COLUMNS = ["dataset", "rows_in", "accepted", "quarantined"]
# A verdict is a summary row plus whether the dataset can be used and, if not, why (one error per line).
VERDICT_COLUMNS = [*SUMMARY_COLUMNS, "usable", "errors"]
QUALITY_FILE = "quality.csv"
SUMMARY_FILE = "quality_summary.csv"
WORKBOOK_FILE = "quality.xlsx"
# quality.csv: the problem columns with the rule's Swedish label beside its code.
EXTRACT_COLUMNS = [*PROBLEM_COLUMNS[:5], "rule_label", PROBLEM_COLUMNS[5]]
# The quarantine column with each row's cells as read, a JSON object (written by samverkan.ingest).
AS_READ = "as_read"


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
    origin = typed.loc[firsts.loc[mask[mask].index]].set_axis(mask[mask].index)
    message = pd.Series("", index=typed.index, dtype="str")
    message[mask] = rules.DUPLICATE_KEY.text(key=", ".join(key), file=origin["source_file"], row=origin["source_row"])
    return problem_rows(typed, mask, spec.name, "+".join(key), rules.DUPLICATE_KEY.name, message)


def _text_problems(dataset: str, typed: pd.DataFrame, column: str) -> list[pd.DataFrame]:
    text = typed[column].fillna("").astype(str)
    formula = text.str.contains(FORMULA_PATTERN, regex=True)
    long = text.str.len() > MAX_TEXT_LENGTH
    return [
        problem_rows(typed, formula, dataset, column, rules.FORMULA.name,
                     rules.FORMULA.text(start=text.str.slice(0, 40))),
        problem_rows(typed, long, dataset, column, rules.TOO_LONG.name,
                     rules.TOO_LONG.text(length=text.str.len(), limit=MAX_TEXT_LENGTH)),
    ]


def row_problems(dataset: str, typed: pd.DataFrame, known_project_ids: pd.Series | None,
                 today: dt.date | None = None) -> pd.DataFrame:
    """Every row rule of ``dataset`` over the typed frame; one problem row per failing row and rule."""
    spec = DATASETS[dataset]
    today = today or dt.date.today()
    found: list[pd.DataFrame] = []

    if known_project_ids is not None and spec.references_projects and "project_id" in typed.columns:
        unknown = typed["project_id"].notna() & ~typed["project_id"].isin(set(known_project_ids.dropna()))
        found.append(problem_rows(typed, unknown, dataset, "project_id", rules.UNKNOWN_PROJECT.name,
                                  rules.UNKNOWN_PROJECT.text(project=typed["project_id"].fillna("").astype(str))))

    found.append(duplicate_problems(spec, typed))

    for earlier, later in DATE_ORDER.get(dataset, ()):
        swapped = (typed[later] < typed[earlier]).fillna(False).astype(bool)
        found.append(problem_rows(typed, swapped, dataset, later, rules.DATE_ORDER.name, rules.DATE_ORDER.text(
            later=later, later_date=_iso(typed[later]), earlier=earlier, earlier_date=_iso(typed[earlier]))))

    for present, needed in NEEDS.get(dataset, ()):
        lacking = typed[present].notna() & typed[needed].isna()
        found.append(problem_rows(typed, lacking, dataset, needed, rules.NEEDS_VALUE.name, rules.NEEDS_VALUE.text(
            present=present, value=typed[present].fillna("").astype(str), needed=needed)))

    limit = pd.Timestamp(today)
    for column in spec.columns:
        if column.type == "date":
            future = (typed[column.name] > limit).fillna(False).astype(bool)
            found.append(problem_rows(typed, future, dataset, column.name, rules.FUTURE_DATE.name,
                                      rules.FUTURE_DATE.text(date=_iso(typed[column.name]), today=today.isoformat())))
        if column.type == "text":
            found += _text_problems(dataset, typed, column.name)

    if dataset == "participants" and "birth_year" in typed.columns:
        latest = today.year - MIN_PARTICIPANT_AGE
        young = (typed["birth_year"] > latest).fillna(False).astype(bool)
        found.append(problem_rows(typed, young, dataset, "birth_year", rules.RANGE.name, rules.RANGE.text(
            "birth_year", value=typed["birth_year"].astype("string").fillna(""), latest=latest)))

    found = [f for f in found if not f.empty]
    return pd.concat(found, ignore_index=True) if found else pd.DataFrame(columns=PROBLEM_COLUMNS)


# ------------------------------------------------------------------ verdicts, the gate, steward extracts


def verdict(dataset: str, rows_in: int, accepted: int, errors: list[str]) -> pd.DataFrame:
    """One dataset's counts and whether it can be used, as the one-row frame its ingest step publishes."""
    return pd.DataFrame([{"dataset": dataset, "rows_in": rows_in, "accepted": accepted,
                          "quarantined": rows_in - accepted, "usable": not errors, "errors": "\n".join(errors)}],
                        columns=VERDICT_COLUMNS).astype({"rows_in": "int64", "accepted": "int64",
                                                         "quarantined": "int64", "usable": "bool", "errors": "str"})


def _in_contract_order(frames: Mapping[str, pd.DataFrame], columns: list[str]) -> pd.DataFrame:
    found = [frames[name] for name in DATASETS if name in frames and not frames[name].empty]
    return pd.concat(found, ignore_index=True).reindex(columns=columns) if found \
        else pd.DataFrame(columns=columns)


def combine(quarantines: Mapping[str, pd.DataFrame], verdicts: Mapping[str, pd.DataFrame]
            ) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Every dataset's quarantine rows and counts (``quality.csv``, ``quality_summary.csv``), in contract order."""
    problems = _in_contract_order(quarantines, PROBLEM_COLUMNS).astype({"source_row": "int64"})
    problems.insert(5, "rule_label", problems["rule"].map(rules.rule_label).astype("str"))
    summary = _in_contract_order(verdicts, SUMMARY_COLUMNS).astype(
        {c: "int64" for c in ("rows_in", "accepted", "quarantined")})
    return problems, summary


def rows_as_read(quarantines: Mapping[str, pd.DataFrame]) -> dict[str, pd.DataFrame]:
    """Per dataset, each quarantined row once with its cells as read (``source_file``, ``source_row``, the file's
    columns as text, masked), from the quarantines' ``as_read`` column."""
    out: dict[str, pd.DataFrame] = {}
    for name, quarantine in quarantines.items():
        if quarantine.empty or AS_READ not in quarantine.columns:
            continue
        rows = quarantine.drop_duplicates(["source_file", "source_row"])
        records = [{"source_file": f, "source_row": int(r), **(json.loads(a) if a else {})}
                   for f, r, a in zip(rows["source_file"], rows["source_row"], rows[AS_READ], strict=True)]
        out[name] = pd.DataFrame.from_records(records)
    return out


def write_extracts(out_dir: Path, problems: pd.DataFrame, summary: pd.DataFrame,
                   rows: Mapping[str, pd.DataFrame] | None = None,
                   dataset_label: Callable[[str], str] = str) -> tuple[Path, Path, Path]:
    """``quality.csv``, ``quality_summary.csv`` and the stewards' ``quality.xlsx`` (sheets named by
    ``dataset_label``) of the year."""
    problems_path = write_csv_atomic(problems.reindex(columns=EXTRACT_COLUMNS), Path(out_dir) / QUALITY_FILE)
    summary_path = write_csv_atomic(summary, Path(out_dir) / SUMMARY_FILE)
    workbook = quality_workbook(summary, problems, rows or {}, rules.rule_label, dataset_label)
    workbook_path = write_bytes_atomic(Path(out_dir) / WORKBOOK_FILE, workbook)
    return problems_path, summary_path, workbook_path


def gate_message(verdicts: pd.DataFrame) -> str | None:
    """Why the year's ledger and report cannot be made (Swedish, naming every unusable dataset), or None."""
    unusable = verdicts[~verdicts["usable"].astype(bool)]
    if unusable.empty:
        return None
    names = ", ".join(unusable["dataset"])
    lines = [f"Årets bokslut stoppas: {names} kan inte användas. Rätta filerna och kör året igen."]
    for row in unusable.itertuples():
        lines += [f"- {row.dataset}: {error}" for error in str(row.errors).splitlines() if error] \
            or [f"- {row.dataset}: datasetet kan inte användas"]
    return "\n".join(lines)
