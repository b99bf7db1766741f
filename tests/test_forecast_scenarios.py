"""Implementation scenarios: shipped defaults with their basis, a plan's overrides merged and range-checked."""

from __future__ import annotations

import pytest

from samverkan.forecast.plan import SCENARIO_NAMES, PlanError
from samverkan.forecast.scenarios import load_scenarios


def test_defaults_cover_every_scenario_with_a_basis():
    version, scenarios = load_scenarios()
    assert version and list(scenarios) == list(SCENARIO_NAMES)
    assert scenarios["projekt"].years_after == 0
    assert scenarios["1"].extra_drop_off > 0 and scenarios["2"].delay_years == 1
    assert scenarios["3"].forbund_locked_share > 0 and scenarios["1"].forbund_locked_share == 0
    assert all(s.basis and s.description for s in scenarios.values())


def test_a_plan_overrides_one_value_and_says_so():
    _, scenarios = load_scenarios({"2": {"delay_years": 2}})
    assert scenarios["2"].delay_years == 2 and scenarios["2"].overridden == ("delay_years",)
    assert "Planen anger själv: delay_years" in scenarios["2"].basis
    assert scenarios["3"].overridden == ()


def test_bad_overrides_are_refused_one_line_each():
    with pytest.raises(PlanError) as caught:
        load_scenarios({"1": {"years_after": 2.5, "colour": "blå"}, "3": {"forbund_locked_share": 2}},
                       source="plan.yaml")
    problems = caught.value.problems
    assert len(problems) == 3 and all(p.startswith("plan.yaml: ") for p in problems)
    assert any("okända nycklar colour" in p for p in problems)
    assert any("years_after ska vara ett heltal" in p for p in problems)
    assert any("forbund_locked_share = 2 ligger utanför 0,0–1,0" in p for p in problems)
