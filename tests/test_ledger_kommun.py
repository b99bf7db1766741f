"""The Kommun line split per member kommun, on the hand-made set of test_ledger, to the krona."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import pandas as pd
import pytest
from test_ledger import COSTS, PARTICIPANTS, PROJECTS, setup  # noqa: F401 (fixture)

from samverkan.ledger.kommun import KOMMUN_COLUMNS, NO_COLUMNS, UNKNOWN_KOMMUN, kommun_ledger
from samverkan.ledger.parameters import load_parameters
from samverkan.ledger.results import ALL_PROJECTS, ledger_results
from samverkan.ledger.trace import ledger_contributions
from samverkan.overrides import RunFileError

# Home kommun per episode (by row): e1 (row 2) Borås, e5 (row 8) Ulricehamn; the rest are outside the cohort.
HOME = {2: "Borås", 8: "Ulricehamn"}
# The kommun's in-kind 200 (row 3) was Borås's.
PAID = {3: "Borås"}
SHARES = {"Förbund A": {"Borås": 0.6, "Ulricehamn": 0.4}}
C2 = 1.0 + 1 / 1.1 + 1 / 1.21


def with_kommun(frame: pd.DataFrame, kommun: dict[int, str]) -> pd.DataFrame:
    return frame.assign(kommun=frame["source_row"].map(kommun))


def split(catalogue, parameters, participants=PARTICIPANTS, costs=COSTS):
    contributions = ledger_contributions(participants, PROJECTS, costs, 2024, catalogue, parameters).frame
    return contributions, kommun_ledger(contributions, participants, costs, parameters)


def test_kommun_line_split_by_home_payer_and_shares(setup) -> None:  # noqa: F811
    catalogue, parameters, _ = setup
    parameters = replace(parameters, kommun_shares=SHARES)
    contributions, result = split(catalogue, parameters, with_kommun(PARTICIPANTS, HOME), with_kommun(COSTS, PAID))
    assert result.missing_reason == ""
    table = result.table.set_index("kommun")
    assert list(result.table.columns) == KOMMUN_COLUMNS
    # e2 (row 3) names no kommun: it is a leaver of the unknown row, with no Kommun effect.
    assert list(table.index) == ["Borås", "Ulricehamn", UNKNOWN_KOMMUN]
    assert table["leavers"].tolist() == [1, 1, 1]
    # Förbund money to Kommun in Förbund A: 25 % of 1 000 (P1) + 25 % of 400 (P2) = 350 → 210 and 140.
    assert table.loc["Borås", "own_investment_sek"] == 200
    assert table.loc["Borås", "forbund_money_sek"] == 210
    assert table.loc["Ulricehamn", "forbund_money_sek"] == 140
    assert table["investment_sek"].tolist() == [410, 140, 0]
    # Effects: e1's Kommun 180 a year (Borås), e5's 160 (Ulricehamn), over three years at 10 %.
    assert table.loc["Borås", "effect_pv_sek"] == round(180 * C2) == 492
    assert table.loc["Ulricehamn", "effect_pv_sek"] == round(160 * C2) == 438
    assert table["net_sek"].tolist() == [492 - 410, 438 - 140, 0]
    # The split sums back to the förbund's Kommun line.
    line = ledger_results(contributions, parameters).table
    line = line[(line["forbund"] == "Förbund A") & (line["project_id"] == ALL_PROJECTS)].set_index("actor")
    assert table["investment_sek"].sum() == line.loc["Kommun", "investment_sek"] == 550
    assert table["effect_pv_sek"].sum() == line.loc["Kommun", "effect_pv_sek"]


def test_unnamed_kommun_and_unconfigured_shares_are_shown_as_unknown(setup) -> None:  # noqa: F811
    catalogue, parameters, _ = setup
    # Only e1 names a kommun, and no shares are configured: the rest goes to "okänd kommun", listed last.
    _, result = split(catalogue, parameters, with_kommun(PARTICIPANTS, {2: "Borås"}), COSTS)
    table = result.table.set_index("kommun")
    assert list(table.index) == ["Borås", UNKNOWN_KOMMUN]
    assert table.loc["Borås", "investment_sek"] == 0
    assert table["leavers"].tolist() == [1, 2]
    assert table.loc["Borås", "effect_pv_sek"] == 492
    assert table.loc[UNKNOWN_KOMMUN, "own_investment_sek"] == 200
    assert table.loc[UNKNOWN_KOMMUN, "forbund_money_sek"] == 350
    assert table.loc[UNKNOWN_KOMMUN, "effect_pv_sek"] == 438


def test_without_the_columns_the_reason_is_given(setup) -> None:  # noqa: F811
    catalogue, parameters, _ = setup
    _, result = split(catalogue, parameters)
    assert result.table.empty and list(result.table.columns) == KOMMUN_COLUMNS
    assert result.missing_reason == NO_COLUMNS and "hemkommun" in NO_COLUMNS
    # An empty column is as good as none.
    _, result = split(catalogue, parameters, with_kommun(PARTICIPANTS, {}), with_kommun(COSTS, {}))
    assert result.missing_reason == NO_COLUMNS


PARAMETERS = """version: "k1"
discount_rate: {value: 0.04}
horizon_years: {value: 5}
counterfactual:
  work_or_studies: {value: 0.2}
  other_outcomes: {value: 0.5}
attribution: {value: 1.0}
drop_off: {value: 0.0}
unit_cost_level: {value: 1.0}
forbund_shares:
  default: {fk: 0.5, region: 0.25, kommun: 0.25}
  per_forbund:
    Finsam Väst: {kommun_shares: {Borås: 0.6, Ulricehamn: SECOND}}
    Förbund B: {fk: 0.5, region: 0.3, kommun: 0.2, kommun_shares: {Alingsås: 1}}
monte_carlo: {draws: 100, seed: 1, unit_cost_sigma: {high: 0.05, medium: 0.15, low: 0.35}}
"""


def test_kommun_shares_in_the_parameters_file(tmp_path: Path) -> None:
    path = tmp_path / "parameters.yaml"
    path.write_text(PARAMETERS.replace("SECOND", "0.4"), encoding="utf-8")
    parameters = load_parameters(path)
    assert parameters.kommun_shares == {"Finsam Väst": {"Borås": 0.6, "Ulricehamn": 0.4},
                                        "Förbund B": {"Alingsås": 1.0}}
    # Only the kommuner's split given: the members' shares stay the default.
    assert parameters.shares_for("Finsam Väst") == parameters.default_shares
    assert parameters.shares_for("Förbund B") == {"Försäkringskassan": 0.5, "Kommun": 0.2, "Region": 0.3}
    assert any(r["parameter"] == "kommunernas andelar (Finsam Väst)" for r in parameters.table())
    path.write_text(PARAMETERS.replace("SECOND", "0.3"), encoding="utf-8")
    with pytest.raises(RunFileError) as error:
        load_parameters(path)
    assert "kommunernas andelar ska vara icke-negativa och summera till 1" in str(error.value)
