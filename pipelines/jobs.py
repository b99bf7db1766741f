"""Jobs and the executor every job runs on.

The executor is chosen by the environment so the same code location runs on a
laptop and in Kubernetes without edits:

- ``SAMVERKAN_EXECUTOR`` unset or ``multiprocess``: one process per step on this
  machine, at most ``SAMVERKAN_WORKERS`` at once (default: one more than the
  number of cores, because each step spends about half a second starting and
  reporting, during which the others keep the cores busy). Processes start from a
  forkserver that has already imported the pipeline, so a step costs a fraction of
  a second to start instead of seconds.
- ``SAMVERKAN_EXECUTOR=k8s``: ``k8s_job_executor``, one Kubernetes Job per step
  (needs the ``k8s`` extra; image, volumes and secrets are inherited from the
  Helm chart's K8sRunLauncher, see deploy/).
- ``SAMVERKAN_EXECUTOR=in_process``: everything in the run's own process.

Renders are bounded twice, with the same number (``SAMVERKAN_RENDER_SLOTS``,
default 4): by the instance's ``pdf_render`` pool (dagster.yaml, the Helm values),
which holds across runs, and by the executor's tag limit on ``samverkan/render``,
within a run. The second one is what keeps renders flowing: Dagster re-checks a
step blocked by a pool after a back-off that grows to 15 seconds, so a run with
more free workers than render slots would start its renders in pairs every 15
seconds (measured: 466 s instead of 157 s for the national year with 3 workers
and a pool of 2). A step held back by the executor's own limit never asks the
pool, so within a run no step waits on the back-off.
"""

import os

from dagster import AssetSelection, ExecutorDefinition, define_asset_job, in_process_executor, multiprocess_executor

from pipelines.partitions import yearly_partitions
from pipelines.preload import PRELOAD, executor_name

EXECUTORS = ("multiprocess", "k8s", "in_process")
RENDER_TAG = "samverkan/render"  # carried by the report's render op (assets/report.py)
# The pool's default_limit in dagster.yaml, deploy/instance/postgres/dagster.yaml and deploy/helm/values.yaml
# (a test keeps them equal): four renders of ~450 MB each at most.
DEFAULT_RENDER_SLOTS = 4


def _whole_number(name: str, default: int) -> int:
    text = os.environ.get(name, "").strip()
    if not text:
        return default
    try:
        value = int(text)
    except ValueError:
        raise ValueError(f"{name} ska vara ett heltal, fick {text!r}") from None
    if value < 0:
        raise ValueError(f"{name} kan inte vara negativt, fick {value}")
    return value


def worker_count() -> int:
    """Steps at once for the multiprocess executor; 0 or unset means one more than the cores."""
    return _whole_number("SAMVERKAN_WORKERS", 0) or (os.cpu_count() or 1) + 1


def render_slots() -> int:
    """PDF renders at once within a run; keep it equal to the ``pdf_render`` pool's limit."""
    return _whole_number("SAMVERKAN_RENDER_SLOTS", 0) or DEFAULT_RENDER_SLOTS


def render_limits() -> list[dict]:
    """The executors' tag limit for render steps (see the module docstring for why next to the pool)."""
    return [{"key": RENDER_TAG, "value": "pdf", "limit": render_slots()}]


def multiprocess_config() -> dict:
    return {
        "max_concurrent": worker_count(),
        "tag_concurrency_limits": render_limits(),
        "start_method": {"forkserver": {"preload_modules": PRELOAD}},
    }


def select_executor(name: str | None = None) -> ExecutorDefinition:
    name = name.strip().lower() if name else executor_name()
    if name == "multiprocess":
        return multiprocess_executor.configured(multiprocess_config(), name="samverkan_multiprocess")
    if name == "k8s":
        try:
            from dagster_k8s import k8s_job_executor
        except ImportError as exc:  # the image installs the extra; a laptop normally does not
            raise ImportError("SAMVERKAN_EXECUTOR=k8s kräver paketet dagster-k8s (pip install '.[k8s]')") from exc
        return k8s_job_executor.configured({"tag_concurrency_limits": render_limits()}, name="samverkan_k8s")
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
