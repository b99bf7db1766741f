"""Error injection: a documented share of rows spoiled in every way ``ERROR_KINDS`` lists, each one logged."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

import numpy as np
import pandas as pd

ERROR_KINDS = {
    "unknown_code": "a code outside the code list (gender, occupation, exit reason)",
    "exit_before_enrolment": "exited_on earlier than enrolled_on",
    "bad_date": "a date not written YYYY-MM-DD",
    "missing_required": "an empty required cell",
    "personnummer": "a personnummer in participant_id",
    "orphan_project": "a project_id not in projects",
    "birth_year_range": "an implausible birth year",
    "bad_extent": "a support extent outside 25/50/75/100",
    "exit_reason_without_date": "an exit reason but no exit date",
    "duplicate_episode": "the same episode twice",
    "negative_amount": "a negative cost",
    "formula_text": "text that a spreadsheet would run as a formula",
}
ERROR_SHARE = 0.02
INJECTED_ERRORS_FILE = "_injected_errors.csv"
ERROR_LOG_COLUMNS = ["dataset", "index", "kind"]


def fake_personal_number(rng: np.random.Generator, twelve_digits: bool = False, separator: str = "-",
                         coordination: bool = False) -> str:
    """A valid-looking personnummer (correct date and Luhn digit) for tests and error injection."""
    year = int(rng.integers(1950, 2005))
    month = int(rng.integers(1, 13))
    day = int(rng.integers(1, 29)) + (60 if coordination else 0)
    serial = f"{int(rng.integers(0, 1000)):03d}"
    body = f"{year % 100:02d}{month:02d}{day:02d}{serial}"
    total = 0
    for i, ch in enumerate(body):
        d = int(ch) * (2 if i % 2 == 0 else 1)
        total += d - 9 if d > 9 else d
    check = (10 - total % 10) % 10
    date_part = f"{year}" if twelve_digits else f"{year % 100:02d}"
    return f"{date_part}{month:02d}{day:02d}{separator}{serial}{check}"


# One participant row spoiled in place: (people, row, i, rng), ``i`` varying the way it is spoiled.
Spoiler = Callable[[pd.DataFrame, int, int, np.random.Generator], None]


def _unknown_code(people: pd.DataFrame, row: int, i: int, rng: np.random.Generator) -> None:
    column = ("gender", "occupation_before", "education_level")[i % 3]
    people.at[row, column] = ("kvinn", "jobb", "hogskolan")[i % 3]  # near misses, none a label


def _exit_before_enrolment(people: pd.DataFrame, row: int, i: int, rng: np.random.Generator) -> None:
    enrolled = dt.date.fromisoformat(people.at[row, "enrolled_on"])
    people.at[row, "exited_on"] = (enrolled - dt.timedelta(days=40)).isoformat()
    people.at[row, "exit_reason"] = people.at[row, "exit_reason"] or "avbrott"


def _bad_date(people: pd.DataFrame, row: int, i: int, rng: np.random.Generator) -> None:
    d = dt.date.fromisoformat(people.at[row, "enrolled_on"])
    people.at[row, "enrolled_on"] = f"{d.day}/{d.month}/{d.year}"


def _missing_required(people: pd.DataFrame, row: int, i: int, rng: np.random.Generator) -> None:
    people.at[row, ("gender", "support_before", "project_id")[i % 3]] = ""


def _personnummer(people: pd.DataFrame, row: int, i: int, rng: np.random.Generator) -> None:
    people.at[row, "participant_id"] = fake_personal_number(
        rng, twelve_digits=bool(i % 2), separator=("-", "", "+")[i % 3], coordination=i % 5 == 0)


def _orphan_project(people: pd.DataFrame, row: int, i: int, rng: np.random.Generator) -> None:
    people.at[row, "project_id"] = "OKÄNT-P999"


def _birth_year_range(people: pd.DataFrame, row: int, i: int, rng: np.random.Generator) -> None:
    people.at[row, "birth_year"] = ("1850", "2091", "19")[i % 3]


def _bad_extent(people: pd.DataFrame, row: int, i: int, rng: np.random.Generator) -> None:
    people.at[row, "support_before"] = "sjukpenning:30"


def _exit_reason_without_date(people: pd.DataFrame, row: int, i: int, rng: np.random.Generator) -> None:
    people.at[row, "exited_on"] = ""
    people.at[row, "exit_reason"] = "arbete"


# The participant kinds spoiled in place; duplicate_episode adds copies after the loop instead.
PARTICIPANT_SPOILERS: dict[str, Spoiler] = {
    "unknown_code": _unknown_code,
    "exit_before_enrolment": _exit_before_enrolment,
    "bad_date": _bad_date,
    "missing_required": _missing_required,
    "personnummer": _personnummer,
    "orphan_project": _orphan_project,
    "birth_year_range": _birth_year_range,
    "bad_extent": _bad_extent,
    "exit_reason_without_date": _exit_reason_without_date,
}


def spoil(rng: np.random.Generator, frames: dict[str, pd.DataFrame]) -> pd.DataFrame:
    """Spoil about ERROR_SHARE of the participant and cost rows, each kind at least once; the log of what."""
    log: list[tuple[str, int, str]] = []
    people = frames["participants"]
    costs = frames["project_costs"]
    kinds = [k for k in ERROR_KINDS if k not in ("negative_amount", "formula_text")]
    n_bad = max(len(kinds), int(len(people) * ERROR_SHARE))
    targets = rng.choice(len(people), size=min(n_bad, len(people)), replace=False)
    duplicates = []
    for i, row in enumerate(targets):
        kind = kinds[i % len(kinds)]
        if kind == "duplicate_episode":
            duplicates.append(row)
        else:
            PARTICIPANT_SPOILERS[kind](people, row, i, rng)
        log.append(("participants", int(row), kind))
    if duplicates:
        copies = people.iloc[duplicates].copy()
        people = pd.concat([people, copies], ignore_index=True)
        for k in range(len(copies)):
            log.append(("participants", len(people) - len(copies) + k, "duplicate_episode"))
    frames["participants"] = people
    for row in rng.choice(len(costs), size=max(2, int(len(costs) * ERROR_SHARE)), replace=False):
        costs.at[row, "amount_sek"] = -abs(costs.at[row, "amount_sek"])
        log.append(("project_costs", int(row), "negative_amount"))
    projects = frames["projects"]
    row = int(rng.integers(0, len(projects)))
    projects.at[row, "target_group"] = '=HYPERLINK("http://example.invalid","klicka")'
    log.append(("projects", row, "formula_text"))
    return pd.DataFrame(log, columns=ERROR_LOG_COLUMNS)
