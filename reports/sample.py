"""A small hand-made set of computed tables for previews and tests of the report.

The ledger figures are the reference case of the design (ten newly arrived people whose
introduction is shortened by four years, cumulated at 4 %), so a reader can check them.
Run ``python -m reports OUT_DIR`` to render the sample report.
"""

from __future__ import annotations

import datetime as dt

import pandas as pd

from samverkan.comparison import with_rates
from samverkan.ledger.actors import ACTORS_WITH_TOTAL
from samverkan.ledger.results import TRANSFER_COLUMNS, break_even_transfers
from samverkan.report import ReportInputs

FORBUND = "Samordningsförbundet Östra Älvdalen"
OTHER = "Finsam Väst"
FORBUND_NAMES = (OTHER, FORBUND)  # in förbund order, as the pipeline reports them
YEAR = 2025

REFERENCE_CUMULATIVE = {
    "Arbetsförmedlingen": [175_000, 343_269, 505_067, 660_641],
    "Försäkringskassan": [546_250, 1_071_490, 1_576_529, 2_062_143],
    "Kommun": [1_111_333, 2_179_923, 3_207_413, 4_195_385],
    "Region": [795_583, 1_560_567, 2_296_129, 3_003_400],
    "Rättsväsende": [16_875, 33_101, 48_703, 63_705],
    "Övriga": [0, 0, 0, 0],
    "Produktionsvärde": [2_856_000, 5_602_154, 8_242_686, 10_781_660],
    "Summa": [5_501_042, 10_790_505, 15_876_527, 20_766_933],
}
INVESTMENT = {"Arbetsförmedlingen": 900_000, "Försäkringskassan": 1_500_000, "Kommun": 750_000,
              "Region": 750_000, "Rättsväsende": 0, "Övriga": 0, "Produktionsvärde": 0}
INVESTMENT["Summa"] = sum(INVESTMENT.values())


def _ledger(forbund: str, project_id: str, scale: float) -> list[dict]:
    """One förbund's or project's ledger rows, as the ledger asset stores them (figures and year_1..year_N)."""
    rows = []
    for actor in ACTORS_WITH_TOTAL:
        effect = REFERENCE_CUMULATIVE[actor][-1] * scale
        investment = INVESTMENT[actor] * scale
        net = effect - investment
        payback = next((i + 1 for i, v in enumerate(REFERENCE_CUMULATIVE[actor]) if v * scale >= investment
                        and investment > 0), None)
        rows.append({"forbund": forbund, "project_id": project_id, "actor": actor, "investment_sek": investment,
                     "effect_pv_sek": effect, "net_sek": net,
                     "return_ratio": (effect / investment) if investment else None, "payback_year": payback,
                     **{f"year_{i + 1}": v * scale for i, v in enumerate(REFERENCE_CUMULATIVE[actor])}})
    return rows


# Illustrative effect multipliers per case (not computed: the sample has no contributions); each parameter's
# low and high end with its value, and the pessimistic and optimistic cases with all ends at once.
SENSITIVITY_CASES = (
    ("low", "discount_rate", 0.03, 1.02), ("high", "discount_rate", 0.05, 0.98),
    ("low", "p0", 0.10, 1.15), ("high", "p0", 0.30, 0.78),
    ("low", "other_outcomes", 0.05, 1.03), ("high", "other_outcomes", 0.35, 0.96),
    ("low", "drop_off", 0.05, 1.12), ("high", "drop_off", 0.30, 0.82),
    ("low", "unit_cost_level", 0.8, 0.8), ("high", "unit_cost_level", 1.2, 1.2),
    ("low", "attribution", 0.7, 0.7), ("high", "attribution", 1.0, 1.0),
    ("low", "horizon_years", 3, REFERENCE_CUMULATIVE["Summa"][2] / REFERENCE_CUMULATIVE["Summa"][3]),
    ("high", "horizon_years", 10, 1.6),
    ("pessimistic", "", None, 0.28), ("optimistic", "", None, 2.1),
)


