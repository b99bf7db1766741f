"""The chapters of issue 20: plain Swedish first, horizons, breakdowns, where people went, benchmarks, the
förbund's Ling profile and the definitions that are ours — from aggregates, suppressed per förbund."""

from __future__ import annotations

import dataclasses
import itertools
import re

import numpy as np
import pandas as pd
import pytest

from reports.formatting import sentence
from reports.render import build_charts, render_html
from reports.sample import FORBUND, sample_inputs
from samverkan.breakdowns import breakdowns, breakdowns_from_counts
from samverkan.report import ReportInputs, build_report_context
from samverkan.report.aggregates import outcome_tables
from samverkan.report.extracts import outcome_extracts
from samverkan.transitions import transitions, transitions_from_counts

NBSP, THIN = "\u00a0", "\u202f"


def _plain(text: str) -> str:
    return text.replace(NBSP, " ").replace(THIN, " ")


@pytest.fixture(scope="module")
def context():
    return build_report_context(sample_inputs(), FORBUND)


@pytest.fixture(scope="module")
def html(context):
    return render_html(context)


# ---------- plain Swedish first

def _hand_made_inputs() -> ReportInputs:
    """Five years of cumulative present value per actor; two members with a net cost; three judged projects."""
    rows = []
    for actor, investment, first, fifth in (("Arbetsförmedlingen", 400_000, 100_000, 300_000),
                                            ("Försäkringskassan", 0, 200_000, 900_000),
                                            ("Kommun", 1_200_000, 600_000, 2_450_000),
                                            ("Region", 600_000, 150_000, 550_000),
                                            ("Summa", 2_200_000, 1_050_000, 4_200_000)):
        years = {f"year_{y}": first + (fifth - first) * (y - 1) / 4 for y in range(1, 6)}
        rows.append({"forbund": "F", "project_id": "ALL", "actor": actor, "investment_sek": investment,
                     "effect_pv_sek": fifth, "net_sek": fifth - investment,
                     "return_ratio": fifth / investment if investment else None, "payback_year": None, **years})
    uncertainty = pd.DataFrame([{"forbund": "F", "project_id": "ALL", "actor": a, "p_break_even": p, "npv_p05": 0,
                                 "npv_p50": 0, "npv_p95": 0}
                                for a, p in (("Arbetsförmedlingen", 0.35), ("Kommun", 0.96), ("Region", 0.62))])
    levels = pd.DataFrame([{"forbund": "F", "project_id": pid, "year": 2025, "level": level, "label": "",
                            "reasons": ""} for pid, level in (("P1", "1"), ("P2", "0"), ("P3", "1"))])
    return ReportInputs(year=2025, ledger=pd.DataFrame(rows), ledger_uncertainty=uncertainty, success_levels=levels)


def test_the_summary_opens_with_plain_sentences_from_the_figures():
    context = build_report_context(_hand_made_inputs(), "F")
    assert [_plain(sentence(s)) for s in context["summary"].sentences] == [
        "Medlemmarna satsade sammanlagt 2,2 mnkr i förbundets insatser 2025: Arbetsförmedlingen 400 tkr, "
        "Kommun 1,2 mnkr och Region 600 tkr.",
        "Effekterna – minskade kostnader och ökad produktion – är i dagens pengar värda 1,1 mnkr efter ett år "
        "och 4,2 mnkr efter fem år; mest får Kommun (2,5 mnkr) och Försäkringskassan (900 tkr).",
        "Arbetsförmedlingen (100 tkr) och Region (50 tkr) bär nettokostnader: de satsar mer än de får tillbaka "
        "under kalkylperioden.",
        "I simuleringarna av osäkerheten går Kommun (96 %) nästan säkert, Region (62 %) troligen och "
        "Arbetsförmedlingen (35 %) troligen inte jämnt ut (andelen simuleringar där medlemmen får tillbaka minst "
        "vad den satsade).",
        "Förbundets tre bedömda insatser: två nådde nivå 1 (insatsen lyckas) och en har ännu ingen påvisad "
        "framgång.",
    ]
    figures = {f.label: f.value for f in context["key_figures"]}
    assert figures["Effekt i nuvärde efter ett år"] == 1_050_000 and figures["Effekt i nuvärde efter fem år"] \
        == 4_200_000 and figures["Netto efter fem år"] == 2_000_000


