"""The domain core never imports Dagster, the pipeline or the assets: it must stay usable (and testable) as
plain Python. Checked twice: by reading every file's source, so an import inside a function counts as much as one
at the top, and by importing every module in a fresh interpreter."""

import ast
import pkgutil
import subprocess
import sys
from pathlib import Path

import samverkan

ROOT = Path(__file__).resolve().parents[1]
CORE = ROOT / "samverkan"
FORBIDDEN = ("dagster", "pipelines", "assets")  # dagster also covers dagster_k8s, dagster_postgres, ...
IMPORT_FUNCTIONS = ("import_module", "__import__", "find_spec")


def _forbidden(name: str) -> bool:
    top = name.split(".")[0]
    return top in FORBIDDEN or top.startswith("dagster")


def _called_name(func: ast.expr) -> str:
    if isinstance(func, ast.Attribute):
        return func.attr
    return func.id if isinstance(func, ast.Name) else ""


def imported_names(source: str, module: str) -> list[tuple[int, str]]:
    """Every module ``source`` (the module ``module``) imports, with its line: ``import`` and ``from`` statements
    anywhere in the file, relative ones resolved, and string arguments of ``importlib.import_module``,
    ``__import__`` and ``find_spec``."""
    package = module.split(".")
    found = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            found += [(node.lineno, alias.name) for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = package[: len(package) - node.level] if node.level else []
            name = ".".join([*base, *([node.module] if node.module else [])])
            found.append((node.lineno, name))
            found += [(node.lineno, f"{name}.{alias.name}") for alias in node.names]
        elif isinstance(node, ast.Call) and _called_name(node.func) in IMPORT_FUNCTIONS:
            found += [(node.lineno, arg.value) for arg in node.args
                      if isinstance(arg, ast.Constant) and isinstance(arg.value, str)]
    return found


def _module_name(path: Path) -> str:
    parts = path.relative_to(ROOT).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def test_the_source_check_sees_every_kind_of_import() -> None:
    source = (
        "import importlib\n"
        "from . import contract\n"
        "def later():\n"
        "    import dagster\n"
        "    from pipelines.run import run_year\n"
        "    importlib.import_module('assets.report')\n"
        "    __import__('dagster_k8s')\n"
    )
    names = [name for _, name in imported_names(source, "samverkan.cli")]
    assert "samverkan.contract" in names
    assert [n for n in names if _forbidden(n)] == ["dagster", "pipelines.run", "pipelines.run.run_year",
                                                   "assets.report", "dagster_k8s"]


def test_core_source_imports_no_dagster_pipelines_or_assets() -> None:
    files = sorted(CORE.rglob("*.py"))
    assert CORE / "ledger" / "results.py" in files and not (CORE / "cli.py").exists()
    offences = [f"{path.relative_to(ROOT)}:{line}: {name}" for path in files
                for line, name in imported_names(path.read_text(encoding="utf-8"), _module_name(path))
                if _forbidden(name)]
    assert offences == [], "the core imports the shell:\n" + "\n".join(offences)


def test_core_modules_do_not_import_dagster() -> None:
    modules = sorted(m.name for m in pkgutil.walk_packages(samverkan.__path__, "samverkan."))
    assert "samverkan.ledger.results" in modules and "samverkan.success.levels" in modules
    code = (
        "import importlib, sys\n"
        f"for name in {modules!r}:\n"
        "    importlib.import_module(name)\n"
        "leaked = sorted(m for m in sys.modules if m.split('.')[0] in ('dagster', 'pipelines', 'assets'))\n"
        "print(','.join(leaked))\n"
    )
    result = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "", f"dagster or the pipeline imported by the core: {result.stdout[:200]}"
