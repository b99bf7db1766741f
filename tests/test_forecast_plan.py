"""Plans are read from YAML with one Swedish line per problem, before anything is computed."""

from __future__ import annotations

import pytest

from samverkan.forecast.plan import PlanError, load_plan

GOOD = """\
forbund: Finsam Väst
name: Vägen in
start_date: 2026-01-01
end_date: 2027-12-31
participants: 40
expected_share: 0.35
support_before: forsorjningsstod|sjukpenning:50
occupation_before: arbetssokande
costs:
  - {year: 2026, financier: samordningsforbund, amount_sek: 1200000}
  - {year: 2027, financier: kommun, amount_sek: 300000, in_kind: true}
prerequisites: {1: 3, 2: 2, 5: 1}
"""


def test_a_good_plan(tmp_path):
    path = tmp_path / "plan.yaml"
    path.write_text(GOOD, encoding="utf-8")
    plan = load_plan(path)
    assert (plan.forbund, plan.participants, plan.expected_share, plan.years) == ("Finsam Väst", 40, 0.35, 2)
    assert plan.costs[1].in_kind and plan.costs[0].amount_sek == 1_200_000
    assert (plan.success_occupation, plan.success_support) == ("arbete", "lon:100")
    assert plan.prerequisites == {1: 3, 2: 2, 5: 1}


def test_every_problem_is_one_swedish_line(tmp_path):
    bad = (GOOD.replace("expected_share: 0.35", "expected_share: 35")
           .replace("support_before: forsorjningsstod|sjukpenning:50", "support_before: forsorjningsstöd")
           .replace("financier: kommun", "financier: kommunen")
           .replace("end_date: 2027-12-31", "end_date: 2025-12-31")
           + "budget: 3\n")
    path = tmp_path / "plan.yaml"
    path.write_text(bad, encoding="utf-8")
    with pytest.raises(PlanError) as caught:
        load_plan(path)
    problems = caught.value.problems
    assert len(problems) == 5
    assert all(p.startswith("plan.yaml: ") and "\n" not in p for p in problems)
    joined = "\n".join(problems)
    for part in ("okänd nyckel 'budget'", "expected_share = 35", "okänd stödkod", "'kommunen' är ingen kod",
                 "end_date 2025-12-31 är före start_date 2026-01-01"):
        assert part in joined


def test_yaml_syntax_errors_name_the_line(tmp_path):
    path = tmp_path / "trasig.yaml"
    path.write_text("forbund: A\nname: [oavslutad\nparticipants: 3\n", encoding="utf-8")
    with pytest.raises(PlanError) as caught:
        load_plan(path)
    assert caught.value.problems == [caught.value.problems[0]]
    assert caught.value.problems[0].startswith("trasig.yaml rad ")


def test_missing_keys_are_listed(tmp_path):
    path = tmp_path / "tom.yaml"
    path.write_text("forbund: A\n", encoding="utf-8")
    with pytest.raises(PlanError) as caught:
        load_plan(path)
    assert [p for p in caught.value.problems if p.endswith("saknas")] == [
        f"tom.yaml: {k} saknas" for k in ("name", "start_date", "end_date", "participants", "expected_share",
                                          "support_before", "costs")]


@pytest.mark.parametrize(("change", "expected"), [
    (("start_date: 2026-01-01", "start_date: 2026-13-01"), "ett datum i planen finns inte"),
    (("start_date: 2026-01-01", "start_date: 2026-01-01 10:00:00"), None),
    (("prerequisites: {1: 3, 2: 2, 5: 1}", "scenarios: {projekt: [1, 2]}"), "scenarios anges"),
    (("prerequisites: {1: 3, 2: 2, 5: 1}", "scenarios: {projekt: abc}"), "scenarios anges"),
    (("forbund: Finsam Väst", "forbund: {a: 1}"), "forbund ska vara en text"),
    (("name: Vägen in", "name: '   '"), "name ska vara en text"),
    (("year: 2026, financier: samordningsforbund", "year: 2026.7, financier: samordningsforbund"),
     "year ska vara ett helt år"),
    (("year: 2027, financier: kommun", "year: 2090, financier: kommun"), "utanför projektets år 2026–2027"),
    (("end_date: 2027-12-31", "end_date: 9999-12-31"), "utanför åren 2004–2100"),
    (("prerequisites: {1: 3, 2: 2, 5: 1}", "prerequisites: {true: 3}"), "är ingen förutsättning"),
    (("name: Vägen in", "name: Vägen in\nname: Vägen ut"), "anges två gånger"),
])
def test_odd_inputs_get_a_line_not_a_traceback(tmp_path, change, expected):
    path = tmp_path / "plan.yaml"
    path.write_text(GOOD.replace(*change), encoding="utf-8")
    if expected is None:
        assert load_plan(path).start_date.isoformat() == "2026-01-01"
        return
    with pytest.raises(PlanError) as caught:
        load_plan(path)
    assert any(expected in p for p in caught.value.problems), caught.value.problems


def test_a_plan_may_name_the_project_it_became(tmp_path):
    path = tmp_path / "plan.yaml"
    path.write_text(GOOD + "project_id: SF01-P003\n", encoding="utf-8")
    assert load_plan(path).project_id == "SF01-P003"
    path.write_text(GOOD, encoding="utf-8")
    assert load_plan(path).project_id == ""
    path.write_text(GOOD + "project_id: [a, b]\n", encoding="utf-8")
    with pytest.raises(PlanError) as caught:
        load_plan(path)
    assert caught.value.problems == ["plan.yaml: project_id ska vara en text, fick \"['a', 'b']\""]
