"""One instance file for every entry point: the environment picks SQLite or PostgreSQL when Dagster loads it.

`dagster instance info` runs as a subprocess, as an operator would run it, from a
fresh DAGSTER_HOME that holds only the repository's dagster.yaml; every other Dagster
command (dagster dev, dg dev, dagster-webserver, dagster-daemon run) loads the
instance through the same DagsterInstance.get() and so gets the same storage.
"""

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import sqlalchemy as sa
import yaml
from pgcluster import Cluster

from pipelines import instance

ROOT = Path(__file__).resolve().parents[1]
DAGSTER = Path(sys.executable).with_name("dagster")
SAMVERKAN_VARS = ("SAMVERKAN_INSTANCE", "DAGSTER_PG_HOST", "DAGSTER_PG_PORT", "DAGSTER_PG_DB",
                  "DAGSTER_PG_USERNAME", "DAGSTER_PG_PASSWORD")


def _fresh_home(path: Path, config: str | None = None) -> Path:
    path.mkdir(parents=True)
    (path / "dagster.yaml").write_text(config or (ROOT / "dagster.yaml").read_text(encoding="utf-8"),
                                       encoding="utf-8")
    return path


def _instance_info(home: Path, **extra: str) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if k not in SAMVERKAN_VARS}
    env.update(DAGSTER_HOME=str(home), **extra)
    return subprocess.run([str(DAGSTER), "instance", "info"], cwd=home, env=env, capture_output=True,
                          text=True, timeout=120)


def _storage_lines(info: str) -> list[str]:
    return [line for line in info.splitlines()
            if line.split(":")[0] in ("run_storage", "event_log_storage", "schedule_storage")]


def test_without_the_variable_storage_is_sqlite_exactly_as_without_a_storage_section(tmp_path: Path) -> None:
    """The default is Dagster's own embedded SQLite in DAGSTER_HOME, the same as before the custom storage."""
    ours = _instance_info(_fresh_home(tmp_path / "ours"))
    assert ours.returncode == 0, ours.stderr[-3000:]
    # Dagster's SQLite storages; the event log is Dagster's own class keeping its engines (same files, same SQL).
    assert _storage_lines(ours.stdout) == ["run_storage: SqliteRunStorage",
                                           "event_log_storage: EngineKeepingEventLog",
                                           "schedule_storage: SqliteScheduleStorage"]
    assert (tmp_path / "ours" / "history" / "runs.db").exists()
    assert (tmp_path / "ours" / "schedules" / "schedules.db").exists()

    # The committed file without its storage section is what Dagster did before: same storages, same files.
    plain = "\n".join(line for line in (ROOT / "dagster.yaml").read_text(encoding="utf-8").splitlines()
                      if not line.startswith(("storage:", "  custom:", "    module:", "    class:", "    config:")))
    before = _instance_info(_fresh_home(tmp_path / "before", plain))
    assert before.returncode == 0, before.stderr[-3000:]
    assert "custom" not in plain
    assert [line.replace("EngineKeepingEventLog", "SqliteEventLogStorage") for line in _storage_lines(ours.stdout)] \
        == _storage_lines(before.stdout)
    files = {p.relative_to(tmp_path / "before") for p in (tmp_path / "before").rglob("*.db")}
    assert files == {p.relative_to(tmp_path / "ours") for p in (tmp_path / "ours").rglob("*.db")}


@pytest.mark.slow
def test_the_variable_selects_postgres_from_a_fresh_home(cluster: Cluster, tmp_path: Path) -> None:
    home = _fresh_home(tmp_path / "home")
    done = _instance_info(home, **cluster.env())
    assert done.returncode == 0, done.stderr[-3000:]
    assert _storage_lines(done.stdout) == ["run_storage: PostgresRunStorage",
                                           "event_log_storage: PostgresEventLogStorage",
                                           "schedule_storage: PostgresScheduleStorage"]
    assert cluster.password not in done.stdout + done.stderr
    assert not (home / "history").exists() and not (home / "schedules").exists()
    # Dagster created its tables in the cluster's database on first load.
    engine = sa.create_engine(cluster.url)
    try:
        tables = set(sa.inspect(engine).get_table_names())
    finally:
        engine.dispose()
    assert {"runs", "event_logs", "jobs", "asset_check_executions"} <= tables


