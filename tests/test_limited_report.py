"""A run limited to one förbund (``samverkan run --forbund``) after the year's full run, published into the
official folder: the förbund's report is the full run's but for the one sentence naming where the other förbund's
figures come from, and run.json still names the full run, with the limited run beside it (issue 19 item 5)."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

import pandas as pd
import pytest
from dagster import DagsterInstance

from assets.report import cut_to_scope, inbox_data_date
from pipelines.run import run_year
from pipelines.scope import run_scoped
from samverkan.files import read_csv_extract
from samverkan.inbox import inbox_digest
from samverkan.manifest import file_hashes, read_manifest
from samverkan.national_reference import REFERENCE_INBOX_FILE
from samverkan.report import latest_data_date
from samverkan.scope import cut_to_forbund

YEAR = 2024
DATES = ("enrolled_on", "exited_on", "date")
# The one sentence a limited run's report adds to the benchmarks chapter (reports/templates).
SOURCE_SENTENCE = re.compile(r"\s*<p>De andra förbundens värden är de som den fullständiga körningen av samma "
                             r"inleverans räknade fram, källa: ([^<]*)\.</p>")
MONTHS = ("januari", "februari", "mars", "april", "maj", "juni", "juli", "augusti", "september", "oktober",
          "november", "december")


def _shown(date: dt.date) -> str:
    return f"<dd>{date.day} {MONTHS[date.month - 1]} {date.year}</dd>"


def _html(out: Path, reports: pd.DataFrame, forbund: str) -> str:
    return (out / reports.set_index("forbund").loc[forbund, "html"]).read_text(encoding="utf-8")


@pytest.fixture(scope="module")
def runs(tmp_path_factory, small_inbox: Path) -> dict:
    root = tmp_path_factory.mktemp("limited")
    storage, out = root / "storage", root / "out" / str(YEAR)
    instance = DagsterInstance.ephemeral()
    full = run_year(small_inbox, YEAR, out, instance=instance, resources={
        "io_manager": {"config": {"base_dir": str(storage)}},
        "intermediate_io_manager": {"config": {"base_dir": str(storage / "intermediate")}}})
    assert full.success, full.failures
    reports = read_csv_extract(out / "reports.csv")
    frames = {name: pd.read_parquet(storage / name / f"{YEAR}.parquet")
              for name in ("projects", "participants", "project_events", "project_costs")}
    whole = latest_data_date([frames["participants"], frames["project_events"]], DATES)
    # The förbund whose own rows end before the inbox's: dated by its rows, its report would say another date.
    cut_dates = {name: latest_data_date([cut["participants"], cut["project_events"]], DATES)
                 for name in reports["forbund"] for cut in [cut_to_forbund(frames, [name])]}
    earlier = [name for name, date in cut_dates.items() if date < whole]
    assert earlier, cut_dates
    name = earlier[0]
    state = {"out": out, "full": full, "name": name, "whole_date": whole, "cut_date": cut_dates[name],
             "full_html": _html(out, reports, name), "full_manifest": read_manifest(out),
             "inbox_digest": inbox_digest(read_csv_extract(out / REFERENCE_INBOX_FILE))}
    limited = run_scoped(small_inbox, YEAR, out, [name], instance=instance, storage=storage)
    assert limited.outcome.success, limited.outcome.failures
    assert limited.reused and limited.reference_run == full.run_id
    state["limited"] = limited
    state["reports"] = read_csv_extract(out / "reports.csv")
    state["limited_html"] = _html(out, state["reports"], name)
    state["limited_manifest"], state["limited_files"] = read_manifest(out), file_hashes(out)
    # The launchpad's filter: the whole year is computed, only the förbund's report is written and published.
    state["filtered"] = run_year(small_inbox, YEAR, out, instance=instance, forbund=[name], resources={
        "io_manager": {"config": {"base_dir": str(storage)}},
        "intermediate_io_manager": {"config": {"base_dir": str(storage / "intermediate")}}})
    assert state["filtered"].success, state["filtered"].failures
    state["filtered_html"] = _html(out, read_csv_extract(out / "reports.csv"), name)
    return state


@pytest.mark.slow
def test_the_limited_report_is_the_full_runs_but_for_the_sentence_naming_the_source(runs: dict) -> None:
    full, limited = runs["full_html"], runs["limited_html"]
    assert limited != full
    (source,) = SOURCE_SENTENCE.findall(limited)
    assert source == f"den fullständiga körningen av {YEAR} (inkorg {runs['inbox_digest'][:12]})"
    assert not SOURCE_SENTENCE.search(full)
    # Everything else, byte for byte: dates, report id, fingerprint, figures, the chapter's other sentences.
    assert SOURCE_SENTENCE.sub("", limited) == full


@pytest.mark.slow
def test_the_data_date_is_the_whole_inboxs_not_the_forbunds_rows(runs: dict) -> None:
    whole, cut = runs["whole_date"], runs["cut_date"]
    assert cut < whole
    for html in (runs["full_html"], runs["limited_html"]):
        assert f"<dt>Uppgifter per</dt>{_shown(whole)}" in html.replace("\n", "")
        assert f'name="dcterms.created" content="{whole.isoformat()}T00:00:00+00:00"' in html
        assert _shown(cut) not in html.split("<dt>Rapportår</dt>")[0]


@pytest.mark.slow
def test_run_json_names_the_full_run_and_the_limited_run_beside_it(runs: dict) -> None:
    name, full_id = runs["name"], runs["full"].run_id
    limited_id = runs["limited"].outcome.run_id
    manifest = runs["limited_manifest"]
    before = runs["full_manifest"]
    # The folder is still the full run's: its id, inbox, parameters and scope.
    for key in ("run_id", "started_at", "finished_at", "inbox_sha256", "inbox", "parameters", "scope", "complete"):
        assert manifest[key] == before[key], key
    assert manifest["run_id"] == full_id and manifest["scope"] == "alla" and manifest["complete"] is True
    (entry,) = manifest["limited_runs"]
    assert (entry["run_id"], entry["forbund"]) == (limited_id, [name])
    assert entry["started_at"] <= entry["finished_at"] and entry["inbox_sha256"] == before["inbox_sha256"]
    assert "inbox" not in entry and entry["set_aside"] == f"_avgransad/{limited_id}/"
    folder = before["reports"][name]["pdf"].split("/", 1)[0]
    assert "reports.csv" in entry["written"] and "reports.csv" not in manifest["carried_over"]
    assert {n for n in entry["written"] if n != "reports.csv"} == \
        {n for n in before["files"] if n.startswith(f"{folder}/")}
    # Every file's hash is what was on disk, reports.csv (rewritten by the limited run) included.
    assert manifest["files"] == runs["limited_files"]
    assert manifest["files"]["reports.csv"]["sha256"] != before["files"]["reports.csv"]["sha256"]
    row = runs["reports"].set_index("forbund").loc[name]
    assert row["pdf_sha256"] == manifest["files"][row["pdf"]]["sha256"] == manifest["reports"][name]["pdf_sha256"]
    others = [f for f in before["reports"] if f != name]
    assert others and all(manifest["reports"][f] == before["reports"][f] for f in others)


@pytest.mark.slow
def test_the_launchpads_filter_writes_the_full_runs_report_and_says_it_was_limited(runs: dict) -> None:
    # The whole year's data: its report compares as the full run's does, with no source sentence.
    assert runs["filtered_html"] == runs["full_html"]
    out, manifest = runs["out"], read_manifest(runs["out"])
    assert manifest["run_id"] == runs["full"].run_id
    assert [(e["run_id"], e["forbund"]) for e in manifest["limited_runs"]] == \
        [(runs["limited"].outcome.run_id, [runs["name"]]), (runs["filtered"].run_id, [runs["name"]])]
    assert manifest["files"] == file_hashes(out)


def test_only_a_run_whose_projects_are_its_forbund_is_cut() -> None:
    projects = pd.DataFrame({"forbund": ["A", "A", "B"]})
    assert not cut_to_scope(projects, [])  # no limit
    assert not cut_to_scope(projects, ["A"])  # the launchpad's filter on the whole year
    assert cut_to_scope(projects[projects["forbund"] == "A"], ["A"])  # samverkan run --forbund A
    assert cut_to_scope(projects, ["A", "B"])


def test_the_launchpad_says_the_filter_is_not_a_limited_rerun() -> None:
    from pipelines.resources import SamverkanSettings

    field = SamverkanSettings.to_config_schema().as_field().config_type.fields["forbund"]
    assert "Allt annat körs ändå för hela året" in field.description
    assert "samverkan run --forbund" in field.description


def test_the_data_date_asset_takes_the_latest_enrolment_exit_or_event() -> None:
    participants = pd.DataFrame({"enrolled_on": pd.to_datetime(["2024-01-10", "2024-03-01"]),
                                 "exited_on": pd.to_datetime(["2024-11-30", None])})
    events = pd.DataFrame({"date": pd.to_datetime(["2024-12-02", None])})
    assert inbox_data_date(participants, events).value["data_date"].tolist() == ["2024-12-02"]
    nothing = pd.DataFrame({"enrolled_on": pd.to_datetime([None])})
    assert inbox_data_date(nothing, pd.DataFrame()).value["data_date"].tolist() == [""]