def test_a_summary_leaves_out_what_it_has_no_figures_for():
    inputs = _hand_made_inputs()
    ledger = inputs.ledger.assign(net_sek=inputs.ledger["net_sek"].abs())
    context = build_report_context(dataclasses.replace(inputs, ledger=ledger, ledger_uncertainty=None,
                                                       success_levels=None), "F")
    texts = [_plain(sentence(s)) for s in context["summary"].sentences]
    assert len(texts) == 3 and texts[2].startswith("Ingen medlem bär en nettokostnad")
    assert build_report_context(ReportInputs(year=2025), "F")["summary"].sentences == []


def test_the_sentences_come_first_and_exact_kronor_stay_in_the_tables(html):
    summary = html[html.index('id="sammanfattning"'):html.index('id="deltagarflode"')]
    assert summary.index('class="plain"') < summary.index('class="figures"')
    assert "3,9\u00a0mnkr" in summary and "20\u202f766\u202f933" not in summary
    ledger = html[html.index('id="bokslut"'):]
    assert "20\u202f766\u202f933\u00a0kr" in ledger


# ---------- breakdowns: no hidden count can be worked out

def _readings(cells: list[tuple[int | None, str]], total: int) -> list[tuple[int, ...]]:
    """Every filling of the hidden cells a reader could make: a small one is 1..4, a complementary one 0 or
    5..total, and together they are the total less the cells shown."""
    shown = sum(v for v, kind in cells if kind == "shown")
    ranges = [range(1, 5) if kind == "small" else [0, *range(5, total + 1)] for _, kind in cells if kind != "shown"]
    return [combo for combo in itertools.product(*ranges) if sum(combo) + shown == total]


def _assert_nothing_given_away(cells: list[tuple[int | None, str]], total: int) -> None:
    hidden = [kind for _, kind in cells if kind != "shown"]
    readings = _readings(cells, total)
    assert readings, cells
    for position, kind in enumerate(hidden):
        if kind == "small":
            assert len({r[position] for r in readings}) >= 2, (cells, total)


def _kind(cell) -> tuple[int | None, str]:
    return cell.value, "shown" if not cell.suppressed else "complement" if cell.secondary else "small"


def _rendered_tables(html: str, css_class: str) -> list[list[list[str]]]:
    tables = re.findall(rf'<table class="(?:compact )?{css_class}">(.*?)</table>', html, flags=re.S)
    out = []
    for table in tables:
        body = table.split("<tbody>")[1]
        rows = re.findall(r"<tr[^>]*>(.*?)</tr>", body, flags=re.S)
        out.append([[re.sub(r"<[^>]+>", "", c).strip() for c in re.findall(r"<t[hd][^>]*>(.*?)</t[hd]>", r, re.S)]
                    for r in rows])
    return out


def _read(text: str) -> tuple[int | None, str]:
    if text == "–**":
        return None, "complement"
    if text == "–*":
        return None, "small"
    return int(text.replace(THIN, "")), "shown"


def test_no_hidden_count_in_the_rendered_breakdowns_can_be_worked_out(context, html):
    tables = _rendered_tables(html, "breakdown")
    assert len(tables) == 4 and context["breakdowns"].any_secondary
    hidden = 0
    for rows in tables:
        *body, total = rows
        assert total[0] == "Totalt"
        for column in (1, 2, 3):
            cells = [_read(r[column]) for r in body]
            hidden += sum(kind != "shown" for _, kind in cells)
            _assert_nothing_given_away(cells, _read(total[column])[0])
        for r in body:  # a share only beside both its counts
            assert r[4] == "–" or ("–" not in r[2] and "–" not in r[3])
    assert hidden >= 6


