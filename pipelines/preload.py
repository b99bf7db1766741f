"""The modules the multiprocess executor's forkserver preloads, and starting that forkserver early.

Free of Dagster, so that ``samverkan run`` can start the forkserver before it imports anything heavy.
"""

from __future__ import annotations

import os

# Modules the forkserver imports once; every step process is forked from it and would otherwise import them
# itself. Great Expectations: ~3 s per validating step (5 ingest steps: 32 s -> 5.5 s). Dagster's storage
# modules, which a step imports when it reconnects to the instance, and the IO managers' upath/pyarrow.dataset:
# ~0.27 s per step, 25 CPU seconds of the national year's 94 steps (sampled with py-spy). The forkserver skips a
# module that fails to import, so a test imports each of them.
PRELOAD = [
    "pipelines.definitions",
    "pipelines.run",
    "great_expectations",
    "dagster._core.storage.sqlite_storage",
    "dagster._core.storage.local_compute_log_manager",
    "dagster._core.secrets.env_file",
    "upath.core",
    "pyarrow.dataset",
]
if os.environ.get("SAMVERKAN_INSTANCE", "").strip().lower() == "postgres":
    PRELOAD.append("dagster_postgres")
PRELOAD.append("pipelines.warm")  # last: resolves the job, compiles the template, freezes the heap
# Dagster's multiprocess executor puts this first in the list it gives the forkserver (multiprocess.py).
EXECUTOR_MODULE = "dagster._core.executor.multiprocess"


def executor_name() -> str:
    """``SAMVERKAN_EXECUTOR`` as the jobs read it (pipelines/jobs.py): ``multiprocess`` when unset."""
    return (os.environ.get("SAMVERKAN_EXECUTOR", "") or "multiprocess").strip().lower()


def forkserver_preload() -> list[str]:
    """The list exactly as the executor hands it to ``multiprocessing``: a forkserver started with another
    list would not be replaced, and its step processes would lack modules."""
    return [EXECUTOR_MODULE, *PRELOAD]


def start_step_forkserver() -> bool:
    """Start the executor's forkserver now, so that its ~5 s of preloading (the pipeline, Great Expectations,
    the warm-up render) overlaps the command line's own ~3 s of start-up (importing Dagster, loading the
    definitions, opening the instance) instead of following it. The executor then finds it running and uses it.

    Only for the multiprocess executor, and only once the environment is final: step processes inherit the
    forkserver's environment, not the caller's at the time of the run. Returns whether it was started.
    """
    if executor_name() != "multiprocess":
        return False
    import multiprocessing
    import multiprocessing.forkserver

    from pipelines.instance import ensure_dagster_home

    try:
        ensure_dagster_home()
    except ValueError:
        return False  # the run reports the instance's problem itself
    multiprocessing.get_context("forkserver").set_forkserver_preload(forkserver_preload())
    multiprocessing.forkserver.ensure_running()
    return True
