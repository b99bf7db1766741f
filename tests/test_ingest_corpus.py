"""Every file of the bad-input corpus gets its stated outcome, and nothing is lost."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pandas as pd
import pytest
from bad_inputs.corpus import CASES, Case
from bad_inputs.plausible import PLAUSIBLE_CASES
from dagster import AssetCheckSeverity

from assets.ingest import check_result
from pipelines import gx
from samverkan.ingest import ingest_dataset


@pytest.fixture(scope="module")
def gx_root(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("gx_context")
    gx.sync_context(root)
    return root


def run_case(case: Case, inbox: Path, gx_root: Path):
    today = dt.date.today()
    projects = ingest_dataset(inbox, "projects", None, today)
    known = None if case.dataset == "projects" else projects.accepted["project_id"]
    result = projects if case.dataset == "projects" else ingest_dataset(inbox, case.dataset, known, today)
    outcome = gx.validate(case.dataset, result.validation, gx.parameters_for(pd.Timestamp(today), known), gx_root,
                          data_docs=False)
    return result, outcome, check_result(result, outcome)


def test_corpus_is_big_enough() -> None:
    assert len(CASES) >= 30
    assert len({c.id for c in CASES}) == len(CASES)


@pytest.mark.parametrize("case", CASES + PLAUSIBLE_CASES, ids=[c.id for c in CASES + PLAUSIBLE_CASES])
def test_bad_input_outcome(case: Case, tmp_path: Path, gx_root: Path) -> None:
    case.write(tmp_path)
    result, outcome, check = run_case(case, tmp_path, gx_root)

    # The core and GX agree: no row GX flags was accepted, no critical failure the core did not see.
    assert gx.disagreements(outcome, result.quarantine, result.usable) == []
    assert check.metadata["gx_disagreements"].value == []

    # Nothing lost: every data row of the case's files is either accepted or quarantined.
    assert result.rows_in == case.rows
    assert len(result.accepted) + result.quarantined_rows == result.rows_in
    row_problems = result.quarantine[result.quarantine["rule"] != "unreadable_file"]
    quarantined = set(zip(row_problems["source_file"], row_problems["source_row"], strict=True))
    assert quarantined == set(case.bad)
    assert result.quarantined_rows == len(case.bad)
    for (file, row), rule in case.bad.items():
        rules = set(row_problems.loc[(row_problems["source_file"] == file) & (row_problems["source_row"] == row),
                                     "rule"])
        assert rule in rules, f"{file} rad {row}: väntade {rule}, fick {rules}"
    assert set(zip(result.accepted["source_file"], result.accepted["source_row"], strict=True)).isdisjoint(
        quarantined)

    if case.error:
        assert not check.passed
        assert check.severity == AssetCheckSeverity.ERROR
        errors = " ".join(result.dataset_errors)
        assert case.error in errors
        assert any(name in errors for name in case.files)
        if case.column:
            assert case.column in errors
    else:
        assert result.dataset_errors == []
        assert check.severity == AssetCheckSeverity.WARN
        assert check.passed == (not case.bad)
        assert outcome.critical == []
        # GX saw the same thing as the row rules: it passes exactly when no row was quarantined.
        assert outcome.success == (not case.bad)

    for column, values in case.accepted_values.items():
        assert result.accepted[column].tolist() == values

    shown = " ".join([
        result.quarantine.to_csv(),
        result.accepted.to_csv(),
        result.validation.to_csv(),
        str(check.metadata),
        str(check.description),
        outcome.flagged.to_csv(),
        str([f.examples for f in outcome.failed]),
    ])
    for secret in case.raw_secrets:
        assert secret not in shown
        assert secret.replace("-", "").replace("+", "") not in shown


def test_a_row_gx_flags_but_the_rules_accepted_is_surfaced_not_moved(tmp_path: Path) -> None:
    (tmp_path / "projects.csv").write_text("project_id,forbund,name,start_date,orientation\n"
                                           "A1,F,N,2022-01-01,individinriktad\n", encoding="utf-8")
    result = ingest_dataset(tmp_path, "projects", None, dt.date(2025, 6, 30))
    flagged = pd.DataFrame([["projects", "projects.csv", 2, "name", "formula", "Great Expectations: …"]],
                           columns=["dataset", "source_file", "source_row", "column", "rule", "message"])
    outcome = gx.GxOutcome("projects", success=False, evaluated=10, successful=9, failed=[], flagged=flagged)
    check = check_result(result, outcome)
    assert gx.disagreements(outcome, result.quarantine, result.usable) == [
        "projects.csv rad 2: GX-regeln formula (name) underkänner raden, men radreglerna godkände den"]
    assert not check.passed and check.severity == AssetCheckSeverity.ERROR
    assert check.metadata["gx_disagreements"].value == gx.disagreements(outcome, result.quarantine, True)
    assert "oense" in check.description
    # The row stays where the core put it: the verdict is the core's, the disagreement a fault to fix.
    assert len(result.accepted) == 1 and result.usable
