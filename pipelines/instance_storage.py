"""The custom storage dagster.yaml names: it returns Dagster's own SQLite or PostgreSQL storage.

Kept apart from pipelines/instance.py because it imports Dagster, which the command
line must not import before it has started the step forkserver (pipelines/preload.py).
"""

from __future__ import annotations

import os
import weakref
from collections import OrderedDict
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from typing import Any

import yaml
from dagster import Field, StringSource
from dagster._config import process_config, resolve_to_config_type
from dagster._config.config_schema import UserConfigSchema
from dagster._core.storage.base_storage import DagsterStorage
from dagster._core.storage.event_log.sqlite.sqlite_event_log import (
    INDEX_SHARD_NAME,
    SQLITE_BUSY_TIMEOUT_SECONDS,
    SqliteEventLogStorage,
)
from dagster._core.storage.sqlite_storage import DagsterSqliteStorage
from dagster._serdes import ConfigurableClass, ConfigurableClassData
from sqlalchemy import create_engine, event
from sqlalchemy.engine import Connection, Engine
from sqlalchemy.pool import QueuePool

from pipelines.instance import DEFAULT_HOME, InstanceConfigError, instance_kind, postgres_storage_config


def _postgres_storage() -> DagsterStorage:
    from dagster_postgres import DagsterPostgresStorage

    config = postgres_storage_config()
    resolved = process_config(resolve_to_config_type(DagsterPostgresStorage.config_type()), config)
    if not resolved.success:
        raise InstanceConfigError(
            "PostgreSQL-inställningarna i DAGSTER_PG_* är ogiltiga: "
            + "; ".join(error.message for error in resolved.errors or [])
        )
    data = ConfigurableClassData("dagster_postgres", "DagsterPostgresStorage",
                                 yaml.dump(config, default_flow_style=False))
    return DagsterPostgresStorage.from_config_value(data, resolved.value)


# Run shards whose engines (and open connection) a process keeps besides the index shard's; a webserver reads
# many runs' shards.
KEPT_SHARD_ENGINES = 8
# Dagster's schema check opens a second connection while its first is open (SqliteEventLogStorage._initdb).
EXTRA_CONNECTIONS = 4


def _normal_sync(connection, record, _proxy=None) -> None:
    # WAL with synchronous=NORMAL: a commit is not fsynced on its own, the checkpoint is. SQLite's documentation
    # calls this safe from corruption in WAL mode; what an OS crash or power cut can cost is the last events
    # written before it, never the database. The outputs' run.json is written and fsynced on its own.
    # Asked at each checkout until it holds: a new shard's first connection opens it before Dagster makes it WAL.
    if record.info.get("normal_sync"):
        return
    if str(connection.execute("PRAGMA journal_mode").fetchone()[0]).lower() == "wal":
        connection.execute("PRAGMA synchronous=NORMAL")
        record.info["normal_sync"] = True


def _dispose_all(engines: dict[str, Engine]) -> None:
    while engines:
        engines.popitem()[1].dispose()


class EngineKeepingEventLog(SqliteEventLogStorage):
    """Dagster's SQLite event log, keeping one engine and one open connection per shard file for the process.

    Dagster builds a new engine for every statement and closes its connection after it. That costs twice: each
    statement is compiled anew (SQLAlchemy caches compiled statements per engine), and closing the last
    connection to a WAL database checkpoints it to disk, so every event written meant a checkpoint and its
    fsync besides the commit's. A limited run (``samverkan run --forbund``) stores all its steps' events from one
    process, where that was a large share of its wall time on a busy disk (benchmarks/README.md). Uses stay
    serialised by Dagster's lock; other processes read and write the same files as before (WAL, busy timeout).
    The kept connections are closed before the files are wiped and when the instance is disposed of."""

    def _engine(self, shard: str) -> Engine:
        engines: OrderedDict[str, Engine] | None = self.__dict__.get("_kept_engines")
        if engines is None:
            engines = self.__dict__["_kept_engines"] = OrderedDict()
            # Also when the process ends without disposing of its instance (DagsterInstance.get() in the command
            # line): the last connection closed checkpoints the WAL, so the .db files at rest hold every event.
            weakref.finalize(self, _dispose_all, engines)
        engine = engines.get(shard)
        if engine is None:
            engine = create_engine(self.conn_string_for_shard(shard), poolclass=QueuePool, pool_size=1,
                                   max_overflow=EXTRA_CONNECTIONS,
                                   connect_args={"timeout": SQLITE_BUSY_TIMEOUT_SECONDS,
                                                 # handed between threads, never used by two at once (the lock)
                                                 "check_same_thread": False})
            event.listen(engine, "checkout", _normal_sync)
            engines[shard] = engine
        engines.move_to_end(shard)
        runs = [key for key in engines if key != INDEX_SHARD_NAME]
        for key in runs[:-KEPT_SHARD_ENGINES]:
            engines.pop(key).dispose()
        return engine

    def _close_kept(self) -> None:
        _dispose_all(self.__dict__.pop("_kept_engines", {}))

    @contextmanager
    def _connect(self, shard: str) -> Iterator[Connection]:
        with self._db_lock:
            engine = self._engine(shard)
            if shard not in self._initialized_dbs:
                self._initdb(engine)
                self._initialized_dbs.add(shard)
            with engine.connect() as conn, conn.begin():
                yield conn

    def wipe(self) -> None:
        with self._db_lock:
            self._close_kept()  # a connection kept to a deleted file would write into nothing
        super().wipe()

    def dispose(self) -> None:
        super().dispose()
        with self._db_lock:
            self._close_kept()


def _sqlite_storage(base_dir: str | None) -> DagsterStorage:
    # DAGSTER_HOME is unset only under `dagster dev`/`dg dev` without it, which keep their own temporary
    # folder for logs; the runs then go to the project's default home, where `samverkan run` puts them.
    base = base_dir or os.environ.get("DAGSTER_HOME") or str(DEFAULT_HOME.resolve())
    data = ConfigurableClassData("dagster._core.storage.sqlite_storage", "DagsterSqliteStorage",
                                 yaml.dump({"base_dir": base}, default_flow_style=False))
    storage = DagsterSqliteStorage.from_local(base, inst_data=data)
    # Dagster's storage with its event log swapped for the same class keeping its engines (same files).
    storage._event_log_storage = EngineKeepingEventLog(storage._event_log_storage._base_dir)  # noqa: SLF001
    return storage


class SamverkanStorage(DagsterStorage, ConfigurableClass):
    """Named in dagster.yaml; never instantiated: loading it returns the storage the environment selects.

    Optional config ``sqlite_base_dir`` puts the SQLite files elsewhere than ``$DAGSTER_HOME``.
    """

    @classmethod
    def config_type(cls) -> UserConfigSchema:
        return {"sqlite_base_dir": Field(StringSource, is_required=False)}

    @classmethod
    def from_config_value(  # type: ignore[override]
        cls, inst_data: ConfigurableClassData, config_value: Mapping[str, Any]
    ) -> DagsterStorage:
        if instance_kind() == "postgres":
            return _postgres_storage()
        return _sqlite_storage(config_value.get("sqlite_base_dir"))