def _sensitivity(ledger: list[dict]) -> pd.DataFrame:
    """A ledger_sensitivity table for the förbund totals: the base is the ledger's net."""
    rows = []
    totals = [r for r in ledger if r["project_id"] == "ALL"]
    for forbund in dict.fromkeys(r["forbund"] for r in totals):
        # Summa scaled as its own row, as the reference case's Summa is (one krona off the sum of its actors).
        own = [r for r in totals if r["forbund"] == forbund]
        for case, parameter, value, factor in (("base", "", None, 1.0), *SENSITIVITY_CASES):
            nets = {r["actor"]: round(r["effect_pv_sek"] * factor) - round(r["investment_sek"]) for r in own}
            rows += [{"forbund": forbund, "project_id": "ALL", "actor": actor, "case": case, "parameter": parameter,
                      "value": value, "net_sek": net} for actor, net in nets.items()]
    return pd.DataFrame(rows)


def _transfers(ledger: list[dict]) -> pd.DataFrame:
    """The break-even transfers the ledger asset would publish for these rows (nets in whole kronor)."""
    nets: dict[tuple[str, str], dict[str, int]] = {}
    for row in ledger:
        nets.setdefault((row["forbund"], row["project_id"]), {})[row["actor"]] = int(row["net_sek"])
    rows = [t for (forbund, project_id), net in sorted(nets.items())
            for t in break_even_transfers(forbund, project_id, net)]
    return pd.DataFrame(rows, columns=TRANSFER_COLUMNS)


# The outcome aggregates (as ``samverkan.report.aggregates.outcome_tables`` gives them), summing to the flow's
# 2025 row (262 participants, 131 leavers, 59 to work or studies); a few cells are small, to show suppression.
BREAKDOWN_COUNTS = {
    "gender": [("Kvinnor", 140, 70, 33), ("Män", 119, 58, 24), ("Annat", 3, 3, 2)],
    "age_band": [("16–24 år", 58, 30, 15), ("25–34 år", 80, 41, 20), ("35–44 år", 64, 31, 13),
                 ("45–54 år", 44, 22, 8), ("55 år och äldre", 16, 7, 3)],
    "education_level": [("Förgymnasial", 90, 46, 14), ("Gymnasial", 120, 60, 31), ("Eftergymnasial", 48, 23, 14),
                        ("Okänd", 4, 2, 0)],
    "support_band": [("Under 1 år", 40, 22, 14), ("1–2 år", 62, 33, 17), ("2–3 år", 55, 27, 12),
                     ("Mer än 3 år", 105, 49, 16)],
}
TRANSITION_COUNTS = [
    ("arbetssokande", "arbete", 27), ("arbetssokande", "studier", 8), ("arbetssokande", "subventionerat_arbete", 6),
    ("arbetssokande", "arbetssokande", 39), ("ovrigt", "arbete", 7), ("ovrigt", "studier", 5),
    ("ovrigt", "ovrigt", 30), ("ovrigt", "arbetssokande", 3), ("studier", "studier", 4), ("studier", "arbete", 2),
]
# (förbund, year, participants, exited, to work or studies, costs): the förbund's own years and five others.
MEASURE_COUNTS = [
    (FORBUND, 2021, 150, 70, 30, 9_000_000), (FORBUND, 2022, 170, 80, 36, 10_200_000),
    (FORBUND, 2023, 190, 3, 2, 11_000_000), (FORBUND, 2024, 200, 95, 44, 12_500_000),
    (FORBUND, 2025, 210, 100, 46, 14_000_000), (OTHER, 2025, 50, 10, 4, 2_000_000),
    ("Samordningsförbundet Norra Kusten", 2025, 120, 60, 21, 8_000_000),
    ("Finsam Mitt", 2025, 300, 140, 70, 12_000_000), ("Samordningsförbundet Södra Dalen", 2025, 80, 40, 12, 6_000_000),
    ("Finsam Öst", 2025, 160, 75, 30, 9_600_000),
]


