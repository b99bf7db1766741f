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
import os
from collections.abc import Callable, Mapping
from pathlib import Path

import pandas as pd

from samverkan import validation_rules as rules
from samverkan.conform import PROBLEM_COLUMNS, problem_rows
from samverkan.contract import DATASETS, Dataset
from samverkan.files import write_bytes_atomic, write_csv_atomic
from samverkan.steward_workbook import quality_workbook
from samverkan.support import explode_support

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
# Finsam (lag 2003:1210) took effect on 1 January 2004: no förbund could enrol anyone before that day.
FINSAM_START = dt.date(2004, 1, 1)
# The means-tested top-up is paid beside other support, so it does not count towards a person's 100 %.
SUPPORT_NOT_SUMMED = frozenset({"forsorjningsstod"})
NO_SUPPORT = "ingen"
SUPPORT_COLUMNS = ("support_before", "support_after")
# Columns the ingest adds to the validation frame so that GX can check the cross-column rules above with its
# own single-column expectations (dataset -> derived column -> what it holds).
DERIVED_COLUMNS: dict[str, dict[str, str]] = {
    "participants": {"age_at_enrolment": "ålder det år deltagaren skrevs in",
                     "support_before_percent": "summa omfattning i support_before, försörjningsstöd oräknat",
                     "support_after_percent": "summa omfattning i support_after, försörjningsstöd oräknat"},
}
# One cost row is one financier's money for one project and year. A förbund's whole yearly budget is of the
# order of millions to a few tens of millions of kronor, so a single row above this is far more likely a typo
# (an extra zero, öre as kronor) than a real cost. It is a finding, not a quarantine: the row is counted and the
# check says WARN, because dropping a real large cost would flatter the ledger. Override per instance with
# SAMVERKAN_MAX_AMOUNT_SEK.
MAX_AMOUNT_SEK = 50_000_000
AMOUNT_BOUND_VARIABLE = "SAMVERKAN_MAX_AMOUNT_SEK"
AMOUNT_COLUMNS: dict[str, str] = {"project_costs": "amount_sek"}
# Findings listed by row in the check; the rest are counted on one line.
MAX_LISTED_FINDINGS = 10
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


def max_amount_sek() -> float:
    """The amount bound in force: ``SAMVERKAN_MAX_AMOUNT_SEK`` when set, else ``MAX_AMOUNT_SEK``."""
    setting = os.environ.get(AMOUNT_BOUND_VARIABLE, "").strip().replace(" ", "").replace("_", "")
    if not setting:
        return float(MAX_AMOUNT_SEK)
    try:
        bound = float(setting)
    except ValueError:
        raise ValueError(f"{AMOUNT_BOUND_VARIABLE} ska vara ett belopp i kronor, fick {setting!r}") from None
    if not bound > 0 or bound == float("inf"):
        raise ValueError(f"{AMOUNT_BOUND_VARIABLE} ska vara ett positivt ändligt belopp, fick {setting!r}")
    return bound


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


def support_percent(values: pd.Series) -> pd.Series:
    """Per cell, the summed extent of its support codes (a code without extent is 100), the top-up left out.

    Cells that are empty or were not valid support notation give NaN.
    """
    out = pd.Series(float("nan"), index=values.index, dtype="float64")
    present = values.notna() & (values.astype("str").str.len() > 0)
    if not present.any():
        return out
    long = explode_support(values[present])
    counted = long[~long["code"].isin(SUPPORT_NOT_SUMMED)]
    out[present] = 0.0
    sums = counted.groupby("row")["extent"].sum()
    out[sums.index] = sums.astype("float64")
    return out


def _none_with_other(values: pd.Series) -> pd.Series:
    text = values.fillna("").astype("str")
    has_none = text.str.contains(rf"(?:^|\|){NO_SUPPORT}(?::\d+)?(?:\||$)", regex=True)
    return (has_none & text.str.contains("|", regex=False)).astype(bool)


