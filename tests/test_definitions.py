import os
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


def test_render_steps_are_limited_by_the_executor_as_well_as_by_the_pool(monkeypatch) -> None:
    from pipelines.jobs import RENDER_TAG, multiprocess_config, render_slots, worker_count

    job = defs.resolve_job_def("samverkansbokslut")
    render = job.graph.node_named("samverkansbokslut_reports").definition.node_named("render_forbund").definition
    assert render.pool == "pdf_render" and render.tags[RENDER_TAG] == "pdf"
    monkeypatch.setenv("SAMVERKAN_RENDER_SLOTS", "3")
    monkeypatch.setenv("SAMVERKAN_WORKERS", "5")
    config = multiprocess_config()
    assert config["max_concurrent"] == 5 == worker_count()
    assert config["tag_concurrency_limits"] == [{"key": RENDER_TAG, "value": "pdf", "limit": 3}] and render_slots() == 3
    monkeypatch.setenv("SAMVERKAN_WORKERS", "")
    assert worker_count() >= 2  # the cores plus one
    monkeypatch.setenv("SAMVERKAN_RENDER_SLOTS", "två")
    with pytest.raises(ValueError, match="SAMVERKAN_RENDER_SLOTS ska vara ett heltal"):
        render_slots()


def test_every_forkserver_preload_module_imports() -> None:
    """The forkserver skips a preload module that fails to import: a renamed one would just slow every step.

    In a fresh interpreter, as the forkserver does it: the last module freezes the heap, which the test
    process should not inherit."""
    import subprocess
    import sys

    from pipelines.jobs import PRELOAD

    assert PRELOAD[-1] == "pipelines.warm"
    script = (
        "import gc, importlib, sys\n"
        f"for name in {PRELOAD!r}:\n"
        "    importlib.import_module(name)\n"
        "from pipelines.run import samverkansbokslut_job_def\n"
        "from reports.render import report_template\n"
        "assert report_template.cache_info().currsize == 1\n"
        "frozen = gc.get_freeze_count()\n"
        "assert frozen > 100_000, frozen\n"
        "from reports.render import warm_up\n"
        "warm_up()  # a render in a process forked from here leaves the preloaded heap frozen\n"
        "assert gc.get_freeze_count() >= frozen, (gc.get_freeze_count(), frozen)\n"
        "print(samverkansbokslut_job_def().name)\n"
    )
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr[-2000:]
    assert done.stdout.strip() == "samverkansbokslut"


def test_the_command_line_starts_the_forkserver_the_executor_would(tmp_path: Path) -> None:
    """``samverkan run`` starts the forkserver before importing the pipeline (pipelines/preload.py). The
    executor then reuses it whatever list it would have given, so the lists must be the same, and a process
    forked from it must find the pipeline loaded and the instance's home in its environment."""
    import inspect

    from dagster._core.executor.multiprocess import MultiprocessExecutor

    from pipelines.jobs import multiprocess_config
    from pipelines.preload import EXECUTOR_MODULE, PRELOAD, forkserver_preload

    executor_source = inspect.getsource(MultiprocessExecutor.execute)
    assert f'preload = ["{EXECUTOR_MODULE}", *preload]' in executor_source  # Dagster's own prefix
    assert multiprocess_config()["start_method"]["forkserver"]["preload_modules"] is PRELOAD
    assert forkserver_preload() == [EXECUTOR_MODULE, *PRELOAD]
    script = (
        "import multiprocessing, os, sys\n"
        "def child(queue):\n"
        "    queue.put(('pipelines.warm' in sys.modules, os.environ.get('DAGSTER_HOME', '')))\n"
        "if __name__ == '__main__':\n"
        "    os.environ.pop('DAGSTER_HOME', None)\n"
        "    from pipelines.preload import start_step_forkserver\n"
        "    assert 'dagster' not in sys.modules\n"
        "    assert start_step_forkserver()\n"
        "    assert 'dagster' not in sys.modules\n"
        "    context = multiprocessing.get_context('forkserver')\n"
        "    queue = context.Queue()\n"
        "    process = context.Process(target=child, args=(queue,))\n"
        "    process.start()\n"
        "    loaded, home = queue.get(timeout=120)\n"
        "    process.join()\n"
        "    assert loaded and home == os.environ['DAGSTER_HOME'], (loaded, home)\n"
        "    print('ok')\n"
    )
    # A file, not -c: the forked child imports the script's main module to find ``child``.
    (tmp_path / "early.py").write_text(script, encoding="utf-8")
    root = Path(__file__).resolve().parents[1]
    done = subprocess.run([sys.executable, str(tmp_path / "early.py")], capture_output=True, text=True, timeout=300,
                          cwd=root, env={**os.environ, "PYTHONPATH": str(root)})
    assert done.returncode == 0, done.stderr[-2000:]
    assert done.stdout.strip() == "ok"
