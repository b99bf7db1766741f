"""``samverkan run --forbund NAME``: a year's run limited to some förbund, official or in a scenario.

What a förbund's report needs is computed for it alone: the validated datasets of the partition are cut to the
förbund (``samverkan.scope.cut_to_forbund``) into a storage of the run's own, and only the assets downstream of
the validation run on that storage, in this process (a dozen small steps: a step process each would cost more
than the work).

"Full run" means a successful run of every asset of the year in the same scenario (or, for an official limited
run, an official one), on the instance the run is on: a scenario is an instance of its own
(pipelines/scenarios.py), so an official run is never one of a scenario's full runs. The benchmarks' national
figures come from the ``national_reference.csv`` the year's last full run wrote beside its reports, named in
the report text. A scenario's limited run reads its own scenario's last full run when there is one (its figures
are then the scenario's values), else the official year's, and the source line says which; its files must be
those of its own full run, while against the official reference other files are the point of a scenario.

The validated datasets are reused when the inbox is the one they were validated from: the one run that last
materialised every stored dataset of the year that is read is either that full run (its inbox recorded in
``national_reference_inbox.csv``) or a validation started here (its inbox's digest in the run's tag); that
inbox's fingerprint (names, sizes, SHA-256 of the files) must equal the inbox's now, and that run's import
profile and expectations must be the ones given now. A scenario's limited run
looks in its own storage first, then in the official storage (read, never written). Otherwise the whole inbox is
validated first (ingest, ``data_quality``, ``data_gate``, as a full run does it, on the run's own instance and
storage: a scenario's validation is the scenario's), and only then is it cut.

The stored files of the year's downstream assets are never written by a limited run: its own storage is
``<storage>/_scoped/<year>/<förbund>`` of the instance it runs on. Dagster records the limited run's
materialisations like any run's, tagged ``samverkan/forbund`` (and a scenario's ``samverkan/scenario``).
"""

from __future__ import annotations

import gc
import json
import time
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd
from dagster import AssetKey, AssetRecordsFilter, AssetSelection, DagsterInstance, DagsterRunStatus, RunsFilter

from pipelines.instance import ensure_dagster_home
from pipelines.io_manager import ParquetIOManager
from pipelines.resources import RUN_FILES_TAG
from pipelines.run import JOB_NAME, YearRun, run_year
from pipelines.run_lock import OFFICIAL, PARTITION_TAG, SCENARIO_TAG
from pipelines.runtime import STEP_COLLECTOR_THRESHOLDS
from samverkan.files import read_csv_extract, write_bytes_atomic, write_csv_atomic
from samverkan.inbox import inbox_digest
from samverkan.manifest import sha256_file
from samverkan.national_reference import REFERENCE_FILE, REFERENCE_INBOX_FILE
from samverkan.readers import read_dataset
from samverkan.report import slugify
from samverkan.run_files import run_file_digests
from samverkan.scope import (
    BY_FORBUND,
    BY_PROJECT,
    ScopeError,
    cut_to_forbund,
    inbox_fingerprint,
    resolve_forbund,
    scenario_reference,
)

SCOPE_TAG = "samverkan/forbund"  # the förbund of a limited run, joined by "|"
VALIDATED_TAG = "samverkan/validated-inbox"  # a validation run's inbox digest
# What the downstream assets load from the validation: the datasets, cut, and the steward's tables, whole.
CUT = (*BY_FORBUND, *BY_PROJECT)
# The inbox record and its data date are whole too: the report checks the inbox against the record and dates
# itself by the inbox, and the inbox is the whole year's.
WHOLE = ("quality_summary", "quality_problems", "inbox_fingerprint", "inbox_data_date")
VALIDATION = AssetSelection.groups("ingest", "quality")
FULL_RUNS_LOOKED_AT = 50


@dataclass
class ScopedRun:
    outcome: YearRun
    forbund: list[str]
    reused: bool  # a stored validation was reused (no ingest ran)
    reference: Path | None  # the national reference the benchmarks read (a scenario's: its own copy)
    reference_run: str | None  # the full run that wrote it
    validation: YearRun | None = None  # the whole inbox's validation, when the inbox had changed
    seconds: dict[str, float] = field(default_factory=dict)  # wall time of each phase, for benchmarks/
    scenario: str = ""  # the scenario the run is of ("" official)
    official_reference: bool = False  # a scenario's run read the official year's reference
    official_validation: bool = False  # a scenario's run reused the official year's validation


