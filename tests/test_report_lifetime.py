"""The whole-life ledger on the project page, plan against outcome, and its privacy rule."""

from __future__ import annotations

from reports.sample import FORBUND, sample_inputs
from samverkan.report import build_report_context
from samverkan.report.lifetime import lifetime_view


def pages() -> dict[str, object]:
    return {p.project_id: p for p in build_report_context(sample_inputs(), FORBUND)["projects"]}


def test_members_and_summa_over_the_whole_life() -> None:
    life = pages()["P-001"].lifetime
    assert life.available and not life.withheld
    assert (life.first_year, life.last_year, life.leavers) == (2022, 2025, 85)
    assert [r.actor for r in life.rows] == ["Arbetsförmedlingen", "Försäkringskassan", "Kommun", "Region", "Summa"]
    kommun = life.rows[2]
    assert (kommun.investment_sek, kommun.effect_pv_sek, kommun.net_sek) == (1_400_000, 6_900_000, 5_500_000)
    total = life.rows[-1]
    assert total.is_total and total.investment_sek == 1_800_000 + 2_900_000 + 1_400_000 + 1_450_000 == 7_550_000
    assert total.net_sek == 16_650_000 - 7_550_000
    assert life.plan == []  # no plan for a running project


def test_plan_against_outcome_for_the_finished_project() -> None:
    plan = pages()["P-002"].lifetime.plan
    kommun = next(r for r in plan if r.actor == "Kommun")
    # Planned 10 % less investment (450 000) and 20 % more effect (1 560 000) than the outcome (500 000, 1 300 000).
    assert (kommun.forecast_investment_sek, kommun.outcome_investment_sek) == (450_000, 500_000)
    assert (kommun.forecast_net_sek, kommun.outcome_net_sek) == (1_110_000, 800_000)
    assert plan[-1].actor == "Summa" and plan[-1].is_total


def test_one_to_four_whole_life_leavers_withhold_the_figures_per_actor() -> None:
    rows = [{"actor": a, "investment_sek": 100, "effect_pv_sek": 50, "net_sek": -50, "first_year": 2023,
             "last_year": 2024, "leavers": 3} for a in ("Kommun", "Summa")]
    plan = [{"actor": "Kommun", "forecast_investment_sek": 90, "outcome_investment_sek": 100,
             "forecast_net_sek": 10, "outcome_net_sek": -50}]
    life = lifetime_view(rows, plan)
    assert life.available and life.withheld and life.rows == [] and life.plan == []
    assert not lifetime_view([], []).available
    shown = lifetime_view([{**r, "leavers": 5} for r in rows], plan)
    assert [r.actor for r in shown.rows] == ["Kommun", "Summa"] and len(shown.plan) == 1
    # Nobody has left yet (only costs): nothing about a person to protect.
    assert not lifetime_view([{**r, "leavers": 0} for r in rows], []).withheld


def test_the_project_page_says_it_is_not_the_sum_of_the_annual_ledgers() -> None:
    from reports.render import report_markup

    html = report_markup(build_report_context(sample_inputs(), FORBUND))
    assert "inte summan av årsboksluten" in html and "Plan mot utfall över hela livstiden" in html
    assert "Kommunraden per medlemskommun" in html and "Alingsås" in html
