"""Which Dagster instance a command-line run uses.

Dagster reads ``$DAGSTER_HOME/dagster.yaml`` and that file cannot branch, so the
choice of storage is made here, from the environment, by picking one of two
committed instance files:

- ``SAMVERKAN_INSTANCE`` unset or ``sqlite``: the repository's ``dagster.yaml``
  (embedded SQLite, no server) in ``var/dagster_home``, as ``dagster dev`` uses.
- ``SAMVERKAN_INSTANCE=postgres``: ``deploy/instance/postgres/dagster.yaml``,
  whose connection values all come from ``DAGSTER_PG_*`` variables, in
  ``var/dagster_home_postgres``.

``DAGSTER_HOME`` wins when set. A ``dagster.yaml`` already there is refreshed only
when it is one of ours (first line ``# samverkan-instance: <kind>``); an
operator's own file is never touched.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parents[1]
DEFAULT_HOME = Path("var/dagster_home")
MARKER = "# samverkan-instance:"

INSTANCE_FILES = {
    "sqlite": PROJECT_ROOT / "dagster.yaml",
    "postgres": PROJECT_ROOT / "deploy" / "instance" / "postgres" / "dagster.yaml",
}
DEFAULT_HOMES = {"sqlite": DEFAULT_HOME, "postgres": Path("var/dagster_home_postgres")}
# Connection settings the PostgreSQL instance file reads; the port has a default.
PG_REQUIRED = ("DAGSTER_PG_HOST", "DAGSTER_PG_DB", "DAGSTER_PG_USERNAME", "DAGSTER_PG_PASSWORD")
PG_DEFAULT_PORT = "5432"


class InstanceConfigError(ValueError):
    """The environment asks for an instance that cannot be set up."""


def instance_kind() -> str:
    kind = os.environ.get("SAMVERKAN_INSTANCE", "").strip().lower() or "sqlite"
    if kind not in INSTANCE_FILES:
        raise InstanceConfigError(
            f"SAMVERKAN_INSTANCE={kind!r} är okänt; välj {' eller '.join(sorted(INSTANCE_FILES))}"
        )
    if kind == "postgres":
        missing = [name for name in PG_REQUIRED if not os.environ.get(name)]
        if missing:
            raise InstanceConfigError(
                "SAMVERKAN_INSTANCE=postgres kräver miljövariablerna " + ", ".join(missing)
                + " (se docs/operations.md)"
            )
        os.environ.setdefault("DAGSTER_PG_PORT", PG_DEFAULT_PORT)
    return kind


def _managed_kind(config: Path) -> str | None:
    with config.open(encoding="utf-8") as handle:
        first = handle.readline().strip()
    return first[len(MARKER):].strip() if first.startswith(MARKER) else None


def ensure_dagster_home() -> Path:
    """Prepare ``DAGSTER_HOME`` for the instance the environment asks for and return it."""
    kind = instance_kind()
    home = os.environ.get("DAGSTER_HOME")
    if home:
        path = Path(home)
    else:
        path = DEFAULT_HOMES[kind].resolve()
        os.environ["DAGSTER_HOME"] = str(path)
    path.mkdir(parents=True, exist_ok=True)
    config = path / "dagster.yaml"
    template = INSTANCE_FILES[kind]
    managed = _managed_kind(config) if config.exists() else None
    # Our own copy follows the committed file, so a changed template reaches every home.
    if not config.exists() or (managed is not None and config.read_bytes() != template.read_bytes()):
        shutil.copyfile(template, config)
    elif managed is None and kind == "postgres" and "postgres" not in config.read_text(encoding="utf-8"):
        raise InstanceConfigError(
            f"SAMVERKAN_INSTANCE=postgres men {config} är en egen instansfil utan PostgreSQL; "
            "ta bort den eller välj ett annat DAGSTER_HOME"
        )
    return path
