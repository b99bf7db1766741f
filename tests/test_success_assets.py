"""Success levels and prerequisite profiles through Dagster, the CLI flag, and the synthetic inbox."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest
from dagster import DagsterInstance, materialize

from assets.ingest import ingest_assets
from assets.ledger import ledger_contributions
from assets.success import prerequisite_profiles, success_levels
from pipelines.cli import build_parser
from samverkan.files import read_csv_extract
from samverkan.ingest import ingest_dataset
from samverkan.prerequisites import PREREQUISITES
from samverkan.prerequisites import prerequisite_profiles as profiles_core
from samverkan.success import DEFAULT_RULES_FILE, LEVEL_ORDER, SUCCESS_COLUMNS, classify, load_rules
from samverkan.synth import SynthSpec, synthesise, write_inbox

ROOT = Path(__file__).resolve().parents[1]


def materialise(inbox: Path, resources: dict) -> object:
    return materialize([*ingest_assets, ledger_contributions, success_levels, prerequisite_profiles],
                       partition_key="2024",
                       instance=DagsterInstance.ephemeral(), resources=resources, raise_on_error=False)


def test_materialise_success_levels_2024(tmp_path: Path, small_inbox: Path, pipeline_resources) -> None:
    result = materialise(small_inbox, pipeline_resources(small_inbox))
    assert result.success
    out = tmp_path / "out" / "2024"
    success = read_csv_extract(out / "success.csv", dtype={"level": "str"})
    assert success.columns.tolist() == SUCCESS_COLUMNS
    assert success["project_id"].is_unique and (success["year"] == 2024).all()
    assert set(success["level"]) <= set(LEVEL_ORDER)
    assert success["reasons"].str.len().gt(20).all()
    stored = result.output_for_node("success_levels")
    assert (stored["rules_version"] == "2026.2").all()
    # The members' effects come from the ledger's contributions: every project with leavers this year has them.
    contributions = result.output_for_node("ledger_contributions")
    with_effects = set(contributions.loc[contributions["kind"] == "effekt", "project_id"].astype(str))
    assert with_effects and with_effects <= set(stored.loc[stored["effect_fk_sek"].notna(), "project_id"])
    assert success["cost_shifting"].dtype == bool
    checks = result.get_asset_check_evaluations()
    assert [(c.check_name, c.passed) for c in checks if c.check_name == "one_level_per_project"] == [
        ("one_level_per_project", True)]
    metadata = result.asset_materializations_for_node("success_levels")[0].metadata
    assert metadata["rules_version"].value == "2026.2"
    assert "| skenbar | Skenbar framgång |" in metadata["levels"].value
    rules = read_csv_extract(out / "success_rules.csv").set_index("parameter")
    assert rules.loc["rules_version", "value"] == "2026.2"
    profiles = read_csv_extract(out / "prerequisites.csv")
    assert profiles.columns.tolist() == ["forbund", "project_id", "year", "criterion", "name", "score", "comment"]
    assert (profiles.groupby("project_id").size() == 12).all() and len(profiles) > 0
    assert set(profiles["name"]) == set(PREREQUISITES.values())


def test_another_rules_file_is_used_and_a_broken_one_fails(tmp_path: Path, small_inbox: Path,
                                                           pipeline_resources) -> None:
    text = DEFAULT_RULES_FILE.read_text(encoding="utf-8")
    lenient = tmp_path / "mild.yaml"
    lenient.write_text(text.replace('version: "2026.2"', 'version: "mild-1"').replace("min_exits: 20", "min_exits: 1"),
                       encoding="utf-8")
    # p0 lives in the parameters file, read by the ledger and the levels alike.
    from samverkan.ledger.parameters import default_parameters_file
    low_p0 = tmp_path / "parameters.yaml"
    low_p0.write_text(default_parameters_file().read_text(encoding="utf-8").replace(
        "work_or_studies:\n    value: 0.18\n    low: 0.10", "work_or_studies:\n    value: 0.01\n    low: 0.0"),
        encoding="utf-8")
    result = materialise(small_inbox, pipeline_resources(small_inbox, rules_file=str(lenient),
                                                         parameters_file=str(low_p0)))
    assert result.success
    stored = result.output_for_node("success_levels")
    assert stored["rules_version"].str.startswith("mild-1+").all()
    default = classify(*(result.output_for_node(f"ingest_{n}", n) for n in ("projects", "participants",
                                                                           "project_events")), 2024, load_rules())
    assert (stored["level"] == "skenbar").sum() < (default["level"] == "skenbar").sum()

    broken = tmp_path / "trasig.yaml"
    broken.write_text("outcome:\n  min_exits: tjugo\n", encoding="utf-8")
    result = materialise(small_inbox, pipeline_resources(small_inbox, rules_file=str(broken)))
    assert not result.success
    # The run's first steps check its files (assets/run_files.py): the ingest fails, and nothing is materialised.
    failure = next(e for e in result.all_events if e.is_step_failure and e.step_key == "ingest_projects")
    assert "outcome.min_exits: ska vara ett heltal" in str(failure.event_specific_data)
    assert not [e for e in result.all_events if e.is_step_materialization]


def test_cli_refuses_an_invalid_rules_file_before_running(tmp_path: Path, capsys) -> None:
    bad = tmp_path / "fel.yaml"
    bad.write_text(DEFAULT_RULES_FILE.read_text(encoding="utf-8").replace("test: wilson", "test: wald"),
                   encoding="utf-8")
    from pipelines.cli import main

    assert main(["run", "--inbox", ".", "--year", "2024", "--out", "o", "--rules", str(bad)]) == 2
    assert "outcome.test: ska vara ett av wilson" in capsys.readouterr().err
    args = build_parser().parse_args(["run", "--inbox", ".", "--year", "2024", "--out", "o", "--rules",
                                      str(DEFAULT_RULES_FILE)])
    assert args.rules_file == str(DEFAULT_RULES_FILE)


def test_profiles_fill_unscored_criteria_and_keep_the_first_duplicate() -> None:
    projects = pd.DataFrame({"project_id": ["A", "B"], "forbund": ["F", "F"]})
    assessments = pd.DataFrame({
        "project_id": ["A", "A", "A", "B", "Z"], "year": pd.array([2024, 2024, 2024, 2023, 2024], dtype="Int64"),
        "criterion": pd.array([4, 12, 4, 1, 1], dtype="Int64"), "score": pd.array([1, 3, 2, 0, 3], dtype="Int64"),
        "comment": ["först", "eldsjäl", "rättad", "förra året", "okänt projekt"],
        "source_file": ["a.csv"] * 5, "source_row": [2, 3, 4, 5, 6],
    })
    profile = profiles_core(assessments, projects, 2024)
    assert len(profile) == 12 and set(profile["project_id"]) == {"A"}
    row = profile.set_index("criterion")
    assert row.loc[4, "score"] == 1 and row.loc[4, "comment"] == "först"
    assert row.loc[12, "name"] == "Eldsjälar" and row.loc[12, "score"] == 3
    assert pd.isna(row.loc[1, "score"]) and row.loc[1, "comment"] == "Ej bedömd"
    assert row.loc[1, "name"] == "Högsta ledningen driver samverkan"


@pytest.mark.slow
def test_every_level_occurs_on_the_synthetic_inbox(tmp_path: Path) -> None:
    frames, errors = synthesise(SynthSpec(forbund=6, participants_per_year=800, seed=11))
    write_inbox(frames, errors, tmp_path)
    projects = ingest_dataset(tmp_path, "projects").accepted
    known = projects["project_id"]
    people = ingest_dataset(tmp_path, "participants", known).accepted
    events = ingest_dataset(tmp_path, "project_events", known).accepted
    for year in (2022, 2024):
        levels = classify(projects, people, events, year, load_rules())["level"]
        assert set(levels) == set(LEVEL_ORDER), (year, levels.value_counts().to_dict())
    first = classify(projects, people, events, 2024, load_rules())
    pd.testing.assert_frame_equal(first, classify(projects, people, events, 2024, load_rules()))


@pytest.mark.slow
def test_samverkan_run_with_rules(tmp_path: Path, small_inbox: Path) -> None:
    strict = tmp_path / "strikt.yaml"
    strict.write_text(DEFAULT_RULES_FILE.read_text(encoding="utf-8").replace('version: "2026.2"', 'version: "s-2"')
                      .replace("min_exits: 20", "min_exits: 100000"), encoding="utf-8")
    env = {"DAGSTER_HOME": str(tmp_path / "home"), "SAMVERKAN_STORAGE": str(tmp_path / "storage"),
           "PATH": "/usr/bin:/bin", "HOME": str(tmp_path)}
    out = tmp_path / "out"
    command = [str(Path(sys.executable).parent / "samverkan"), "run", "--inbox", str(small_inbox), "--year", "2024",
               "--out", str(out), "--rules", str(strict), "--in-process"]
    done = subprocess.run(command, cwd=ROOT, env=env, capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stderr
    success = read_csv_extract(out / "success.csv", dtype={"level": "str"})
    # Nobody reaches 100 000 exits: no level rests on outcomes, so none is "1" without a method.
    assert "de 100000 som krävs" in " ".join(success["reasons"])
    rules = read_csv_extract(out / "success_rules.csv").set_index("parameter")
    assert rules.loc["rules_version", "value"].startswith("s-2+")
