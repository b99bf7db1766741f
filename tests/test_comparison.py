"""The förbund beside the others of the year (mid-rank percentiles) and beside its own earlier years."""

from __future__ import annotations

import pandas as pd

from samverkan.comparison import mid_rank_percentile, own_history, standings, yearly_measures


def _inbox(shares: dict[str, tuple[int, int]], year: int = 2024):
    """One individual project per förbund; (leavers, to work) per förbund; 10 000 kr of costs per leaver."""
    projects, participants, costs = [], [], []
    for n, (forbund, (left, work)) in enumerate(shares.items()):
        pid = f"P{n}"
        projects.append({"project_id": pid, "forbund": forbund, "orientation": "individinriktad"})
        projects.append({"project_id": f"S{n}", "forbund": forbund, "orientation": "strukturovergripande"})
        for i in range(left):
            participants.append({"project_id": pid, "enrolled_on": f"{year}-01-10", "exited_on": f"{year}-09-01",
                                 "exit_reason": None, "occupation_after": "arbete" if i < work else "ovrigt"})
        participants.append({"project_id": pid, "enrolled_on": f"{year}-01-10", "exited_on": f"{year}-09-01",
                             "exit_reason": "felregistrering", "occupation_after": "arbete"})
        participants.append({"project_id": f"S{n}", "enrolled_on": f"{year}-01-10", "exited_on": None,
                             "exit_reason": None, "occupation_after": None})
        costs.append({"project_id": pid, "year": year, "amount_sek": 10_000.0 * left})
        costs.append({"project_id": f"S{n}", "year": year, "amount_sek": 1e9})
    participants = pd.DataFrame(participants)
    for column in ("enrolled_on", "exited_on"):
        participants[column] = pd.to_datetime(participants[column])
    return pd.DataFrame(participants), pd.DataFrame(projects), pd.DataFrame(costs)


def test_measures_count_only_individual_projects_and_no_felregistrering():
    participants, projects, costs = _inbox({"A": (20, 5), "B": (10, 6)})
    measures = yearly_measures(participants, projects, costs, [2024]).set_index("forbund")
    assert measures.loc["A", "participants"] == 20 and measures.loc["A", "exited"] == 20
    assert measures.loc["A", "share_work_or_studies"] == 0.25
    assert measures.loc["B", "cost_per_participant"] == 10_000.0


def test_percentile_is_the_mid_rank_and_needs_five_forbund():
    assert mid_rank_percentile(pd.Series([1.0, 2.0, 2.0, 3.0]), 2.0) == 50.0
    participants, projects, costs = _inbox({f"F{i}": (10, i) for i in range(6)})
    measures = yearly_measures(participants, projects, costs, [2024])
    returns = pd.Series({f"F{i}": float(i) for i in range(6)})
    got = {s.measure: s for s in standings(measures, returns, "F4", 2024)}
    assert got["share_work_or_studies"].value == 0.4
    assert got["share_work_or_studies"].percentile == round(100 * (4 + 0.5) / 6, 1)
    assert got["return_ratio"].percentile == round(100 * 4.5 / 6, 1) and got["return_ratio"].forbund_compared == 6
    few = yearly_measures(*_inbox({"A": (20, 5), "B": (10, 6)}), [2024])
    assert {s.percentile for s in standings(few, pd.Series(dtype=float), "A", 2024)} == {None}


def test_a_share_of_fewer_than_five_leavers_is_not_given():
    measures = yearly_measures(*_inbox({"A": (4, 1), "B": (10, 6)}), [2024]).set_index("forbund")
    assert pd.isna(measures.loc["A", "share_work_or_studies"]) and pd.isna(measures.loc["A", "cost_per_participant"])


def test_own_history_is_the_year_and_the_years_before_oldest_first():
    frames = [_inbox({"A": (10 + y - 2020, 5)}, year=y) for y in range(2019, 2025)]
    participants = pd.concat([f[0] for f in frames], ignore_index=True)
    projects = frames[0][1]
    costs = pd.concat([f[2] for f in frames], ignore_index=True)
    measures = yearly_measures(participants, projects, costs, list(range(2019, 2025)))
    history = own_history(measures, "A", 2024)
    assert list(history["year"]) == [2020, 2021, 2022, 2023, 2024]
    assert list(history["exited"]) == [10, 11, 12, 13, 14]
