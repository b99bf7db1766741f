"""The catalogue by target group: each person's group from their own data, care costs that fall by a stated
share in work, entry wages by education level scaled by the extent of the work. Every figure by hand."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from samverkan.ledger.actors import ACTORS
from samverkan.ledger.catalogue import load_catalogue
from samverkan.ledger.effects import situation_weights
from samverkan.ledger.parameters import load_parameters
from samverkan.ledger.results import ledger_results
from samverkan.ledger.target_groups import target_groups
from samverkan.ledger.trace import ledger_contributions

CATALOGUE = """\
version,support_code,occupation,target_group,education_level,item,reduction_in_work,af_sek,fk_sek,kommun_sek,\
region_sek,rattsvasende_sek,ovriga_sek,produktionsvarde_sek,kind,price_year,confidence,source,note
h1,lon,,,,,,0,0,-1000,-500,0,-300,4000,transfer,2024,low,test,
h1,lon,,,eftergymnasial,,,0,0,-2000,-1000,0,-600,8000,transfer,2024,low,test,
h1,etableringsersattning,,,,,,0,800,0,0,0,0,0,transfer,2024,low,test,
h1,sjukpenning,,,,,,0,2000,-400,-200,0,0,0,transfer,2024,low,test,
h1,studiemedel,,,,,,0,0,0,0,0,300,0,transfer,2024,low,test,
h1,ingen,,,,,,0,0,0,0,0,0,0,transfer,2024,high,test,
h1,,,nyanlanda,,vard,0.2,0,0,0,1000,0,0,0,real,2024,low,test,
h1,,,nyanlanda,,program,1.0,500,0,0,0,0,0,0,real,2024,low,test,
h1,,,langtidssjuk,,psykiatri,0.3,0,0,0,2000,0,0,0,real,2024,low,test,
h1,,,langtidssjuk,,handlaggning,0.5,0,0,600,0,0,0,0,real,2024,low,test,
h1,,,unga_vuxna,,boende,0.4,0,0,1500,0,0,0,0,real,2024,low,test,
h1,,,unga_vuxna,,rattsvasende,0.5,0,0,0,0,800,0,0,real,2024,low,test,
"""
# p0 = 0 and one year undiscounted: every figure is the gross yearly effect.
PARAMETERS = """version: "h1"
discount_rate: {value: 0.04}
horizon_years: {value: 1}
counterfactual:
  work_or_studies: {value: 0.0}
  other_outcomes: {value: 0.0}
attribution: {value: 1.0}
drop_off: {value: 0.0}
forbund_shares:
  default: {fk: 0.5, region: 0.25, kommun: 0.25}