def test_random_breakdowns_never_give_a_hidden_count_away():
    rng = np.random.default_rng(20)
    withheld = hidden = 0
    for _ in range(150):
        n = int(rng.integers(2, 6))
        counts = pd.DataFrame({
            "forbund": "F", "dimension": "gender", "category": [f"c{i}" for i in range(n)],
            "participants": rng.choice([0, 1, 2, 3, 4, 5, 6, 9, 14, 30], n),
        })
        counts["exited"] = [int(rng.integers(0, p + 1)) for p in counts["participants"]]
        counts["to_work_or_studies"] = [int(rng.integers(0, e + 1)) for e in counts["exited"]]
        section = build_report_context(ReportInputs(year=2025, breakdown_counts=counts), "F")["breakdowns"]
        table = section.tables[0]
        if table.withheld:
            withheld += 1
            assert table.rows == ()
            continue
        hidden += sum(getattr(r, c).suppressed for r in table.rows for c in ("participants", "exited"))
        for column in ("participants", "exited", "to_work_or_studies"):
            total = getattr(table.total, column)
            if total.suppressed:
                continue  # the total itself is small: nothing below it is shown either way
            _assert_nothing_given_away([_kind(getattr(r, column)) for r in table.rows], total.value)
    assert withheld > 0 and hidden > 100  # both ways out are exercised


def test_every_line_of_the_before_after_table_keeps_its_hidden_counts(context):
    flows = context["destinations"].flows
    before = {s.code: s.count.value for s in flows.before}
    after = {s.code: s.count.value for s in flows.after}
    for key, totals in (("before", before), ("after", after)):
        for code, total in totals.items():
            cells = [_kind(link.count) for link in flows.links if getattr(link, key) == code]
            _assert_nothing_given_away(cells, total)
    assert any(link.count.secondary and link.count.value is None for link in flows.links)


# ---------- where people went

def test_the_flow_diagram_has_a_text_alternative_and_the_chapter_says_it_in_words(context, html):
    description = context["destinations"].description
    assert description.startswith("131 deltagare avslutade under året. Före insatsen: studier 6, arbetssökande 80")
    chart = build_charts(context)["destinations"]
    assert f"<title>Flödesdiagram, sysselsättning före och efter insatsen för {FORBUND} 2025. {description}" \
           f"</title>" in chart.svg
    assert chart.svg.count("<path ") == 3  # only the bands whose count is shown: 27, 8 and 30
    assert f"<p>{description}</p>" in html
    # The cross table beside it: a row per occupation before, its total last; the hidden cells as in the flows.
    section = context["destinations"]
    assert section.columns == ["Arbete", "Subventionerat arbete", "Studier", "Arbetssökande", "Övrigt"]
    seeking = next(r for r in section.rows if r.before == "Arbetssökande")
    assert [c.value for c in seeking.cells] == [27, None, 8, None, 0] and seeking.total.value == 80
    assert [c.value for c in section.column_totals] == [36, 6, 17, 42, 30]


# ---------- benchmarks

def test_the_forbund_beside_the_others_and_its_own_years(context, html):
    bench = context["benchmarks"]
    assert bench.enough_forbund and bench.forbund_in_year == 6
    share = {s.measure: s for s in bench.standings}["share_work_or_studies"]
    # 0.46 among 0.4, 0.35, 0.5, 0.3, 0.4 and itself: four below, none equal besides itself.
    assert (share.value, share.percentile, share.national_median) == (0.46, round(100 * 4.5 / 6, 1), 0.4)
    assert [h.year for h in bench.history] == [2021, 2022, 2023, 2024, 2025]
    assert bench.history[2].exited.suppressed and bench.history[2].share_work_or_studies.suppressed
    assert "inte en nationell referensfil" in html


def test_with_fewer_than_five_forbund_the_text_says_so_and_gives_no_percentile_or_median():
    inputs = sample_inputs()
    few = inputs.outcome_measures[inputs.outcome_measures["forbund"].isin([FORBUND, "Finsam Väst"])]
    context = build_report_context(dataclasses.replace(inputs, outcome_measures=few), FORBUND)
    bench = context["benchmarks"]
    assert not bench.enough_forbund
    assert {(s.percentile, s.national_median) for s in bench.standings} == {(None, None)}
    assert "Inleveransen har bara 2 förbund med individinriktade insatser 2025" in _plain(render_html(context))


