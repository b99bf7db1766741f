"""The national reference (issue 20 item 5) and the cut of a run to some förbund (issue 19 item 5), in the core:
the file and its refusals, the benchmarks against it, the förbund names, the cut and the inbox fingerprint."""

from __future__ import annotations

import dataclasses
import re
from pathlib import Path

import pandas as pd
import pytest

from reports.render import render_html
from reports.sample import FORBUND, YEAR, sample_inputs
from samverkan.files import read_csv_extract, write_csv_atomic
from samverkan.inbox import inbox_digest
from samverkan.national_reference import (
    REFERENCE_FILE,
    REFERENCE_INBOX_FILE,
    NationalReference,
    NationalReferenceError,
    find_reference,
    from_table,
    of_inbox,
    read_reference,
    reference_table,
)
from samverkan.report import build_report_context
from samverkan.report.benchmarks import export_reference, returns_by_forbund
from samverkan.scope import ScopeError, cut_to_forbund, inbox_fingerprint, resolve_forbund

NBSP, THIN = "\u00a0", "\u202f"
SOURCE = "Testkällan, körning 42"


def _plain(text: str) -> str:
    return re.sub(r"\s+", " ", text.replace(NBSP, " ").replace(THIN, " "))


def _reference(rows: list[tuple[str, float | None, float | None, float | None]], year: int = YEAR,
               source: str = SOURCE) -> NationalReference:
    table = pd.DataFrame([{"year": year, "forbund": f, "share_work_or_studies": s, "cost_per_participant": c,
                           "return_ratio": r, "source": source} for f, s, c, r in rows])
    return from_table(table)


def _scoped_inputs(reference: NationalReference | None):
    """The sample förbund's inputs as a run limited to it computes them: its own measures only."""
    inputs = sample_inputs()
    own = inputs.outcome_measures[inputs.outcome_measures["forbund"] == FORBUND]
    return dataclasses.replace(inputs, outcome_measures=own, forbund_scope=(FORBUND,), national_reference=reference)


FIVE_OTHERS = [("A", 0.30, 40_000.0, 1.0), ("B", 0.40, 50_000.0, 2.0), ("C", 0.50, 60_000.0, 3.0),
               ("D", 0.60, 70_000.0, 4.0), ("E", None, None, None),
               # The förbund's own row in the reference is replaced by this run's figures.
               (FORBUND, 0.99, 1.0, 99.0)]


def test_a_limited_run_compares_its_own_figures_with_the_reference_and_names_its_source():
    context = build_report_context(_scoped_inputs(_reference(FIVE_OTHERS)), FORBUND)
    bench = context["benchmarks"]
    assert bench.basis == "reference" and bench.reference_source == SOURCE and bench.enough_forbund
    assert bench.forbund_in_year == 6  # A–E and the förbund itself
    share = {s.measure: s for s in bench.standings}["share_work_or_studies"]
    # 0.46 among 0.3, 0.4, 0.5, 0.6 and itself (E has no share): two below, so (2 + 0.5) / 5.
    assert (share.value, share.percentile, share.national_median, share.forbund_compared) == (0.46, 50.0, 0.46, 5)
    ledger = sample_inputs().ledger
    own_return = float(returns_by_forbund(ledger)[FORBUND])
    ratio = {s.measure: s for s in bench.standings}["return_ratio"]
    assert ratio.value == pytest.approx(own_return) and ratio.forbund_compared == 5
    text = _plain(render_html(context))
    assert f"källa: {SOURCE}" in text and f"Förbundet bland förbunden i riket enligt referensen {YEAR}" in text


def test_a_reference_of_another_year_is_named_but_not_compared():
    context = build_report_context(_scoped_inputs(_reference(FIVE_OTHERS, year=YEAR - 1)), FORBUND)
    bench = context["benchmarks"]
    assert bench.standings == [] and bench.reference_year == YEAR - 1 and len(bench.history) == 5
    assert f"Referensfilen gäller {YEAR - 1}, inte {YEAR}" in _plain(render_html(context))


def test_a_limited_run_without_a_reference_says_no_national_comparison_is_available():
    context = build_report_context(_scoped_inputs(None), FORBUND)
    bench = context["benchmarks"]
    assert bench.basis == "none" and bench.standings == [] and [h.year for h in bench.history][-1] == YEAR
    text = _plain(render_html(context))
    assert "någon jämförelse med riket finns inte i den här rapporten" in text
    assert "Förbundet bland förbunden" not in text


def test_a_one_forbund_inbox_without_a_reference_says_so():
    inputs = sample_inputs()
    own = inputs.outcome_measures[inputs.outcome_measures["forbund"] == FORBUND]
    context = build_report_context(dataclasses.replace(inputs, outcome_measures=own), FORBUND)
    assert context["benchmarks"].basis == "inbox" and not context["benchmarks"].enough_forbund
    assert "Inkorgen har ingen nationell referensfil (national_reference.csv)" in _plain(render_html(context))


