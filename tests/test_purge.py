"""``samverkan purge``: a year's participant-level data goes, its aggregates, reports and lineage stay."""

from __future__ import annotations

import contextlib
import datetime as dt
import json
import sqlite3
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path

import pytest
import sqlalchemy as sa
from dagster import AssetKey, DagsterInstance, DagsterRunStatus, instance_for_test

from pipelines.purge import PurgeRefusedError, purge_year, scrubbed
from pipelines.run import samverkansbokslut_job_def
from pipelines.run_lock import PARTITION_TAG
from samverkan.retention import AGGREGATE, PARTICIPANT_LEVEL, PurgeCounts, classification, retention_ends
from samverkan.synth import SynthSpec, synthesise, write_inbox

TODAY = dt.date(2026, 3, 2)
YEAR = 2024


def test_every_asset_is_classified_once() -> None:
    from pipelines.definitions import defs

    keys = {key.to_user_string() for key in defs.resolve_asset_graph().get_all_asset_keys()}
    assert not PARTICIPANT_LEVEL & AGGREGATE
    assert keys == PARTICIPANT_LEVEL | AGGREGATE
    assert classification("participants_quarantine") == "deltagarnivå"
    assert classification("participant_flow") == "aggregat"


def test_default_retention_is_the_year_of_adoption() -> None:
    assert retention_ends(2024) == dt.date(2025, 12, 31)
    lines = PurgeCounts(2024, 12, 6, 2, 5, 23, 1).lines(dt.date(2025, 6, 1))
    assert lines[0] == "lagrade tillgångar på deltagarnivå: 12 filer borttagna"
    assert lines[-1].endswith("löper till 2025-12-31; gallrat i förtid på begäran")


def test_scrubbed_replaces_only_tables() -> None:
    table = {"__class__": "TableMetadataEntryData", "records": [{"data": {"message": "rad 7"}}]}
    event = {"__class__": "EventLogEntry", "entries": [{"label": "failing_rows", "entry_data": table},
                                                       {"label": "rows", "entry_data": {"value": 3}}]}
    value, count = scrubbed(event, "rensad 2026-03-02")
    assert count == 1
    assert value["entries"][0]["entry_data"] == {"__class__": "TextMetadataEntryData", "text": "rensad 2026-03-02"}
    assert value["entries"][1] == event["entries"][1]


def _run(instance: DagsterInstance, inbox: Path, storage: Path, out: Path) -> str:
    config = {"inbox_dir": str(inbox), "out_dir": str(out / "{year}"), "expectations_dir": ""}
    result = samverkansbokslut_job_def().execute_in_process(
        partition_key=str(YEAR), instance=instance,
        run_config={"resources": {"settings": {"config": config},
                                  "io_manager": {"config": {"base_dir": str(storage)}},
                                  "intermediate_io_manager": {"config": {"base_dir": str(storage / "intermediate")}}},
                    "loggers": {"console": {"config": {"log_level": "WARNING"}}}},
        raise_on_error=False)
    assert result.success
    return result.run_id


PAYLOADS = ("SELECT event FROM event_logs", "SELECT evaluation_event FROM asset_check_executions",
            "SELECT last_materialization FROM asset_keys")


def _tables(rows: Iterable[tuple[str | None]]) -> int:
    return sum(scrubbed(json.loads(payload), "")[1] for (payload,) in rows if payload)


def sqlite_tables(home: Path) -> int:
    """Row tables in every stored event payload of the SQLite instance (index and run shards), decoded."""
    found = 0
    for db in (home / "history" / "runs").glob("*.db"):
        with sqlite3.connect(db) as conn:
            found += sum(_tables(conn.execute(query)) for query in PAYLOADS)
    return found


def postgres_tables(url: str) -> int:
    engine = sa.create_engine(url)
    try:
        with engine.connect() as conn:
            return sum(_tables(conn.execute(sa.text(query))) for query in PAYLOADS)
    finally:
        engine.dispose()


