"""Every file of the bad-input corpus, counted without the project's readers: nothing lost, nothing leaked.

The counts here come from the csv module (strict), openpyxl in its normal mode and Parquet's footer, never
from ``samverkan.readers`` or ``samverkan.physical``.
"""

from __future__ import annotations

import codecs
import csv
import datetime as dt
import io
import re
import unicodedata
from dataclasses import dataclass
from pathlib import Path

import pandas as pd
import pyarrow.parquet as pq
import pytest
from bad_inputs.corpus import CASES, NEW_PERSONAL_NUMBERS, PERSONAL_NUMBERS, Case

from samverkan.ingest import IngestResult, ingest_dataset
from samverkan.privacy import contains_personal_number, mask_personal_numbers


def _text(data: bytes) -> str:
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return data.decode("utf-16")
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        return data.decode("cp1252")


def _blank(cells: list) -> bool:
    return all(c is None or not str(c).strip() for c in cells)


def csv_data_rows(data: bytes) -> int:
    """Non-blank records after the header; from a quote that never closes, every line is a record."""
    text = _text(data).replace("\r\n", "\n").replace("\r", "\n")
    if re.match(r"sep=.\n", text, re.IGNORECASE):
        text = text.split("\n", 1)[1]
    first = text.split("\n", 1)[0]
    delimiter = max(";,\t", key=first.count)
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter, strict=True)
    records: list[list[str]] = []
    lines_read = 0
    tail: list[str] = []
    try:
        for row in reader:
            records.append(row)
            lines_read = reader.line_num
    except csv.Error as exc:
        assert "unexpected end of data" in str(exc), exc
        tail = text.split("\n")[lines_read:]
    return sum(not _blank(r) for r in records[1:]) + sum(bool(line.strip()) for line in tail)


def xlsx_data_rows(data: bytes, dataset: str) -> int:
    from openpyxl import load_workbook

    workbook = load_workbook(io.BytesIO(data))
    sheet = workbook[dataset] if dataset in workbook.sheetnames else workbook.worksheets[0]
    rows = list(sheet.iter_rows(values_only=True))
    return sum(not _blank(list(r)) for r in rows[1:])


def physical_data_rows(name: str, data: bytes, dataset: str) -> int:
    suffix = Path(name).suffix.lower()
    if suffix == ".csv":
        return csv_data_rows(data)
    if suffix == ".xlsx":
        return xlsx_data_rows(data, dataset)
    return pq.read_metadata(io.BytesIO(data)).num_rows


@dataclass
class Outcome:
    case: Case
    result: IngestResult
    projects: IngestResult


@pytest.fixture(scope="module")
def outcomes(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Outcome]:
    today = dt.date.today()
    found = {}
    for case in CASES:
        inbox = tmp_path_factory.mktemp(case.id)
        case.write(inbox)
        projects = ingest_dataset(inbox, "projects", None, today)
        result = projects if case.dataset == "projects" else ingest_dataset(
            inbox, case.dataset, projects.accepted["project_id"], today)
        found[case.id] = Outcome(case, result, projects)
    return found


def test_the_corpus_has_sixty_hostile_files() -> None:
    assert sum(len(c.files) for c in CASES) >= 60


@pytest.mark.parametrize("case", CASES, ids=[c.id for c in CASES])
def test_physical_records_equal_accepted_plus_quarantined(case: Case, outcomes: dict[str, Outcome]) -> None:
    outcome = outcomes[case.id]
    for name, data in case.files.items():
        result = outcome.result
        shown = mask_personal_numbers(name)
        unreadable = result.quarantine[(result.quarantine["source_file"] == shown)
                                       & (result.quarantine["rule"] == "unreadable_file")]
        if case.special.get(name) or len(unreadable):
            # Refused as a whole: its rows cannot be counted, so it must be a dataset error naming the file.
            assert len(unreadable) == 1
            assert any(shown in e for e in result.dataset_errors)
            assert not (result.accepted["source_file"] == shown).any()
            continue
        physical = physical_data_rows(name, data, case.dataset)
        accepted = int((result.accepted["source_file"] == shown).sum())
        quarantined = result.quarantine.loc[result.quarantine["source_file"] == shown, "source_row"].nunique()
        assert physical == accepted + quarantined, f"{name}: {physical} i filen, {accepted} + {quarantined} lästes"


