"""A scenario never takes a folder the official year's publishing uses or may use, and the official year never
takes a scenario's folder for one of its versions (issue 19, items 1 and 2); every output folder a scenario
used goes when it is deleted, and a refused run registers nothing. Hand-made folders, no year is run."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest
from dagster import DagsterInstance

from pipelines.cli import main
from pipelines.scenarios import delete_scenario, list_scenarios, scenario_home
from samverkan.files import write_csv_atomic
from samverkan.manifest import DONE, SCENARIO, read_manifest, write_manifest
from samverkan.publish import (
    AdoptError,
    adopt,
    adopt_command,
    ensure_staging,
    latest_version,
    publish,
    target_version,
    version_folder,
    versions,
)
from samverkan.scenario import ScenarioError, ScenarioRecord, check_out, read_record, write_record

LEDGER = ["forbund", "project_id", "actor", "investment_sek", "effect_pv_sek", "net_sek", "return_ratio"]


def _published(published: Path, run_id: str, scope: list[str] | None = None, scenario: str = "") -> Path:
    staging = ensure_staging(published, run_id, run_id, 2024, "alla" if scope is None else "urval", scenario)
    write_csv_atomic(pd.DataFrame([["Förbund A", "ALL", "Summa", 100.0, 150.0, 50.0, 1.5]], columns=LEDGER),
                     staging / "ledger.csv")
    return publish(staging, published, run_id, scope=scope, complete=scope is None).folder


def _what_if(folder: Path, name: str = "ranta-3") -> Path:
    """A folder a scenario wrote at a version's name (as ``--out out/2024-v3`` could before it was refused)."""
    folder.mkdir(parents=True)
    write_manifest(folder, {"status": DONE, SCENARIO: name, "run_id": "s1", "complete": True, "version": 1})
    return folder


def test_every_name_official_publishing_gives_the_year_is_refused_as_a_scenario_folder(tmp_path: Path) -> None:
    out = tmp_path / "out"
    officials = [out / "2024", out / "2024-v2"]
    for bad in ("2024-v3", "2024-v17/a", "2024.korning-x", "2024/_tidigare/r1", "2024-v2/_avgransad",
                ".2024.ersatt-r2", "2024-v9.korning-abc"):
        with pytest.raises(ScenarioError, match="officiella året") as refused:
            check_out(out / bad, officials)
        assert "\n" not in str(refused.value)
    # The year's staging folder as the newest official folder still protects the year's versions.
    with pytest.raises(ScenarioError):
        check_out(out / "2024-v3", [out / "2024.korning-abc"])
    for good in ("scenarios/ranta-3/2024", "2024-ranta", "2023-v2", "ranta/2024-v3"):
        check_out(out / good, officials)


def test_a_scenarios_run_json_names_it_and_an_official_one_does_not(tmp_path: Path) -> None:
    official = _published(tmp_path / "out" / "2024", "r1")
    assert SCENARIO not in read_manifest(official)
    mine = _published(tmp_path / "out" / "scenarios" / "ranta-3" / "2024", "s1", scenario="ranta-3")
    assert read_manifest(mine)[SCENARIO] == "ranta-3"
    # The scenario's own lineage is its versions: a second run replaces its folder, as the official year's would.
    assert versions(mine) == [mine] and _published(mine, "s2", scenario="ranta-3") == mine


def test_a_what_if_at_a_version_name_is_no_version_and_adopt_passes_it_over(tmp_path: Path) -> None:
    published = tmp_path / "out" / "2024"
    _published(published, "r1")
    adopt(published)
    second = _published(published, "r2")
    what_if = _what_if(version_folder(published, 3))

    assert versions(published) == [published, second]
    assert latest_version(published) == second  # the report reuse (assets/report.py) reads this one
    lines = adopt_command(str(published), 2024)
    assert read_manifest(second)["adopted"] and not read_manifest(what_if).get("adopted")
    assert f"hoppade över {what_if}: scenariot ranta-3:s utdata" in lines[-1]
    # The next official run writes version 4: it never replaces the what-if nor compares with it.
    assert target_version(published) == (version_folder(published, 4), 4)
    fourth = _published(published, "r4")
    assert fourth == version_folder(published, 4)
    assert read_manifest(fourth)["based_on"] == {"folder": "2024-v2", "run_id": "r2"}
    assert read_manifest(what_if)["run_id"] == "s1"


