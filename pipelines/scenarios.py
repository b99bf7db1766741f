"""Named what-if runs (scenarios): each in a Dagster instance of its own, so the official year is never touched.

A scenario lives in ``$DAGSTER_HOME/scenarios/NAME/``: its own ``dagster.yaml`` (plain SQLite there, whatever
``SAMVERKAN_INSTANCE`` says, so its runs, events and materialisations are never the official instance's), its
stored assets in ``assets/``, its Great Expectations results and Data Docs in ``gx/`` and ``scenario.json``
(samverkan/scenario.py). Its outputs go to ``out/scenarios/NAME/YEAR`` beside the official folder unless another
folder is given; a folder the official year's publishing uses or may use (samverkan/scenario.py) is refused.
The run lock (pipelines/run_lock.py) looks only at its own instance's runs, so a scenario and the official year never
wait for each other while two runs of one scenario still do. docs/operations.md says why this and not a
``scenario`` partition dimension.

A scenario's backfill (``run_scenario_years``) and its runs limited to some förbund (``run_scenario_forbund``,
pipelines/scope.py) are its own runs too: a limited run may read the official year's national reference and
validated datasets, but never writes the official instance, stored files or outputs.

Until ``run_scenario`` is called nothing here imports Dagster: the command line sets the scenario's
environment before it starts the step forkserver (pipelines/preload.py), whose processes keep that environment.
"""

from __future__ import annotations

import os
import shutil
import sys
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

import yaml

from pipelines.gx.context import RESULTS_VARIABLE
from pipelines.instance import DEFAULT_HOME, INSTANCE_FILE
from samverkan.files import write_bytes_atomic
from samverkan.overrides import merge, read_yaml, short_hash
from samverkan.scenario import (
    SCENARIOS_DIR,
    ScenarioError,
    ScenarioRecord,
    check_name,
    check_out,
    default_out,
    official_name,
    overlaps,
    read_record,
    write_record,
)

if TYPE_CHECKING:
    from dagster import DagsterInstance

    from pipelines.run import YearRun
    from pipelines.scope import ScopedRun

INSTANCE_HEADER = (
    "# A scenario's own Dagster instance, written by samverkan (pipelines/scenarios.py): SQLite in this folder,\n"
    "# whatever SAMVERKAN_INSTANCE says, so nothing a scenario runs is recorded in the official instance.\n"
)
# The official default when neither run config nor SAMVERKAN_OUT names the output folder (pipelines/resources.py).
OFFICIAL_OUT = "out/{year}"
FILE_SETTINGS = ("parameters_file", "rules_file", "catalogue_file")
STATUS_WORDS = {"SUCCESS": "lyckades", "FAILURE": "misslyckades", "STARTED": "pågår", "STARTING": "startar",
                "QUEUED": "i kö", "NOT_STARTED": "inte startad", "CANCELING": "avbryts", "CANCELED": "avbruten"}


def official_home() -> Path:
    """The official instance's home, as ``ensure_dagster_home`` chooses it."""
    return Path(os.environ.get("DAGSTER_HOME") or DEFAULT_HOME).resolve()


def scenario_home(name: str, home: Path | None = None) -> Path:
    return (home or official_home()) / SCENARIOS_DIR / check_name(name)


def assets_dir(home: Path) -> Path:
    # Not storage/: Dagster keeps its own per-run event databases and compute logs there.
    return home / "assets"


def gx_dir(home: Path) -> Path:
    return home / "gx"


def scenario_environment(name: str, home: Path | None = None) -> dict[str, str]:
    """Variables a scenario run's processes need: its Great Expectations results and Data Docs in its own gx/."""
    return {RESULTS_VARIABLE: str(gx_dir(scenario_home(name, home)))}


@contextmanager
def _environment(values: Mapping[str, str]) -> Iterator[None]:
    before = {key: os.environ.get(key) for key in values}
    os.environ.update(values)
    try:
        yield
    finally:
        for key, value in before.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value


def instance_yaml(home: Path) -> str:
    """The scenario's ``dagster.yaml``: the committed file's pools, its own SQLite storage."""
    committed = yaml.safe_load(INSTANCE_FILE.read_text(encoding="utf-8")) or {}
    document = {"telemetry": {"enabled": False}, "storage": {"sqlite": {"base_dir": str(home)}},
                "concurrency": committed.get("concurrency", {})}
    return INSTANCE_HEADER + yaml.safe_dump(document, sort_keys=False)