@dataclass(frozen=True)
class OfficialYear:
    """What a scenario's limited run may read of the official year: its instance and stored assets."""

    instance: DagsterInstance
    storage: Path


def run_scenario_name(run) -> str:
    """The scenario a run is of; "" for an official run."""
    name = run.tags.get(SCENARIO_TAG, "")
    return "" if name in ("", OFFICIAL) else name


def _out_dir(run, year: int) -> Path:
    # The version the run published (out/2024, or out/2024-v2 after an adoption: pipelines/outputs.py).
    from pipelines.outputs import run_folder

    folder = run_folder(run)
    if folder is not None:
        return folder
    template = run.run_config.get("resources", {}).get("settings", {}).get("config", {}).get("out_dir", "out/{year}")
    return Path(template.format(year=year))


def last_full_run(instance: DagsterInstance, year: int, scenario: str = "") -> tuple[str, Path] | None:
    """The newest successful run of every asset of ``year`` in ``scenario`` ("": official) on ``instance`` that
    exported a national reference: its id and its output folder."""
    runs = instance.get_runs(RunsFilter(job_name=JOB_NAME, statuses=[DagsterRunStatus.SUCCESS],
                                        tags={PARTITION_TAG: str(year)}), limit=FULL_RUNS_LOOKED_AT)
    for run in runs:  # newest first
        if run.asset_selection or SCOPE_TAG in run.tags or run_scenario_name(run) != scenario:
            continue
        out = _out_dir(run, year)
        if (out / REFERENCE_FILE).is_file() and (out / REFERENCE_INBOX_FILE).is_file():
            return run.run_id, out
    return None


def _run_settings(run) -> dict:
    return (run.run_config or {}).get("resources", {}).get("settings", {}).get("config", {}) if run else {}


def _folder(path: object) -> str:
    return str(Path(str(path)).resolve()) if path else ""


def _validated_the_same_way(run, settings: dict) -> bool:
    """Whether ``run`` validated with the import profile and expectations ``settings`` name: with others the same
    inbox gives other validated datasets."""
    config = _run_settings(run)
    return (_file_digest(settings.get("profile_file")) == _file_digest(config.get("profile_file"))
            and _folder(settings.get("expectations_dir")) == _folder(config.get("expectations_dir")))


def _validated_digest(instance: DagsterInstance, year: int, full: tuple[str, Path] | None,
                      settings: dict | None = None) -> str | None:
    """The inbox digest of the stored validation of ``year``, when one run stored all of it (with the profile and
    expectations of ``settings``, when given) and it is known which inbox that run read."""
    runs = set()
    for name in (*CUT, *WHOLE):
        found = instance.fetch_materializations(
            AssetRecordsFilter(asset_key=AssetKey(name), asset_partitions=[str(year)]), limit=1).records
        runs.add(found[0].run_id if found else None)
    if len(runs) != 1 or None in runs:
        return None
    run_id = runs.pop()
    run = instance.get_run_by_id(run_id)
    # A validation whose gate stopped it stored its datasets too: they are not validated, so never reused.
    if run is None or run.status != DagsterRunStatus.SUCCESS:
        return None
    if settings is not None and not _validated_the_same_way(run, settings):
        return None
    if full is not None and run_id == full[0]:
        return inbox_digest(read_csv_extract(full[1] / REFERENCE_INBOX_FILE))
    return run.tags.get(VALIDATED_TAG)


def _reusable(instance: DagsterInstance, storage: Path, year: int, full: tuple[str, Path] | None,
              digest: str, settings: dict) -> bool:
    """Whether ``storage`` holds a validation of ``year`` from the inbox whose digest is ``digest``, made with the
    profile and expectations of ``settings``."""
    return digest == _validated_digest(instance, year, full, settings) and all(
        _stored(storage, name, year).is_file() for name in (*CUT, *WHOLE))


RUN_FILES = {"parameters_file": "parametrar", "rules_file": "regler", "catalogue_file": "enhetskostnader"}


def _file_digest(path: object) -> str:
    return sha256_file(Path(str(path))) if path and Path(str(path)).is_file() else ""


