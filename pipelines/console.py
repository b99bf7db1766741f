"""What ``samverkan`` puts on the steward's console besides its own lines, and what it keeps off it.

A clean run prints its counts per dataset, one line about the reports and where everything is; a failing one
its causes, one line each (pipelines/run.py). Dagster's per-step lines, the step processes' output and the
libraries' warnings stay off the console unless ``--debug`` asks for them; they remain in the run's events and
compute logs, which the Dagster UI shows.
"""

from __future__ import annotations

import contextlib
import logging
import os
import sys
import warnings
from collections.abc import Iterator
from pathlib import Path

# Written by the report stage (assets/report.py): one row per rendered report.
REPORTS_FILE = "reports.csv"


@contextlib.contextmanager
def standard_streams_to(path: str | None) -> Iterator[None]:
    """File descriptors 1 and 2 point to ``path`` for what is started inside, and back here afterwards."""
    if path is None:
        yield
        return
    sys.stdout.flush()
    sys.stderr.flush()
    saved = [os.dup(1), os.dup(2)]
    target = os.open(path, os.O_WRONLY)
    try:
        os.dup2(target, 1)
        os.dup2(target, 2)
        yield
    finally:
        os.dup2(saved[0], 1)
        os.dup2(saved[1], 2)
        for fd in (target, *saved):
            os.close(fd)


def quiet_libraries() -> None:
    """No library warnings on the steward's console: Python warnings (Great Expectations, pandas) and log
    records of loggers nobody configured (WeasyPrint, fontTools), which would reach stderr through logging's
    last resort. Dagster's own console logger is held back by the run's config (``run_year``'s ``log_level``);
    failures reach the steward as one line each from the run's events."""
    warnings.simplefilter("ignore")
    root = logging.getLogger()
    if not any(isinstance(handler, logging.NullHandler) for handler in root.handlers):
        root.addHandler(logging.NullHandler())


def reports_line(out: Path) -> str | None:
    """The line about the year's reports, from the index the report stage wrote."""
    from samverkan.files import read_csv_extract

    index = out / REPORTS_FILE
    if not index.exists():
        return None
    count = len(read_csv_extract(index))
    return f"rapporter: {count} renderade (PDF och HTML), förteckning i {index.resolve()}"
