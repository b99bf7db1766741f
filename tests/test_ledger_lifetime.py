"""A project's whole-life ledger and plan against outcome, on hand-made frames (docs/forecast.md, example C)."""

from __future__ import annotations

from pathlib import Path

import pytest
from test_forecast_model import CATALOGUE, PARAMETERS
from test_ledger import typed

from samverkan.forecast.outcome import OUTCOME_COLUMNS, lifetime_with_plans
from samverkan.ledger.catalogue import load_catalogue, load_prisbasbelopp
from samverkan.ledger.lifetime import LIFETIME_COLUMNS, ledger_lifetime
from samverkan.ledger.parameters import load_parameters

PROJECTS = typed([
    {"project_id": "L1", "forbund": "Förbund A", "name": "Livet", "start_date": "2022-03-01",
     "end_date": "2023-12-31", "target_group": None},
    {"project_id": "L2", "forbund": "Förbund A", "name": "Pågår", "start_date": "2023-01-01", "end_date": None,
     "target_group": None},
], dates=("start_date", "end_date"))


def leaver(pid: str, exited: str, work: bool, reason: str = "arbete") -> dict:
    return {"project_id": pid, "exited_on": exited, "support_before": "forsorjningsstod",
            "occupation_before": "arbetssokande", "support_after": "lon" if work else None,
            "occupation_after": "arbete" if work else None, "exit_reason": reason if work else "avbrott"}


PARTICIPANTS = typed([
    leaver("L1", "2022-05-01", False), leaver("L1", "2022-09-01", False),
    leaver("L1", "2023-02-01", True), leaver("L1", "2023-06-01", True), leaver("L1", "2023-11-01", True),
    leaver("L1", "2023-07-01", True, "felregistrering"),  # never counts
    leaver("L1", "2025-03-01", True),  # after as_of
    leaver("L2", "2024-04-01", True),
], dates=("exited_on",))
COSTS = typed([
    {"project_id": "L1", "year": 2022, "financier": "samordningsforbund", "amount_sek": 1000.0, "in_kind": False},
    {"project_id": "L1", "year": 2023, "financier": "kommun", "amount_sek": 500.0, "in_kind": True},
    {"project_id": "L2", "year": 2024, "financier": "region", "amount_sek": 100.0, "in_kind": False},
    {"project_id": "L2", "year": 2025, "financier": "region", "amount_sek": 999.0, "in_kind": False},
])


@pytest.fixture()
def inputs(tmp_path: Path):
    (tmp_path / "c.csv").write_text(CATALOGUE, encoding="utf-8")
    (tmp_path / "p.yaml").write_text(PARAMETERS, encoding="utf-8")
    return load_catalogue(2024, tmp_path / "c.csv", load_prisbasbelopp()), load_parameters(tmp_path / "p.yaml")


def test_the_whole_life_to_the_krona(inputs) -> None:
    table = ledger_lifetime(PARTICIPANTS, PROJECTS, COSTS, 2024, *inputs)
    assert list(table.columns) == LIFETIME_COLUMNS
    life = table[table["project_id"] == "L1"].set_index("actor")
    # N = 5 leavers over the life, k = 3 to work: max(0, 3 − 0.2·5) = 2 attributable, each work leaver keeps 2/3.
    # The three left in 2023 (year 2): 2 × C_3 / 1.1 = 2 × 2.735537 / 1.1 = 4.973704 per krona of yearly gain.
    assert life["effect_pv_sek"].tolist() == [0, 0, 1492, 249, 50, 149, 1989, 3929]
    # 2022 förbund money 500/250/250 undiscounted; 2023 Kommun in kind 500 / 1.1 = 454.55.
    assert life["investment_sek"].tolist() == [0, 500, 705, 250, 0, 0, 0, 1455]
    assert life.loc["Kommun", "net_sek"] == 787
    assert (life["leavers"].iloc[0], life["to_work_or_studies"].iloc[0], life["attributable"].iloc[0]) == (5, 3, 2)
    assert life["finished"].all() and (life["first_year"].iloc[0], life["last_year"].iloc[0]) == (2022, 2023)
    # The annual ledgers would count max(0, 0 − 0.4) + max(0, 3 − 0.6) = 2.4 attributable, not 2: it says so.
    assert life["basis"].str.contains("inte summan av årsboksluten").all()


def test_later_years_are_left_out_until_they_are_reached(inputs) -> None:
    table = ledger_lifetime(PARTICIPANTS, PROJECTS, COSTS, 2024, *inputs)
    ongoing = table[table["project_id"] == "L2"].set_index("actor")
    # Started 2023: the 2024 cost is year 2, the 2025 one is not counted yet.
    assert ongoing.loc["Region", "investment_sek"] == 91 and not ongoing["finished"].any()
    assert ledger_lifetime(PARTICIPANTS, PROJECTS, COSTS, 2023, *inputs)["project_id"].unique().tolist() == ["L1"]


def test_plan_against_outcome_for_a_finished_project(inputs, tmp_path: Path) -> None:
    plans = tmp_path / "plans"
    plans.mkdir()
    (plans / "livet.yaml").write_text("""\
project_id: L1
forbund: Förbund A
name: Livet (ansökan)
start_date: 2022-03-01
end_date: 2023-12-31
participants: 5
expected_share: 0.6
support_before: forsorjningsstod
costs:
  - {year: 2022, financier: samordningsforbund, amount_sek: 1000}
  - {year: 2023, financier: kommun, amount_sek: 500, in_kind: true}
""", encoding="utf-8")
    (plans / "pagar.yaml").write_text((plans / "livet.yaml").read_text().replace("project_id: L1\n", "")
                                      .replace("Livet (ansökan)", "Pågår"), encoding="utf-8")
    (plans / "trasig.yaml").write_text("forbund: X\n", encoding="utf-8")
    result = lifetime_with_plans(PARTICIPANTS, PROJECTS, COSTS, 2024, *inputs, plans)
    against = result.against_plan
    assert list(against.columns) == OUTCOME_COLUMNS
    # Only the finished project: L2 matches "Pågår" by name but is still running.
    assert against["project_id"].unique().tolist() == ["L1"]
    kommun = against.set_index("actor").loc["Kommun"]
    # Plan: two years, leavers spread evenly, mean discount (1 + 1/1.1)/2; k = 3, p0·N = 1 → 2 attributable:
    # 300 × 2 × 0.954545 × 2.735537 = 1566.72.
    assert (kommun["forecast_effect_pv_sek"], kommun["outcome_effect_pv_sek"]) == (1567, 1492)
    assert (kommun["forecast_investment_sek"], kommun["outcome_investment_sek"]) == (705, 705)
    assert (kommun["planned_participants"], kommun["leavers"]) == (5, 5)
    assert against["actor"].tolist() == ["Arbetsförmedlingen", "Försäkringskassan", "Kommun", "Region", "Summa"]
    assert len(result.plan_problems) > 0 and all(p.startswith("trasig.yaml") for p in result.plan_problems)