def check_same_files(instance: DagsterInstance, full_run_id: str, settings: dict, scenario: str = "") -> None:
    """``ScopeError`` when a limited run would use other parameter, rules or catalogue files than the last full
    run of its year and scenario: its report would sit beside national figures (and, in the year's folder,
    extracts) computed with other values. Another what-if is a(nother) scenario (``--scenario``)."""
    run = instance.get_run_by_id(full_run_id)
    now = run_file_digests(*(settings.get(key) or None for key in RUN_FILES))
    recorded = json.loads(run.tags[RUN_FILES_TAG]) if run is not None and RUN_FILES_TAG in run.tags else None
    if recorded is None:  # a run from before the files were recorded: its files as they are now
        config = _run_settings(run)
        recorded = run_file_digests(*(config.get(key) or None for key in RUN_FILES))
    differ = [label for key, label in RUN_FILES.items() if now[key] != recorded.get(key)]
    if not differ:
        return
    if scenario:
        raise ScopeError(f"en körning för några förbund i scenariot {scenario} måste använda samma filer för "
                         f"{', '.join(differ)} som scenariots senaste fullständiga körning av året ({full_run_id}); "
                         "kör scenariot för hela året med de nya filerna, eller ett annat scenario")
    raise ScopeError(f"en körning för några förbund måste använda samma filer för {', '.join(differ)} som årets "
                     f"senaste fullständiga körning ({full_run_id}); kör hela året, eller ett scenario "
                     "(--scenario) för andra värden")


def _stored(base: Path, name: str, year: int) -> Path:
    return base / name / f"{year}.parquet"  # ParquetIOManager's layout


def _seed(source: Path, scoped: Path, year: int, forbund: list[str]) -> None:
    """The scoped storage: the stored validated datasets of ``source`` (only read) cut to ``forbund``, the
    steward's tables as they are."""
    frames = {name: pd.read_parquet(_stored(source, name, year)) for name in CUT}
    for name, frame in {**cut_to_forbund(frames, forbund),
                        **{n: pd.read_parquet(_stored(source, n, year)) for n in WHOLE}}.items():
        path = _stored(scoped, name, year)
        path.parent.mkdir(parents=True, exist_ok=True)
        write_bytes_atomic(path, frame.to_parquet(index=False))


def _downstream_keys() -> list[AssetKey]:
    from pipelines.definitions import defs

    graph = defs.resolve_asset_graph()
    report = AssetSelection.assets("samverkansbokslut_reports")
    # With its last step: the run publishes through a staging folder and replaces only its förbund's files.
    selection = (report.upstream() - VALIDATION) | AssetSelection.assets("published_outputs")
    return sorted(selection.resolve(graph), key=lambda k: k.to_user_string())


def _validation_keys() -> list[AssetKey]:
    from pipelines.definitions import defs

    return sorted(VALIDATION.resolve(defs.resolve_asset_graph()), key=lambda k: k.to_user_string())


@contextmanager
def step_collector():
    """This process's collector tuned as the step processes' are (pipelines/runtime.py) while a limited run's
    steps run in it, and restored after: the render's layout allocates hundreds of thousands of short-lived
    objects, and with the default thresholds each few hundred would traverse everything the process has loaded."""
    before = gc.get_threshold()
    gc.freeze()
    gc.set_threshold(*STEP_COLLECTOR_THRESHOLDS)
    try:
        yield
    finally:
        gc.set_threshold(*before)
        gc.unfreeze()


def _names(projects: pd.DataFrame) -> list[str]:
    return [name for name in projects.get("forbund", pd.Series(dtype="str")).astype(str).str.strip() if name]


def stored_projects(year: int, *storages: Path) -> Path | None:
    """The first of the storages' stored validated ``projects`` of ``year``, if any."""
    return next((path for path in (_stored(Path(base), "projects", year) for base in storages) if path.is_file()),
                None)


def requested_forbund(inbox: Path, requested: list[str], stored: Path | None = None) -> list[str]:
    """The named förbund as the inbox's projects spell them; ``ScopeError`` (one Swedish line) for a name the
    projects do not have. ``stored`` is a stored validated ``projects`` dataset to look in first: reading it
    is a small part of parsing the inbox's file (an XLSX, often), and a name it lacks is looked up in the inbox."""
    if stored is not None and stored.is_file():
        try:
            return resolve_forbund(requested, _names(pd.read_parquet(stored, columns=["forbund"])))
        except (ScopeError, KeyError, OSError, ValueError):
            pass
    return resolve_forbund(requested, _names(read_dataset(Path(inbox), "projects")))


