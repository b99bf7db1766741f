"""``samverkan run --forbund NAME``: a year's run limited to some förbund.

What a förbund's report needs is computed for it alone: the validated datasets of the partition are cut to the
förbund (``samverkan.scope.cut_to_forbund``) into a storage of the run's own, and only the assets downstream of
the validation run on that storage, in this process (a dozen small steps: a step process each would cost more
than the work). The benchmarks' national figures come from the year's last full official run: the
``national_reference.csv`` it wrote beside its reports, named in the report text.

The validated datasets are reused when the inbox is the one they were validated from: the one run that last
materialised every stored dataset of the year that is read is either that full run (its inbox recorded in
``national_reference_inbox.csv``) or a validation started here (its inbox's digest in the run's tag); its inbox
fingerprint (names, sizes, SHA-256 of the files) must equal the inbox's now. Otherwise the whole inbox is
validated first (ingest, ``data_quality``, ``data_gate``: the year's official validation, as a full run does
it), and only then is it cut.

The official stored files of the year's downstream assets are never written by a limited run: its own storage is
``<storage>/_scoped/<year>/<förbund>``. Dagster records the limited run's materialisations like any run's,
tagged ``samverkan/forbund``.
"""

from __future__ import annotations

import gc
import time
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd
from dagster import AssetKey, AssetRecordsFilter, AssetSelection, DagsterInstance, DagsterRunStatus, RunsFilter

from pipelines.instance import ensure_dagster_home
from pipelines.io_manager import ParquetIOManager
from pipelines.run import JOB_NAME, YearRun, run_year
from pipelines.run_lock import OFFICIAL, PARTITION_TAG, SCENARIO_TAG
from pipelines.runtime import STEP_COLLECTOR_THRESHOLDS
from samverkan.files import read_csv_extract, write_bytes_atomic
from samverkan.inbox import inbox_digest
from samverkan.manifest import sha256_file
from samverkan.national_reference import REFERENCE_FILE, REFERENCE_INBOX_FILE
from samverkan.readers import read_dataset
from samverkan.report import slugify
from samverkan.scope import BY_FORBUND, BY_PROJECT, ScopeError, cut_to_forbund, inbox_fingerprint, resolve_forbund

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
    reused: bool  # the stored validation was reused (no ingest ran)
    reference: Path | None  # the national reference the benchmarks read
    reference_run: str | None  # the full run that wrote it
    validation: YearRun | None = None  # the whole inbox's validation, when the inbox had changed
    seconds: dict[str, float] = field(default_factory=dict)  # wall time of each phase, for benchmarks/


def _official(run) -> bool:
    return run.tags.get(SCENARIO_TAG, OFFICIAL) in ("", OFFICIAL)


def _out_dir(run, year: int) -> Path:
    # The version the run published (out/2024, or out/2024-v2 after an adoption: pipelines/outputs.py).
    from pipelines.outputs import run_folder

    folder = run_folder(run)
    if folder is not None:
        return folder
    template = run.run_config.get("resources", {}).get("settings", {}).get("config", {}).get("out_dir", "out/{year}")
    return Path(template.format(year=year))


def last_full_run(instance: DagsterInstance, year: int) -> tuple[str, Path] | None:
    """The newest successful official run of every asset of ``year`` that exported a national reference."""
    runs = instance.get_runs(RunsFilter(job_name=JOB_NAME, statuses=[DagsterRunStatus.SUCCESS],
                                        tags={PARTITION_TAG: str(year)}), limit=FULL_RUNS_LOOKED_AT)
    for run in runs:  # newest first
        if run.asset_selection or SCOPE_TAG in run.tags or not _official(run):
            continue
        out = _out_dir(run, year)
        if (out / REFERENCE_FILE).is_file() and (out / REFERENCE_INBOX_FILE).is_file():
            return run.run_id, out
    return None


def _validated_digest(instance: DagsterInstance, year: int, full: tuple[str, Path] | None) -> str | None:
    """The inbox digest of the stored validation of ``year``, when one run stored all of it and it is known which
    inbox that run read."""
    runs = set()
    for name in (*CUT, *WHOLE):
        found = instance.fetch_materializations(
            AssetRecordsFilter(asset_key=AssetKey(name), asset_partitions=[str(year)]), limit=1).records
        runs.add(found[0].run_id if found else None)
    if len(runs) != 1 or None in runs:
        return None
    run_id = runs.pop()
    if full is not None and run_id == full[0]:
        return inbox_digest(read_csv_extract(full[1] / REFERENCE_INBOX_FILE))
    run = instance.get_run_by_id(run_id)
    # A validation whose gate stopped it stored its datasets too: they are not validated, so never reused.
    if run is None or run.status != DagsterRunStatus.SUCCESS:
        return None
    return run.tags.get(VALIDATED_TAG)


