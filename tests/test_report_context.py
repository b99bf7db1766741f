"""The report context: every number the report prints, computed from the tables."""

import dataclasses

import pandas as pd
import pytest

from reports.sample import FORBUND, REFERENCE_CUMULATIVE, sample_inputs
from samverkan.report import ReportInputs, build_report_context, slugify
from samverkan.report.flow import Cell, flow_section
from samverkan.report.quality import RowTotals, quality_section


@pytest.fixture(scope="module")
def context():
    return build_report_context(sample_inputs(), FORBUND)


@pytest.mark.parametrize(
    ("name", "slug"),
    [
        ("Samordningsförbundet Östra Älvdalen", "samordningsforbundet-ostra-alvdalen"),
        ("Finsam Väst", "finsam-vast"),
        ("  Åsele & Dorotea  ", "asele-dorotea"),
        ('<img src="x">', "img-src-x"),
        ("", "forbund"),
    ],
)
def test_slug_is_ascii_lowercase(name, slug):
    assert slugify(name) == slug


def test_file_names(context):
    assert context["file_stem"] == "samverkansbokslut-samordningsforbundet-ostra-alvdalen-2025"


def test_flow_suppresses_small_counts_and_their_shares(context):
    rows = {r.year: r for r in context["flow"].rows}
    assert sorted(rows) == [2021, 2022, 2023, 2024, 2025]
    y2023 = rows[2023]
    assert y2023.participants == Cell(1234, False)
    assert y2023.exited == Cell(None, True)  # 3 people
    assert y2023.to_work_or_studies == Cell(None, True)  # 2 people
    assert y2023.share_work_or_studies == Cell(None, True)  # 2 of 3
    assert rows[2025].share_work_or_studies == Cell(0.45, False)
    assert context["flow"].any_suppressed is True
    assert context["flow"].current is rows[2025]


def test_share_hidden_when_only_numerator_small():
    flow = pd.DataFrame([{"forbund": "F", "year": 2025, "participants": 40, "enrolled": 20, "exited": 30,
                          "to_work_or_studies": 4, "share_work_or_studies": 0.13}])
    row = flow_section(flow, "F", 2025).rows[0]
    assert row.exited.value == 30
    assert row.share_work_or_studies == Cell(None, True)


def test_zero_is_not_suppressed():
    flow = pd.DataFrame([{"forbund": "F", "year": 2025, "participants": 0, "enrolled": 0, "exited": 0,
                          "to_work_or_studies": 0, "share_work_or_studies": None}])
    row = flow_section(flow, "F", 2025).rows[0]
    assert row.participants == Cell(0, False)
    assert row.share_work_or_studies == Cell(None, False)


def test_ledger_total_in_actor_order_with_cumulative_years(context):
    ledger = context["ledger"]
    assert [r.actor for r in ledger.rows] == list(REFERENCE_CUMULATIVE)
    assert ledger.years == [1, 2, 3, 4]
    summa = ledger.total
    assert summa.cumulative == [5_501_042, 10_790_505, 15_876_527, 20_766_933]
    assert summa.investment_sek == 3_900_000
    assert summa.net_sek == 20_766_933 - 3_900_000


def test_winners_losers_transfers_and_break_even(context):
    ledger = context["ledger"]
    # AF invests 900 000 and gets 660 641 back: the only loser.
    assert ledger.losers == ["Arbetsförmedlingen"]
    assert ledger.winners == ["Försäkringskassan", "Kommun", "Region"]
    # AF's deficit of 239 359 kr is paid by the winners in proportion to their surplus (the ledger stage's rule).
    transfers = ledger.transfers
    assert {t["receiver"] for t in transfers} == {"Arbetsförmedlingen"}
    assert [t["payer"] for t in transfers] == ["Försäkringskassan", "Kommun", "Region"]
    assert sum(t["amount_sek"] for t in transfers) == pytest.approx(239_359, abs=2)
    surplus = 562_143 + 3_445_385 + 2_253_400
    assert transfers[1]["amount_sek"] == round(3_445_385 * 239_359 / surplus)
    assert [b.actor for b in ledger.break_even] == ["Arbetsförmedlingen", "Försäkringskassan", "Kommun", "Region"]
    assert ledger.break_even[0].p_break_even == pytest.approx(0.18)


