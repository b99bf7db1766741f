"""DESIGN.md's reference case computed from an inbox, through the assets and through `samverkan run`."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest
from dagster import DagsterInstance, materialize

from assets.ingest import ingest_assets
from assets.ledger import ledger, ledger_contributions
from samverkan.files import read_csv_extract

ROOT = Path(__file__).resolve().parents[1]
# Ten newly arrived people; per person and year the introduction costs AF 17 500, FK 54 625, Kommun 111 133⅓,
# Region 79 558⅓, Rättsväsende 1 687.50, and work yields a production value of 285 600.
CATALOGUE = (
    "version,support_code,occupation,af_sek,fk_sek,kommun_sek,region_sek,rattsvasende_sek,ovriga_sek,"
    "produktionsvarde_sek,price_year,confidence,source,note\n"
    "ref,etableringsersattning,,17500,54625,111133.3333333,79558.3333333,1687.5,0,0,2024,high,DESIGN.md,\n"
    "ref,lon,,0,0,0,0,0,0,285600,2024,high,DESIGN.md,\n"
)
PARAMETERS = """version: "ref"
discount_rate: {value: 0.04}
horizon_years: {value: 4}
counterfactual:
  work_or_studies: {value: 0.0}
  other_outcomes: {value: 0.0}
attribution: {value: 1.0}
drop_off: {value: 0.0}
forbund_shares:
  default: {fk: 0.5, region: 0.25, kommun: 0.25}
monte_carlo:
  draws: 100
  seed: 1
  unit_cost_sigma: {high: 0.0, medium: 0.0, low: 0.0}
"""
REFERENCE_YEAR_4 = {
    "Arbetsförmedlingen": 660641, "Försäkringskassan": 2062143, "Kommun": 4195385, "Region": 3003400,
    "Rättsväsende": 63705, "Övriga": 0, "Produktionsvärde": 10781660, "Summa": 20766933,
}
REFERENCE_YEAR_2 = {"Arbetsförmedlingen": 343269, "Kommun": 2179923, "Produktionsvärde": 5602154}


def write_case(root: Path) -> tuple[Path, Path, Path]:
    inbox = root / "inbox"
    inbox.mkdir()
    (inbox / "projects.csv").write_text(
        "project_id,forbund,name,start_date,end_date,orientation\n"
        "R1,Referensförbundet,Snabbare etablering,2024-01-01,,individinriktad\n", encoding="utf-8")
    (inbox / "project_costs.csv").write_text(
        "project_id,year,financier,amount_sek,in_kind\n"
        "R1,2024,samordningsforbund,1000000,false\nR1,2024,kommun,200000,true\n", encoding="utf-8")
    rows = [f"N{i:02d};R1;K;1990;2024-01-15;2024-10-31;etableringsersattning;lon;arbetssokande;arbete;arbete"
            for i in range(10)]
    (inbox / "participants.csv").write_text(
        "participant_id;project_id;gender;birth_year;enrolled_on;exited_on;support_before;support_after;"
        "occupation_before;occupation_after;exit_reason\n" + "\n".join(rows) + "\n", encoding="utf-8")
    catalogue = root / "catalogue.csv"
    catalogue.write_text(CATALOGUE, encoding="utf-8")
    parameters = root / "parameters.yaml"
    parameters.write_text(PARAMETERS, encoding="utf-8")
    return inbox, catalogue, parameters


def check(table: pd.DataFrame, by_year: pd.DataFrame) -> None:
    for project in ("ALL", "R1"):
        rows = table[table["project_id"] == project].set_index("actor")
        years = by_year[by_year["project_id"] == project].set_index("actor")
        for actor, expected in REFERENCE_YEAR_4.items():
            assert abs(rows.loc[actor, "effect_pv_sek"] - expected) <= 2, (project, actor)
        for actor, expected in REFERENCE_YEAR_2.items():
            assert abs(years.loc[actor, "year_2"] - expected) <= 2, (project, actor)
        # Investment: 1 000 000 förbund money 50/25/25 and 200 000 in kind from the kommun.
        assert rows["investment_sek"].tolist() == [0, 500000, 450000, 250000, 0, 0, 0, 1200000]
        assert rows.loc["Kommun", "payback_year"] == 1 and rows.loc["Försäkringskassan", "payback_year"] == 1


def test_reference_case_through_the_assets(tmp_path: Path, pipeline_resources) -> None:
    inbox, catalogue, parameters = write_case(tmp_path)
    result = materialize([*ingest_assets, ledger_contributions, ledger], partition_key="2024",
                         instance=DagsterInstance.ephemeral(),
                         resources=pipeline_resources(inbox, catalogue_file=str(catalogue),
                                                      parameters_file=str(parameters)))
    assert result.success
    out = tmp_path / "out" / "2024"
    check(read_csv_extract(out / "ledger.csv"), read_csv_extract(out / "ledger_by_year.csv"))


@pytest.mark.slow
def test_reference_case_through_samverkan_run(tmp_path: Path) -> None:
    inbox, catalogue, parameters = write_case(tmp_path)
    out = tmp_path / "out"
    env_home = tmp_path / "dagster_home"
    env_home.mkdir()
    done = subprocess.run(
        [sys.executable, "-m", "pipelines.cli", "run", "--inbox", str(inbox), "--year", "2024", "--out", str(out),
         "--catalogue", str(catalogue), "--parameters", str(parameters), "--in-process"],
        capture_output=True, text=True, cwd=ROOT,
        env={"PATH": "/usr/bin:/bin", "DAGSTER_HOME": str(env_home), "SAMVERKAN_STORAGE": str(tmp_path / "st")},
    )
    assert done.returncode == 0, done.stderr[-2000:]
    check(read_csv_extract(out / "ledger.csv"), read_csv_extract(out / "ledger_by_year.csv"))
    uncertainty = read_csv_extract(out / "ledger_uncertainty.csv")
    net = read_csv_extract(out / "ledger.csv")["net_sek"]
    assert (uncertainty["npv_p50"] - net).abs().max() <= 4  # no spread: every draw is the base case
