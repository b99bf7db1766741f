"""Which storage the Dagster instance uses, decided by the environment whenever an instance is loaded.

Dagster reads ``$DAGSTER_HOME/dagster.yaml`` and its ``storage:`` section cannot
branch on a variable. So the repository's one ``dagster.yaml`` names a custom
storage, :class:`SamverkanStorage`, and that class builds the real storage from
the environment every time a process loads the instance — ``samverkan run``,
``dagster dev``, ``dg dev``, ``dagster-webserver``, ``dagster-daemon run``, the
code server and every run and step process alike:

- ``SAMVERKAN_INSTANCE`` unset or ``sqlite``: Dagster's own embedded SQLite
  storage under ``$DAGSTER_HOME`` (the same files Dagster writes when
  ``dagster.yaml`` has no ``storage:`` at all), no server.
- ``SAMVERKAN_INSTANCE=postgres``: Dagster's PostgreSQL storage, connected with
  the ``DAGSTER_PG_*`` variables, which are read at load time and never written
  to any file.

The object handed to Dagster is Dagster's own ``DagsterSqliteStorage`` or
``DagsterPostgresStorage``, so everything downstream (``dagster instance info``,
migrations, the UI) sees the ordinary storage. :func:`ensure_dagster_home`
copies the committed file into ``DAGSTER_HOME`` for command-line runs.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import yaml
from dagster._config import process_config, resolve_to_config_type
from dagster._config.config_schema import UserConfigSchema
from dagster._core.storage.base_storage import DagsterStorage
from dagster._core.storage.sqlite_storage import DagsterSqliteStorage
from dagster._serdes import ConfigurableClass, ConfigurableClassData

PROJECT_ROOT = Path(__file__).resolve().parents[1]
INSTANCE_FILE = PROJECT_ROOT / "dagster.yaml"
DEFAULT_HOME = Path("var/dagster_home")
MARKER = "# samverkan-instance:"
KINDS = ("postgres", "sqlite")
# Connection settings the PostgreSQL storage reads; the port has a default.
PG_REQUIRED = ("DAGSTER_PG_HOST", "DAGSTER_PG_DB", "DAGSTER_PG_USERNAME", "DAGSTER_PG_PASSWORD")
PG_DEFAULT_PORT = 5432
# SQLAlchemy 2.1 maps plain "postgresql" to psycopg 3, which dagster-postgres does not install.
PG_SCHEME = "postgresql+psycopg2"


class InstanceConfigError(ValueError):
    """The environment asks for an instance that cannot be set up."""


def instance_kind(env: Mapping[str, str] | None = None) -> str:
    """``sqlite`` or ``postgres``, from ``SAMVERKAN_INSTANCE``; fails on an unknown kind or a missing setting."""
    env = os.environ if env is None else env
    kind = env.get("SAMVERKAN_INSTANCE", "").strip().lower() or "sqlite"
    if kind not in KINDS:
        raise InstanceConfigError(f"SAMVERKAN_INSTANCE={kind!r} är okänt; välj {' eller '.join(sorted(KINDS))}")
    if kind == "postgres":
        missing = [name for name in PG_REQUIRED if not env.get(name)]
        if missing:
            raise InstanceConfigError(
                "SAMVERKAN_INSTANCE=postgres kräver miljövariablerna " + ", ".join(missing)
                + " (se docs/operations.md)"
            )
    return kind


def postgres_storage_config(env: Mapping[str, str] | None = None) -> dict[str, Any]:
    """The ``storage: postgres:`` section as Dagster's own config, every value an ``{env: …}`` reference.

    References rather than values, so the section can be shown, logged or serialised
    without the password in it.
    """
    env = os.environ if env is None else env
    db: dict[str, Any] = {
        "hostname": {"env": "DAGSTER_PG_HOST"},
        "db_name": {"env": "DAGSTER_PG_DB"},
        "username": {"env": "DAGSTER_PG_USERNAME"},
        "password": {"env": "DAGSTER_PG_PASSWORD"},
        "port": {"env": "DAGSTER_PG_PORT"} if env.get("DAGSTER_PG_PORT") else PG_DEFAULT_PORT,
        "scheme": PG_SCHEME,
    }
    return {"postgres_db": db}


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
        from dagster import Field, StringSource

        return {"sqlite_base_dir": Field(StringSource, is_required=False)}

    @classmethod
    def from_config_value(  # type: ignore[override]
        cls, inst_data: ConfigurableClassData, config_value: Mapping[str, Any]
    ) -> DagsterStorage:
        if instance_kind() == "postgres":
            return _postgres_storage()
        return _sqlite_storage(config_value.get("sqlite_base_dir"))


def _managed(config: Path) -> bool:
    with config.open(encoding="utf-8") as handle:
        return handle.readline().startswith(MARKER)


def ensure_dagster_home() -> Path:
    """Check the environment, put the committed ``dagster.yaml`` in ``DAGSTER_HOME`` and return that folder.

    ``DAGSTER_HOME`` defaults to ``var/dagster_home`` for both kinds: the file is the same,
    the storage follows the environment. A copy the project wrote (first line
    ``# samverkan-instance:``) follows the committed file; an operator's own file is never
    touched, but it must then name PostgreSQL (or this storage) when ``postgres`` is asked for.
    """
    kind = instance_kind()
    home = os.environ.get("DAGSTER_HOME")
    if home:
        path = Path(home)
    else:
        path = DEFAULT_HOME.resolve()
        os.environ["DAGSTER_HOME"] = str(path)
    path.mkdir(parents=True, exist_ok=True)
    config = path / "dagster.yaml"
    if not config.exists() or (_managed(config) and config.read_bytes() != INSTANCE_FILE.read_bytes()):
        shutil.copyfile(INSTANCE_FILE, config)
    elif not _managed(config) and kind == "postgres":
        text = config.read_text(encoding="utf-8")
        if "postgres" not in text and SamverkanStorage.__name__ not in text:
            raise InstanceConfigError(
                f"SAMVERKAN_INSTANCE=postgres men {config} är en egen instansfil utan PostgreSQL; "
                "ta bort den eller välj ett annat DAGSTER_HOME"
            )
    return path
