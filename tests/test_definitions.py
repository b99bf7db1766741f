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
    # The run's own config wins over the environment.
    config = multiprocess_config({"workers": 2, "render_slots": 1})
    assert config["max_concurrent"] == 2 and config["tag_concurrency_limits"][0]["limit"] == 1
    monkeypatch.setenv("SAMVERKAN_WORKERS", "")
    assert worker_count() >= 2  # the cores plus one
    monkeypatch.setenv("SAMVERKAN_RENDER_SLOTS", "två")
    with pytest.raises(ValueError, match="SAMVERKAN_RENDER_SLOTS ska vara ett heltal"):
        render_slots()
    with pytest.raises(ValueError, match="negativt"):
        worker_count(-1)


def test_executor_settings_are_resolved_when_a_run_starts(monkeypatch) -> None:
    """The definitions are already loaded (top of this file); what the environment and the run config say when a
    run starts is what the executor gets."""
    from dagster._core.system_config.objects import ResolvedRunConfig

    job = defs.resolve_job_def("samverkansbokslut")
    assert job.executor_def.name == "samverkan_multiprocess"
    monkeypatch.setenv("SAMVERKAN_WORKERS", "7")
    monkeypatch.setenv("SAMVERKAN_RENDER_SLOTS", "2")
    config = ResolvedRunConfig.build(job, {}).execution.execution_engine_config
    assert config["max_concurrent"] == 7 and config["tag_concurrency_limits"][0]["limit"] == 2
    config = ResolvedRunConfig.build(job, {"execution": {"config": {"workers": 3}}}).execution.execution_engine_config
    assert config["max_concurrent"] == 3 and config["tag_concurrency_limits"][0]["limit"] == 2
    assert config["start_method"]["forkserver"]["preload_modules"][-1] == "pipelines.warm"


def test_deployment_settings_are_env_vars_resolved_at_launch(monkeypatch) -> None:
    from dagster import asset, materialize

    from pipelines.resources import SamverkanSettings, deployment_settings

    @asset
    def where(settings: SamverkanSettings) -> tuple[str, str, str]:
        return settings.inbox_dir, settings.out_dir, settings.pdf_variant

    monkeypatch.delenv("SAMVERKAN_INBOX", raising=False)
    resource = deployment_settings({"SAMVERKAN_OUT": "/data/out/{year}", "SAMVERKAN_INBOX": ""})
    monkeypatch.setenv("SAMVERKAN_OUT", "/srv/ut/{year}")  # after the definitions were built: launch time counts
    result = materialize([where], resources={"settings": resource})
    assert result.output_for_node("where") == ("var/demo-inbox", "/srv/ut/{year}", "pdf/ua-1")
    overridden = materialize([where], resources={"settings": resource},
                             run_config={"resources": {"settings": {"config": {"out_dir": "ut/{year}"}}}})
    assert overridden.output_for_node("where")[1] == "ut/{year}"


def test_asset_modules_import_whatever_the_executor_setting() -> None:
    """Importing an asset module builds no executor: with ``SAMVERKAN_EXECUTOR=k8s`` and no dagster-k8s, the
    assets import, and only loading the definitions fails, saying in Swedish what is missing."""
    script = (
        "import os, sys\n"
        "os.environ['SAMVERKAN_EXECUTOR'] = 'k8s'\n"
        "sys.modules['dagster_k8s'] = None  # as if not installed\n"
        "import assets.flow, assets.ingest, assets.ledger, assets.quality, assets.report, assets.success\n"
        "import pipelines.jobs\n"
        "try:\n"
        "    import pipelines.definitions\n"
        "except ImportError as exc:\n"
        "    print(exc)\n"
    )
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=300, cwd=ROOT)
    assert done.returncode == 0, done.stderr[-2000:]
    assert "kräver paketet dagster-k8s" in done.stdout


def test_every_forkserver_preload_module_imports() -> None:
    """The forkserver skips a preload module that fails to import: a renamed one would just slow every step.

    In a fresh interpreter, as the forkserver does it: the last module prepares the process (pipelines/runtime.py),
    which the test process should not inherit."""
    from pipelines.preload import preload_modules

    modules = preload_modules()
    assert modules[-1] == "pipelines.warm"
    script = (
        "import gc, importlib, sys\n"
        f"for name in {modules!r}:\n"
        "    importlib.import_module(name)\n"
        "from pipelines.run import samverkansbokslut_job_def\n"
        "from pipelines.runtime import STEP_COLLECTOR_THRESHOLDS\n"
        "from reports.render import report_stylesheet, report_template\n"
        "assert report_template.cache_info().currsize == 1 and report_stylesheet.cache_info().currsize == 1\n"
        "frozen = gc.get_freeze_count()\n"
        "assert frozen > 100_000, frozen\n"
        "assert gc.get_threshold() == STEP_COLLECTOR_THRESHOLDS, gc.get_threshold()\n"
        "print(samverkansbokslut_job_def().name)\n"
    )
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr[-2000:]
    assert done.stdout.strip() == "samverkansbokslut"


def test_postgres_instances_preload_their_storage(monkeypatch) -> None:
    from pipelines.preload import PRELOAD, preload_modules

    monkeypatch.setenv("SAMVERKAN_INSTANCE", "postgres")
    assert preload_modules() == [*PRELOAD, "dagster_postgres", "pipelines.warm"]
    monkeypatch.setenv("SAMVERKAN_INSTANCE", "")
    assert preload_modules() == [*PRELOAD, "pipelines.warm"]


def test_no_early_forkserver_on_another_dagster(monkeypatch) -> None:
    import importlib.metadata
    import multiprocessing.forkserver

    from pipelines.preload import start_step_forkserver

    monkeypatch.setattr(importlib.metadata, "version", lambda name: "1.14.0")
    before = multiprocessing.forkserver._forkserver._forkserver_pid
    assert start_step_forkserver() is False
    assert multiprocessing.forkserver._forkserver._forkserver_pid == before


def test_the_command_line_starts_the_forkserver_the_executor_would(tmp_path: Path) -> None:
    """``samverkan run`` starts the forkserver before importing the pipeline (pipelines/preload.py). The
    executor then reuses it whatever list it would have given, so the lists must be the same, and a process
    forked from it must find the pipeline loaded and the instance's home in its environment."""
    import importlib.metadata
    import inspect

    from dagster._core.executor.multiprocess import MultiprocessExecutor

    from pipelines.jobs import multiprocess_config
    from pipelines.preload import DAGSTER_READ, EXECUTOR_MODULE, forkserver_preload, preload_modules

    # The rule copied, on the Dagster release it was read from (the early start stays off on any other).
    assert importlib.metadata.version("dagster").startswith(DAGSTER_READ)
    executor_source = inspect.getsource(MultiprocessExecutor.execute)
    assert f'preload = ["{EXECUTOR_MODULE}", *preload]' in executor_source  # Dagster's own prefix
    assert multiprocess_config()["start_method"]["forkserver"]["preload_modules"] == preload_modules()
    assert forkserver_preload() == [EXECUTOR_MODULE, *preload_modules()]
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
