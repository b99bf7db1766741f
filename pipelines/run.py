"""``samverkan run``: materialise the whole graph for one year, in-process, on the configured instance."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from dagster import DagsterInstance

from pipelines.instance import ensure_dagster_home
from pipelines.partitions import yearly_partitions


@dataclass
class YearRun:
    success: bool
    run_id: str
    failures: list[str]
    out_dir: Path


def _literal(path: Path) -> str:
    # out_dir is a template with {year}; a literal folder must not be read as one.
    return str(path).replace("{", "{{").replace("}", "}}")


def run_year(inbox: Path, year: int, out: Path, instance: DagsterInstance | None = None,
             log_level: str = "WARNING", **settings: object) -> YearRun:
    keys = yearly_partitions.get_partition_keys()
    if str(year) not in keys:
        raise ValueError(f"år {year} finns inte som partition; välj ett avslutat år {keys[0]}–{keys[-1]}")
    if not Path(inbox).is_dir():
        raise ValueError(f"inkorgen {inbox} finns inte eller är ingen mapp")
    if instance is None:
        ensure_dagster_home()
        instance = DagsterInstance.get()
    from pipelines.definitions import defs

    config = {"inbox_dir": str(Path(inbox).resolve()), "out_dir": _literal(Path(out).resolve())}
    config.update({k: v for k, v in settings.items() if v is not None})
    job = defs.resolve_job_def("samverkansbokslut")
    result = job.execute_in_process(
        partition_key=str(year),
        instance=instance,
        run_config={
            "resources": {"settings": {"config": config}},
            # Step-by-step debug lines belong in the Dagster UI, not on a steward's terminal.
            "loggers": {"console": {"config": {"log_level": log_level}}},
        },
        raise_on_error=False,
    )
    failures = [
        f"{event.step_key}: {event.step_failure_data.error.message.strip() if event.step_failure_data.error else ''}"
        for event in result.all_events
        if event.is_step_failure and event.step_failure_data is not None
    ]
    return YearRun(result.success, result.run_id, failures, Path(out))
