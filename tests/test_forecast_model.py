"""The forecast model on a tiny catalogue, every figure computed by hand (docs/forecast.md, example A and B)."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from samverkan.files import read_csv_extract
from samverkan.forecast.model import FORECAST_COLUMNS, price_success
from samverkan.forecast.plan import PlanError, load_plan
from samverkan.forecast.run import forecast, forecast_plan, forecast_plans, side_by_side
from samverkan.ledger.catalogue import load_catalogue, load_prisbasbelopp
from samverkan.ledger.parameters import load_parameters

CATALOGUE = ("version,support_code,occupation,af_sek,fk_sek,kommun_sek,region_sek,rattsvasende_sek,ovriga_sek,"
             "produktionsvarde_sek,price_year,confidence,source,note,kind\n") + """\
t1,lon,,0,0,-100,-50,0,-30,400,2024,medium,test,,transfer
t1,forsorjningsstod,,0,0,200,0,0,0,0,2024,medium,test,,transfer
t1,sjukpenning,,0,300,0,0,0,0,0,2024,low,test,,transfer
t1,,arbetssokande,0,0,0,0,10,0,0,2024,low,test,,real
"""
PARAMETERS = """version: "t1"
discount_rate: {value: 0.10}
horizon_years: {value: 3}
counterfactual:
  work_or_studies: {value: 0.2}
  other_outcomes: {value: 0.5}
attribution: {value: 1.0}
drop_off: {value: 0.0}
forbund_shares:
  default: {fk: 0.5, region: 0.25, kommun: 0.25}
monte_carlo: {draws: 100, seed: 1, unit_cost_sigma: {high: 0, medium: 0, low: 0}}
"""
PLAN = """\
forbund: Förbund A
name: Exempel
start_date: 2024-01-01
end_date: 2024-12-31
participants: 10
expected_share: 0.5
support_before: forsorjningsstod
occupation_before: arbetssokande
costs:
  - {year: 2024, financier: samordningsforbund, amount_sek: 1000}
scenarios:
  "3": {years_after: 2, participants_share_after: 1.0, running_cost_share: 1.0, effect_strength: 0.5,
        extra_drop_off: 0.0, delay_years: 0, forbund_locked_share: 0.5}