def test_a_share_with_a_small_numerator_is_hidden_in_the_benchmarks_too():
    inputs = sample_inputs()
    measures = inputs.outcome_measures.copy()
    mine = (measures["forbund"] == FORBUND) & (measures["year"] == 2025)
    measures.loc[mine, ["to_work_or_studies", "share_work_or_studies"]] = [3, 0.03]
    bench = build_report_context(dataclasses.replace(inputs, outcome_measures=measures), FORBUND)["benchmarks"]
    share = {s.measure: s for s in bench.standings}["share_work_or_studies"]
    assert share.value is None and share.percentile is None and bench.history[-1].share_work_or_studies.suppressed


# ---------- the förbund's profile over Ling's four dimensions

def test_the_forbund_profile_over_lings_dimensions(context, html):
    rows = {r.dimension: r for r in context["dimensions"].rows}
    # The sample's project scored 3, 2, 1 and 1 on criteria 1, 8, 9 and 12 (criteria given as text).
    culture = rows["Samverkanskultur och helhetstänkande"]
    assert (culture.criteria, culture.scores, culture.mean_score) == ("1, 8, 9, 12", 4, round((3 + 2 + 3 + 1) / 4, 2))
    assert list(rows) == ["Samverkanskultur och helhetstänkande", "Nya arbetssätt och metoder",
                          "Nya ansvarigheter och incitament för samverkan", "Struktur för samordning och innovation"]
    assert "Profil över Lings fyra dimensioner 2025" in html


# ---------- definitions that are ours

def test_the_method_appendix_says_which_definitions_are_ours_with_the_rules_values():
    inputs = sample_inputs()
    rules = pd.DataFrame([{"parameter": "outcome.min_exits", "value": "30", "basis": "", "version": "x"},
                          {"parameter": "outcome.confidence", "value": "0.95", "basis": "", "version": "x"}])
    method = build_report_context(dataclasses.replace(inputs, parameters=rules), FORBUND)["method"]
    terms = [d.term for d in method.own_definitions]
    assert terms[0].startswith("Skenbar framgång") and "Åldersband" in terms and "Komplementär undertryckning" in terms
    assert any(t.startswith("Percentil") for t in terms) and any("Ling" in t for t in terms)
    assert "minst 30 deltagare" in method.own_definitions[0].reading
    assert "95-procentigt Wilson-intervall" in method.own_definitions[0].reading
    assert all("Vår" in d.basis or "Verktygets" in d.basis for d in method.own_definitions)


# ---------- the aggregates: every förbund at once, no participant rows

def _participants() -> tuple[pd.DataFrame, pd.DataFrame]:
    rng = np.random.default_rng(7)
    n = 400
    projects = pd.DataFrame({"project_id": ["A1", "A2", "B1"], "forbund": ["A", "A", "B"],
                             "orientation": ["individinriktad", "strukturovergripande", "individinriktad"]})
    enrolled = pd.Timestamp("2023-01-01") + pd.to_timedelta(rng.integers(0, 900, n), unit="D")
    exited = enrolled + pd.to_timedelta(rng.integers(30, 500, n), unit="D")
    frame = pd.DataFrame({
        "participant_id": [f"p{i}" for i in range(n)], "project_id": rng.choice(["A1", "A2", "B1"], n),
        "gender": rng.choice(["K", "M", "X"], n, p=[0.5, 0.48, 0.02]), "birth_year": rng.integers(1960, 2008, n),
        "enrolled_on": enrolled, "exited_on": exited.where(rng.random(n) < 0.8),
        "occupation_before": rng.choice(["arbetssokande", "ovrigt", "studier"], n),
        "occupation_after": rng.choice(["arbete", "studier", "arbetssokande", None], n),
        "months_on_support_before": rng.integers(0, 80, n),
        "education_level": rng.choice(["forgymnasial", "gymnasial", None], n),
        "exit_reason": rng.choice([None, "felregistrering"], n, p=[0.95, 0.05]),
    })
    return frame, projects


