"""Where the Great Expectations file context lives, its fixed names and ids, and opening it.

GX is imported only inside ``open_context``: importing it takes seconds, and
most processes (the command line, the report steps) never validate anything.
"""

from __future__ import annotations

import logging
import os
import uuid
from pathlib import Path
from typing import Any

PROJECT_ROOT = Path(__file__).resolve().parents[2]
DEFAULT_CONTEXT_DIR = PROJECT_ROOT / "expectations"
DATASOURCE = "samverkan"
BATCH_DEFINITION = "whole_frame"
DATA_DOCS_SITE = "local_site"
GX_VERSION = "1.24.1"
_NAMESPACE = uuid.UUID("5b2a3c1e-7d4f-4e8a-9c6b-0a1b2c3d4e5f")


def fixed_id(*parts: str) -> str:
    """An id derived from names, so the committed files come out the same on every machine."""
    return str(uuid.uuid5(_NAMESPACE, "/".join(parts)))


# Where results and Data Docs go when set; else see ``results_dir``.
RESULTS_VARIABLE = "SAMVERKAN_GX_RESULTS_DIR"
# The name the committed config uses for that folder (filled in by ``open_context``).
RESULTS_CONFIG_VARIABLE = "samverkan_gx_results"
# pipelines.instance's default home, spelled here so that this module does not import Dagster.
DEFAULT_DAGSTER_HOME = Path("var/dagster_home")


def context_dir(setting: str = "") -> Path:
    return Path(setting or os.environ.get("SAMVERKAN_GX_DIR", "") or DEFAULT_CONTEXT_DIR)


def results_dir(root: Path) -> Path:
    """Where the context at ``root`` stores validation results and Data Docs.

    ``SAMVERKAN_GX_RESULTS_DIR`` when set. The committed context in the installed package only holds the
    suites: its results go under the instance's home (``$DAGSTER_HOME/gx``), never into the package. Any other
    context (a per-run or test copy) keeps them in its own ``uncommitted/``.
    """
    setting = os.environ.get(RESULTS_VARIABLE, "").strip()
    if setting:
        return Path(setting).resolve()
    root = Path(root).resolve()
    if root == DEFAULT_CONTEXT_DIR.resolve():
        return Path(os.environ.get("DAGSTER_HOME") or DEFAULT_DAGSTER_HOME).resolve() / "gx"
    return root / "uncommitted"


def validations_dir(root: Path) -> Path:
    return results_dir(root) / "validations"


def site_dir(root: Path) -> Path:
    return results_dir(root) / "data_docs" / DATA_DOCS_SITE


def data_docs_index(root: Path) -> Path:
    return site_dir(root) / "index.html"


def _quiet_gx() -> None:
    for name in ("great_expectations", "great_expectations.core", "great_expectations.data_context"):
        logging.getLogger(name).setLevel(logging.ERROR)


def open_context(root: Path) -> Any:
    import great_expectations as gx  # noqa: PLC0415 - seconds to import; only validation needs it

    _quiet_gx()
    return gx.get_context(mode="file", context_root_dir=str(root),
                          runtime_environment={RESULTS_CONFIG_VARIABLE: str(results_dir(root))})