def _official(official: DagsterInstance | None) -> DagsterInstance:
    if official is not None:
        return official
    from dagster import DagsterInstance

    from pipelines.instance import ensure_dagster_home

    ensure_dagster_home()
    return DagsterInstance.get()


def _official_outs(official: DagsterInstance, year: int, template: str) -> list[Path]:
    """Every output folder an official run of ``year`` used, newest first, then the one ``template`` gives."""
    from dagster import RunsFilter

    from pipelines.run_lock import PARTITION_TAG
    from pipelines.sensors import run_out_dir

    outs: list[Path] = []
    for run in official.get_runs(filters=RunsFilter(tags={PARTITION_TAG: str(year)})):
        out = run_out_dir(run)
        if out is not None and out.resolve() not in outs:
            outs.append(out.resolve())
    default = Path(template.format(year=year)).resolve()
    return outs if default in outs else [*outs, default]


def _parameters_file(home: Path, parameters_file: str, document: dict[str, Any]) -> str:
    """The launchpad's typed values merged over the given (partial) parameters file, as a file of the scenario.

    Named by its content, so a second launch with other values never changes the file a running one reads."""
    if not document:
        return parameters_file
    if parameters_file:
        given, _ = read_yaml(Path(parameters_file), "parameterfilen")
        document = merge(given or {}, document)
    text = yaml.safe_dump(document, sort_keys=True, allow_unicode=True).encode("utf-8")
    path = home / "parameters" / f"{short_hash(text)}.yaml"
    write_bytes_atomic(path, text)
    return str(path)


def _set_up(home: Path, name: str, year: int, out: Path, files: dict[str, str],
            overrides: Mapping[str, object]) -> None:
    config = home / "dagster.yaml"
    text = instance_yaml(home)
    if not config.exists() or config.read_text(encoding="utf-8") != text:
        write_bytes_atomic(config, text.encode("utf-8"))
    record = read_record(home) or ScenarioRecord(name=name, created=datetime.now(UTC).isoformat(timespec="seconds"))
    record.files = {key.removesuffix("_file"): value for key, value in files.items() if value}
    record.overrides = {key: value for key, value in overrides.items() if value is not None}
    record.add_output(year, out)
    write_record(home, record)


@dataclass
class ScenarioRun:
    name: str
    home: Path
    run: YearRun
    scoped: ScopedRun | None = None  # a run limited to some förbund (--forbund): what it reused and read


def scenario_out(name: str, year: int, out: Path | None, official: DagsterInstance, official_out: str = "") -> Path:
    """The scenario's output folder for ``year``: ``out``, or beside the latest official folder of the year;
    ``ScenarioError`` (one Swedish line) for a bad name or a folder of the official year's."""
    name = check_name(name)
    template = official_out or os.environ.get("SAMVERKAN_OUT") or OFFICIAL_OUT
    official_outs = _official_outs(official, year, template)
    # Beside the latest official run's folder, so an evaluator finds it where the year's outputs are.
    chosen = Path(out).resolve() if out else default_out(official_outs[0], name, year)
    check_out(chosen, official_outs)
    return chosen


def _prepared(name: str, inbox: Path, year: int, out: Path | None, official: DagsterInstance, official_out: str,
              overrides: Mapping[str, object] | None, kwargs: dict[str, Any],
              root: Path | None = None) -> tuple[Path, Path, dict[str, str]]:
    """The scenario's home (under ``root``, default the official instance's), output folder and run files, set
    up for a run of ``year``; the files are taken out of ``kwargs``. Everything that refuses the run is checked
    first: a refused run never registers a scenario."""
    from pipelines.run import _check_year
    from samverkan.ledger.parameters import parameters_from_overrides

    _check_year(year)
    if not Path(inbox).is_dir():  # as run_year says it, but before the scenario is created
        raise ValueError(f"inkorgen {inbox} finns inte eller är ingen mapp")

    home = scenario_home(name, root or Path(official.root_directory))
    out = scenario_out(name, year, out, official, official_out)
    files = {key: str(kwargs.pop(key) or "") for key in FILE_SETTINGS if key in kwargs}
    files["parameters_file"] = _parameters_file(home, files.get("parameters_file", ""),
                                                parameters_from_overrides(overrides or {}))
    _set_up(home, name, year, out, files, overrides or {})
    return home, out, {k: v for k, v in files.items() if v}


