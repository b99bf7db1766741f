"""What ``samverkan`` puts on the steward's console besides its own lines, and what it keeps off it.

A clean run prints its counts per dataset, one line about the reports and where everything is; a failing one
its causes, one line each (pipelines/run.py). Dagster's per-step lines, the step processes' stderr and the
libraries' warnings stay off the console unless ``--debug`` asks for them; they remain in the run's events and
compute logs, which the Dagster UI shows.
"""

from __future__ import annotations

import contextlib
import logging
import os
import sys
import threading
import warnings
from collections.abc import Callable, Iterable, Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import TextIO

# Written by the report stage (assets/report.py): one row per rendered report.
REPORTS_FILE = "reports.csv"


@contextlib.contextmanager
def stderr_to(path: str | None) -> Iterator[None]:
    """File descriptor 2 points to ``path`` for what is started inside, and back here afterwards.

    Only stderr, where Dagster's console logger and the warnings write: a process started inside keeps this
    one's stdout, so whoever reads it to its end (a pipe, ``subprocess.run``) still waits for that process to
    finish, the forkserver's clean-up at exit included.
    """
    if path is None:
        yield
        return
    sys.stderr.flush()
    saved = os.dup(2)
    target = os.open(path, os.O_WRONLY)
    try:
        os.dup2(target, 2)
        yield
    finally:
        os.dup2(saved, 2)
        os.close(target)
        os.close(saved)


def quiet_libraries() -> None:
    """No library warnings on the steward's console: Python warnings (Great Expectations, pandas) and log
    records of loggers nobody configured (WeasyPrint, fontTools), which would reach stderr through logging's
    last resort. Dagster's own console logger is held back by the run's config (``run_year``'s ``log_level``);
    failures reach the steward as one line each from the run's events."""
    warnings.simplefilter("ignore")
    root = logging.getLogger()
    if not any(isinstance(handler, logging.NullHandler) for handler in root.handlers):
        root.addHandler(logging.NullHandler())


def reports_line(out: Path, reused: int = 0) -> str | None:
    """The line about the year's reports, from the index the report stage wrote; ``reused`` of them were copied
    unchanged from the published folder (reports/reuse.py)."""
    from samverkan.files import read_csv_extract

    index = out / REPORTS_FILE
    if not index.exists():
        return None
    count = len(read_csv_extract(index))
    made = f"{count - reused} renderade, {reused} oförändrade och återanvända" if reused else f"{count} renderade"
    return f"rapporter: {made} (PDF och HTML), förteckning i {index.resolve()}"


def reports_reused(run_id: str, instance=None) -> int:
    """How many reports the run copied instead of laying out, from its report asset's metadata (0 if unknown);
    ``instance`` is the run's (left out: the official one)."""
    from dagster import AssetKey, DagsterInstance

    instance = instance or DagsterInstance.get()
    for record in instance.fetch_materializations(AssetKey("samverkansbokslut_reports"), limit=5).records:
        if record.run_id == run_id:
            value = record.asset_materialization.metadata.get("reused") if record.asset_materialization else None
            return int(getattr(value, "value", value) or 0)
    return 0


# The report stage's per-förbund render steps (assets/report.py), e.g. "….render_forbund[samordningsforbundet_x]".
RENDER_STEP = ".render_forbund["
FINISHED = ("STEP_SUCCESS", "STEP_FAILURE")


def progress_text(step_events: Iterable[tuple[str, str]]) -> str:
    """The progress line from a run's (step key, event type) pairs so far: steps finished, then the renders."""
    started: set[str] = set()
    finished: set[str] = set()
    for step, kind in step_events:
        (finished if kind in FINISHED else started).add(step)
    renders = {step for step in started | finished if RENDER_STEP in step}
    text = f"körs: {len(finished)} steg klara"
    if renders:
        text += f"; rapporter: {len(renders & finished)} av {len(renders)} renderade"
    return text


class Progress:
    """On a terminal, one line rewritten in place while the run goes (``progress_text``), erased when it ends, so
    that what stays on the screen is what a log file gets. Elsewhere nothing at all.

    ``fetch`` returns the run's (step key, event type) pairs so far; it runs in a thread, every ``interval``
    seconds, and a failing ``fetch`` only ends the progress line: the run reports its own failures.
    """

    def __init__(self, fetch: Callable[[], Iterable[tuple[str, str]]], stream: TextIO | None = None,
                 interval: float = 1.0, enabled: bool = True) -> None:
        self.fetch, self.stream, self.interval, self.enabled = fetch, stream or sys.stdout, interval, enabled
        self.shown = ""
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def __enter__(self) -> Progress:
        if self.enabled and self.stream.isatty():
            self._thread = threading.Thread(target=self._watch, name="samverkan-progress", daemon=True)
            self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join()
        if self.shown:
            self.stream.write("\r\033[K")
            self.stream.flush()

    def tick(self) -> None:
        text = progress_text(self.fetch())
        if text != self.shown:
            self.stream.write(f"\r\033[K{text}")
            self.stream.flush()
            self.shown = text

    def _watch(self) -> None:
        while not self._stop.wait(self.interval):
            try:
                self.tick()
            except Exception:
                return


def run_steps(year: int, job_name: str, since: float) -> Callable[[], list[tuple[str, str]]]:
    """``Progress``'s fetch for the newest run of ``job_name`` for ``year`` created after ``since``, read from the
    configured instance (one instance object for all the fetches)."""
    opened: list = []

    def fetch() -> list[tuple[str, str]]:
        from dagster import DagsterEventType, DagsterInstance, RunsFilter

        if not opened:
            opened.append(DagsterInstance.get())
        instance = opened[0]
        records = instance.get_run_records(RunsFilter(job_name=job_name, tags={"dagster/partition": str(year)},
                                                      created_after=datetime.fromtimestamp(since, UTC)),
                                           limit=1)
        if not records:
            return []
        kinds = {DagsterEventType.STEP_START, DagsterEventType.STEP_SUCCESS, DagsterEventType.STEP_FAILURE}
        logs = instance.all_logs(records[0].dagster_run.run_id, of_type=kinds)
        return [(entry.step_key or "", entry.dagster_event_type.value) for entry in logs if entry.dagster_event]

    return fetch
