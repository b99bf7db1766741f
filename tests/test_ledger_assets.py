"""Materialise the ledger assets for 2024 on a small synthetic inbox."""

from __future__ import annotations

import re
from pathlib import Path

import pandas as pd
from dagster import AssetKey, DagsterInstance, materialize

from assets.ingest import ingest_assets
from assets.ledger import ledger, ledger_contributions, ledger_uncertainty
from samverkan.files import read_csv_extract
from samverkan.ledger.actors import MEMBERS
from samverkan.ledger.results import LEDGER_COLUMNS, break_even_transfers


def test_materialise_ledger_2024(small_inbox: Path, tmp_path: Path, pipeline_resources) -> None:
    result = materialize(
        [*ingest_assets, ledger_contributions, ledger, ledger_uncertainty],
        partition_key="2024",
        instance=DagsterInstance.ephemeral(),
        resources=pipeline_resources(small_inbox),
    )
    assert result.success
    out = tmp_path / "out" / "2024"
    table = read_csv_extract(out / "ledger.csv")
    assert list(table.columns) == LEDGER_COLUMNS
    # Effects split into real resources and transfers, to the krona.
    assert (table["effect_real_pv_sek"] + table["effect_transfer_pv_sek"] == table["effect_pv_sek"]).all()
    summa = table[table["actor"] == "Summa"]
    assert summa["society_return_ratio"].notna().any() and table.loc[table["actor"] != "Summa",
                                                                    "society_return_ratio"].isna().all()
    by_year = read_csv_extract(out / "ledger_by_year.csv")
    assert list(by_year.columns) == ["forbund", "project_id", "actor", *[f"year_{n}" for n in range(1, 6)]]
    assert (by_year["year_5"] == table["effect_pv_sek"]).all()
    uncertainty = read_csv_extract(out / "ledger_uncertainty.csv")
    assert list(uncertainty.columns) == ["forbund", "project_id", "actor", "p_break_even", "npv_p05", "npv_p50",
                                         "npv_p95"]
    assert uncertainty[["forbund", "project_id", "actor"]].equals(table[["forbund", "project_id", "actor"]])
    transfers = read_csv_extract(out / "ledger_transfers.csv")
    assert list(transfers.columns) == ["forbund", "project_id", "payer", "payer_net_sek", "receiver",
                                       "receiver_net_sek", "amount_sek"]
    for name in ("ledger_parameters.csv", "ledger_catalogue.csv"):
        assert (out / name).exists()

    # A förbund total is exactly the sum of its projects, actor by actor.
    numeric = ["investment_sek", "effect_pv_sek", "net_sek"]
    projects = table[table["project_id"] != "ALL"].groupby(["forbund", "actor"])[numeric].sum()
    totals = table[table["project_id"] == "ALL"].set_index(["forbund", "actor"])[numeric]
    assert len(totals) == 2 * 8
    assert (totals == projects.loc[totals.index]).all().all()
    assert table["investment_sek"].sum() > 0 and table["effect_pv_sek"].abs().sum() > 0

    # Every figure is the sum of its contributions.
    contributions = result.output_for_node("ledger_contributions")
    assert contributions["catalogue_version"].nunique() == 1 and contributions["parameters_version"].nunique() == 1
    keys = ["forbund", "project_id", "actor"]
    sums = contributions.groupby(keys, observed=True)[["investment_sek", "effect_pv_sek"]].sum().round()
    indexed = table.set_index(["forbund", "project_id", "actor"])
    assert (indexed.loc[sums.index, "investment_sek"] == sums["investment_sek"]).all()
    assert (indexed.loc[sums.index, "effect_pv_sek"] == sums["effect_pv_sek"]).all()
    materialisations = {m.asset_key: m for m in result.asset_materializations_for_node("ledger")}
    assert "summary" in materialisations[AssetKey("ledger")].metadata

    # The ledger step publishes its transfers: the extract's rows, each group's by the rule on the members' nets.
    published = result.output_for_node("ledger", "ledger_transfers")
    pd.testing.assert_frame_equal(published.reset_index(drop=True), transfers, check_dtype=False)
    assert materialisations[AssetKey("ledger_transfers")].metadata["transfers"].value == len(transfers) > 0
    members = table[table["actor"].isin(MEMBERS)]
    expected = [row for (forbund, project_id), group in members.groupby(["forbund", "project_id"])
                for row in break_even_transfers(forbund, project_id, dict(zip(group["actor"], group["net_sek"],
                                                                              strict=True)))]
    assert sorted(tuple(row) for row in published.itertuples(index=False)) == sorted(expected)


def test_other_parameters_file_changes_the_run(small_inbox: Path, tmp_path: Path, pipeline_resources) -> None:
    from samverkan.ledger.parameters import default_parameters_file

    text = default_parameters_file().read_text(encoding="utf-8")
    changed = tmp_path / "parameters.yaml"
    changed.write_text(text.replace("horizon_years:\n  value: 5", "horizon_years:\n  value: 3")
                       .replace("draws: 2000", "draws: 200"), encoding="utf-8")
    result = materialize(
        [*ingest_assets, ledger_contributions, ledger],
        partition_key="2024",
        instance=DagsterInstance.ephemeral(),
        resources=pipeline_resources(small_inbox, parameters_file=str(changed)),
    )
    assert result.success
    by_year = read_csv_extract(tmp_path / "out" / "2024" / "ledger_by_year.csv")
    assert list(by_year.columns)[-1] == "year_3"
    contributions = result.output_for_node("ledger_contributions")
    # The shipped version and the file's hash: an evaluator's file is never mistaken for the shipped one.
    assert re.fullmatch(r"2026\.1\+[0-9a-f]{8}", contributions["parameters_version"].iloc[0])


def test_mixed_parameter_versions_are_refused(small_inbox: Path, tmp_path: Path, pipeline_resources) -> None:
    from samverkan.ledger.parameters import default_parameters_file

    instance = DagsterInstance.ephemeral()
    first = materialize([*ingest_assets, ledger_contributions], partition_key="2024", instance=instance,
                        resources=pipeline_resources(small_inbox))
    assert first.success
    changed = tmp_path / "parameters.yaml"
    changed.write_text(default_parameters_file().read_text(encoding="utf-8").replace('"2026.1"', '"test"'),
                       encoding="utf-8")
    second = materialize([*ingest_assets, ledger_contributions, ledger], partition_key="2024", instance=instance,
                         raise_on_error=False, selection=list(ledger.keys),
                         resources=pipeline_resources(small_inbox, parameters_file=str(changed)))
    assert not second.success
    failures = [e.step_failure_data.error.message for e in second.all_events if e.is_step_failure]
    assert any("materialisera ledger_contributions igen" in m for m in failures)
