"""Materialise ledger_sensitivity for 2024 on the small synthetic inbox: its base is the ledger's net."""

from __future__ import annotations

from pathlib import Path

from dagster import DagsterInstance, materialize

from assets.ingest import ingest_assets
from assets.ledger import ledger, ledger_contributions, ledger_sensitivity
from samverkan.files import read_csv_extract
from samverkan.ledger.sensitivity import SENSITIVITY_COLUMNS


def test_materialise_sensitivity_2024(small_inbox: Path, tmp_path: Path, pipeline_resources) -> None:
    result = materialize([*ingest_assets, ledger_contributions, ledger, ledger_sensitivity], partition_key="2024",
                         instance=DagsterInstance.ephemeral(), resources=pipeline_resources(small_inbox))
    assert result.success
    out = tmp_path / "out" / "2024"
    table = read_csv_extract(out / "ledger_sensitivity.csv")
    assert list(table.columns) == SENSITIVITY_COLUMNS
    ledger_table = read_csv_extract(out / "ledger.csv")
    totals = ledger_table[ledger_table["project_id"] == "ALL"].set_index(["forbund", "actor"])["net_sek"]
    base = table[table["case"] == "base"].set_index(["forbund", "actor"])["net_sek"]
    assert base.sort_index().to_dict() == totals.sort_index().to_dict()
    # Seven parameters at two ends, the base and two scenarios: 17 cases per förbund and actor.
    assert len(table) == 17 * len(totals)
    ten = table[(table["parameter"] == "horizon_years") & (table["case"] == "high")]
    assert set(ten["value"]) == {10}