def test_the_reference_changes_the_fingerprint_only_when_there_is_one():
    plain = build_report_context(sample_inputs(), FORBUND)["fingerprint"]
    again = build_report_context(dataclasses.replace(sample_inputs(), national_reference=None), FORBUND)
    with_reference = build_report_context(_scoped_inputs(_reference(FIVE_OTHERS)), FORBUND)
    assert again["fingerprint"] == plain and with_reference["fingerprint"] != plain


def test_a_full_run_exports_the_reference_and_reads_it_back(tmp_path: Path):
    inputs = sample_inputs()
    table_path, inbox_path = export_reference(inputs, tmp_path)
    assert (table_path.name, inbox_path.name) == (REFERENCE_FILE, REFERENCE_INBOX_FILE)
    reference = read_reference(table_path)
    measures = inputs.outcome_measures[inputs.outcome_measures["year"] == YEAR].set_index("forbund")
    assert reference.year == YEAR and reference.forbund == len(measures)
    assert reference.source.startswith("den fullständiga körningen av 2025 (inkorg ")
    assert reference.table.loc[FORBUND, "share_work_or_studies"] == pytest.approx(0.46)
    assert reference.table.loc[FORBUND, "return_ratio"] == pytest.approx(returns_by_forbund(inputs.ledger)[FORBUND])
    assert list(read_csv_extract(inbox_path)["file"]) == ["participants.csv", "projects.xlsx"]
    # The inbox's own file is found when the run names none.
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    assert find_reference("", inbox) is None
    table_path.rename(inbox / REFERENCE_FILE)
    assert find_reference("", inbox).source == reference.source


def test_reference_table_gives_each_forbund_its_return():
    measures = pd.DataFrame({"forbund": ["X", "Y", "X"], "year": [2024, 2024, 2023],
                             "share_work_or_studies": [0.5, None, 0.1], "cost_per_participant": [10.0, 20.0, 1.0]})
    table = reference_table(measures, pd.Series({"X": 1.5}), 2024, "s")
    assert table.to_dict("list") == {"year": [2024, 2024], "forbund": ["X", "Y"],
                                     "share_work_or_studies": [0.5, pytest.approx(float("nan"), nan_ok=True)],
                                     "cost_per_participant": [10.0, 20.0],
                                     "return_ratio": [1.5, pytest.approx(float("nan"), nan_ok=True)],
                                     "source": ["s", "s"]}


@pytest.mark.parametrize(("change", "message"), [
    (lambda t: t.drop(columns=["source"]), "kolumnerna source saknas"),
    (lambda t: t.assign(year=[2024, 2023]), "ett och samma år"),
    (lambda t: t.assign(source=["a", ""]), "en och samma källa"),
    (lambda t: t.assign(forbund=["X", "X"]), "eget förbund"),
    (lambda t: t.assign(share_work_or_studies=[0.5, 1.2]), "share_work_or_studies har värden utanför"),
    (lambda t: t.assign(cost_per_participant=[-1.0, 1.0]), "cost_per_participant har värden utanför"),
    (lambda t: t.assign(cost_per_participant=["tio", 1.0]), "cost_per_participant har värden som inte är tal"),
    (lambda t: t.iloc[0:0], "inga rader"),
])
def test_a_bad_reference_file_is_refused_in_one_swedish_line(tmp_path: Path, change, message):
    good = pd.DataFrame({"year": [2024, 2024], "forbund": ["X", "Y"], "share_work_or_studies": [0.5, 0.2],
                         "cost_per_participant": [10.0, 20.0], "return_ratio": [1.0, 2.0], "source": ["s", "s"]})
    path = write_csv_atomic(change(good), tmp_path / REFERENCE_FILE)
    with pytest.raises(NationalReferenceError, match=message) as caught:
        read_reference(path)
    assert str(caught.value).startswith(f"{REFERENCE_FILE}: ") and "\n" not in str(caught.value)


def test_a_negative_return_per_krona_is_a_figure_not_an_error(tmp_path: Path):
    table = pd.DataFrame({"year": [2024, 2024], "forbund": ["X", "Y"], "share_work_or_studies": [0.5, 0.2],
                          "cost_per_participant": [10.0, 20.0], "return_ratio": [-0.4, 2.0], "source": ["s", "s"]})
    reference = read_reference(write_csv_atomic(table, tmp_path / REFERENCE_FILE))
    assert reference.table["return_ratio"].tolist() == [-0.4, 2.0]


# ---------- the förbund of a limited run

KNOWN = ["Samordningsförbundet Norrdal", "Samordningsförbundet Sjöbo", "Samordningsförbundet Älvsby"]


def test_requested_forbund_are_taken_once_in_the_given_order():
    assert resolve_forbund([KNOWN[2], KNOWN[0], KNOWN[2]], KNOWN) == [KNOWN[2], KNOWN[0]]


@pytest.mark.parametrize(("name", "meant"), [("Samordningsförbundet Sjobo", KNOWN[1]),
                                             ("samordningsförbundet norrdal", KNOWN[0]),
                                             ("Norrdal", KNOWN[0]), ("älvsby", KNOWN[2])])