"""


@pytest.fixture()
def files(tmp_path: Path) -> dict[str, Path]:
    (tmp_path / "c.csv").write_text(CATALOGUE, encoding="utf-8")
    (tmp_path / "p.yaml").write_text(PARAMETERS, encoding="utf-8")
    (tmp_path / "plan.yaml").write_text(PLAN, encoding="utf-8")
    return {"catalogue": tmp_path / "c.csv", "parameters": tmp_path / "p.yaml", "plan": tmp_path / "plan.yaml"}


def run(files: dict[str, Path], out: Path, plan: Path | None = None):
    return forecast_plan(plan or files["plan"], out, files["catalogue"], files["parameters"])


def rows(result, scenario: str) -> pd.DataFrame:
    return result.table[result.table["scenario"] == scenario].set_index("actor")


def test_a_success_is_priced_with_the_ledgers_catalogue(files, tmp_path) -> None:
    catalogue = load_catalogue(2024, files["catalogue"], load_prisbasbelopp())
    pricing = price_success(load_plan(files["plan"]), catalogue)
    # AF, FK, Kommun, Region, Rättsväsende, Övriga, Produktionsvärde: before − after a success.
    assert pricing.gross.round(6).tolist() == [0, 0, 300, 50, 10, 30, 400]


def test_example_a_the_project_period_to_the_krona(files, tmp_path) -> None:
    result = run(files, tmp_path / "out")
    projekt = rows(result, "projekt")
    # C_3 = 1 + 1/1.1 + 1/1.21 = 2.735537; k = 5 of 10, p0·N = 2, so 3 attributable; W = 8.206612.
    assert projekt["effect_pv_sek"].tolist() == [0, 0, 2462, 410, 82, 246, 3283, 6483]
    assert projekt["investment_sek"].tolist() == [0, 500, 250, 250, 0, 0, 0, 1000]
    assert projekt["net_sek"].tolist() == [0, -500, 2212, 160, 82, 246, 3283, 5483]
    # Kommun: 300·2.7355·(k − 2) ≥ 250 → k ≥ 2.30 → 3; Region: 50·2.7355·(k − 2) ≥ 250 → k ≥ 3.83 → 4;
    # Summa: 790·2.7355·(k − 2) ≥ 1000 → k ≥ 2.46 → 3. FK gains nothing, AF invests nothing: empty.
    assert projekt["break_even_successes"].tolist() == [pd.NA, pd.NA, 3, 4, pd.NA, pd.NA, pd.NA, 3]
    written = read_csv_extract(tmp_path / "out" / "forecast.csv", keep_default_na=False)
    assert list(written.columns) == FORECAST_COLUMNS
    assert written.loc[written["actor"] == "Region", "break_even_successes"].tolist()[0] == "4"
    assert written.loc[written["actor"] == "Arbetsförmedlingen", "break_even_successes"].tolist()[0] == ""


def test_example_b_scenario_3_to_the_krona(files, tmp_path) -> None:
    result = run(files, tmp_path / "out")
    three = rows(result, "3")
    # Running cost 1 000 a year for two years after the project, split 500/250/250; discounted 1/1.1 + 1/1.21.
    assert three["investment_sek"].tolist() == [0, 1368, 684, 684, 0, 0, 0, 2736]
    # W(5) = 2.735537·3 + 4.747628·max(0, 0.5·5 − 2) = 10.580426.
    assert three.loc["Kommun", "effect_pv_sek"] == 3174 and three.loc["Region", "effect_pv_sek"] == 529
    assert three.loc["Kommun", "break_even_successes"] == 3 and three.loc["Region", "break_even_successes"] == 6
    scenarios = result.scenarios.set_index("scenario")
    assert scenarios.loc["3", "forbund_locked_pv_sek"] == 868  # 0.5·1 000·1.735537
    assert scenarios.loc["3", "running_cost_per_year_kommun_sek"] == 250
    assert scenarios.loc["3", "participants_per_year_after"] == 10
    wide = side_by_side(result)
    assert list(wide.columns) == ["projekt", "1", "2", "3"] and wide.index[-1] == "Summa"
    assert wide.loc["Kommun", "projekt"] == 2212 and wide.loc["Kommun", "3"] == 3174 - 684


def test_the_chart_table_holds_net_for_every_k(files, tmp_path) -> None:
    result = run(files, tmp_path / "out")
    chart = read_csv_extract(tmp_path / "out" / "forecast_chart.csv")
    projekt = chart[chart["scenario"] == "projekt"].set_index("successes")
    assert projekt.index.tolist() == list(range(11))
    assert projekt.loc[2, "Region"] == -250 and projekt.loc[4, "Region"] == 24 and projekt.loc[3, "Region"] == -113
    assert projekt.loc[5, "Kommun"] == rows(result, "projekt").loc["Kommun", "net_sek"]


def test_a_plan_with_too_few_participants_never_breaks_even(files, tmp_path) -> None:
    plan = tmp_path / "small.yaml"
    plan.write_text(PLAN.replace("participants: 10", "participants: 3").replace("amount_sek: 1000",
                                                                                "amount_sek: 100000"))
    projekt = rows(run(files, tmp_path / "out", plan), "projekt")
    assert projekt["break_even_successes"].isna().all()


def test_expected_successes_shift_the_net_but_not_the_break_even(files, tmp_path) -> None:
    low = tmp_path / "low.yaml"
    low.write_text(PLAN.replace("expected_share: 0.5", "expected_share: 0.1"))
    a, b = rows(run(files, tmp_path / "a"), "projekt"), rows(run(files, tmp_path / "b", low), "projekt")
    assert (a["break_even_successes"].fillna(-1) == b["break_even_successes"].fillna(-1)).all()
    # One success of ten is below p0·N = 2: nothing is attributable.
    assert (b["effect_pv_sek"] == 0).all()


def test_bad_plans_are_reported_together_one_line_each(files, tmp_path) -> None:
    folder = tmp_path / "plans"
    folder.mkdir()
    (folder / "a.yaml").write_text(PLAN.replace("expected_share: 0.5", "expected_share: 5"))
    (folder / "b.yaml").write_text(PLAN.replace("effect_strength: 0.5", "effect_strength: 9"))
    (folder / "c.yaml").write_text(PLAN)
    with pytest.raises(PlanError) as caught:
        forecast_plans(folder, tmp_path / "out", files["catalogue"], files["parameters"])
    assert len(caught.value.problems) == 2
    assert caught.value.problems[0].startswith("a.yaml: expected_share")
    assert caught.value.problems[1].startswith("b.yaml: scenario 3: effect_strength")
    assert not (tmp_path / "out").exists()  # nothing is written when a plan is bad


def test_a_folder_of_plans_is_forecast_into_one_folder_each(files, tmp_path) -> None:
    folder = tmp_path / "plans"
    folder.mkdir()
    (folder / "Vägen in.yaml").write_text(PLAN)
    written = forecast_plans(folder, tmp_path / "out", files["catalogue"], files["parameters"])
    assert [f.name for f, _ in written] == ["vagen-in"]
    assert sorted(p.name for p in (tmp_path / "out" / "vagen-in").iterdir()) == [
        "forecast.csv", "forecast_chart.csv", "forecast_scenarios.csv"]
    # Priced in the plan's start year (2024, the catalogue's own price year: no indexing).
    assert written[0][1].view.price_year == 2024


def test_the_view_carries_prerequisites_and_versions(files, tmp_path) -> None:
    plan = tmp_path / "pre.yaml"
    plan.write_text(PLAN + "prerequisites: {1: 3, 2: 2, 3: 1}\n")
    view = run(files, tmp_path / "out", plan).view
    assert (view.prerequisites_in_place, view.prerequisites_total) == (2, 12)
    assert len(view.prerequisites_missing) == 10
    assert view.counterfactual_successes == 2 and view.expected_successes == 5
    assert [s.name for s in view.scenarios] == ["projekt", "1", "2", "3"]
    assert view.scenarios[3].running_cost_per_year_sek == (("Arbetsförmedlingen", 0), ("Försäkringskassan", 500),
                                                           ("Kommun", 250), ("Region", 250))
    assert view.scenarios[3].lines[-1].actor == "Summa"
    assert view.parameters_version.startswith("t1")


def test_forecast_reuses_a_loaded_catalogue(files) -> None:
    catalogue = load_catalogue(2024, files["catalogue"], load_prisbasbelopp())
    result = forecast(load_plan(files["plan"]), catalogue, load_parameters(files["parameters"]))
    assert rows(result, "projekt").loc["Summa", "effect_pv_sek"] == 6483
