"""``samverkan run --forbund`` (issue 19 item 5): the year for one förbund after a full run, through Dagster."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from dagster import DagsterInstance

from pipelines.cli import main
from pipelines.run import run_year
from pipelines.scope import SCOPE_TAG, run_scoped
from samverkan.files import read_csv_extract
from samverkan.national_reference import REFERENCE_FILE
from samverkan.scope import ScopeError


def test_an_unknown_forbund_exits_2_with_the_known_names(tmp_path: Path, small_inbox: Path, capsys) -> None:
    code = main(["run", "--inbox", str(small_inbox), "--year", "2024", "--out", str(tmp_path / "out"),
                 "--forbund", "Finsam Gotland"])
    assert code == 2
    line = capsys.readouterr().err.strip()
    assert line.startswith("fel: förbundet 'Finsam Gotland' finns inte i årets insatser") and "\n" not in line
    assert "Kända förbund: Samordningsförbundet " in line and not (tmp_path / "out").exists()


@pytest.mark.slow
def test_a_one_forbund_rerun_reuses_the_validation_and_leaves_the_official_files(tmp_path: Path,
                                                                                  small_inbox: Path) -> None:
    inbox = tmp_path / "inbox"
    shutil.copytree(small_inbox, inbox)
    storage = tmp_path / "storage"
    instance = DagsterInstance.ephemeral()
    full = run_year(inbox, 2024, tmp_path / "full", instance=instance, resources={
        "io_manager": {"config": {"base_dir": str(storage)}},
        "intermediate_io_manager": {"config": {"base_dir": str(storage / "intermediate")}}})
    assert full.success, full.failures
    official = {p: p.read_bytes() for p in storage.glob("*/2024.parquet")}
    every = read_csv_extract(tmp_path / "full" / REFERENCE_FILE)["forbund"].tolist()
    assert len(every) == 2
    name = every[1]

    one = run_scoped(inbox, 2024, tmp_path / "one", [name], instance=instance, storage=storage)
    assert one.outcome.success, one.outcome.failures
    assert one.reused and one.validation is None and one.reference_run == full.run_id
    assert instance.get_run_by_id(one.outcome.run_id).tags[SCOPE_TAG] == name
    assert read_csv_extract(tmp_path / "one" / "reports.csv")["forbund"].tolist() == [name]
    # The förbund's ledger is the full run's, row for row; the official stored files are untouched.
    mine = read_csv_extract(tmp_path / "full" / "ledger.csv")
    mine = mine[mine["forbund"] == name].reset_index(drop=True)
    assert read_csv_extract(tmp_path / "one" / "ledger.csv").equals(mine)
    # So are its Monte Carlo figures: each project draws from its own stream (samverkan/ledger/uncertainty.py).
    drawn = read_csv_extract(tmp_path / "full" / "ledger_uncertainty.csv")
    drawn = drawn[drawn["forbund"] == name].reset_index(drop=True)
    assert read_csv_extract(tmp_path / "one" / "ledger_uncertainty.csv").equals(drawn)
    assert {p: p.read_bytes() for p in storage.glob("*/2024.parquet")} == official
    html = next((tmp_path / "one").rglob("*.html")).read_text(encoding="utf-8")
    assert "den fullständiga körningen av 2024 (inkorg " in html
    assert not (tmp_path / "one" / REFERENCE_FILE).exists()  # a limited run is no national reference

    # A renamed file is another inbox: the whole inbox is validated first, then the same cut; the next rerun on
    # that inbox reuses that validation.
    (inbox / "project_costs.csv").rename(inbox / "project_costs_2024.csv")
    changed = run_scoped(inbox, 2024, tmp_path / "two", [name], instance=instance, storage=storage)
    assert changed.outcome.success and not changed.reused and changed.validation.success
    assert changed.reference_run == full.run_id
    again = run_scoped(inbox, 2024, tmp_path / "three", [name], instance=instance, storage=storage)
    assert again.outcome.success and again.reused

    # Into the official folder: only the förbund's report folder and its row of reports.csv are replaced; the
    # national extracts stay the full run's and the limited run's own lie in _avgransad/<run id>/.
    national = (tmp_path / "full" / "ledger.csv").read_bytes()
    into = run_scoped(inbox, 2024, tmp_path / "full", [name], instance=instance, storage=storage)
    assert into.outcome.success, into.outcome.failures
    assert (tmp_path / "full" / "ledger.csv").read_bytes() == national
    assert sorted(read_csv_extract(tmp_path / "full" / "reports.csv")["forbund"]) == sorted(every)
    assert (tmp_path / "full" / "_avgransad" / into.outcome.run_id / "ledger.csv").is_file()
    manifest = json.loads((tmp_path / "full" / "run.json").read_text(encoding="utf-8"))
    assert manifest["run_id"] == full.run_id and manifest["limited_runs"][-1]["forbund"] == [name]
    assert sorted(manifest["reports"]) == sorted(every)

    # Other expectations than the stored validation's validate the same inbox otherwise: it is validated again.
    suites = tmp_path / "expectations"
    shutil.copytree(Path(__file__).parents[1] / "expectations", suites, ignore=shutil.ignore_patterns("uncommitted"))
    other_suites = run_scoped(inbox, 2024, tmp_path / "six", [name], instance=instance, storage=storage,
                              expectations_dir=str(suites))
    assert other_suites.outcome.success and not other_suites.reused and other_suites.validation.success

    # Other parameter files than the full run's: refused before anything runs (a what-if is a scenario).
    other = tmp_path / "ranta.yaml"
    other.write_text("discount_rate:\n  value: 0.03\n", encoding="utf-8")
    with pytest.raises(ScopeError, match="samma filer för parametrar"):
        run_scoped(inbox, 2024, tmp_path / "four", [name], instance=instance, storage=storage,
                   parameters_file=str(other))

    # A validation that the data gate stopped stored its datasets too: they are never reused.
    for events in inbox.glob("project_events*"):
        events.unlink()
    (inbox / "project_events.csv").write_text("project_id;date;kind\nP-X;inte ett datum;x\nP-Y;igår;y\n",
                                              encoding="utf-8")
    stopped = run_scoped(inbox, 2024, tmp_path / "five", [name], instance=instance, storage=storage)
    assert not stopped.outcome.success and stopped.validation is not None
    retried = run_scoped(inbox, 2024, tmp_path / "five", [name], instance=instance, storage=storage)
    assert not retried.reused and not retried.outcome.success
