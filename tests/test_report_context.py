"""The report context: every number the report prints, computed from the tables."""

import dataclasses

import pandas as pd
import pytest

from reports.sample import FORBUND, OTHER, REFERENCE_CUMULATIVE, sample_inputs
from samverkan.report_context import (
    ReportInputs,
    build_report_context,
    flow_section,
    forbund_in_year,
    largest_first,
    quality_section,
    slugify,
)


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
    rows = {r["year"]: r for r in context["flow"]["rows"]}
    assert sorted(rows) == [2021, 2022, 2023, 2024, 2025]
    y2023 = rows[2023]
    assert y2023["participants"] == {"value": 1234, "suppressed": False}
    assert y2023["exited"] == {"value": None, "suppressed": True}  # 3 people
    assert y2023["to_work_or_studies"] == {"value": None, "suppressed": True}  # 2 people
    assert y2023["share_work_or_studies"] == {"value": None, "suppressed": True}  # 2 of 3
    assert rows[2025]["share_work_or_studies"] == {"value": 0.45, "suppressed": False}
    assert context["flow"]["any_suppressed"] is True


def test_share_hidden_when_only_numerator_small():
    flow = pd.DataFrame([{"forbund": "F", "year": 2025, "participants": 40, "enrolled": 20, "exited": 30,
                          "to_work_or_studies": 4, "share_work_or_studies": 0.13}])
    row = flow_section(flow, "F", 2025)["rows"][0]
    assert row["exited"]["value"] == 30
    assert row["share_work_or_studies"] == {"value": None, "suppressed": True}


def test_zero_is_not_suppressed():
    flow = pd.DataFrame([{"forbund": "F", "year": 2025, "participants": 0, "enrolled": 0, "exited": 0,
                          "to_work_or_studies": 0, "share_work_or_studies": None}])
    row = flow_section(flow, "F", 2025)["rows"][0]
    assert row["participants"] == {"value": 0, "suppressed": False}
    assert row["share_work_or_studies"] == {"value": None, "suppressed": False}


def test_ledger_total_in_actor_order_with_cumulative_years(context):
    ledger = context["ledger"]
    assert [r["actor"] for r in ledger["rows"]] == list(REFERENCE_CUMULATIVE)
    assert ledger["years"] == [1, 2, 3, 4]
    summa = ledger["total"]
    assert summa["cumulative"] == [5_501_042, 10_790_505, 15_876_527, 20_766_933]
    assert summa["investment_sek"] == 3_900_000
    assert summa["net_sek"] == 20_766_933 - 3_900_000


def test_winners_losers_transfers_and_break_even(context):
    ledger = context["ledger"]
    # AF invests 900 000 and gets 660 641 back: the only loser.
    assert ledger["losers"] == ["Arbetsförmedlingen"]
    assert ledger["winners"] == ["Försäkringskassan", "Kommun", "Region"]
    # AF's deficit of 239 359 kr is paid by the winners in proportion to their surplus (the ledger stage's rule).
    transfers = ledger["transfers"]
    assert {t["receiver"] for t in transfers} == {"Arbetsförmedlingen"}
    assert [t["payer"] for t in transfers] == ["Försäkringskassan", "Kommun", "Region"]
    assert sum(t["amount_sek"] for t in transfers) == pytest.approx(239_359, abs=2)
    surplus = 562_143 + 3_445_385 + 2_253_400
    assert transfers[1]["amount_sek"] == round(3_445_385 * 239_359 / surplus)
    assert [b["actor"] for b in ledger["break_even"]] == ["Arbetsförmedlingen", "Försäkringskassan", "Kommun",
                                                          "Region"]
    assert ledger["break_even"][0]["p_break_even"] == pytest.approx(0.18)


def test_projects_of_the_year_only_and_levels(context):
    ids = [p["project_id"] for p in context["projects"]]
    assert ids == ["P-001", "P-002"]  # P-900 ended 2019, Q-001 belongs to another förbund
    p1 = context["projects"][0]
    assert p1["level"] == "2" and p1["level_name"] == "Nivå 2 – organisationerna använder metoden"
    assert p1["reasons"][1] == "Metoden är dokumenterad (2023-05-02)"
    assert [c["criterion"] for c in p1["prerequisites"]] == [str(i) for i in range(1, 13)]
    assert p1["ledger"]["rows"][-1]["effect_pv_sek"] == pytest.approx(20_766_933 * 0.6)
    counts = {lv["level"]: lv["projects"] for lv in context["levels"]}
    assert counts == {"0": 0, "skenbar": 1, "1": 0, "2": 1, "3": 0}


def test_project_rows_do_not_depend_on_the_input_row_order():
    # Each project's rows are gathered from the förbund's tables in one pass (report_context._by_project);
    # the prerequisites come in criterion order by number, so 10-12 follow 9 whatever order the table has.
    inputs = sample_inputs()
    shuffled = {name: getattr(inputs, name).iloc[::-1].reset_index(drop=True)
                for name in ("ledger", "ledger_uncertainty", "transfers", "prerequisite_profiles")}
    reversed_context = build_report_context(dataclasses.replace(inputs, **shuffled), FORBUND)
    context = build_report_context(inputs, FORBUND)
    first = reversed_context["projects"][0]
    assert [c["criterion"] for c in first["prerequisites"]] == [str(i) for i in range(1, 13)]
    for mine, theirs in zip(context["projects"], reversed_context["projects"], strict=True):
        assert theirs["prerequisites"] == mine["prerequisites"]
        assert theirs["ledger"] == mine["ledger"] and theirs["break_even"] == mine["break_even"]
        assert sorted(map(repr, theirs["transfers"])) == sorted(map(repr, mine["transfers"]))
    assert reversed_context["ledger"]["rows"] == context["ledger"]["rows"]