def test_an_unknown_kind_or_a_missing_setting_stops_every_entry_point(tmp_path: Path) -> None:
    done = _instance_info(_fresh_home(tmp_path / "home"), SAMVERKAN_INSTANCE="mysql")
    assert done.returncode != 0
    assert "SAMVERKAN_INSTANCE='mysql' är okänt" in done.stderr
    with pytest.raises(instance.InstanceConfigError, match="DAGSTER_PG_DB, DAGSTER_PG_USERNAME"):
        instance.instance_kind({"SAMVERKAN_INSTANCE": "postgres", "DAGSTER_PG_HOST": "db",
                                "DAGSTER_PG_PASSWORD": "x"})


def test_the_committed_file_names_the_storage_class() -> None:
    from pipelines.instance_storage import SamverkanStorage

    custom = yaml.safe_load((ROOT / "dagster.yaml").read_text(encoding="utf-8"))["storage"]["custom"]
    assert (custom["module"], custom["class"]) == (SamverkanStorage.__module__, instance.STORAGE_CLASS)
    assert SamverkanStorage.__name__ == instance.STORAGE_CLASS


def test_postgres_config_holds_references_not_values() -> None:
    env = {"SAMVERKAN_INSTANCE": "postgres", "DAGSTER_PG_HOST": "db", "DAGSTER_PG_DB": "d",
           "DAGSTER_PG_USERNAME": "u", "DAGSTER_PG_PASSWORD": "hemligt"}
    db = instance.postgres_storage_config(env)["postgres_db"]
    assert db["password"] == {"env": "DAGSTER_PG_PASSWORD"} and "hemligt" not in repr(db)
    assert db["port"] == 5432 and db["scheme"] == "postgresql+psycopg2"
    assert instance.postgres_storage_config({**env, "DAGSTER_PG_PORT": "6543"})["postgres_db"]["port"] == {
        "env": "DAGSTER_PG_PORT"}


def test_ensure_dagster_home_writes_the_one_file_and_leaves_an_operators_own(tmp_path: Path, monkeypatch) -> None:
    for name in SAMVERKAN_VARS:
        monkeypatch.delenv(name, raising=False)
    home = tmp_path / "home"
    monkeypatch.setenv("DAGSTER_HOME", str(home))
    assert instance.ensure_dagster_home() == home
    assert (home / "dagster.yaml").read_bytes() == (ROOT / "dagster.yaml").read_bytes()

    # A copy written by an older version (the former per-kind files) follows the committed file.
    (home / "dagster.yaml").write_text("# samverkan-instance: postgres\nstorage: {}\n", encoding="utf-8")
    instance.ensure_dagster_home()
    assert (home / "dagster.yaml").read_bytes() == (ROOT / "dagster.yaml").read_bytes()

    own = "telemetry:\n  enabled: true\n"
    (home / "dagster.yaml").write_text(own, encoding="utf-8")
    instance.ensure_dagster_home()
    assert (home / "dagster.yaml").read_text(encoding="utf-8") == own
    for name, value in {"SAMVERKAN_INSTANCE": "postgres", "DAGSTER_PG_HOST": "db", "DAGSTER_PG_DB": "d",
                        "DAGSTER_PG_USERNAME": "u", "DAGSTER_PG_PASSWORD": "p"}.items():
        monkeypatch.setenv(name, value)
    with pytest.raises(instance.InstanceConfigError, match="egen instansfil utan PostgreSQL"):
        instance.ensure_dagster_home()
    shutil.rmtree(home)


def _one_event_job(asset_key: str):
    """A job whose one op records one materialisation of ``asset_key``."""
    from dagster import AssetMaterialization, job, op

    @op(name=f"make_{asset_key}")
    def make(context) -> None:
        context.log_event(AssetMaterialization(asset_key=asset_key))

    @job(name=f"small_{asset_key}")
    def small():
        make()

    return small


def _home(tmp_path: Path, monkeypatch) -> Path:
    """A fresh home with the committed dagster.yaml, the environment pointing at it and at SQLite."""
    home = _fresh_home(tmp_path / "home")
    for name in SAMVERKAN_VARS:
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("DAGSTER_HOME", str(home))
    return home


