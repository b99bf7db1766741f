"""Which storage the Dagster instance uses, decided by the environment whenever an instance is loaded.

Dagster reads ``$DAGSTER_HOME/dagster.yaml`` and its ``storage:`` section cannot
branch on a variable. So the repository's one ``dagster.yaml`` names a custom
storage, ``pipelines.instance_storage.SamverkanStorage``, which builds the real storage from
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
migrations, the UI) sees the ordinary storage. This module holds the choice and
:func:`ensure_dagster_home`, which copies the committed file into ``DAGSTER_HOME``
for command-line runs; it imports no Dagster.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Mapping
from pathlib import Path
from typing import Any

PROJECT_ROOT = Path(__file__).resolve().parents[1]
INSTANCE_FILE = PROJECT_ROOT / "dagster.yaml"
DEFAULT_HOME = Path("var/dagster_home")
MARKER = "# samverkan-instance:"
KINDS = ("postgres", "sqlite")
# The class dagster.yaml names (pipelines/instance_storage.py, which imports Dagster; this module must not,
# because `samverkan run` calls ensure_dagster_home before Dagster is imported, see pipelines/preload.py).
STORAGE_CLASS = "SamverkanStorage"
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
        if "postgres" not in text and STORAGE_CLASS not in text:
            raise InstanceConfigError(
                f"SAMVERKAN_INSTANCE=postgres men {config} är en egen instansfil utan PostgreSQL; "
                "ta bort den eller välj ett annat DAGSTER_HOME"
            )
    return path