def _reference_for(full: tuple[str, Path] | None, scoped: Path, scenario: str, official: bool) -> Path | None:
    """The reference file the benchmarks read: the full run's own, or for a scenario a copy in its scoped storage
    whose source says whose full run it is."""
    if full is None:
        return None
    reference = full[1] / REFERENCE_FILE
    if not scenario:
        return reference
    table = scenario_reference(read_csv_extract(reference), scenario, official)
    return write_csv_atomic(table, scoped / REFERENCE_FILE)


def run_scoped(inbox: Path, year: int, out: Path, forbund: list[str], instance: DagsterInstance | None = None,
               log_level: str = "CRITICAL", in_process: bool = False, workers: int | None = None,
               storage: Path | None = None, scenario: str = "", official: OfficialYear | None = None,
               **settings: object) -> ScopedRun:
    """One year's run limited to ``forbund`` (names as in the projects; see the module docstring) on ``instance``
    and its stored assets' folder ``storage`` (left out: the IO manager's, ``SAMVERKAN_STORAGE``). A scenario's
    run (``scenario``, its own instance and storage) may read ``official``: the official year's reference and
    validation."""
    started = time.perf_counter()
    seconds: dict[str, float] = {}

    def phase(name: str) -> None:
        nonlocal started
        now = time.perf_counter()
        seconds[name] = round(now - started, 3)
        started = now

    if instance is None:
        ensure_dagster_home()
        instance = DagsterInstance.get()
    storage = Path(storage or ParquetIOManager().base_dir)
    own_tags = {SCENARIO_TAG: scenario} if scenario else {}
    names = requested_forbund(inbox, forbund, stored_projects(
        year, storage, *([official.storage] if official is not None else [])))
    full = last_full_run(instance, year, scenario)
    official_full = last_full_run(official.instance, year) if scenario and official is not None else None
    if full is not None:
        check_same_files(instance, full[0], settings, scenario)
    digest = inbox_digest(inbox_fingerprint(inbox))
    source = storage if _reusable(instance, storage, year, full, digest, settings) else None
    from_official = source is None and scenario != "" and official is not None and _reusable(
        official.instance, official.storage, year, official_full, digest, settings)
    if from_official:
        source = official.storage
    phase("check")
    validation = None
    if source is None:
        validation = run_year(inbox, year, out, instance=instance, log_level=log_level, in_process=in_process,
                              workers=workers, asset_selection=_validation_keys(),
                              tags={VALIDATED_TAG: digest, **own_tags},
                              resources={"io_manager": {"config": {"base_dir": str(storage)}},
                                         "intermediate_io_manager": {
                                             "config": {"base_dir": str(storage / "intermediate")}}},
                              **settings)
        phase("validate")
        if not validation.success:
            return ScopedRun(validation, names, False, None, None, validation, seconds, scenario)
        source = storage
    scoped = storage / "_scoped" / str(year) / "+".join(slugify(n) for n in names)
    _seed(source, scoped, year, names)
    keys = _downstream_keys()
    read_official = full is None and official_full is not None
    chosen = official_full if read_official else full
    reference = _reference_for(chosen, scoped, scenario, read_official)
    phase("cut")
    with step_collector():
        outcome = run_year(
            inbox, year, out, instance=instance, log_level=log_level, in_process=True,
            asset_selection=keys, tags={SCOPE_TAG: "|".join(names), **own_tags},
            resources={"io_manager": {"config": {"base_dir": str(scoped)}},
                       "intermediate_io_manager": {"config": {"base_dir": str(scoped / "intermediate")}}},
            forbund=names, national_reference=str(reference.resolve()) if reference else "", **settings)
    phase("run")
    return ScopedRun(outcome, names, validation is None, reference, chosen[0] if chosen else None, validation,
                     seconds, scenario, official_reference=read_official, official_validation=from_official)


__all__ = ["SCOPE_TAG", "OfficialYear", "ScopeError", "ScopedRun", "last_full_run", "requested_forbund",
           "run_scoped", "stored_projects"]