def run_scenario(name: str, inbox: Path, year: int, out: Path | None = None, *,
                 official: DagsterInstance | None = None, official_out: str = "",
                 overrides: Mapping[str, object] | None = None, home: Path | None = None,
                 **kwargs: Any) -> ScenarioRun:
    """Run ``year`` as the scenario ``name`` in its own instance; ``kwargs`` go to ``run_year`` (files, settings).

    ``official`` is the official instance (default: the configured one), ``official_out`` its output template
    (default: ``SAMVERKAN_OUT`` or ``out/{year}``) and ``overrides`` the launchpad's typed parameter values.
    Raises ``ValueError`` (one Swedish line) for a bad name or an output folder of the official year's."""
    from dagster import DagsterInstance

    from pipelines.run import run_year
    from pipelines.run_lock import SCENARIO_TAG

    name = check_name(name)
    official = _official(official)
    home, out, files = _prepared(name, inbox, year, out, official, official_out, overrides, kwargs, home)
    storage = assets_dir(home)
    resources = {"io_manager": {"config": {"base_dir": str(storage)}},
                 "intermediate_io_manager": {"config": {"base_dir": str(storage / "intermediate")}}}
    tags = {**(kwargs.pop("tags", None) or {}), SCENARIO_TAG: name}
    with _environment({RESULTS_VARIABLE: str(gx_dir(home))}), \
            DagsterInstance.from_config(str(home)) as instance:
        outcome = run_year(inbox, year, out, instance=instance, resources=resources, tags=tags, **files, **kwargs)
    return ScenarioRun(name, home, outcome)


def run_scenario_forbund(name: str, inbox: Path, year: int, forbund: list[str], out: Path | None = None, *,
                         official: DagsterInstance | None = None, official_out: str = "",
                         official_storage: Path | None = None, **kwargs: Any) -> ScenarioRun:
    """``year`` of the scenario ``name`` for the named förbund only (pipelines/scope.py), in its own instance and
    storage. The official year's instance and stored assets (``official_storage``, default the IO manager's) are
    only read: for the national reference when the scenario has no full run of the year, and for a validation
    of the same inbox."""
    from dagster import DagsterInstance

    from pipelines.io_manager import ParquetIOManager
    from pipelines.scope import OfficialYear, requested_forbund, run_scoped, stored_projects

    name = check_name(name)
    official = _official(official)
    readable = OfficialYear(official, Path(official_storage or ParquetIOManager().base_dir))
    # An unknown förbund is refused before the scenario is set up.
    requested_forbund(inbox, forbund, stored_projects(
        year, assets_dir(scenario_home(name, Path(official.root_directory))), readable.storage))
    home, out, files = _prepared(name, inbox, year, out, official, official_out, None, kwargs)
    with _environment({RESULTS_VARIABLE: str(gx_dir(home))}), \
            DagsterInstance.from_config(str(home)) as instance:
        scoped = run_scoped(inbox, year, out, forbund, instance=instance, storage=assets_dir(home), scenario=name,
                            official=readable, **files, **kwargs)
    return ScenarioRun(name, home, scoped.outcome, scoped)


def run_scenario_years(name: str, inbox: Path, years: list[int], out_template: str | None = None, *,
                       official: DagsterInstance | None = None, official_out: str = "", batch: str | None = None,
                       **kwargs: Any) -> dict[int, ScenarioRun]:
    """``samverkan backfill --scenario``: each year as the scenario ``name``, one after the other; every year's
    output folder (``out_template`` with ``{year}``, or beside the official one) is checked before any runs."""
    from pipelines.run import BATCH_TAG, _check_year

    name = check_name(name)
    official = _official(official)
    for year in years:
        _check_year(year)
        scenario_out(name, year, Path(out_template.format(year=year)) if out_template else None, official,
                     official_out)
    tags = {BATCH_TAG: batch} if batch else {}
    return {year: run_scenario(name, inbox, year, Path(out_template.format(year=year)) if out_template else None,
                               official=official, official_out=official_out, tags=dict(tags), **kwargs)
            for year in years}


