"""The custom storage dagster.yaml names: it returns Dagster's own SQLite or PostgreSQL storage.

Kept apart from pipelines/instance.py because it imports Dagster, which the command
line must not import before it has started the step forkserver (pipelines/preload.py).
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from typing import Any

import yaml
from dagster import Field, StringSource
from dagster._config import process_config, resolve_to_config_type
from dagster._config.config_schema import UserConfigSchema
from dagster._core.storage.base_storage import DagsterStorage
from dagster._core.storage.sqlite_storage import DagsterSqliteStorage
from dagster._serdes import ConfigurableClass, ConfigurableClassData

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


def _sqlite_storage(base_dir: str | None) -> DagsterStorage:
    # DAGSTER_HOME is unset only under `dagster dev`/`dg dev` without it, which keep their own temporary
    # folder for logs; the runs then go to the project's default home, where `samverkan run` puts them.
    base = base_dir or os.environ.get("DAGSTER_HOME") or str(DEFAULT_HOME.resolve())
    data = ConfigurableClassData("dagster._core.storage.sqlite_storage", "DagsterSqliteStorage",
                                 yaml.dump({"base_dir": base}, default_flow_style=False))
    return DagsterSqliteStorage.from_local(base, inst_data=data)


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
