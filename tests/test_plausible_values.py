"""Plausible values only: implausible enrolments and support are quarantined, large amounts are noted,
and an impossible amount can never reach the ledger as a number."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from bad_inputs.corpus import PROJECTS_ROWS, costs_csv, participants_csv, person, projects_csv

from samverkan import quality
from samverkan import validation_rules as rules
from samverkan.ingest import ingest_dataset
from samverkan.ledger.catalogue import load_catalogue
from samverkan.ledger.parameters import load_parameters
from samverkan.ledger.present_value import round_kronor
from samverkan.ledger.results import ledger_results
from samverkan.ledger.trace import ledger_contributions

TODAY = dt.date(2025, 6, 30)
INT64_MIN = -9_223_372_036_854_775_808


def _ingest(tmp_path: Path, dataset: str, data: bytes) -> tuple:
    (tmp_path / "projects.csv").write_bytes(projects_csv(*PROJECTS_ROWS))
    (tmp_path / f"{dataset}.csv").write_bytes(data)
    projects = ingest_dataset(tmp_path, "projects", None, TODAY)
    return projects, ingest_dataset(tmp_path, dataset, projects.accepted["project_id"], TODAY)


def _reasons(result, row: int) -> dict[str, str]:
    q = result.quarantine
    hit = q[q["source_row"] == row]
    return dict(zip(hit["rule"], hit["message"], strict=True))


def test_enrolment_before_the_15th_year_or_before_finsam_is_quarantined(tmp_path: Path) -> None:
    _, result = _ingest(tmp_path, "participants", participants_csv(
        person("P-1", birth="1995", enrolled="2009-05-01"),   # 14 that year
        person("P-2", birth="1995", enrolled="2010-01-01"),   # turns 15 that year: fine
        person("P-3", birth="1980", enrolled="2003-12-31"),   # the day before Finsam
        person("P-4", birth="1980", enrolled="2004-01-01"),   # Finsam's first day: fine
        person("P-5", birth="1990", enrolled="1900-01-01", exited="2022-11-30"),
    ))
    assert set(result.accepted["participant_id"]) == {"P-2", "P-4"}
    assert _reasons(result, 2) == {"enrolment": "inskriven 2009-05-01 men född 1995: deltagaren fyller 15 år först "
                                                "2010"}
    assert _reasons(result, 4) == {"enrolment": "inskriven 2003-12-31, före 2004-01-01 då Finsam började"}
    assert set(result.quarantine.loc[result.quarantine["source_row"] == 6, "rule"]) == {"enrolment"}


@pytest.mark.parametrize(("before", "after", "rule", "column", "total"), [
    ("sjukpenning|aktivitetsstod:50", "lon", "support_sum", "support_before", 150),
    ("lon|sjukersattning|a_kassa|annan", "lon", "support_sum", "support_before", 400),
    ("forsorjningsstod", "lon|sjukpenning:25", "support_sum", "support_after", 125),
    ("ingen|forsorjningsstod", "lon", "support_none_with_other", "support_before", None),
    ("sjukpenning:50", "ingen:50|lon:50", "support_none_with_other", "support_after", None),
])
def test_support_beyond_one_person_is_quarantined(tmp_path: Path, before: str, after: str, rule: str, column: str,
                                                  total: int | None) -> None:
    _, result = _ingest(tmp_path, "participants", participants_csv(person("P-1", before=before, after=after)))
    assert result.accepted.empty
    hit = result.quarantine[result.quarantine["rule"] == rule]
    assert hit["column"].tolist() == [column]
    if total is not None:
        assert f"summeras till {total} %" in hit["message"].iloc[0]


@pytest.mark.parametrize(("before", "after"), [
    ("forsorjningsstod|sjukpenning:50|a_kassa:50", "lon"),   # the top-up is not counted: 100 %
    ("ingen", "ingen"),
    ("sjukpenning:75|aktivitetsstod:25", "lon:50|studiemedel:50"),
])
def test_plausible_support_is_accepted(tmp_path: Path, before: str, after: str) -> None:
    _, result = _ingest(tmp_path, "participants", participants_csv(person("P-1", before=before, after=after)))
    assert len(result.accepted) == 1, result.quarantine


def test_support_percent_by_hand() -> None:
    values = pd.Series(["forsorjningsstod|sjukpenning:50", "lon|a_kassa:25", None, "forsorjningsstod", "ingen"])
    got = quality.support_percent(values)
    assert got.iloc[[0, 1, 3, 4]].tolist() == [50.0, 125.0, 0.0, 100.0]
    assert np.isnan(got.iloc[2])


def test_a_large_amount_is_a_finding_not_a_quarantine(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    data = costs_csv("SF01-P001;2022;region;60000000;nej", "SF01-P001;2023;region;1000;nej")
    _, result = _ingest(tmp_path, "project_costs", data)
    assert len(result.accepted) == 2 and result.quarantine.empty
    assert result.notes == ["project_costs.csv rad 2: beloppet 60 000 000 kr är över rimlighetsgränsen 50 000 000 kr; "
                            "raden tas med, men kontrollera den"]
    assert rules.severity("large_amount") == rules.INFO and not rules.LARGE_AMOUNT.quarantines

    monkeypatch.setenv(quality.AMOUNT_BOUND_VARIABLE, "100 000 000")
    _, raised = _ingest(tmp_path, "project_costs", data)
    assert raised.notes == []
    monkeypatch.setenv(quality.AMOUNT_BOUND_VARIABLE, "många")
    with pytest.raises(ValueError, match="SAMVERKAN_MAX_AMOUNT_SEK ska vara ett belopp"):
        quality.max_amount_sek()


def test_findings_beyond_ten_are_counted_on_one_line() -> None:
    typed = pd.DataFrame({"amount_sek": [1e9] * 12, "source_file": "c.csv", "source_row": range(2, 14)})
    notes = quality.findings("project_costs", typed)
    assert len(notes) == 11
    assert notes[-1] == "ytterligare 2 rader har belopp över 50 000 000 kr"


@pytest.mark.parametrize("value", [float("inf"), float("-inf"), float("nan"), 1e30])
def test_round_kronor_refuses_what_int64_would_wrap(value: float) -> None:
    with pytest.raises(ValueError, match="inte ett ändligt belopp"):
        round_kronor(np.array([1.0, value]))
    assert round_kronor(np.array([2.5, -2.5, 1e15])).tolist() == [3, -3, 10**15]


@pytest.mark.parametrize("amount", ["inf", "1e400", "-inf", "NaN"])
def test_an_impossible_cost_never_becomes_kronor_or_a_winner(tmp_path: Path, amount: str) -> None:
    """Ingest → ledger core: the row is refused at ingest, or the ledger stops with a Swedish error."""
    projects, costs = _ingest(tmp_path, "project_costs",
                              costs_csv(f"SF01-P001;2024;samordningsforbund;{amount};nej",
                                        "SF01-P002;2024;samordningsforbund;1000;nej"))
    (tmp_path / "participants.csv").write_bytes(participants_csv(
        person("P-1", enrolled="2023-02-01", exited="2024-05-30"),
        person("P-2", project="SF01-P002", enrolled="2023-02-01", exited="2024-05-30")))
    participants = ingest_dataset(tmp_path, "participants", projects.accepted["project_id"], TODAY)
    parameters = load_parameters()
    try:
        contributions = ledger_contributions(participants.accepted, projects.accepted, costs.accepted, 2024,
                                             load_catalogue(2024), parameters)
        table = ledger_results(contributions.frame, parameters).table
    except ValueError as exc:
        assert "inte ett ändligt belopp" in str(exc)
        return
    # Refused at ingest: the ledger is exactly the one without that row (P1's own effects may still win).
    assert costs.accepted["project_id"].tolist() == ["SF01-P002"]
    numbers = table.select_dtypes("number").to_numpy(dtype="float64", na_value=0.0)
    assert np.isfinite(numbers).all() and (np.abs(numbers) < 2.0**62).all()
    assert INT64_MIN not in numbers
    assert (table.loc[table["project_id"] == "SF01-P001", "investment_sek"] == 0).all()
    without = costs.accepted.iloc[0:0]
    reference = ledger_results(ledger_contributions(participants.accepted, projects.accepted, without, 2024,
                                                    load_catalogue(2024), parameters).frame, parameters).table
    p1 = table[table["project_id"] == "SF01-P001"].reset_index(drop=True)
    assert p1.equals(reference[reference["project_id"] == "SF01-P001"].reset_index(drop=True))
