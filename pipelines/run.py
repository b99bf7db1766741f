"""``samverkan run``: materialise the whole graph for a year on the configured instance.

By default the run goes through Dagster's own out-of-process machinery
(``execute_job`` on a reconstructable job), so the job's executor applies: one
process per step, bounded by ``workers`` (the executor's run config) and by the
``pdf_render`` pool (see pipelines/jobs.py). Runs, events and check results land in the instance
chosen by ``SAMVERKAN_INSTANCE`` (pipelines/instance.py), exactly as if the UI
had launched them. ``in_process=True`` (or an ephemeral instance, which cannot
be shared with step processes) runs everything in this process instead.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from dagster import AssetKey, DagsterInstance, JobDefinition, build_reconstructable_job, execute_job

from pipelines.instance import ensure_dagster_home
from pipelines.outputs import mark_failed, run_folder
from pipelines.partitions import yearly_partitions
from pipelines.run_lock import launcher_tag

JOB_NAME = "samverkansbokslut"
# Groups the runs of one `run_years` call, like a backfill id groups its runs in the UI.
BATCH_TAG = "samverkan/batch"


@dataclass
class YearRun:
    success: bool
    run_id: str
    failures: list[str]  # one line per failure: the step and its root cause
    out_dir: Path
    tracebacks: list[str] = field(default_factory=list)  # the whole chains, for --debug


def samverkansbokslut_job_def() -> JobDefinition:
    """The resolved job; step processes call this to rebuild it (see ``build_reconstructable_job``)."""
    from pipelines.definitions import defs

    return defs.resolve_job_def(JOB_NAME)


def _literal(path: Path) -> str:
    # out_dir is a template with {year}; a literal folder must not be read as one.
    return str(path).replace("{", "{{").replace("}", "}}")


def _check_year(year: int) -> None:
    keys = yearly_partitions.get_partition_keys()
    if str(year) not in keys:
        raise ValueError(f"år {year} finns inte som partition; välj ett avslutat år {keys[0]}–{keys[-1]}")


# Dagster wraps a failure in its own errors ("Error occurred while executing op …"); the cause is the innermost.
_PREFIX = re.compile(r"^(?:[A-Za-z_][\w.]*(?:Error|Exception|Failure)):\s*")


def _errors(events: Iterable) -> list[tuple[str, object, str | None]]:
    """(where, error info, the user's own description) for every failed step or resource of a run."""
    found = []
    for event in events:
        if event.is_step_failure and event.step_failure_data is not None:
            data = event.step_failure_data
            own = data.user_failure_data.description if data.user_failure_data else None
            found.append((event.step_key or "körningen", data.error, own))
        elif event.event_type_value == "RESOURCE_INIT_FAILURE" and event.event_specific_data is not None:
            found.append((event.step_key or "körningens start", event.event_specific_data.error, None))
    return found


def root_cause(error: object) -> str:
    """The innermost message of an error chain, without the exception's class name, on one line."""
    while getattr(error, "cause", None) is not None:
        error = error.cause
    message = (getattr(error, "message", "") or "").strip().splitlines()
    return _PREFIX.sub("", message[0] if message else "okänt fel").strip()


def _failures(events: Iterable) -> list[str]:
    """One line per failure; a description that lists several problems (the data gate's) gives one line each."""
    lines = []
    for where, error, own in _errors(events):
        parts = [p.strip().removeprefix("- ") for p in (own or root_cause(error)).splitlines() if p.strip()]
        lines += [f"{where}: {part}" for part in parts]
    return lines


def _tracebacks(events: Iterable) -> list[str]:
    chains = []
    for where, error, _ in _errors(events):
        parts = []
        while error is not None:
            parts.append(f"{getattr(error, 'message', '')}{''.join(getattr(error, 'stack', []) or [])}")
            error = getattr(error, "cause", None)
        chains.append(f"--- {where}\n" + "\n".join(parts))
    return chains


def _outcome(instance: DagsterInstance, success: bool, run_id: str, events: list, out: Path) -> YearRun:
    """The run's result; ``out_dir`` the folder that holds what it wrote: the version it published, or (failed)
    its staging folder, which is marked here since no daemon may be running to do it."""
    failures = _failures(events)
    run = instance.get_run_by_id(run_id)
    folder = None
    if run is not None:
        folder = run_folder(run) if success else mark_failed(run, failures)
    return YearRun(success, run_id, failures, folder or Path(out), _tracebacks(events))


def run_year(inbox: Path, year: int, out: Path, instance: DagsterInstance | None = None,
             log_level: str = "CRITICAL", in_process: bool = False, tags: dict[str, str] | None = None,
             workers: int | None = None, asset_selection: Sequence[AssetKey] | None = None,
             resources: dict | None = None, **settings: object) -> YearRun:
    """One year's run; ``settings`` are fields of ``SamverkanSettings``, ``workers`` the multiprocess executor's
    steps at once (left out: its own default), ``asset_selection`` the assets to run (left out: all),
    ``resources`` run config of other resources than the settings (a scenario's own storage,
    pipelines/scenarios.py; a limited run's cut, pipelines/scope.py)."""
    _check_year(year)
    if not Path(inbox).is_dir():
        raise ValueError(f"inkorgen {inbox} finns inte eller är ingen mapp")
    if instance is None:
        ensure_dagster_home()
        instance = DagsterInstance.get()

    config = {"inbox_dir": str(Path(inbox).resolve()), "out_dir": _literal(Path(out).resolve())}
    config.update({k: v for k, v in settings.items() if v is not None})
    run_config = {
        "resources": {**(resources or {}), "settings": {"config": config}},
        # Step-by-step lines belong in the Dagster UI, not on a steward's terminal; nor do Dagster's ERROR lines,
        # each a traceback: the caller prints YearRun.failures, one line each (CRITICAL: Dagster logs nothing there).
        "loggers": {"console": {"config": {"log_level": log_level}}},
    }
    partition = str(year)
    if in_process or instance.is_ephemeral:
        result = samverkansbokslut_job_def().execute_in_process(
            partition_key=partition, instance=instance, run_config=run_config, asset_selection=asset_selection,
            tags={**launcher_tag(), **(tags or {})}, raise_on_error=False,
        )
        return _outcome(instance, result.success, result.run_id, result.all_events, Path(out))

    if workers is not None:
        run_config["execution"] = {"config": {"workers": workers}}
    job = build_reconstructable_job("pipelines.run", "samverkansbokslut_job_def")
    with execute_job(job, instance=instance, run_config=run_config, asset_selection=asset_selection,
                     tags={"dagster/partition": partition, **launcher_tag(), **(tags or {})}) as result:
        return _outcome(instance, result.success, result.run_id, result.all_events, Path(out))


def run_years(inbox: Path, years: Iterable[int], out_template: str, instance: DagsterInstance | None = None,
              batch: str | None = None, **kwargs: object) -> dict[int, YearRun]:
    """One run per year, in order, like a backfill; ``out_template`` contains ``{year}``.

    Years run one after the other because each year's run already uses every
    worker; a failed year is recorded and the next one still runs.
    """
    years = list(years)
    for year in years:
        _check_year(year)
    tags = {BATCH_TAG: batch} if batch else None
    return {
        year: run_year(inbox, year, Path(out_template.format(year=year)), instance=instance, tags=tags, **kwargs)
        for year in years
    }
