import subprocess
import sys
from pathlib import Path

import pytest
from dagster import AssetKey

from pipelines.definitions import defs
from pipelines.partitions import yearly_partitions

ROOT = Path(__file__).resolve().parents[1]
GRAPH = defs.resolve_asset_graph()


def test_ingest_and_flow_assets_are_wired() -> None:
    keys = {k.to_user_string() for k in GRAPH.get_all_asset_keys()}
    for dataset in ("projects", "project_costs", "participants", "project_events"):
        assert {dataset, f"{dataset}_quarantine"} <= keys
    assert GRAPH.get(AssetKey("participant_flow")).parent_keys >= {AssetKey("participants"), AssetKey("projects")}
    assert AssetKey("projects") in GRAPH.get(AssetKey("participants")).parent_keys


def test_every_asset_is_partitioned_by_year() -> None:
    for key in GRAPH.get_all_asset_keys():
        assert GRAPH.get(key).partitions_def == yearly_partitions, key.to_user_string()


def test_partitions_are_complete_years_from_2018() -> None:
    keys = yearly_partitions.get_partition_keys()
    assert keys[0] == "2018"
    assert all(b == str(int(a) + 1) for a, b in zip(keys, keys[1:], strict=False))


def test_the_job_covers_the_graph() -> None:
    job = defs.resolve_job_def("samverkansbokslut")
    assert job.partitions_def == yearly_partitions


@pytest.mark.slow
def test_dagster_cli_validates_the_code_location(tmp_path: Path) -> None:
    result = subprocess.run(
        [str(Path(sys.executable).parent / "dagster"), "definitions", "validate", "-m", "pipelines.definitions"],
        cwd=ROOT, capture_output=True, text=True, env={"DAGSTER_HOME": str(tmp_path), "PATH": "/usr/bin:/bin"},
        timeout=300,
    )
    assert result.returncode == 0, result.stdout + result.stderr
