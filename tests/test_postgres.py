"""PostgreSQL as instance storage: a real PostgreSQL 15 cluster, a three-year backfill, checks in SQL.

The cluster (tests/pgcluster.py, fixture ``cluster`` in conftest.py) is started
from Debian's binaries and removed afterwards whatever happens. The backfill is
`samverkan backfill` in a subprocess with only environment variables set, as an
operator would run it, using the default multiprocess executor.
"""

import os
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest
import sqlalchemy as sa
from pgcluster import Cluster, postgres_cluster

from samverkan.synth import SynthSpec, synthesise, write_inbox

ROOT = Path(__file__).resolve().parents[1]
SAMVERKAN = Path(sys.executable).with_name("samverkan")
YEARS = (2022, 2023, 2024)


def test_cluster_is_torn_down_after_an_error() -> None:
    """The context manager stops the server and removes its folder even when the body fails."""
    seen: list[Cluster] = []
    with pytest.raises(RuntimeError, match="mitt i testet"), postgres_cluster() as running:
        seen.append(running)
        engine = sa.create_engine(running.url)
        with engine.connect() as conn:
            assert conn.execute(sa.text("select current_user")).scalar() == "samverkan"
        engine.dispose()
        raise RuntimeError("fel mitt i testet")
    with socket.socket() as sock:
        assert sock.connect_ex(("127.0.0.1", seen[0].port)) != 0, "servern lyssnar fortfarande"
    assert not seen[0].base.exists()


@pytest.mark.slow
def test_three_year_backfill_is_stored_in_postgres(cluster: Cluster, tmp_path: Path) -> None:
    inbox = tmp_path / "inbox"
    frames, errors = synthesise(SynthSpec(forbund=2, first_year=2020, last_year=2024,
                                          participants_per_year=150, seed=11))
    write_inbox(frames, errors, inbox)
    home = tmp_path / "dagster_home"
    env = {
        **os.environ,
        **cluster.env(),
        "DAGSTER_HOME": str(home),
        "SAMVERKAN_STORAGE": str(tmp_path / "storage"),
        "SAMVERKAN_ALERTS_DIR": str(tmp_path / "alerts"),
        "SAMVERKAN_EXECUTOR": "multiprocess",
        "SAMVERKAN_WORKERS": "2",
    }
    started = time.time()
    done = subprocess.run(
        [str(SAMVERKAN), "backfill", "--inbox", str(inbox), "--years", f"{YEARS[0]}-{YEARS[-1]}",
         "--out", str(tmp_path / "out" / "{year}")],
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=900,
    )
    assert done.returncode == 0, done.stderr[-4000:]
    # The instance file in DAGSTER_HOME is the repository's one; the environment alone chose PostgreSQL.
    assert (home / "dagster.yaml").read_text() == (ROOT / "dagster.yaml").read_text()
    assert not (home / "history").exists(), "SQLite-lagring skapades trots SAMVERKAN_INSTANCE=postgres"
    for year in YEARS:
        assert (tmp_path / "out" / str(year) / "participant_flow.csv").exists()

    from pipelines.definitions import defs

    graph = defs.resolve_asset_graph()
    asset_keys = {key.to_user_string() for key in graph.get_all_asset_keys()}
    check_keys = {(key.asset_key.to_user_string(), key.name) for key in graph.asset_check_keys}
    assert check_keys, "the pipeline defines no asset checks, so nothing below would test their storage"

    engine = sa.create_engine(cluster.url)
    try:
        with engine.connect() as conn:
            runs = conn.execute(sa.text(
                "select r.run_id, r.status, r.partition, t.value as batch from runs r "
                "left join run_tags t on t.run_id = r.run_id and t.key = 'samverkan/batch' "
                "where r.pipeline_name = 'samverkansbokslut' and r.create_timestamp >= to_timestamp(:t)"
            ), {"t": started - 5}).mappings().all()
            assert sorted(r["partition"] for r in runs) == [str(y) for y in YEARS]
            assert {r["status"] for r in runs} == {"SUCCESS"}
            assert {r["batch"] for r in runs} == {f"backfill-{YEARS[0]}-{YEARS[-1]}"}
            run_ids = [r["run_id"] for r in runs]

            # One step process per step: the multiprocess executor really ran the backfill.
            workers = conn.execute(sa.text(
                "select count(*) from event_logs where run_id = any(:ids) "
                "and dagster_event_type = 'STEP_WORKER_STARTED'"
            ), {"ids": run_ids}).scalar()
            steps = conn.execute(sa.text(
                "select count(*) from event_logs where run_id = any(:ids) and dagster_event_type = 'STEP_SUCCESS'"
            ), {"ids": run_ids}).scalar()
            assert steps > 0 and workers == steps

            materialised = conn.execute(sa.text(
                "select asset_key, partition from event_logs "
                "where run_id = any(:ids) and dagster_event_type = 'ASSET_MATERIALIZATION'"
            ), {"ids": run_ids}).all()
            by_partition: dict[str, set[str]] = {}
            for key, partition in materialised:
                by_partition.setdefault(partition, set()).add(_user_key(key))
            assert by_partition == {str(y): asset_keys for y in YEARS}

            # Asset-check results: one finished execution per check and year (the table's own partition
            # column is not filled by Dagster 1.13, so the year comes from the run).
            partition_of = {r["run_id"]: r["partition"] for r in runs}
            checks = conn.execute(sa.text(
                "select asset_key, check_name, run_id, execution_status from asset_check_executions "
                "where run_id = any(:ids)"
            ), {"ids": run_ids}).all()
            stored = sorted((_user_key(a), c, partition_of[r]) for a, c, r, _status in checks)
            assert stored == sorted((a, c, str(y)) for a, c in check_keys for y in YEARS)
            assert {status for *_rest, status in checks} <= {"SUCCEEDED", "FAILED"}
            evaluations = conn.execute(sa.text(
                "select count(*) from event_logs where run_id = any(:ids) "
                "and dagster_event_type = 'ASSET_CHECK_EVALUATION'"
            ), {"ids": run_ids}).scalar()
            assert evaluations == len(check_keys) * len(YEARS)
    finally:
        engine.dispose()


def _user_key(stored: str) -> str:
    """asset_key is stored as a JSON list of path parts, e.g. '["participants"]'."""
    import json

    return "/".join(json.loads(stored))