def test_projects_of_the_year_only_and_levels(context):
    ids = [p.project_id for p in context["projects"]]
    assert ids == ["P-001", "P-002"]  # P-900 ended 2019, Q-001 belongs to another förbund
    p1 = context["projects"][0]
    assert p1.level == "2" and p1.level_name == "Nivå 2 – organisationerna använder metoden"
    assert p1.reasons[1] == "Metoden är dokumenterad (2023-05-02)"
    assert [c.criterion for c in p1.prerequisites] == [str(i) for i in range(1, 13)]
    assert p1.ledger.rows[-1].effect_pv_sek == pytest.approx(20_766_933 * 0.6)
    assert p1.net_sek == pytest.approx((20_766_933 - 3_900_000) * 0.6)
    counts = {lv.level: lv.projects for lv in context["levels"]}
    assert counts == {"0": 0, "skenbar": 1, "1": 0, "2": 1, "3": 0}


def test_project_rows_do_not_depend_on_the_input_row_order():
    # Each project's rows are gathered from the förbund's tables in one pass (samverkan.report.frames.by_project);
    # the prerequisites come in criterion order by number, so 10-12 follow 9 whatever order the table has.
    inputs = sample_inputs()
    shuffled = {name: getattr(inputs, name).iloc[::-1].reset_index(drop=True)
                for name in ("ledger", "ledger_uncertainty", "transfers", "prerequisite_profiles")}
    reversed_context = build_report_context(dataclasses.replace(inputs, **shuffled), FORBUND)
    context = build_report_context(inputs, FORBUND)
    first = reversed_context["projects"][0]
    assert [c.criterion for c in first.prerequisites] == [str(i) for i in range(1, 13)]
    for mine, theirs in zip(context["projects"], reversed_context["projects"], strict=True):
        assert theirs.prerequisites == mine.prerequisites
        assert theirs.ledger == mine.ledger and theirs.break_even == mine.break_even
        assert sorted(map(repr, theirs.transfers)) == sorted(map(repr, mine.transfers))
    assert reversed_context["ledger"].rows == context["ledger"].rows


def test_transfers_without_project_ids_apply_to_the_forbund_and_every_project():
    inputs = sample_inputs()
    own = inputs.transfers[inputs.transfers["forbund"] == FORBUND].drop(columns=["project_id"])
    context = build_report_context(dataclasses.replace(inputs, transfers=own), FORBUND)
    assert len(context["ledger"].transfers) == len(own) > 0
    assert all(p.transfers == context["ledger"].transfers for p in context["projects"])


def test_key_figures(context):
    figures = {f.label: f for f in context["key_figures"]}
    assert figures["Deltagare under året"].value == 262
    assert figures["Andel till arbete eller studier"].value == 0.45
    # One year and the medium term side by side (the sample's ledger runs four years, so four is its longest).
    assert figures["Effekt i nuvärde efter ett år"].value == 5_501_042
    assert figures["Effekt i nuvärde efter fyra år"].value == 20_766_933
    assert figures["Netto efter fyra år"].value == 16_866_933
    assert figures["Insatser i rapporten"].value == 2
    assert figures["Insatser på framgångsnivå 1–3"].value == 1


def test_quality_counts_by_rule_without_messages(context):
    quality = context["quality"]
    assert quality.totals == RowTotals(rows_in=4960, accepted=4937, quarantined=23)
    top = quality.top_reasons[0]
    assert (top.column, top.rule, top.rule_name, top.problems) == ("exited_on", "date_format", "ogiltigt datum", 15)
    assert [d.name for d in quality.datasets] == ["Projekt", "Projektkostnader", "Deltagare", "Projekthändelser"]
    assert not any(hasattr(r, "message") for r in quality.top_reasons)
    assert quality_section(None, None).available is False


def test_method_appendix(context):
    method = context["method"]
    assert method.unit_cost_actors[0] == "Arbetsförmedlingen" and method.unit_cost_actors[-1] == "Produktionsvärde"
    lon = method.unit_costs[1]
    assert (lon.code, lon.price_year, lon.confidence) == ("lon", 2023, "hög")
    assert lon.amounts[-1] == 629_239
    assert method.rules_version == "rules-2025.1"
    assert method.input_files[0]["sha256"] == "a" * 64


def test_missing_sections_are_marked_unavailable():
    inputs = ReportInputs(year=2025, flow=sample_inputs().flow)
    context = build_report_context(inputs, FORBUND)
    assert context["flow"].available is True
    assert context["ledger"].available is False
    assert context["quality"].available is False
    assert context["projects"] == []
    assert [f.label for f in context["key_figures"]][0] == "Deltagare under året"


def test_fingerprint_follows_inputs_not_clock():
    a = build_report_context(sample_inputs(), FORBUND)
    b = build_report_context(sample_inputs(), FORBUND)
    assert a["fingerprint"] == b["fingerprint"] and a["document_date"] == b["document_date"]
    changed = sample_inputs()
    changed.parameters.loc[0, "value"] = "0.03"
    assert build_report_context(changed, FORBUND)["fingerprint"] != a["fingerprint"]