def test_transfers_without_project_ids_apply_to_the_forbund_and_every_project():
    inputs = sample_inputs()
    own = inputs.transfers[inputs.transfers["forbund"] == FORBUND].drop(columns=["project_id"])
    context = build_report_context(dataclasses.replace(inputs, transfers=own), FORBUND)
    assert len(context["ledger"]["transfers"]) == len(own) > 0
    assert all(p["transfers"] == context["ledger"]["transfers"] for p in context["projects"])


def test_key_figures(context):
    figures = {f["label"]: f for f in context["key_figures"]}
    assert figures["Deltagare under året"]["value"] == 262
    assert figures["Andel till arbete eller studier"]["value"] == 0.45
    assert figures["Nettoeffekt"]["value"] == 16_866_933
    assert figures["Insatser på framgångsnivå 1–3"]["value"] == 1


def test_quality_counts_by_rule_without_messages(context):
    quality = context["quality"]
    assert quality["totals"] == {"rows_in": 4960, "accepted": 4937, "quarantined": 23}
    top = quality["top_reasons"][0]
    assert (top["column"], top["rule"], top["problems"]) == ("exited_on", "date_format", 15)
    assert all("message" not in r for r in quality["top_reasons"])
    assert quality_section(None, None)["available"] is False


def test_method_appendix(context):
    method = context["method"]
    assert method["unit_cost_actors"][0] == "Arbetsförmedlingen"
    lon = method["unit_costs"][1]
    assert (lon["code"], lon["price_year"], lon["confidence"]) == ("lon", 2023, "hög")
    assert lon["amounts"][-1] == 629_239
    assert method["rules_version"] == "rules-2025.1"
    assert method["input_files"][0]["sha256"] == "a" * 64


def test_missing_sections_are_marked_unavailable():
    inputs = ReportInputs(year=2025, flow=sample_inputs().flow)
    context = build_report_context(inputs, FORBUND)
    assert context["flow"]["available"] is True
    assert context["ledger"]["available"] is False
    assert context["quality"]["available"] is False
    assert context["projects"] == []
    assert [f["label"] for f in context["key_figures"]][0] == "Deltagare under året"


def test_fingerprint_follows_inputs_not_clock():
    a = build_report_context(sample_inputs(), FORBUND)
    b = build_report_context(sample_inputs(), FORBUND)
    assert a["fingerprint"] == b["fingerprint"] and a["document_date"] == b["document_date"]
    changed = sample_inputs()
    changed.parameters.loc[0, "value"] = "0.03"
    assert build_report_context(changed, FORBUND)["fingerprint"] != a["fingerprint"]


def test_forbund_in_year():
    assert forbund_in_year(sample_inputs()) == sorted([FORBUND, OTHER])


def test_largest_first_orders_by_projects_then_keeps_the_given_order():
    inputs = sample_inputs()
    inputs.projects = pd.DataFrame({"forbund": ["A", "B", "B", "C", "C", "D"], "project_id": list("123456")})
    assert largest_first(inputs, ["A", "B", "C", "D", "E"]) == ["B", "C", "A", "D", "E"]
    assert sorted(largest_first(sample_inputs(), forbund_in_year(sample_inputs()))) == sorted([FORBUND, OTHER])


def test_transfers_from_ledger_equal_the_per_project_rule():
    """One vectorised call gives what break_even_transfers gives project by project (absent members count 0)."""
    from samverkan.ledger.results import break_even_transfers
    from samverkan.report_context import transfers_from_ledger

    ledger = pd.DataFrame({
        "forbund": ["B", "B", "B", "A", "A", "A", "A", "A", "B"],
        "project_id": ["P2", "P2", "P2", "P1", "P1", "P1", "P1", "P1", "ALL"],
        "actor": ["Kommun", "Region", "Övriga", "Arbetsförmedlingen", "Försäkringskassan", "Kommun", "Region",
                  "Summa", "Kommun"],
        "net_sek": [500, -300, 9_999, 1_000, -400, -250, 1, 0, 0],
    })
    expected = [*break_even_transfers("A", "P1", {"Arbetsförmedlingen": 1_000, "Försäkringskassan": -400,
                                                  "Kommun": -250, "Region": 1}),
                *break_even_transfers("B", "ALL", {"Kommun": 0}),
                *break_even_transfers("B", "P2", {"Kommun": 500, "Region": -300})]
    got = transfers_from_ledger(ledger)
    assert [tuple(row) for row in got.itertuples(index=False)] == expected
    # Hand-computed: A/P1 surplus 1 001 covers the deficit 650, so each loser breaks even.
    assert got[got["forbund"] == "A"].groupby("receiver")["amount_sek"].sum().to_dict() == {
        "Försäkringskassan": 400, "Kommun": 250}
    assert got[got["forbund"] == "B"]["amount_sek"].tolist() == [300]
    assert transfers_from_ledger(ledger.iloc[:0]).empty

