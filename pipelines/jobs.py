"""Jobs and the executor every job runs on.

The executor is chosen by the environment so the same code location runs on a
laptop and in Kubernetes without edits:

- ``SAMVERKAN_EXECUTOR`` unset or ``multiprocess``: one process per step on this
  machine, at most ``SAMVERKAN_WORKERS`` at once (default: the number of cores).
  Processes start from a forkserver that has already imported the pipeline, so a
  step costs milliseconds to start instead of seconds.
- ``SAMVERKAN_EXECUTOR=k8s``: ``k8s_job_executor``, one Kubernetes Job per step
  (needs the ``k8s`` extra; image, volumes and secrets are inherited from the
  Helm chart's K8sRunLauncher, see deploy/).
- ``SAMVERKAN_EXECUTOR=in_process``: everything in the run's own process.

Renders are bounded separately by the instance's ``pdf_render`` pool, whatever
the executor (see dagster.yaml).
"""

import os

from dagster import AssetSelection, ExecutorDefinition, define_asset_job, in_process_executor, multiprocess_executor

from pipelines.partitions import yearly_partitions

EXECUTORS = ("multiprocess", "k8s", "in_process")
# Modules the forkserver imports once; every step process is forked from it. Great Expectations is among them
# because each validating step would otherwise pay its ~3 s import again (5 ingest steps: 32 s -> 5.5 s).
PRELOAD = ["pipelines.definitions", "great_expectations"]


def worker_count() -> int:
    """Steps at once for the multiprocess executor; 0 or unset means one per core."""
    text = os.environ.get("SAMVERKAN_WORKERS", "").strip() or "0"
    try:
        workers = int(text)
    except ValueError:
        raise ValueError(f"SAMVERKAN_WORKERS ska vara ett heltal, fick {text!r}") from None
    if workers < 0:
        raise ValueError(f"SAMVERKAN_WORKERS kan inte vara negativt, fick {workers}")
    return workers or (os.cpu_count() or 1)


def select_executor(name: str | None = None) -> ExecutorDefinition:
    name = (name or os.environ.get("SAMVERKAN_EXECUTOR", "") or "multiprocess").strip().lower()
    if name == "multiprocess":
        return multiprocess_executor.configured(
            {
                "max_concurrent": worker_count(),
                "start_method": {"forkserver": {"preload_modules": PRELOAD}},
            },
            name="samverkan_multiprocess",
        )
    if name == "k8s":
        try:
            from dagster_k8s import k8s_job_executor
        except ImportError as exc:  # the image installs the extra; a laptop normally does not
            raise ImportError("SAMVERKAN_EXECUTOR=k8s kräver paketet dagster-k8s (pip install '.[k8s]')") from exc
        return k8s_job_executor
    if name == "in_process":
        return in_process_executor
    raise ValueError(f"SAMVERKAN_EXECUTOR={name!r} är okänt; välj {', '.join(EXECUTORS)}")


executor = select_executor()

# The whole annual bokslut for one year: ingest, validation, ledger, success levels, report.
samverkansbokslut_job = define_asset_job(
    "samverkansbokslut",
    selection=AssetSelection.all(),
    partitions_def=yearly_partitions,
    executor_def=executor,
    description="Everything for one year's samverkansbokslut, from inbox to report.",
)