def test_the_event_log_keeps_an_engine_per_shard_and_writes_dagsters_rows(tmp_path: Path, monkeypatch) -> None:
    """Events stored through the kept engines are Dagster's rows: Dagster's own event log class on the same
    folder reads them back; a process keeps the index's engine and at most KEPT_SHARD_ENGINES run shards'."""
    from dagster import AssetKey, DagsterInstance
    from dagster._core.storage.event_log.sqlite.sqlite_event_log import SqliteEventLogStorage

    from pipelines.instance_storage import KEPT_SHARD_ENGINES, EngineKeepingEventLog

    small = _one_event_job("kept")
    home = _home(tmp_path, monkeypatch)
    with DagsterInstance.from_config(str(home)) as instance:
        log = instance.event_log_storage
        assert isinstance(log, EngineKeepingEventLog)
        runs = [small.execute_in_process(instance=instance).run_id for _ in range(KEPT_SHARD_ENGINES + 3)]
        kept = log.__dict__["_kept_engines"]
        assert "index" in kept and len(kept) == KEPT_SHARD_ENGINES + 1
    assert "_kept_engines" not in log.__dict__  # closed with the instance
    reader = SqliteEventLogStorage(str(home / "history" / "runs"))
    assert set(runs) <= set(reader.get_all_run_ids())
    for run_id in runs:
        assert any(e.dagster_event and e.dagster_event.event_type_value == "ASSET_MATERIALIZATION"
                   for e in reader.get_logs_for_run(run_id))
    assert reader.get_latest_materialization_events([AssetKey("kept")])[AssetKey("kept")].run_id == runs[-1]


def test_kept_connections_share_the_files_with_other_writers_and_survive_a_wipe(tmp_path: Path,
                                                                                monkeypatch) -> None:
    """Two instances on one home (as two processes would be) see each other's events while both keep their
    connections open; a wipe closes the kept ones first, and what is written after it is stored."""
    from dagster import AssetKey, DagsterInstance

    small = _one_event_job("shared")
    home = _home(tmp_path, monkeypatch)
    with DagsterInstance.from_config(str(home)) as first, DagsterInstance.from_config(str(home)) as second:
        one = small.execute_in_process(instance=first).run_id
        two = small.execute_in_process(instance=second).run_id
        three = small.execute_in_process(instance=first).run_id
        for instance in (first, second):
            latest = instance.get_latest_materialization_event(AssetKey("shared"))
            assert latest is not None and latest.run_id == three
            assert {r.run_id for r in instance.get_runs()} == {one, two, three}
            assert instance.all_logs(two)
        first.wipe()
        four = small.execute_in_process(instance=first).run_id
        assert second.get_latest_materialization_event(AssetKey("shared")).run_id == four
        assert [e for e in second.all_logs(four) if e.dagster_event] and not first.all_logs(one)


def test_a_process_that_never_disposes_its_instance_leaves_no_wal_behind(tmp_path: Path) -> None:
    """The command line keeps DagsterInstance.get() to the end; when the process ends, the kept connections are
    closed and the WAL checkpointed, so the .db files at rest hold every event (a copy of them is complete)."""
    home = _fresh_home(tmp_path / "home")
    code = ("from dagster import AssetMaterialization, DagsterInstance, job, op\n"
            "@op\n"
            "def make(context):\n"
            "    context.log_event(AssetMaterialization(asset_key='kept'))\n"
            "@job\n"
            "def small():\n"
            "    make()\n"
            "instance = DagsterInstance.get()\n"
            "print(small.execute_in_process(instance=instance).run_id)\n")
    env = {k: v for k, v in os.environ.items() if k not in SAMVERKAN_VARS}
    env["DAGSTER_HOME"] = str(home)
    done = subprocess.run([sys.executable, "-c", code], cwd=home, env=env, capture_output=True, text=True,
                          timeout=120)
    assert done.returncode == 0, done.stderr[-3000:]
    left = sorted(p.name for p in (home / "history").rglob("*") if p.name.endswith(("-wal", "-shm")))
    assert left == []
    run_id = done.stdout.split()[-1]
    assert (home / "history" / "runs" / f"{run_id}.db").stat().st_size > 0


def test_kept_connections_to_a_wal_database_commit_without_their_own_fsync(tmp_path: Path, monkeypatch) -> None:
    """synchronous=NORMAL on the kept WAL connections (the checkpoint is synced, a commit alone is not), also for
    a run's new shard, whose first connection opened it before it was WAL."""
    from dagster import DagsterInstance

    small = _one_event_job("sync")
    home = _home(tmp_path, monkeypatch)
    with DagsterInstance.from_config(str(home)) as instance:
        run_id = small.execute_in_process(instance=instance).run_id
        log = instance.event_log_storage
        for shard in ("index", run_id):
            with log._connect(shard) as conn:  # noqa: SLF001
                assert conn.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
                assert conn.exec_driver_sql("PRAGMA synchronous").scalar() == 1  # NORMAL