def derived_columns(dataset: str, typed: pd.DataFrame) -> pd.DataFrame:
    """The ``DERIVED_COLUMNS`` of ``dataset`` from the typed frame (float, NaN where unknown)."""
    if dataset != "participants":
        return pd.DataFrame(index=typed.index)
    age = typed["enrolled_on"].dt.year.astype("float64") - typed["birth_year"].astype("float64")
    return pd.DataFrame({"age_at_enrolment": age.astype("float64"),
                         **{f"{c}_percent": support_percent(typed[c]) for c in SUPPORT_COLUMNS}},
                        index=typed.index)


def _participant_problems(typed: pd.DataFrame, today: dt.date) -> list[pd.DataFrame]:
    dataset = "participants"
    found: list[pd.DataFrame] = []
    latest = today.year - MIN_PARTICIPANT_AGE
    young = (typed["birth_year"] > latest).fillna(False).astype(bool)
    found.append(problem_rows(typed, young, dataset, "birth_year", rules.RANGE.name, rules.RANGE.text(
        "birth_year", value=typed["birth_year"].astype("string").fillna(""), latest=latest)))

    derived = derived_columns(dataset, typed)
    enrolled = _iso(typed["enrolled_on"])
    too_young = (derived["age_at_enrolment"] < MIN_PARTICIPANT_AGE).fillna(False).astype(bool)
    found.append(problem_rows(typed, too_young, dataset, "enrolled_on", rules.ENROLMENT.name, rules.ENROLMENT.text(
        "too_young", date=enrolled, birth_year=typed["birth_year"].astype("string").fillna(""),
        age=MIN_PARTICIPANT_AGE, year=(typed["birth_year"] + MIN_PARTICIPANT_AGE).astype("string").fillna(""))))
    early = (typed["enrolled_on"] < pd.Timestamp(FINSAM_START)).fillna(False).astype(bool)
    found.append(problem_rows(typed, early, dataset, "enrolled_on", rules.ENROLMENT.name, rules.ENROLMENT.text(
        "before_finsam", date=enrolled, start=FINSAM_START.isoformat())))

    for column in SUPPORT_COLUMNS:
        total = derived[f"{column}_percent"]
        over = (total > 100).fillna(False).astype(bool)
        found.append(problem_rows(typed, over, dataset, column, rules.SUPPORT_SUM.name,
                                  rules.SUPPORT_SUM.text(total=total.fillna(0).astype("int64"))))
        mixed = _none_with_other(typed[column])
        found.append(problem_rows(typed, mixed, dataset, column, rules.SUPPORT_NONE_WITH_OTHER.name,
                                  rules.SUPPORT_NONE_WITH_OTHER.text(value=typed[column].fillna(""))))
    return found


def findings(dataset: str, typed: pd.DataFrame, accepted: pd.Series | None = None) -> list[str]:
    """Swedish notes on plausible-but-unusual values (``info`` rules): the rows stay accepted.

    ``accepted`` limits the notes to accepted rows (a quarantined row already has its reason).
    """
    column = AMOUNT_COLUMNS.get(dataset)
    if column is None or column not in typed.columns or typed.empty:
        return []
    limit = max_amount_sek()
    large = (typed[column] > limit).fillna(False).astype(bool)
    if accepted is not None:
        large &= accepted.to_numpy()
    rows = typed[large]
    shown = f"{limit:,.0f}".replace(",", " ")
    notes = [str(rules.LARGE_AMOUNT.text(file=r.source_file, row=r.source_row,
                                         amount=f"{float(getattr(r, column)):,.0f}".replace(",", " "), limit=shown))
             for r in rows.head(MAX_LISTED_FINDINGS).itertuples()]
    if len(rows) > MAX_LISTED_FINDINGS:
        notes.append(str(rules.LARGE_AMOUNT.text("more", count=len(rows) - MAX_LISTED_FINDINGS, limit=shown)))
    return notes


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

    if dataset == "participants":
        found += _participant_problems(typed, today)

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