RUN_FILES = {"parameters_file": "parametrar", "rules_file": "regler", "catalogue_file": "enhetskostnader"}


def _file_digest(path: object) -> str:
    return sha256_file(Path(str(path))) if path and Path(str(path)).is_file() else ""


def check_same_files(instance: DagsterInstance, full_run_id: str, settings: dict) -> None:
    """``ScopeError`` when a limited run would use other parameter, rules or catalogue files than the year's last
    full run: its report would sit beside national figures (and, in the year's folder, extracts) computed
    with other values. Another what-if is a scenario (``--scenario``)."""
    run = instance.get_run_by_id(full_run_id)
    config = (run.run_config or {}).get("resources", {}).get("settings", {}).get("config", {}) if run else {}
    differ = [label for key, label in RUN_FILES.items()
              if _file_digest(settings.get(key)) != _file_digest(config.get(key))]
    if differ:
        raise ScopeError(f"en körning för några förbund måste använda samma filer för {', '.join(differ)} som årets "
                         f"senaste fullständiga körning ({full_run_id}); kör hela året, eller ett scenario "
                         "(--scenario) för andra värden")


def _stored(base: Path, name: str, year: int) -> Path:
    return base / name / f"{year}.parquet"  # ParquetIOManager's layout


def _seed(official: Path, scoped: Path, year: int, forbund: list[str]) -> None:
    """The scoped storage: the stored validated datasets cut to ``forbund``, the steward's tables as they are."""
    frames = {name: pd.read_parquet(_stored(official, name, year)) for name in CUT}
    for name, frame in {**cut_to_forbund(frames, forbund),
                        **{n: pd.read_parquet(_stored(official, n, year)) for n in WHOLE}}.items():
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


def requested_forbund(inbox: Path, requested: list[str]) -> list[str]:
    """The named förbund as the inbox's projects spell them; ``ScopeError`` (one Swedish line) for a name the
    projects do not have."""
    projects = read_dataset(Path(inbox), "projects")
    known = [name for name in projects.get("forbund", pd.Series(dtype="str")).astype(str).str.strip() if name]
    return resolve_forbund(requested, known)


def run_scoped(inbox: Path, year: int, out: Path, forbund: list[str], instance: DagsterInstance | None = None,
               log_level: str = "CRITICAL", in_process: bool = False, workers: int | None = None,
               storage: Path | None = None, **settings: object) -> ScopedRun:
    """One year's run limited to ``forbund`` (names as in the projects; see the module docstring). ``storage`` is
    the official stored assets' folder (left out: the IO manager's, ``SAMVERKAN_STORAGE``)."""
    started = time.perf_counter()
    seconds: dict[str, float] = {}

    def phase(name: str) -> None:
        nonlocal started
        now = time.perf_counter()
        seconds[name] = round(now - started, 3)
        started = now

    names = requested_forbund(inbox, forbund)
    if instance is None:
        ensure_dagster_home()
        instance = DagsterInstance.get()
    official = Path(storage or ParquetIOManager().base_dir)
    full = last_full_run(instance, year)
    if full is not None:
        check_same_files(instance, full[0], settings)
    digest = inbox_digest(inbox_fingerprint(inbox))
    reused = digest == _validated_digest(instance, year, full) and all(
        _stored(official, name, year).is_file() for name in (*CUT, *WHOLE))
    phase("check")
    validation = None
    if not reused:
        validation = run_year(inbox, year, out, instance=instance, log_level=log_level, in_process=in_process,
                              workers=workers, asset_selection=_validation_keys(), tags={VALIDATED_TAG: digest},
                              resources={"io_manager": {"config": {"base_dir": str(official)}}}, **settings)
        phase("validate")
        if not validation.success:
            return ScopedRun(validation, names, False, None, None, validation, seconds)
    scoped = official / "_scoped" / str(year) / "+".join(slugify(n) for n in names)
    _seed(official, scoped, year, names)
    keys = _downstream_keys()
    phase("cut")
    reference = full[1] / REFERENCE_FILE if full is not None else None
    with step_collector():
        outcome = run_year(
            inbox, year, out, instance=instance, log_level=log_level, in_process=True,
            asset_selection=keys, tags={SCOPE_TAG: "|".join(names)},
            resources={"io_manager": {"config": {"base_dir": str(scoped)}},
                       "intermediate_io_manager": {"config": {"base_dir": str(scoped / "intermediate")}}},
            forbund=names, national_reference=str(reference.resolve()) if reference else "", **settings)
    phase("run")
    return ScopedRun(outcome, names, reused, reference, full[0] if full else None, validation, seconds)


__all__ = ["SCOPE_TAG", "ScopeError", "ScopedRun", "last_full_run", "requested_forbund", "run_scoped"]
