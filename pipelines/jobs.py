"""Jobs and the executors a job can run on.

The executor is chosen once, when the definitions load (``SAMVERKAN_EXECUTOR``, read in
pipelines/definitions.py), so the same code location runs on a laptop and in Kubernetes without edits;
importing this module builds none:

- ``multiprocess`` (default): one process per step on this machine, at most ``workers`` at once (default: one
  more than the number of cores, because each step spends about half a second starting and reporting, during
  which the others keep the cores busy). Processes start from a forkserver that has already imported the
  pipeline (pipelines/preload.py), so a step costs a fraction of a second to start instead of seconds.
- ``k8s``: ``k8s_job_executor``, one Kubernetes Job per step (needs the ``k8s`` extra; image, volumes and
  secrets are inherited from the Helm chart's K8sRunLauncher, see deploy/).
- ``in_process``: everything in the run's own process.

The numbers are the executor's run config (``execution: config: {workers: 3, render_slots: 2}``), resolved
when a run starts; left out, ``SAMVERKAN_WORKERS`` and ``SAMVERKAN_RENDER_SLOTS`` as the run starts, else the
defaults.

Renders are bounded twice, with the same number (``render_slots``, default 4): by the instance's
``pdf_render`` pool (dagster.yaml, the Helm values), which holds across runs, and by the executor's tag limit
on ``samverkan/render``, within a run. The second one is what keeps renders flowing: Dagster re-checks a
step blocked by a pool after a back-off that grows to 15 seconds, so a run with more free workers than render
slots would start its renders in pairs every 15 seconds (docs/operations.md has the measurement). A step held
back by the executor's own limit never asks the pool, so within a run no step waits on the back-off.
"""

from __future__ import annotations

import os

from dagster import (
    AssetSelection,
    ExecutorDefinition,
    Field,
    IntSource,
    define_asset_job,
    in_process_executor,
    multiprocess_executor,
)

from pipelines.partitions import yearly_partitions
from pipelines.preload import preload_modules

EXECUTORS = ("multiprocess", "k8s", "in_process")
RENDER_TAG = "samverkan/render"  # carried by the report's render op (assets/report.py)
# The pool's default_limit in dagster.yaml and deploy/helm/values.yaml
# (a test keeps them equal): four renders of ~450 MB each at most.
DEFAULT_RENDER_SLOTS = 4

RENDER_SLOTS_FIELD = Field(IntSource, is_required=False,
                           description="PDF-renderingar samtidigt i körningen; utelämnat: SAMVERKAN_RENDER_SLOTS, "
                                       f"annars {DEFAULT_RENDER_SLOTS}. Håll lika med poolen pdf_render.")
WORKERS_FIELD = Field(IntSource, is_required=False,
                      description="Steg samtidigt; 0 = en fler än kärnorna; utelämnat: SAMVERKAN_WORKERS, annars 0.")


def _whole_number(name: str, value: int | None, default: int) -> int:
    if value is None:
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


def worker_count(workers: int | None = None) -> int:
    """Steps at once for the multiprocess executor; 0 means one more than the cores."""
    return _whole_number("SAMVERKAN_WORKERS", workers, 0) or (os.cpu_count() or 1) + 1


def render_slots(slots: int | None = None) -> int:
    """PDF renders at once within a run; keep it equal to the ``pdf_render`` pool's limit."""
    return _whole_number("SAMVERKAN_RENDER_SLOTS", slots, 0) or DEFAULT_RENDER_SLOTS


def render_limits(slots: int | None = None) -> list[dict]:
    """The executors' tag limit for render steps (see the module docstring for why next to the pool)."""
    return [{"key": RENDER_TAG, "value": "pdf", "limit": render_slots(slots)}]


def multiprocess_config(settings: dict | None = None) -> dict:
    """The multiprocess executor's config for a run starting now, from its run config ``settings``."""
    settings = settings or {}
    return {
        "max_concurrent": worker_count(settings.get("workers")),
        "tag_concurrency_limits": render_limits(settings.get("render_slots")),
        "start_method": {"forkserver": {"preload_modules": preload_modules()}},
    }


def select_executor(name: str = "multiprocess") -> ExecutorDefinition:
    name = (name or "multiprocess").strip().lower()
    if name == "multiprocess":
        return multiprocess_executor.configured(multiprocess_config, name="samverkan_multiprocess",
                                                config_schema={"workers": WORKERS_FIELD,
                                                               "render_slots": RENDER_SLOTS_FIELD})
    if name == "k8s":
        try:
            from dagster_k8s import k8s_job_executor
        except ImportError as exc:  # the image installs the extra; a laptop normally does not
            raise ImportError("SAMVERKAN_EXECUTOR=k8s kräver paketet dagster-k8s, som inte är installerat "
                              "(pip install '.[k8s]')") from exc
        return k8s_job_executor.configured(
            lambda settings: {"tag_concurrency_limits": render_limits((settings or {}).get("render_slots"))},
            name="samverkan_k8s", config_schema={"render_slots": RENDER_SLOTS_FIELD})
    if name == "in_process":
        return in_process_executor
    raise ValueError(f"SAMVERKAN_EXECUTOR={name!r} är okänt; välj {', '.join(EXECUTORS)}")


# The whole annual bokslut for one year: ingest, validation, ledger, success levels, report. It runs on the
# code location's executor (pipelines/definitions.py).
samverkansbokslut_job = define_asset_job(
    "samverkansbokslut",
    selection=AssetSelection.all(),
    partitions_def=yearly_partitions,
    description="Everything for one year's samverkansbokslut, from inbox to report.",
)