def _outcome_tables() -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    breakdowns = pd.DataFrame(
        [{"forbund": FORBUND, "dimension": dimension, "category": category, "participants": n, "exited": left,
          "to_work_or_studies": work} for dimension, rows in BREAKDOWN_COUNTS.items()
         for category, n, left, work in rows])
    transitions = pd.DataFrame([{"forbund": FORBUND, "before": b, "after": a, "leavers": n}
                                for b, a, n in TRANSITION_COUNTS])
    measures = with_rates(pd.DataFrame(MEASURE_COUNTS, columns=["forbund", "year", "participants", "exited",
                                                                "to_work_or_studies", "cost_sek"]))
    return breakdowns, transitions, measures


def _kommun_ledger() -> pd.DataFrame:
    """The Kommun line of the förbund (750 000 invested, 4 195 385 effect) per member kommun; förbund money
    split 65/35 between the kommuner. The other förbund names no kommun, so its report says why."""
    rows = [("Alingsås", 100_000, 390_000, 2_600_000), ("Lerum", 50_000, 210_000, 1_500_000),
            ("okänd kommun", 0, 0, 95_385)]
    return pd.DataFrame([
        {"forbund": FORBUND, "kommun": k, "leavers": 60, "own_investment_sek": own, "forbund_money_sek": pooled,
         "investment_sek": own + pooled, "effect_pv_sek": effect, "net_sek": effect - own - pooled}
        for k, own, pooled, effect in rows])


LIFETIME = {  # per member: investment and effect over the project's whole life, in present value at its start
    "P-001": {"Arbetsförmedlingen": (1_800_000, 1_250_000), "Försäkringskassan": (2_900_000, 3_700_000),
              "Kommun": (1_400_000, 6_900_000), "Region": (1_450_000, 4_800_000)},
    "P-002": {"Arbetsförmedlingen": (400_000, 150_000), "Försäkringskassan": (1_000_000, 900_000),
              "Kommun": (500_000, 1_300_000), "Region": (500_000, 700_000)},
}


def _lifetime() -> tuple[pd.DataFrame, pd.DataFrame]:
    """ledger_lifetime for two projects (members and Summa), and plan against outcome for the finished one."""
    rows, plan = [], []
    for project_id, spans, leavers in (("P-001", (2022, 2025), 85), ("P-002", (2021, 2025), 42)):
        members = LIFETIME[project_id]
        lines = [*members.items(), ("Summa", tuple(sum(v) for v in zip(*members.values(), strict=True)))]
        for actor, (investment, effect) in lines:
            rows.append({"forbund": FORBUND, "project_id": project_id, "actor": actor, "investment_sek": investment,
                         "effect_pv_sek": effect, "net_sek": effect - investment, "first_year": spans[0],
                         "last_year": spans[1], "finished": project_id == "P-002", "leavers": leavers})
            if project_id == "P-002":  # the plan foresaw 10 % less investment and 20 % more effect
                planned_investment, planned_effect = round(investment * 0.9), round(effect * 1.2)
                plan.append({"forbund": FORBUND, "project_id": project_id, "actor": actor,
                             "forecast_investment_sek": planned_investment, "outcome_investment_sek": investment,
                             "forecast_net_sek": planned_effect - planned_investment,
                             "outcome_net_sek": effect - investment})
    return pd.DataFrame(rows), pd.DataFrame(plan)