def test_the_aggregates_give_each_forbund_what_its_own_episodes_give():
    participants, projects = _participants()
    costs = pd.DataFrame({"project_id": ["A1", "B1"], "year": [2024, 2024], "amount_sek": [1e6, 2e6]})
    tables = outcome_tables(participants, projects, costs, 2024)
    for forbund in ("A", "B"):
        mine = participants[participants["project_id"].isin(projects.loc[projects["forbund"] == forbund,
                                                                         "project_id"])]
        counts = tables.breakdown_counts[tables.breakdown_counts["forbund"] == forbund]
        assert breakdowns_from_counts(counts) == breakdowns(mine, 2024)
        pairs = tables.transition_counts[tables.transition_counts["forbund"] == forbund]
        assert transitions_from_counts(pairs) == transitions(mine, 2024)
    assert sorted(tables.measures["year"].unique()) == [2023, 2024]
    for frame in (tables.breakdown_counts, tables.transition_counts, tables.measures):
        assert not {"participant_id", "birth_year", "enrolled_on"} & set(frame.columns)


def test_the_extracts_are_suppressed_exactly_as_the_report(context):
    extracts = outcome_extracts(sample_inputs(), [FORBUND, "Finsam Väst"])
    written = extracts["breakdowns.csv"]
    gender = written[(written["forbund"] == FORBUND) & (written["dimension"] == "gender")].set_index("category")
    assert list(gender["participants"].astype("object").where(gender["participants"].notna(), None)) == [
        140, None, None, 262]
    assert list(gender["hidden"].iloc[:3]) == ["", "skydd", "liten"]
    printed = {(before, after): cell.value for before, after, cell in context["destinations"].cells()}
    written = extracts["transitions.csv"]
    assert list(gender.index) == ["Kvinnor", "Män", "Annat", "Totalt"]
    assert {(r.before, r.after): (None if pd.isna(r.leavers) else r.leavers) for r in written.itertuples()} == printed
    assert set(extracts["benchmarks.csv"]["forbund"]) == {FORBUND, "Finsam Väst"}


def test_every_header_cell_has_a_scope(html):
    headers = re.findall(r"<th\b[^>]*>", html)
    assert headers and all("scope=" in h for h in headers)
    for heading in ("Vilka som deltog", "Vart deltagarna gick", "Jämförelser", "Våra egna definitioner",
                    "Förbundets samverkansprofil"):
        assert heading in html


def test_random_cross_tables_never_give_a_hidden_count_away_in_a_line():
    rng = np.random.default_rng(21)
    codes = ["arbete", "studier", "arbetssokande", "ovrigt"]
    withheld = shown = 0
    for _ in range(120):
        pairs = pd.DataFrame([(b, a, int(rng.choice([0, 1, 2, 3, 4, 6, 9, 20]))) for b in codes[:3] for a in codes],
                             columns=["before", "after", "leavers"])
        flows = transitions_from_counts(pairs[pairs["leavers"] > 0])
        if flows.withheld or flows.leavers.suppressed:
            withheld += flows.withheld
            assert flows.links == ()
            continue
        shown += 1
        # The totals a reader has: each side's cells that are shown.
        totals = {s.code: s.count.value for s in flows.before if not s.count.suppressed} | {
            f"after:{s.code}": s.count.value for s in flows.after if not s.count.suppressed}
        for side in (flows.before, flows.after):
            _assert_nothing_given_away([_kind(s.count) for s in side], flows.leavers.value)
        for key, total in totals.items():
            line = [link.count for link in flows.links
                    if (f"after:{link.after}" if key.startswith("after:") else link.before) == key]
            _assert_nothing_given_away([_kind(c) for c in line], total)
    assert withheld > 0 and shown > 0


def test_a_withheld_breakdown_says_why_and_shows_no_row():
    counts = pd.DataFrame([{"forbund": "F", "dimension": "gender", "category": c, "participants": 4, "exited": 0,
                            "to_work_or_studies": 0} for c in ("Kvinnor", "Män")])
    context = build_report_context(ReportInputs(year=2025, breakdown_counts=counts), "F")
    table = context["breakdowns"].tables[0]
    assert table.withheld and table.total.participants.value == 8
    chapter = render_html(context).split('id="fordelning"')[1].split("</section>")[0]
    assert "Fördelningen redovisas inte" in chapter and "Kvinnor" not in chapter
