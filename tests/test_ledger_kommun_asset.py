"""The ledger_kommun asset on a small inbox that names each participant's home kommun and each paying kommun."""

from __future__ import annotations

from pathlib import Path

import numpy as np
from conftest import SMALL_SPEC
from dagster import DagsterInstance, materialize

from assets.ingest import ingest_assets
from assets.ledger import ledger, ledger_contributions, ledger_kommun
from samverkan.files import read_csv_extract
from samverkan.ledger.kommun import KOMMUN_COLUMNS, UNKNOWN_KOMMUN
from samverkan.synth import synthesise, write_inbox

KOMMUNER = ("Borås", "Ulricehamn")


def kommun_inbox(path: Path) -> Path:
    frames, errors = synthesise(SMALL_SPEC)
    participants, costs = frames["participants"], frames["project_costs"]
    # Alternate home kommun by row; the kommun's own money paid by the first.
    participants["kommun"] = np.where(np.arange(len(participants)) % 2 == 0, *KOMMUNER)
    costs["kommun"] = np.where(costs["financier"] == "kommun", KOMMUNER[0], "")
    write_inbox(frames, errors, path)
    return path


def test_ledger_kommun_sums_to_the_kommun_line(tmp_path: Path, pipeline_resources) -> None:
    inbox = kommun_inbox(tmp_path / "inbox")
    result = materialize([*ingest_assets, ledger_contributions, ledger, ledger_kommun], partition_key="2024",
                         instance=DagsterInstance.ephemeral(), resources=pipeline_resources(inbox))
    assert result.success
    out = tmp_path / "out" / "2024"
    table = read_csv_extract(out / "ledger_kommun.csv")
    assert list(table.columns) == KOMMUN_COLUMNS
    # No kommun shares are configured, so förbund money is the unknown row's; own money is Borås's.
    assert set(table["kommun"]) == {*KOMMUNER, UNKNOWN_KOMMUN}
    assert (table.loc[table["kommun"] != UNKNOWN_KOMMUN, "forbund_money_sek"] == 0).all()
    assert (table.loc[table["kommun"] == KOMMUNER[1], "own_investment_sek"] == 0).all()
    totals = read_csv_extract(out / "ledger.csv")
    line = totals[(totals["project_id"] == "ALL") & (totals["actor"] == "Kommun")].set_index("forbund")
    split = table.groupby("forbund")[["investment_sek", "effect_pv_sek"]].sum()
    for forbund, row in split.iterrows():
        # Each part is rounded to the krona after summing, so the split may differ by a krona per row.
        assert abs(row["investment_sek"] - line.loc[forbund, "investment_sek"]) <= 3
        assert abs(row["effect_pv_sek"] - line.loc[forbund, "effect_pv_sek"]) <= 3
    assert split["effect_pv_sek"].abs().sum() > 0
