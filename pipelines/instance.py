"""Which Dagster instance a command-line run uses.

``DAGSTER_HOME`` wins when set. Otherwise the project's own ``var/dagster_home``
is prepared with the repository's ``dagster.yaml`` (embedded SQLite, no server),
the same folder the README's ``dagster dev`` uses.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parents[1]
DEFAULT_HOME = Path("var/dagster_home")


def ensure_dagster_home() -> Path:
    home = os.environ.get("DAGSTER_HOME")
    if home:
        path = Path(home)
    else:
        path = DEFAULT_HOME.resolve()
        os.environ["DAGSTER_HOME"] = str(path)
    path.mkdir(parents=True, exist_ok=True)
    config = path / "dagster.yaml"
    template = PROJECT_ROOT / "dagster.yaml"
    if not config.exists() and template.exists():
        shutil.copyfile(template, config)
    return path