monte_carlo: {draws: 100, seed: 1, unit_cost_sigma: {high: 0.0, medium: 0.0, low: 0.0}}
"""
PROJECTS = pd.DataFrame({
    "project_id": ["N", "S", "U", "F", "O"], "forbund": "Förbundet",
    "start_date": pd.to_datetime("2023-01-01"), "end_date": pd.NaT, "orientation": "individinriktad",
    "target_group": ["", "", "", "Unga vuxna", "Alla"],
    # S and U name another group than their participants: the participant's own data win.
    "target_group_code": ["", "nyanlanda", "langtidsarbetslos", "unga_vuxna", ""],
    "source_file": "projects.csv", "source_row": np.arange(2, 7),
})
COLUMNS = ["project_id", "birth_year", "support_before", "occupation_before", "education_level", "support_after",
           "occupation_after", "exit_reason"]
PARTICIPANTS = pd.DataFrame([
    # A newly arrived person into half-time work (education gymnasial: the general wage row).
    ("N", 1990, "etableringsersattning", "arbetssokande", "gymnasial", "lon:50", "arbete", "arbete"),
    # A long-sick person into full-time work (no support_after: work is taken as lon), eftergymnasial.
    ("S", 1980, "sjukpenning", "ovrigt", "eftergymnasial", None, "arbete", "arbete"),
    # A young adult (22 at enrolment) into studies (no support_after: studiemedel).
    ("U", 2002, "ingen", "arbetssokande", None, None, "studier", "studier"),
    # Fallbacks: the project's code, and no group at all.
    ("F", 1970, "ingen", "arbetssokande", None, None, "arbetssokande", "avbrott"),
    ("O", 1970, "ingen", "arbetssokande", None, None, "arbetssokande", "avbrott"),
], columns=COLUMNS)
PARTICIPANTS = PARTICIPANTS.assign(
    participant_id=["a", "b", "c", "d", "e"], gender="K", months_on_support_before=12, occupation_12m=None,
    enrolled_on=pd.to_datetime("2024-02-01"), exited_on=pd.to_datetime("2024-10-01"),
    source_file="participants.csv", source_row=np.arange(2, 7))
COSTS = pd.DataFrame({"project_id": ["N"], "year": [2024], "financier": ["samordningsforbund"],
                      "amount_sek": [1000.0], "in_kind": [False], "source_file": "costs.csv", "source_row": [2]})

# Yearly effect per actor (AF, FK, Kommun, Region, Rättsväsende, Övriga, Produktionsvärde), by hand:
# N: before FK 800, Region vård 1 000, AF program 500; after half the wage row (Kommun −500, Region −250,
#    Övriga −150, production 2 000), vård 1 000 × (1 − 0.2) = 800, program × (1 − 1) = 0.
#    → AF 500, FK 800, Kommun 500, Region 1 000 − (−250 + 800) = 450, Övriga 150, production 2 000.
# S: before FK 2 000, Kommun −400 + 600, Region −200 + 2 000; after the eftergymnasial wage (Kommun −2 000,
#    Region −1 000, Övriga −600, production 8 000), psykiatri 2 000 × 0.7 = 1 400, handläggning 600 × 0.5 = 300.
#    → FK 2 000, Kommun 200 − (−1 700) = 1 900, Region 1 800 − 400 = 1 400, Övriga 600, production 8 000.
# U: before boende 1 500, rättsväsende 800; after studiemedel (Övriga 300), boende 1 500 × 0.6 = 900,
#    rättsväsende 800 × 0.5 = 400 → Kommun 600, Rättsväsende 400, Övriga −300.
EXPECTED = {
    "N": [500, 800, 500, 450, 0, 150, 2000],
    "S": [0, 2000, 1900, 1400, 0, 600, 8000],
    "U": [0, 0, 600, 0, 400, -300, 0],
}
# The real part (care, services, programmes, justice, production): N AF 500, Region 1 000 × 0.2 = 200,
# production 2 000; S Kommun 600 × 0.5 = 300, Region 2 000 × 0.3 = 600, production 8 000; U Kommun 600,
# Rättsväsende 400.
EXPECTED_REAL = {
    "N": [500, 0, 0, 200, 0, 0, 2000],
    "S": [0, 0, 300, 600, 0, 0, 8000],
    "U": [0, 0, 600, 0, 400, 0, 0],
}
BASIS = {
    "N": ("nyanlanda", "från stödkod etableringsersattning"),
    "S": ("langtidssjuk", "från stödkod sjukpenning"),
    "U": ("unga_vuxna", "från ålder under 25 år utan arbete eller studier"),
    "F": ("unga_vuxna", "från projektets målgrupp"),
    "O": ("ovrig", "ingen målgrupp angiven: övrig"),
}


@pytest.fixture()
def contributions(tmp_path: Path):
    (tmp_path / "c.csv").write_text(CATALOGUE, encoding="utf-8")
    (tmp_path / "p.yaml").write_text(PARAMETERS, encoding="utf-8")
    catalogue = load_catalogue(2024, tmp_path / "c.csv")
    parameters = load_parameters(tmp_path / "p.yaml")
    return ledger_contributions(PARTICIPANTS, PROJECTS, COSTS, 2024, catalogue, parameters), parameters


def _per_actor(frame: pd.DataFrame, project: str, column: str) -> list[float]:
    rows = frame[(frame["project_id"] == project) & (frame["kind"] == "effekt")]
    sums = rows.groupby("actor", observed=False)[column].sum()
    return [round(float(sums.get(actor, 0.0)), 6) for actor in ACTORS]


@pytest.mark.parametrize("project", sorted(EXPECTED))
def test_effects_by_target_group_by_hand(contributions, project: str) -> None:
    frame = contributions[0].frame
    assert _per_actor(frame, project, "effect_pv_sek") == EXPECTED[project]
    assert _per_actor(frame, project, "effect_real_pv_sek") == EXPECTED_REAL[project]


def test_the_ledger_table_carries_the_hand_figures(contributions) -> None:
    frame, parameters = contributions
    table = ledger_results(frame.frame, parameters).table
    n = table[(table["project_id"] == "N")].set_index("actor")
    assert n.loc["Summa", "effect_pv_sek"] == 500 + 800 + 500 + 450 + 150 + 2000
    assert n.loc["Summa", "effect_real_pv_sek"] == 500 + 200 + 2000  # society: real resources and production


def test_every_effect_row_says_which_group_and_why(contributions) -> None:
    frame = contributions[0].frame
    effects = frame[frame["kind"] == "effekt"]
    found = {p: (str(g), str(b)) for p, g, b in
             effects[["project_id", "target_group", "target_group_basis"]].drop_duplicates().itertuples(index=False)}
    for project in EXPECTED:
        assert found[project] == BASIS[project]
    investment = frame[frame["kind"] == "investering"]
    assert investment["target_group"].isna().all() and investment["target_group_basis"].isna().all()


def test_target_groups_of_every_rule() -> None:
    groups = target_groups(PARTICIPANTS, PROJECTS)
    codes = ["langtidsarbetslos", "langtidssjuk", "unga_vuxna", "nyanlanda", "ovrig"]
    assert [(codes[g], b) for g, b in zip(groups.group, groups.basis, strict=True)] == [BASIS[p] for p in "NSUFO"]
    # Rule order: etableringsersättning before sickness, sickness before age, age before försörjningsstöd.
    more = PARTICIPANTS.iloc[[0, 0, 0, 0]].assign(
        support_before=["etableringsersattning|sjukpenning", "aktivitetsersattning", "forsorjningsstod",
                        "forsorjningsstod"],
        birth_year=[2003, 2003, 2003, 1980], project_id="O")
    groups = target_groups(more.reset_index(drop=True), PROJECTS)
    assert [codes[g] for g in groups.group] == ["nyanlanda", "langtidssjuk", "unga_vuxna", "langtidsarbetslos"]
    assert list(groups.basis)[3] == "från stödkod forsorjningsstod"
    # Someone young who already works is no young adult outside work.
    working = PARTICIPANTS.iloc[[2]].assign(occupation_before="arbete", project_id="O")
    assert list(target_groups(working, PROJECTS).basis) == ["ingen målgrupp angiven: övrig"]


def test_shipped_catalogue_newly_arrived_into_half_time_work() -> None:
    """The shipped catalogue (2026.2, 2024 prices): a newly arrived person, gymnasial, job-seeking on
    etableringsersättning, into half-time work; the numbers are the file's rows."""
    catalogue = load_catalogue(2024)
    weights, unmatched = situation_weights(["etableringsersattning", "lon:50"], ["arbetssokande", "arbete"],
                                           catalogue, ["nyanlanda", "nyanlanda"], ["gymnasial", "gymnasial"])
    assert unmatched == []
    gain = dict(zip(ACTORS, np.round(weights[0] @ catalogue.costs - weights[1] @ catalogue.costs, 6), strict=True))
    # Wage 28 500 × 12 = 342 000, half of it: taxes 70 691 / 2 and 40 014 / 2, fees 107 456 / 2, production
    # 449 456 / 2. Nyanlända outside work: Region 6 000 + 5 000 + 4 000 (falls by 20/30/20 %), Kommun
    # 10 000 + 12 000 + 1 000 (80/30/30 %), Rättsväsende 1 000 (50 %), AF programme 17 500 (100 %).
    assert gain == {
        "Arbetsförmedlingen": 17500, "Försäkringskassan": 80080,
        "Kommun": 70691 / 2 + 10000 * 0.8 + 12000 * 0.3 + 1000 * 0.3,
        "Region": 40014 / 2 + 6000 * 0.2 + 5000 * 0.3 + 4000 * 0.2,
        "Rättsväsende": 500, "Övriga": 107456 / 2, "Produktionsvärde": 449456 / 2,
    }


def test_a_catalogue_with_a_bad_group_education_or_share_is_refused(tmp_path: Path) -> None:
    bad = tmp_path / "bad.csv"
    bad.write_text(CATALOGUE.replace("h1,,,nyanlanda,,vard,0.2,", "h1,,,nyanlända,,vard,1.5,")
                   .replace("h1,lon,,,eftergymnasial,", "h1,lon,,,doktor,"), encoding="utf-8")
    with pytest.raises(ValueError) as info:
        load_catalogue(2024, bad)
    message = str(info.value)
    assert "okänd målgrupp" in message and "okänd utbildningsnivå" in message
    assert "reduction_in_work ska vara en andel mellan 0 och 1" in message