def test_same_inputs_give_an_equal_context():
    assert build_report_context(sample_inputs(), FORBUND) == build_report_context(sample_inputs(), FORBUND)


def test_the_context_has_the_declared_fields_and_frozen_sections(context):
    from samverkan.report import ReportContext

    assert set(context) == set(ReportContext.__annotations__)
    sections = [context[name] for name in ("flow", "ledger", "quality", "method")]
    sections += [*context["projects"], *context["levels"], *context["key_figures"]]
    for section in sections:
        assert dataclasses.is_dataclass(section), section
        with pytest.raises(dataclasses.FrozenInstanceError):
            section.available = False


def test_a_ledger_table_with_its_year_columns_gives_figures_and_cumulative_values():
    """One ledger frame carries both the figures and year_1..year_N, as the ledger asset stores it."""
    ledger = pd.DataFrame([
        {"forbund": "F", "project_id": "ALL", "actor": actor, "investment_sek": inv, "effect_pv_sek": eff,
         "net_sek": eff - inv, "return_ratio": None, "payback_year": None, "year_2": eff, "year_1": eff / 2}
        for actor, inv, eff in (("Summa", 300, 500), ("Kommun", 100, 400), ("Region", 200, 100))
    ])
    table = build_report_context(ReportInputs(year=2025, ledger=ledger), "F")["ledger"]
    assert [(r.actor, r.net_sek, r.outcome, r.cumulative) for r in table.rows] == [
        ("Kommun", 300, "vinnare", [200, 400]), ("Region", -100, "förlorare", [50, 100]),
        ("Summa", 200, "vinnare", [250, 500])]
    assert table.years == [1, 2] and table.winners == ["Kommun"] and table.losers == ["Region"]
    assert table.transfers == [] and table.transfers_available is False


def test_flow_years_are_linked_so_a_hidden_count_cannot_be_worked_out():
    """participants(y+1) = participants(y) − exited(y) + enrolled(y+1): two leavers in 2022 are hidden, and so is
    another count of that equation, or 28 − 33 + 7 would give them away."""
    import itertools

    from samverkan.report.flow import flow_section

    flow = pd.DataFrame([
        {"forbund": "F", "year": 2022, "participants": 28, "enrolled": 6, "exited": 2, "to_work_or_studies": 2,
         "share_work_or_studies": 1.0},
        {"forbund": "F", "year": 2023, "participants": 33, "enrolled": 7, "exited": 0, "to_work_or_studies": 0,
         "share_work_or_studies": None},
    ])
    rows = flow_section(flow, "F", 2023).rows
    cells = [(0, "participants"), (0, "exited"), (1, "enrolled"), (1, "participants")]
    hidden = [(r, c) for r, c in cells if getattr(rows[r], c).suppressed]
    assert (0, "exited") in hidden and len(hidden) >= 2
    secondary = [getattr(rows[r], c) for r, c in hidden if getattr(rows[r], c).secondary]
    assert secondary
    # A reader who knows the equation and the shown cells cannot pin the leavers down.
    shown = {(r, c): getattr(rows[r], c).value for r, c in cells if (r, c) not in hidden}
    readings = set()
    for values in itertools.product(range(0, 60), repeat=len(hidden)):
        filled = {**shown, **dict(zip(hidden, values, strict=True))}
        if any(not 0 < filled[k] < 5 for k in hidden if not getattr(rows[k[0]], k[1]).secondary):
            continue
        if filled[(1, "participants")] == filled[(0, "participants")] - filled[(0, "exited")] + filled[(1, "enrolled")]:
            readings.add(filled[(0, "exited")])
    assert len(readings) >= 2


def test_a_project_with_one_to_four_leavers_shows_no_ledger_per_actor():
    inputs = sample_inputs()
    project = str(inputs.projects.loc[inputs.projects["forbund"] == FORBUND, "project_id"].iloc[0])
    inputs.project_leavers = pd.DataFrame([{"forbund": FORBUND, "project_id": project, "leavers": 3}])
    page = next(p for p in build_report_context(inputs, FORBUND)["projects"] if p.project_id == project)
    assert page.ledger_withheld and not page.ledger.available and page.net_sek is None and page.break_even == []
    inputs.project_leavers = pd.DataFrame([{"forbund": FORBUND, "project_id": project, "leavers": 5}])
    page = next(p for p in build_report_context(inputs, FORBUND)["projects"] if p.project_id == project)
    assert not page.ledger_withheld and page.ledger.available