def test_a_scenarios_own_folder_is_never_adopted(tmp_path: Path) -> None:
    mine = _what_if(tmp_path / "out" / "scenarios" / "ranta-3" / "2024")
    with pytest.raises(AdoptError, match="scenariot ranta-3:s utdata, inte det officiella årets"):
        adopt(mine)
    assert not read_manifest(mine).get("adopted")


def test_a_run_limited_to_some_forbund_is_refused_adoption_naming_the_run(tmp_path: Path) -> None:
    published = tmp_path / "out" / "2024"
    _published(published, "r7", scope=["Förbund A"])
    assert read_manifest(published)["complete"] is False
    with pytest.raises(AdoptError, match="körning r7, avgränsad till Förbund A, och kan inte fastställas"):
        adopt(published)
    assert not read_manifest(published).get("adopted")
    _published(published, "r8")  # a complete run of the year replaces it, and that one is adopted
    assert adopt(published)[1]["run_id"] == "r8"


def test_a_record_keeps_every_output_folder_and_reads_an_old_single_one(tmp_path: Path) -> None:
    record = ScenarioRecord(name="r", created="2026-12-01T00:00:00+00:00")
    for out in ("a/2024", "b/2024", "a/2024"):
        record.add_output(2024, Path(out))
    assert record.outputs == {"2024": ["a/2024", "b/2024"]}
    (tmp_path / "scenario.json").write_text(json.dumps({"name": "r", "outputs": {"2024": "old/2024"}}),
                                            encoding="utf-8")
    assert read_record(tmp_path).outputs == {"2024": ["old/2024"]}


def test_deleting_a_scenario_removes_every_folder_it_used_never_an_official_one(tmp_path: Path) -> None:
    official = DagsterInstance.ephemeral(tempdir=str(tmp_path / "home"))
    out = tmp_path / "out"
    first, second, older = out / "scenarios" / "r" / "2024", tmp_path / "elsewhere" / "2024", out / "r" / "2023"
    year_folder = out / "2024-v2"  # listed by a hand-edited record: an official name is never removed
    for folder in (first, second, older, year_folder):
        folder.mkdir(parents=True)
    home = scenario_home("r", Path(official.root_directory))
    record = ScenarioRecord(name="r", created="2026-12-01T00:00:00+00:00",
                            outputs={"2024": [str(first), str(second), str(year_folder)], "2023": [str(older)]})
    write_record(home, record)
    removed = delete_scenario("r", official, official_out=str(out / "{year}"))
    assert removed == [older, first, second, home]
    assert not any(path.exists() for path in removed) and year_folder.is_dir()


def test_a_refused_run_registers_no_scenario(tmp_path: Path, monkeypatch, capsys) -> None:
    monkeypatch.setenv("DAGSTER_HOME", str(tmp_path / "home"))
    monkeypatch.delenv("SAMVERKAN_INSTANCE", raising=False)
    assert main(["run", "--inbox", str(tmp_path / "finns-inte"), "--year", "2024", "--scenario", "r"]) == 2
    assert "inkorgen" in capsys.readouterr().err
    (tmp_path / "inbox").mkdir()
    assert main(["run", "--inbox", str(tmp_path / "inbox"), "--year", "1850", "--scenario", "r"]) == 2
    assert list_scenarios(tmp_path / "home") == []
    assert not (tmp_path / "home" / "scenarios" / "r" / "scenario.json").exists()


def test_a_scenario_command_leaves_the_callers_environment_as_it_was(tmp_path: Path, monkeypatch) -> None:
    """The scenario's Great Expectations folder is set for the step processes a command starts; a caller in the
    same process (a test, a notebook) must not go on writing its results there."""
    import os

    from pipelines.cli import main
    from pipelines.gx.context import RESULTS_VARIABLE

    monkeypatch.setenv("DAGSTER_HOME", str(tmp_path / "home"))
    monkeypatch.delenv(RESULTS_VARIABLE, raising=False)
    missing = str(tmp_path / "no-inbox")
    assert main(["backfill", "--inbox", missing, "--years", "2023-2024", "--scenario", "x", "--in-process"]) == 2
    assert main(["run", "--inbox", missing, "--year", "2024", "--scenario", "x", "--in-process"]) == 2
    assert RESULTS_VARIABLE not in os.environ