def sample_inputs(project_name: str = "Vägen vidare") -> ReportInputs:
    flow = pd.DataFrame([
        {"forbund": FORBUND, "year": 2021, "participants": 212, "enrolled": 120, "exited": 98,
         "to_work_or_studies": 41, "share_work_or_studies": 0.42},
        {"forbund": FORBUND, "year": 2022, "participants": 230, "enrolled": 131, "exited": 110,
         "to_work_or_studies": 48, "share_work_or_studies": 0.44},
        {"forbund": FORBUND, "year": 2023, "participants": 1234, "enrolled": 640, "exited": 3,
         "to_work_or_studies": 2, "share_work_or_studies": 0.67},
        {"forbund": FORBUND, "year": 2024, "participants": 251, "enrolled": 140, "exited": 120,
         "to_work_or_studies": 54, "share_work_or_studies": 0.45},
        {"forbund": FORBUND, "year": 2025, "participants": 262, "enrolled": 150, "exited": 131,
         "to_work_or_studies": 59, "share_work_or_studies": 0.45},
        {"forbund": OTHER, "year": 2025, "participants": 50, "enrolled": 20, "exited": 10,
         "to_work_or_studies": 4, "share_work_or_studies": 0.4},
    ])
    projects = pd.DataFrame([
        {"project_id": "P-001", "forbund": FORBUND, "name": project_name, "start_date": pd.Timestamp("2022-03-01"),
         "end_date": pd.NaT, "target_group": "Unga vuxna 18–29 år med försörjningsstöd",
         "orientation": "individinriktad", "planned_participants": 120},
        {"project_id": "P-002", "forbund": FORBUND, "name": "Struktursamverkan i länet",
         "start_date": pd.Timestamp("2021-01-01"), "end_date": pd.Timestamp("2025-06-30"),
         "target_group": "Handläggare i medlemsorganisationerna", "orientation": "strukturovergripande",
         "planned_participants": 0},
        {"project_id": "P-900", "forbund": FORBUND, "name": "Avslutat 2019", "start_date": pd.Timestamp("2017-01-01"),
         "end_date": pd.Timestamp("2019-12-31"), "target_group": "", "orientation": "individinriktad",
         "planned_participants": 10},
        {"project_id": "Q-001", "forbund": OTHER, "name": "Annat förbunds insats",
         "start_date": pd.Timestamp("2024-01-01"), "end_date": pd.NaT,
         "target_group": "", "orientation": "individinriktad", "planned_participants": 10},
    ])
    ledger = [row for forbund, project_id, scale in ((FORBUND, "ALL", 1.0), (FORBUND, "P-001", 0.6),
                                                     (FORBUND, "P-002", 0.4), (OTHER, "ALL", 0.1))
              for row in _ledger(forbund, project_id, scale)]
    uncertainty = pd.DataFrame([
        {"forbund": FORBUND, "project_id": "ALL", "actor": actor, "p_break_even": p, "npv_p05": lo,
         "npv_p50": mid, "npv_p95": hi}
        for actor, p, lo, mid, hi in (("Arbetsförmedlingen", 0.18, -520_000, -240_000, 80_000),
                                      ("Försäkringskassan", 0.71, -150_000, 560_000, 1_200_000),
                                      ("Kommun", 0.97, 1_900_000, 3_400_000, 4_800_000),
                                      ("Region", 0.93, 800_000, 2_200_000, 3_300_000))
    ])
    transfers = _transfers(ledger)
    levels = pd.DataFrame([
        {"forbund": FORBUND, "project_id": "P-001", "year": YEAR, "level": "2",
         "label": "organisationerna använder det",
         "reasons": "Andelen i arbete eller studier (45 %) är högre än jämförelsen (30 %); Metoden är dokumenterad "
                    "(2023-05-02); Beslut om implementering hos Kommun (2024-11-12)"},
        {"forbund": FORBUND, "project_id": "P-002", "year": YEAR, "level": "skenbar", "label": "skenbar framgång",
         "reasons": "För få deltagare för att bedöma effekten"},
    ])
    profiles = pd.DataFrame([
        {"forbund": FORBUND, "project_id": "P-001", "year": YEAR, "criterion": str(i), "name": name, "score": score,
         "comment": ""}
        for i, (name, score) in enumerate([
            ("Tydlig målgrupp", 3), ("Gemensam problembild", 3), ("Förankring i ledningen", 2),
            ("Resurser", 2), ("Kompetens", 3), ("Uppföljning", 2), ("Deltagarinflytande", 1),
            ("Samverkan med arbetsgivare", 2), ("Dokumenterad metod", 3), ("Implementeringsplan", 2),
            ("Spridning", 1), ("Finansiering efter projekttiden", 1)], start=1)
    ])
    quality_summary = pd.DataFrame([
        {"dataset": "projects", "rows_in": 12, "accepted": 12, "quarantined": 0},
        {"dataset": "project_costs", "rows_in": 96, "accepted": 95, "quarantined": 1},
        {"dataset": "participants", "rows_in": 4812, "accepted": 4790, "quarantined": 22},
        {"dataset": "project_events", "rows_in": 40, "accepted": 40, "quarantined": 0},
    ])
    problems = pd.DataFrame(
        [{"dataset": "participants", "source_file": "participants.csv", "source_row": 10 + i, "column": "exited_on",
          "rule": "date_format", "message": "ej datum"} for i in range(15)]
        + [{"dataset": "participants", "source_file": "participants.csv", "source_row": 100 + i,
            "column": "participant_id", "rule": "personnummer", "message": "personnummer (maskerat)"}
           for i in range(7)]
        + [{"dataset": "project_costs", "source_file": "costs.xlsx", "source_row": 3, "column": "amount_sek",
            "rule": "type", "message": "inte ett tal"}]
    )
    parameters = pd.DataFrame([
        {"parameter": "diskonteringsränta", "value": "0.04", "basis": "Fältets praxis (4 % real kalkylränta)",
         "version": "2024.1"},
        {"parameter": "horisont (år)", "value": "4", "basis": "Referensfallet", "version": "2024.1"},
        {"parameter": "dödvikt (work_or_studies)", "value": "0.18 (0.1–0.3)", "basis": "Nationell referens",
         "version": "2024.1"},
    ])
    unit_costs = pd.DataFrame([
        {"support_code": "forsorjningsstod", "occupation": "", "af_sek": 0, "fk_sek": 0, "kommun_sek": 122_000,
         "region_sek": 0, "rattsvasende_sek": 0, "ovriga_sek": 0, "produktionsvarde_sek": 0, "price_year": 2024,
         "confidence": "medium", "source": "Socialstyrelsen, ekonomiskt bistånd 2024"},
        {"support_code": "lon", "occupation": "arbete", "af_sek": 0, "fk_sek": 0, "kommun_sek": -98_968,
         "region_sek": -56_020, "rattsvasende_sek": 0, "ovriga_sek": -150_439, "produktionsvarde_sek": 629_239,
         "price_year": 2023, "confidence": "high", "source": "SCB lönestrukturstatistik 2023"},
    ])
    files = pd.DataFrame([
        {"dataset": "participants", "file": "participants.csv", "sha256": "a" * 64, "bytes": 1000},
        {"dataset": "projects", "file": "projects.xlsx", "sha256": "b" * 64, "bytes": 2000},
    ])
    breakdowns, transitions, measures = _outcome_tables()
    return ReportInputs(
        year=YEAR, flow=flow, projects=projects, breakdown_counts=breakdowns, transition_counts=transitions,
        outcome_measures=measures, ledger=pd.DataFrame(ledger), ledger_uncertainty=uncertainty,
        ledger_sensitivity=_sensitivity(ledger),
        transfers=transfers, success_levels=levels, prerequisite_profiles=profiles,
        ledger_kommun=_kommun_ledger(), ledger_lifetime=_lifetime()[0], ledger_lifetime_plan=_lifetime()[1],
        quality_summary=quality_summary, quality_problems=problems, parameters=parameters, unit_costs=unit_costs,
        input_files=files, rules_version="rules-2025.1", data_date=dt.date(2026, 1, 15), software_version="0.1.0",
    )
