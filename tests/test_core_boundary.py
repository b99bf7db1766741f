"""The domain core never imports Dagster: it must stay usable (and testable) as plain Python."""

import pkgutil
import subprocess
import sys
from pathlib import Path

import samverkan

ROOT = Path(__file__).resolve().parents[1]


def test_core_modules_do_not_import_dagster() -> None:
    modules = sorted(m.name for m in pkgutil.walk_packages(samverkan.__path__, "samverkan."))
    assert "samverkan.ledger.results" in modules and "samverkan.success.levels" in modules
    code = (
        "import importlib, sys\n"
        f"for name in {modules!r}:\n"
        "    importlib.import_module(name)\n"
        "leaked = sorted(m for m in sys.modules if m == 'dagster' or m.startswith('dagster.'))\n"
        "print(','.join(leaked))\n"
    )
    result = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "", f"dagster imported by the core: {result.stdout[:200]}"