def _forms(value: str) -> set[str]:
    """The value as written, normalised, and every way its digits could be written out again."""
    normal = "".join(ch for ch in unicodedata.normalize("NFKC", value) if unicodedata.category(ch) != "Cf")
    digits = "".join(str(unicodedata.decimal(ch)) for ch in normal if unicodedata.decimal(ch, None) is not None)
    ten = digits[-10:]
    return {value, normal, digits, ten, ten[1:] if ten.startswith("0") else ten, f"{ten[:6]}-{ten[6:]}",
            f"{ten[:6]}+{ten[6:]}", f"{ten[:6]} {ten[6:]}"}


def test_no_personnummer_in_what_ingest_shows(outcomes: dict[str, Outcome]) -> None:
    secrets = set(PERSONAL_NUMBERS) | set(NEW_PERSONAL_NUMBERS)
    for outcome in outcomes.values():
        assert set(outcome.case.raw_secrets) <= secrets | {s[1:] for s in secrets}, outcome.case.id
    seen_secret_cases = 0
    for outcome in outcomes.values():
        result = outcome.result
        shown = [result.accepted.to_csv(), result.quarantine.to_csv(), result.validation.to_csv(),
                 " ".join(result.dataset_errors), " ".join(result.notes), " ".join(f.name for f in result.files),
                 " ".join(" ".join(f.columns) for f in result.files)]
        text = "\n".join(shown)
        for secret in outcome.case.raw_secrets:
            seen_secret_cases += 1
            for form in _forms(secret):
                assert form not in text, f"{outcome.case.id}: {form!r} syns"
        # And nothing else personnummer-shaped either, in any cell or message.
        for part in shown:
            for line in part.splitlines():
                assert not contains_personal_number(line), f"{outcome.case.id}: {line[:120]!r}"
    assert seen_secret_cases >= 15


def test_a_personnummer_in_a_file_name_is_shown_masked(outcomes: dict[str, Outcome]) -> None:
    result = outcomes["personnummer_in_file_name"].result
    assert [f.name for f in result.files] == ["participants_XXXXXX-XXXX.csv"]
    assert set(result.accepted["source_file"]) == {"participants_XXXXXX-XXXX.csv"}


def test_the_quarantine_names_the_masked_value_and_the_rule(outcomes: dict[str, Outcome]) -> None:
    quarantine = outcomes["personnummer_in_code_column"].result.quarantine
    row = quarantine[quarantine["rule"] == "personnummer"]
    assert row["message"].tolist() == [
        "värdet ser ut som ett personnummer eller samordningsnummer och tas inte emot (XXXXXX-XXXX)"]
    lost_zero = outcomes["personnummer_excel_number_lost_zero"].result.quarantine
    assert lost_zero.loc[lost_zero["rule"] == "personnummer", "message"].str.contains("XXXXXXXXX").all()


def test_non_finite_numbers_are_refused_with_a_reason(outcomes: dict[str, Outcome]) -> None:
    quarantine = outcomes["non_finite_amounts"].result.quarantine
    messages = quarantine.set_index("source_row")["message"].to_dict()
    assert messages[2] == "talet 'inf' är inte ändligt (oändligt, för stort eller NaN) och tas inte emot"
    assert messages[3].startswith("talet '1e400' är inte ändligt")
    accepted = outcomes["non_finite_amounts"].result.accepted["amount_sek"]
    assert accepted.notna().all() and (accepted.abs() < 1e12).all()
    assert pd.api.types.is_float_dtype(accepted.dtype)
