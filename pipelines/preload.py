"""The modules the multiprocess executor's forkserver preloads, and starting that forkserver early.

Free of Dagster, so that ``samverkan run`` can start the forkserver before it imports anything heavy.
"""

from __future__ import annotations

import os

# Modules the forkserver imports once; every step process is forked from it and would otherwise import them
# itself: Great Expectations for the validating steps, Dagster's storage modules, which a step imports when it
# reconnects to the instance, and the IO managers' upath/pyarrow.dataset (benchmarks/README.md has what each
# saves). The forkserver skips a module that fails to import, so a test imports each of them.
PRELOAD = (
    "pipelines.definitions",
    "pipelines.run",
    "great_expectations",
    "dagster._core.storage.sqlite_storage",
    "dagster._core.storage.local_compute_log_manager",
    "dagster._core.secrets.env_file",
    "upath.core",
    "pyarrow.dataset",
)
WARM_UP = "pipelines.warm"  # last: resolves the job, renders the demo report, freezes the heap
# Dagster's multiprocess executor puts this first in the list it gives the forkserver (multiprocess.py).
EXECUTOR_MODULE = "dagster._core.executor.multiprocess"
# The Dagster release whose executor was read for that rule; with any other the early start stays off.
DAGSTER_READ = "1.13."


def executor_name() -> str:
    """``SAMVERKAN_EXECUTOR``, the one setting read when the definitions load (pipelines/definitions.py):
    ``multiprocess`` when unset."""
    return (os.environ.get("SAMVERKAN_EXECUTOR", "") or "multiprocess").strip().lower()


def preload_modules() -> list[str]:
    """What the forkserver preloads for a run starting now: the PostgreSQL storage too when the instance is
    PostgreSQL (pipelines/instance.py)."""
    postgres = os.environ.get("SAMVERKAN_INSTANCE", "").strip().lower() == "postgres"
    return [*PRELOAD, *(["dagster_postgres"] if postgres else []), WARM_UP]


def forkserver_preload() -> list[str]:
    """The list as Dagster 1.13's executor hands it to ``multiprocessing``: a forkserver started with another
    list would not be replaced, and its step processes would lack modules."""
    return [EXECUTOR_MODULE, *preload_modules()]


def start_step_forkserver() -> bool:
    """Start the executor's forkserver now, so that its preloading (the pipeline, Great Expectations, the
    warm-up render) overlaps the command line's own start-up (importing Dagster, loading the definitions,
    opening the instance) instead of following it. The executor then finds it running and uses it.

    Only for the multiprocess executor, only on the Dagster release whose preload list this copies, and only
    once the environment is final: step processes inherit the forkserver's environment, not the caller's at
    the time of the run. Returns whether it was started.
    """
    from importlib.metadata import version

    if executor_name() != "multiprocess":
        return False
    if not version("dagster").startswith(DAGSTER_READ):
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
