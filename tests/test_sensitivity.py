"""The sensitivity of the förbund's net: hand-computed cases on a tiny ledger, and the base is the ledger's net."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import numpy as np
import pandas as pd
from test_ledger import run, setup  # noqa: F401 (setup is a fixture)

from samverkan.ledger.parameters import LedgerParameters, Range
from samverkan.ledger.results import ALL_PROJECTS
from samverkan.ledger.sensitivity import SENSITIVITY_COLUMNS, cases, sensitivity

PARAMETERS = LedgerParameters(
    version="t", discount_rate=0.0, horizon_years=2, p0=Range(0.2, 0.1, 0.3),
    other_outcomes=Range(0.5, 0.25, 0.75), attribution=Range(1.0, 0.5, 1.0), drop_off=Range(0.0, 0.0, 0.5),
    default_shares={}, forbund_shares={}, mc_draws=10, mc_seed=1, unit_cost_sigma={},
    discount_range=Range(0.0, 0.0, 0.1), horizon_range=Range(2, 1, 3), unit_cost_level=Range(1.0, 0.5, 1.5))

# One project, N = 10 leavers of which k = 5 to work or studies, p0 0.2: Kommun gains 1000 a year (gross) from
# the work outcomes, FK 400 from the others; Kommun invested 2000, FK 1000.
CONTRIBUTIONS = pd.DataFrame({
    "forbund": "F", "project_id": "P",
    "actor": ["Kommun", "Försäkringskassan", "Kommun", "Försäkringskassan"],
    "outcome": ["work_or_studies", "other", None, None],
    "gross_effect_sek": [1000.0, 400.0, 0.0, 0.0],
    "investment_sek": [0.0, 0.0, 2000.0, 1000.0],
})
COUNTS = pd.DataFrame({"project_id": ["P"], "leavers": [10], "to_work_or_studies": [5], "p0": [0.2],
                       "attributable": [3.0]})
# (Kommun, FK) net by hand. Base: work scale (5 − 0.2·10)/5 = 0.6, other (1 − 0.5) = 0.5, factor 2 (0 %, 2 years):
# Kommun 1000·0.6·2 − 2000 = −800, FK 400·0.5·2 − 1000 = −600.
EXPECTED = {
    ("base", ""): (-800, -600),
    ("low", "discount_rate"): (-800, -600),
    # factor 1 + 1/1.1: Kommun 1145.45 → 1145, FK 381.82 → 382.
    ("high", "discount_rate"): (-855, -618),
    ("low", "p0"): (-400, -600),  # work scale 0.8
    ("high", "p0"): (-1200, -600),  # work scale 0.4
    ("low", "other_outcomes"): (-800, -400),  # other scale 0.75
    ("high", "other_outcomes"): (-800, -800),  # other scale 0.25
    ("low", "drop_off"): (-800, -600),
    ("high", "drop_off"): (-1100, -700),  # factor 1 + 0.5
    ("low", "unit_cost_level"): (-1400, -800),
    ("high", "unit_cost_level"): (-200, -400),
    ("low", "attribution"): (-1400, -800),
    ("high", "attribution"): (-800, -600),
    ("low", "horizon_years"): (-1400, -800),  # factor 1
    ("high", "horizon_years"): (-200, -400),  # factor 3
    # 10 %, p0 0.3, other 0.75, drop-off 0.5, level 0.5, attribution 0.5, 1 year: 1000·0.4·0.25 and 400·0.25·0.25.
    ("pessimistic", ""): (-1900, -975),
    # 0 %, p0 0.1, other 0.25, no drop-off, level 1.5, attribution 1, 3 years: 1000·0.8·4.5 and 400·0.75·4.5.
    ("optimistic", ""): (1600, 350),
}


def test_hand_computed_cases() -> None:
    table = sensitivity(CONTRIBUTIONS, COUNTS, PARAMETERS)
    assert list(table.columns) == SENSITIVITY_COLUMNS
    assert set(table["project_id"]) == {ALL_PROJECTS}
    got = {}
    for (case, parameter), rows in table.groupby(["case", "parameter"], sort=False):
        nets = rows.set_index("actor")["net_sek"]
        got[(case, parameter)] = (int(nets["Kommun"]), int(nets["Försäkringskassan"]))
        assert nets["Summa"] == nets.drop("Summa").sum()
        assert nets["Arbetsförmedlingen"] == 0
    assert got == EXPECTED


def test_cases_take_each_end_and_the_scenarios_all_ends() -> None:
    table = cases(PARAMETERS).set_index(["case", "parameter"])
    assert table.loc[("high", "horizon_years"), "horizon_years"] == 3
    assert table.loc[("high", "horizon_years"), "p0"] == 0.2
    pessimistic = table.loc[("pessimistic", "")]
    assert (pessimistic["discount_rate"], pessimistic["p0"], pessimistic["attribution"],
            pessimistic["unit_cost_level"], pessimistic["horizon_years"]) == (0.1, 0.3, 0.5, 0.5, 1)


def test_a_target_groups_own_p0_moves_in_proportion() -> None:
    # The project's own p0 is 0.4 (twice the default): p0 high 0.3 is 1.5 × the default, so 0.6 → work scale 0.
    counts = COUNTS.assign(p0=0.4)
    table = sensitivity(CONTRIBUTIONS, counts, PARAMETERS)
    high = table[(table["case"] == "high") & (table["parameter"] == "p0")].set_index("actor")["net_sek"]
    assert high["Kommun"] == -2000


def test_base_is_the_ledgers_net(setup) -> None:  # noqa: F811
    catalogue, parameters, _ = setup
    parameters = replace(parameters, unit_cost_level=Range(1.0, 0.8, 1.2))
    contributions, results = run(catalogue, parameters)
    table = sensitivity(contributions.frame, contributions.effects.counts, parameters)
    base = table[table["case"] == "base"].set_index(["forbund", "actor"])["net_sek"]
    ledger = results.table[results.table["project_id"] == ALL_PROJECTS].set_index(["forbund", "actor"])["net_sek"]
    assert base.to_dict() == ledger.to_dict()
    assert np.isin(table["case"].unique(), ["base", "low", "high", "pessimistic", "optimistic"]).all()
    # A longer horizon adds later years' effects, so with positive effects it cannot lower Summa.
    summa = table[(table["actor"] == "Summa") & (table["forbund"] == "Förbund A")]
    ten = summa[(summa["case"] == "high") & (summa["parameter"] == "horizon_years")]["net_sek"].item()
    assert ten >= summa[summa["case"] == "base"]["net_sek"].item()


def test_empty_contributions_give_an_empty_table(tmp_path: Path) -> None:
    empty = CONTRIBUTIONS.iloc[:0]
    assert sensitivity(empty, COUNTS.iloc[:0], PARAMETERS).empty



def test_categorical_columns_and_a_missing_outcome() -> None:
    # As trace builds them (categoricals), and with no "other" outcome at all: FK keeps only its investment.
    frame = CONTRIBUTIONS.astype({"forbund": "category", "project_id": "category", "outcome": "category"})
    table = sensitivity(frame[frame["outcome"] != "other"], COUNTS, PARAMETERS)
    base = table[table["case"] == "base"].set_index("actor")["net_sek"]
    assert (base["Kommun"], base["Försäkringskassan"], base["Summa"]) == (-800, -1000, -1800)
