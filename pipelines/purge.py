"""``samverkan purge --year Y``: delete a year's participant-level data, keep the aggregates, reports and lineage.

What goes (samverkan/retention.py decides which assets are participant-level):

- the stored partition files ``<storage>/<asset>/<Y>.parquet`` of the participant-level assets;
- the pickles of every run of year Y (``<storage>/intermediate/<run id>/``: the report's inputs hold rows);
- the row-level extracts (``quality.csv``, ``quality.xlsx``) in the output folders those runs wrote;
- the Great Expectations validation results written during those runs, and their Data Docs pages (they hold
  samples of unexpected values);
- in the instance's event log, every table of rows (the failing-rows previews) in the events of those runs and
  of partition Y, replaced by the text ``rensad <date>``.

Dagster's own ``wipe_asset_partitions`` is not implemented for SQL event storage in 1.13, and wiping would lose
the lineage besides, so the payloads are rewritten in place with SQL through the storage's own connections: the
one database on PostgreSQL, and on SQLite the index database and every run's shard. The records stay, so the
asset pages still show when each partition was materialised and by which run. The purge itself is recorded as
an observation of every purged asset and in ``<storage>/purge/<Y>.json``.

A year that a run holds (pipelines/run_lock.py) is refused: the run would write new rows while they are deleted.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import shutil
from collections.abc import Iterable
from pathlib import Path

import sqlalchemy as sa
from dagster import AssetObservation, DagsterInstance, MetadataValue, RunRecord, RunsFilter

from pipelines import gx
from pipelines.io_manager import ParquetIOManager
from pipelines.run_lock import PARTITION_TAG, holders
from samverkan.files import write_bytes_atomic
from samverkan.retention import PARTICIPANT_EXTRACTS, PARTICIPANT_LEVEL, PurgeCounts

# The legacy serdes name Dagster stores a table metadata value under, and the current one.
TABLE_CLASSES = frozenset({"TableMetadataEntryData", "TableMetadataValue"})
PURGE_FOLDER = "purge"
# GX names a validation run folder by its UTC time.
GX_TIME = "%Y%m%dT%H%M%S.%fZ"


class PurgeRefusedError(RuntimeError):
    """The year cannot be purged now (a run of it is in progress)."""


def scrubbed(payload: object, text: str) -> tuple[object, int]:
    """``payload`` (a decoded event) with every table value replaced by ``text``, and how many there were."""
    if isinstance(payload, dict):
        if payload.get("__class__") in TABLE_CLASSES:
            return {"__class__": "TextMetadataEntryData", "text": text}, 1
        out, count = {}, 0
        for key, value in payload.items():
            out[key], found = scrubbed(value, text)
            count += found
        return out, count
    if isinstance(payload, list):
        pairs = [scrubbed(value, text) for value in payload]
        return [value for value, _ in pairs], sum(found for _, found in pairs)
    return payload, 0


def _rewrite(conn: sa.Connection, table: str, column: str, where: str, params: dict, text: str,
             seen: set[str]) -> None:
    """Rewrite ``column`` of the rows of ``table`` matching ``where`` that hold a table; ``seen`` collects the
    payloads rewritten (the same event is in SQLite's index and in its run's shard: counted once)."""
    query = sa.text(f"SELECT id, {column} FROM {table} WHERE ({where}) AND {column} LIKE :table")
    if ":runs" in where:
        query = query.bindparams(sa.bindparam("runs", expanding=True))
    rows = conn.execute(query, {**params, "table": "%TableMetadata%"}).fetchall()
    for row_id, payload in rows:
        value, found = scrubbed(json.loads(payload), text)
        if found:
            conn.execute(sa.text(f"UPDATE {table} SET {column} = :value WHERE id = :id"),
                         {"value": json.dumps(value), "id": row_id})
            seen.add(hashlib.sha256(payload.encode("utf-8")).hexdigest())


def _scrub_connection(conn: sa.Connection, run_ids: list[str], year: int, text: str, seen: set[str]) -> None:
    tables = set(sa.inspect(conn).get_table_names())
    params = {"runs": run_ids or [""], "partition": str(year)}
    if "event_logs" in tables:
        _rewrite(conn, "event_logs", "event", "run_id IN :runs OR partition = :partition", params, text, seen)
    if "asset_check_executions" in tables:
        _rewrite(conn, "asset_check_executions", "evaluation_event", "run_id IN :runs OR partition = :partition",
                 params, text, seen)
    if "asset_keys" in tables:
        _rewrite(conn, "asset_keys", "last_materialization", "last_run_id IN :runs", params, text, seen)
    conn.commit()


def scrub_events(instance: DagsterInstance, run_ids: list[str], year: int, text: str) -> int:
    """Replace the row tables in the stored events of ``run_ids`` and of partition ``year``; how many events."""
    storage = instance.event_log_storage
    seen: set[str] = set()
    with storage.index_connection() as conn:
        _scrub_connection(conn, run_ids, year, text, seen)
    if hasattr(storage, "run_connection"):  # SQLite: one more database per run
        for run_id in run_ids:
            with storage.run_connection(run_id) as conn:
                _scrub_connection(conn, run_ids, year, text, seen)
    return len(seen)


def _remove(paths: Iterable[Path]) -> int:
    count = 0
    for path in paths:
        if path.is_dir():
            count += sum(1 for p in path.rglob("*") if p.is_file())
            shutil.rmtree(path)
        elif path.exists():
            path.unlink()
            count += 1
    return count


def _settings(record: RunRecord) -> dict:
    return record.dagster_run.run_config.get("resources", {}).get("settings", {}).get("config", {}) or {}


def _out_folders(records: list[RunRecord], year: int) -> set[Path]:
    folders = set()
    for record in records:
        template = _settings(record).get("out_dir")
        if template:
            folders.add(Path(template.format(year=year)))
    return folders


def _validation_results(records: list[RunRecord]) -> tuple[list[Path], list[Path]]:
    """The GX result folders written while one of ``records`` ran, and their Data Docs pages."""
    found, pages = [], []
    for root in {gx.context.results_dir(gx.context_dir(_settings(r).get("expectations_dir", ""))) for r in records}:
        windows = [(r.start_time or 0.0, r.end_time or dt.datetime.now(dt.UTC).timestamp()) for r in records]
        for folder in sorted((root / "validations").glob("*/*/*")):
            try:
                written = dt.datetime.strptime(folder.name, GX_TIME).replace(tzinfo=dt.UTC).timestamp()
            except ValueError:
                continue
            if any(start <= written <= end for start, end in windows):
                found.append(folder)
                page = root / "data_docs" / gx.context.DATA_DOCS_SITE / folder.relative_to(root)
                pages += [page] if page.exists() else []
    return found, pages


def _record(instance: DagsterInstance, storage: Path, counts: PurgeCounts, today: dt.date,
            run_ids: list[str]) -> Path:
    for asset in sorted(PARTICIPANT_LEVEL):
        instance.report_runless_asset_event(AssetObservation(
            asset_key=asset, partition=str(counts.year),
            description=f"rensad {today.isoformat()}: raderna på deltagarnivå för {counts.year} är gallrade",
            metadata={"gallrad": MetadataValue.text(today.isoformat())}))
    record = {"year": counts.year, "purged_on": today.isoformat(), "run_ids": run_ids,
              **{k: v for k, v in vars(counts).items() if k != "year"}}
    return write_bytes_atomic(storage / PURGE_FOLDER / f"{counts.year}.json",
                              (json.dumps(record, indent=2, ensure_ascii=False) + "\n").encode("utf-8"))


def purge_year(instance: DagsterInstance, year: int, storage: Path | None = None,
               today: dt.date | None = None) -> PurgeCounts:
    """Delete ``year``'s participant-level data on ``instance`` and under ``storage`` (the IO manager's folder
    by default); raises ``PurgeRefusedError`` while a run of the year is in progress."""
    today = today or dt.date.today()
    storage = Path(storage or ParquetIOManager().base_dir)
    running = holders(instance, str(year))
    if running:
        raise PurgeRefusedError(f"året {year} körs just nu av körning {running[0].dagster_run.run_id[:8]}; vänta tills "
                           "den är klar och gallra sedan")
    records = list(instance.get_run_records(filters=RunsFilter(tags={PARTITION_TAG: str(year)})))
    run_ids = [r.dagster_run.run_id for r in records]
    results, pages = _validation_results(records)
    _remove([*results, *pages])
    counts = PurgeCounts(
        year=year,
        asset_files=_remove(storage / asset / f"{year}.parquet" for asset in sorted(PARTICIPANT_LEVEL)),
        pickles=_remove(storage / "intermediate" / run_id for run_id in run_ids),
        extracts=_remove(folder / name for folder in sorted(_out_folders(records, year))
                         for name in PARTICIPANT_EXTRACTS),
        validation_results=len(results),
        events=scrub_events(instance, run_ids, year, f"rensad {today.isoformat()}"),
        runs=len(run_ids),
    )
    _record(instance, storage, counts, today, run_ids)
    return counts