def test_a_near_miss_is_refused_with_the_name_meant_and_the_known_names(name, meant):
    with pytest.raises(ScopeError) as caught:
        resolve_forbund([name], KNOWN)
    assert f"menade du {meant}?" in str(caught.value)
    assert str(caught.value).endswith("Kända förbund: " + ", ".join(KNOWN))


def test_an_unknown_name_without_a_near_miss_lists_the_known_names_only():
    with pytest.raises(ScopeError) as caught:
        resolve_forbund(["Finsam Gotland"], KNOWN)
    assert "menade du" not in str(caught.value)
    assert "'Finsam Gotland' finns inte i årets insatser. Kända förbund: " in str(caught.value)
    with pytest.raises(ScopeError) as caught:
        resolve_forbund(["förbundet"], KNOWN)  # in every name: no one name is meant
    assert "menade du" not in str(caught.value)


def test_the_cut_keeps_the_forbund_projects_and_every_row_that_references_them():
    frames = {
        "projects": pd.DataFrame({"project_id": ["P1", "P2", "P3"], "forbund": ["A", "B", "A"]}),
        "participants": pd.DataFrame({"participant_id": ["x", "y", "z", "w"], "project_id": ["P1", "P2", "P3", "P2"]}),
        "project_costs": pd.DataFrame({"project_id": ["P2", "P3"], "amount_sek": [1.0, 2.0]}),
        "project_events": pd.DataFrame({"project_id": pd.Series([], dtype="str")}),
        "quality_summary": pd.DataFrame({"dataset": ["projects"], "rows_in": [3]}),
    }
    cut = cut_to_forbund(frames, ["A"])
    assert cut["projects"]["project_id"].tolist() == ["P1", "P3"]
    assert cut["participants"]["participant_id"].tolist() == ["x", "z"]
    assert cut["project_costs"]["amount_sek"].tolist() == [2.0]
    assert cut["project_events"].empty and cut["quality_summary"] is frames["quality_summary"]


def test_the_inbox_fingerprint_sees_a_changed_byte_a_renamed_file_and_nothing_else(tmp_path: Path):
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    (inbox / "projects.csv").write_text("project_id,forbund\nP1,A\n", encoding="utf-8")
    (inbox / "participants.csv").write_text("participant_id,project_id\nx,P1\n", encoding="utf-8")
    (inbox / "notes.txt").write_text("not read", encoding="utf-8")
    before = inbox_fingerprint(inbox)
    assert before[["dataset", "file", "bytes"]].values.tolist() == [["projects", "projects.csv", 24],
                                                                    ["participants", "participants.csv", 31]]
    (inbox / "notes.txt").write_text("still not read", encoding="utf-8")
    assert inbox_digest(before) == inbox_digest(inbox_fingerprint(inbox))
    (inbox / "projects.csv").write_text("project_id,forbund\nP1,B\n", encoding="utf-8")  # same size
    assert inbox_digest(before) != inbox_digest(inbox_fingerprint(inbox))
    (inbox / "projects.csv").write_text("project_id,forbund\nP1,A\n", encoding="utf-8")
    (inbox / "projects.csv").rename(inbox / "projects_2024.csv")
    assert inbox_digest(before) != inbox_digest(inbox_fingerprint(inbox))


def test_a_reference_knows_the_inbox_it_was_computed_from(tmp_path: Path):
    inputs = sample_inputs()
    table_path, inbox_path = export_reference(inputs, tmp_path)
    reference = read_reference(table_path)
    assert reference.inbox_sha256 == inbox_digest(inputs.input_files) and of_inbox(reference, inputs.input_files)
    changed = inputs.input_files.assign(bytes=inputs.input_files["bytes"] + 1)
    assert not of_inbox(reference, changed) and not of_inbox(None, inputs.input_files)
    # Without its inbox file beside it, a reference is from elsewhere.
    inbox_path.unlink()
    assert read_reference(table_path).inbox_sha256 == "" and not of_inbox(read_reference(table_path),
                                                                          inputs.input_files)


def test_a_reference_of_the_runs_own_inbox_reads_as_the_full_runs_chapter_with_its_source(tmp_path: Path):
    inputs = sample_inputs()
    full = build_report_context(inputs, FORBUND)
    reference = read_reference(export_reference(inputs, tmp_path)[0])
    own = build_report_context(_scoped_inputs(reference), FORBUND)
    bench = own["benchmarks"]
    assert bench.basis == "inbox" and bench.reference_source == reference.source
    assert bench.standings == full["benchmarks"].standings
    # The reference adds nothing the inbox's files do not determine: the full run's fingerprint and report id.
    assert (own["fingerprint"], own["report_id"]) == (full["fingerprint"], full["report_id"])
    text = _plain(render_html(own))
    assert ("De andra förbundens värden är de som den fullständiga körningen av samma inleverans räknade fram, "
            f"källa: {reference.source}.") in text
    assert f"Förbundet bland förbunden i inleveransen {YEAR}" in text
