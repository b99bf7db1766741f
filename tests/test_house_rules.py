"""The house rules, checked: modules under 400 lines, ruff clean (complexity rule included)."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PACKAGES = ("samverkan", "pipelines", "assets", "reports")
MAX_LINES = 400


def test_no_module_over_400_lines():
    long = {str(p.relative_to(ROOT)): n for package in PACKAGES for p in (ROOT / package).rglob("*.py")
            if (n := len(p.read_text(encoding="utf-8").splitlines())) > MAX_LINES}
    assert long == {}


def test_ruff_is_clean_with_the_complexity_rule():
    ruff = shutil.which("ruff", path=str(Path(sys.executable).parent)) or shutil.which("ruff")
    assert ruff, "ruff hör till dev-beroendena"
    run = subprocess.run([ruff, "check", str(ROOT)], capture_output=True, text=True, cwd=ROOT)
    assert run.returncode == 0, run.stdout[-3000:]
    config = (ROOT / "pyproject.toml").read_text(encoding="utf-8")
    assert '"C901"' in config and "max-complexity = 12" in config
