"""The plan_forecasts and ledger_lifetime assets, materialised on small inboxes."""

from __future__ import annotations

import shutil
from pathlib import Path

from dagster import AssetKey, DagsterInstance, materialize

from assets.forecast import plan_forecasts
from assets.ingest import ingest_assets
from assets.ledger import ledger_lifetime
from pipelines.definitions import defs
from samverkan.files import read_csv_extract
from samverkan.forecast.model import FORECAST_COLUMNS
from samverkan.forecast.outcome import OUTCOME_COLUMNS
from samverkan.ledger.lifetime import LIFETIME_COLUMNS


def test_plan_forecasts_needs_no_data_gate() -> None:
    graph = defs.resolve_asset_graph()
    assert graph.get(AssetKey("plan_forecasts")).parent_keys == set()
    assert AssetKey("data_gate") in graph.get(AssetKey("ledger_lifetime")).parent_keys


def test_every_plan_of_the_inbox_is_forecast(small_inbox: Path, tmp_path: Path, pipeline_resources) -> None:
    result = materialize([plan_forecasts], partition_key="2024", instance=DagsterInstance.ephemeral(),
                         resources=pipeline_resources(small_inbox))
    assert result.success
    out = tmp_path / "out" / "2024" / "plans"
    assert sorted(p.name for p in out.iterdir()) == ["plan-avslutad-insats", "plan-ny-insats"]
    table = read_csv_extract(out / "plan-ny-insats" / "forecast.csv")
    assert list(table.columns) == FORECAST_COLUMNS and len(table) == 4 * 8
    assert (out / "plan-ny-insats" / "forecast_chart.csv").exists()
    metadata = result.asset_materializations_for_node("plan_forecasts")[0].metadata
    summary = metadata["summary"].value
    assert "Ny väg till arbete" in summary and "förutsättningar 8 av 12" in summary and "netto 3 (jämnt vid)" in summary


def test_a_bad_plan_fails_with_its_swedish_lines(small_inbox: Path, tmp_path: Path, pipeline_resources) -> None:
    inbox = tmp_path / "inbox"
    (inbox / "plans").mkdir(parents=True)
    shutil.copy(small_inbox / "plans" / "plan_ny_insats.yaml", inbox / "plans" / "bra.yaml")
    text = (small_inbox / "plans" / "plan_ny_insats.yaml").read_text(encoding="utf-8")
    (inbox / "plans" / "trasig.yaml").write_text(text.replace("participants: 60", "participants: -3")
                                                 .replace("expected_share: 0.3", "expected_share: 3"), encoding="utf-8")
    result = materialize([plan_forecasts], partition_key="2024", instance=DagsterInstance.ephemeral(),
                         resources=pipeline_resources(inbox), raise_on_error=False)
    assert not result.success
    failure = next(e for e in result.all_events if e.is_step_failure)
    description = failure.step_failure_data.user_failure_data.description
    assert description.splitlines() == ["trasig.yaml: participants = -3 ligger utanför 1–1000000",
                                        "trasig.yaml: expected_share = 3 ligger utanför 0–1"]
    assert not (tmp_path / "out" / "2024" / "plans").exists()


def test_ledger_lifetime_with_plan_against_outcome(small_inbox: Path, tmp_path: Path, pipeline_resources) -> None:
    result = materialize([*ingest_assets, ledger_lifetime], partition_key="2024",
                         instance=DagsterInstance.ephemeral(), resources=pipeline_resources(small_inbox))
    assert result.success
    out = tmp_path / "out" / "2024"
    table = read_csv_extract(out / "ledger_lifetime.csv")
    assert list(table.columns) == LIFETIME_COLUMNS
    summa = table[table["actor"] == "Summa"].set_index("project_id")
    actors = table[table["actor"] != "Summa"].groupby("project_id")[["investment_sek", "effect_pv_sek"]].sum()
    assert (summa[["investment_sek", "effect_pv_sek"]] == actors.loc[summa.index]).all().all()
    against = read_csv_extract(out / "ledger_lifetime_plan.csv")
    assert list(against.columns) == OUTCOME_COLUMNS
    assert against["project_id"].unique().tolist() == ["SF01-P002"]  # the demo plan of a finished project
    assert (against["forecast_investment_sek"] == against["outcome_investment_sek"]).all()