@dataclass
class ScenarioSummary:
    name: str
    created: str
    years: list[str] = field(default_factory=list)
    files: dict[str, str] = field(default_factory=dict)
    overrides: dict[str, object] = field(default_factory=dict)
    last_status: str = "aldrig körd"
    last_run: str = ""


def _summary(home: Path, record: ScenarioRecord) -> ScenarioSummary:
    from dagster import DagsterInstance

    from pipelines.run_lock import PARTITION_TAG

    summary = ScenarioSummary(record.name, record.created, files=record.files, overrides=record.overrides)
    if not (home / "dagster.yaml").exists():
        return summary
    with DagsterInstance.from_config(str(home)) as instance:
        runs = instance.get_runs()  # newest first
    summary.years = sorted({run.tags[PARTITION_TAG] for run in runs if run.tags.get(PARTITION_TAG)})
    if runs:
        last = runs[0]
        summary.last_status = STATUS_WORDS.get(last.status.value, last.status.value.lower())
        summary.last_run = last.run_id
    return summary


def list_scenarios(home: Path | None = None) -> list[ScenarioSummary]:
    """Every scenario under the official home, by name."""
    root = (home or official_home()) / SCENARIOS_DIR
    found = []
    for folder in sorted(root.iterdir()) if root.is_dir() else []:
        record = read_record(folder)
        if record is not None and record.name == folder.name:
            found.append(_summary(folder, record))
    return found


def summary_lines(summaries: list[ScenarioSummary]) -> list[str]:
    """``samverkan scenarios``'s lines: one per scenario, then its files."""
    if not summaries:
        return ["inga scenarier ännu (skapa ett med samverkan run … --scenario NAMN)"]
    lines = []
    for item in summaries:
        years = ", ".join(item.years) or "–"
        run = f" (körning {item.last_run[:8]})" if item.last_run else ""
        lines.append(f"{item.name}: år {years}; skapat {item.created}; senast {item.last_status}{run}")
        files = [f"{key} {value}" for key, value in sorted(item.files.items())]
        values = [f"{key}={value}" for key, value in sorted(item.overrides.items())]
        lines.append("  filer: " + ("; ".join(files) if files else "standardfilerna")
                     + (f"; värden: {', '.join(values)}" if values else ""))
    return lines


def _in_progress(home: Path) -> str | None:
    from dagster import DagsterInstance, RunsFilter

    from pipelines.run_lock import IN_PROGRESS, _launcher_gone

    with DagsterInstance.from_config(str(home)) as instance:
        records = instance.get_run_records(filters=RunsFilter(statuses=IN_PROGRESS))
        # A run whose launching process was killed stays "started" for ever; it does not keep the scenario.
        alive = [r for r in records if not _launcher_gone(r)]
    return alive[0].dagster_run.run_id if alive else None


def delete_scenario(name: str, official: DagsterInstance | None = None, official_out: str = "") -> list[Path]:
    """Remove a scenario: its outputs (never an official folder) and its home; the folders removed.

    Refused while one of its runs is in progress."""
    official = _official(official)
    folder = scenario_home(name, Path(official.root_directory))
    record = read_record(folder)
    if record is None:
        raise ScenarioError(f"scenariot {name} finns inte (se samverkan scenarios)")
    if (folder / "dagster.yaml").exists() and (running := _in_progress(folder)):
        raise ScenarioError(f"scenariot {name} körs just nu (körning {running[:8]}); vänta eller avbryt den först")
    template = official_out or os.environ.get("SAMVERKAN_OUT") or OFFICIAL_OUT
    removed = []
    for year, outs in sorted(record.outputs.items()):
        officials = _official_outs(official, int(year), template)
        for path in map(Path, outs):
            if path.is_dir() and not any(overlaps(path, o) or official_name(path, o) for o in officials):
                shutil.rmtree(path)
                removed.append(path)
    shutil.rmtree(folder)
    return [*removed, folder]


def scenarios_command(delete: str | None = None) -> int:
    """``samverkan scenarios [--delete NAME]``: the list, or the removal, printed; the exit code."""
    if delete:
        try:
            removed = delete_scenario(delete)
        except ValueError as exc:
            print(f"fel: {exc}", file=sys.stderr)
            return 2
        print(f"scenariot {delete} är borttaget: " + ", ".join(str(path) for path in removed))
        return 0
    print("\n".join(summary_lines(list_scenarios())))
    return 0