@contextlib.contextmanager
def _instance(kind: str, home: Path, request: pytest.FixtureRequest) -> Iterator[tuple[DagsterInstance, Callable]]:
    home.mkdir()
    if kind == "sqlite":
        with instance_for_test(temp_dir=str(home)) as instance:
            yield instance, lambda: sqlite_tables(home)
        return
    cluster = request.getfixturevalue("cluster")
    with instance_for_test(temp_dir=str(home), overrides={"storage": {"postgres": {"postgres_url": cluster.url}}}) \
            as instance:
        yield instance, lambda: postgres_tables(cluster.url)


@pytest.mark.slow
@pytest.mark.parametrize("kind", ["sqlite", "postgres"])
def test_purge_removes_rows_and_keeps_aggregates(kind: str, tmp_path: Path, request: pytest.FixtureRequest) -> None:
    inbox, storage, out = tmp_path / "inbox", tmp_path / "storage", tmp_path / "out"
    frames, errors = synthesise(SynthSpec(forbund=2, first_year=2021, last_year=2024, participants_per_year=80,
                                          seed=3, with_errors=True))
    write_inbox(frames, errors, inbox)
    with _instance(kind, tmp_path / "home", request) as (instance, tables_in):
        run_id = _run(instance, inbox, storage, out)
        year_out = out / str(YEAR)
        # published_outputs moves the output folder into place and stores no value of its own.
        aggregates = {p: p.read_bytes() for asset in AGGREGATE - {"published_outputs"}
                      for p in [storage / asset / f"{YEAR}.parquet"]}
        reports = {p: p.read_bytes() for p in year_out.rglob("*") if p.is_file() and p.name not in
                   ("quality.csv", "quality.xlsx")}
        assert all(p.exists() for p in aggregates) and any(p.suffix == ".pdf" for p in reports)
        assert (year_out / "quality.xlsx").exists() and (storage / "intermediate" / run_id).exists()
        assert tables_in() > 0

        counts = purge_year(instance, YEAR, storage, today=TODAY)

        assert counts.asset_files == len(PARTICIPANT_LEVEL)
        assert not any((storage / asset / f"{YEAR}.parquet").exists() for asset in PARTICIPANT_LEVEL)
        assert not (storage / "intermediate" / run_id).exists() and counts.pickles > 0
        assert not (year_out / "quality.csv").exists() and not (year_out / "quality.xlsx").exists()
        assert counts.extracts == 2 and counts.runs == 1 and counts.events > 0
        # Aggregates and reports untouched, byte for byte.
        assert all(p.read_bytes() == data for p, data in {**aggregates, **reports}.items())
        # No row is left in any stored event; the materialisations are still there, marked.
        assert tables_in() == 0
        latest = instance.get_latest_materialization_event(AssetKey("participants_quarantine"))
        assert latest.run_id == run_id
        assert latest.asset_materialization.metadata["failing_rows"].text == "rensad 2026-03-02"
        observed = instance.fetch_observations(AssetKey("participants"), limit=1).records[0]
        assert observed.partition_key == str(YEAR)
        assert json.loads((storage / "purge" / f"{YEAR}.json").read_text())["run_ids"] == [run_id]


def test_purge_is_refused_while_the_year_runs(tmp_path: Path) -> None:
    with instance_for_test(temp_dir=str(tmp_path)) as instance:
        run = instance.create_run_for_job(samverkansbokslut_job_def(), tags={PARTITION_TAG: str(YEAR)},
                                          status=DagsterRunStatus.STARTED)
        (tmp_path / "storage" / "participants").mkdir(parents=True)
        (tmp_path / "storage" / "participants" / f"{YEAR}.parquet").write_bytes(b"x")
        with pytest.raises(PurgeRefusedError, match=f"året {YEAR} körs just nu av körning {run.run_id[:8]}"):
            purge_year(instance, YEAR, tmp_path / "storage", today=TODAY)
        assert (tmp_path / "storage" / "participants" / f"{YEAR}.parquet").exists()
