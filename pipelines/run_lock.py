"""One run per year and scenario at a time on an instance, whoever starts it.

``samverkan run`` calls ``execute_job``, which bypasses the run queue, and the queue's tag limits only hold a run
back rather than refuse it; neither stops two runs of one year from writing the same outputs. So every step asks
``claim`` before it does anything: the first run of a key to claim holds it until it finishes, and a second one
fails at once with one Swedish line naming the run that holds it.

The lock lives in the instance's own run records (SQLite or PostgreSQL alike), so it holds across processes, pods
and entry points, and a crashed run frees it by no longer being in progress. The holder is marked with a run tag
whose value is its own run id (a re-executed run inherits its parent's tags, and must not inherit the lock); a run
that was refused is marked too, so its later steps stop at once rather than claim when the holder is gone. When two
runs claim at the same moment, each claims and then looks again, and gives way to any other holder created before
it. The record store has no compare-and-set, so two claims interleaved within milliseconds can still both hold;
the run queue's one-run-per-year limit (dagster.yaml, the Helm values) keeps UI and schedule runs apart as well.
"""

from __future__ import annotations

import os
import socket

from dagster import DagsterInstance, DagsterRunStatus, RunRecord, RunsFilter

PARTITION_TAG = "dagster/partition"
SCENARIO_TAG = "samverkan/scenario"
OFFICIAL = "official"
HOLDER_TAG = "samverkan/lock"
REFUSED = "refused"
IN_PROGRESS = [DagsterRunStatus.STARTING, DagsterRunStatus.STARTED, DagsterRunStatus.CANCELING]
# The host and process that launched a run from the command line: a run whose process was killed stays "started"
# in the records (nothing is left to report its end), and would hold its year for ever.
LAUNCHER_TAG = "samverkan/launcher"


def launcher_tag() -> dict[str, str]:
    """The tag ``samverkan run`` gives its runs: this host and process."""
    return {LAUNCHER_TAG: f"{socket.gethostname()}:{os.getpid()}"}


def _launcher_gone(record: RunRecord) -> bool:
    host, _, pid = record.dagster_run.tags.get(LAUNCHER_TAG, "").rpartition(":")
    if host != socket.gethostname() or not pid.isdigit():
        return False  # another host's run, or one launched from the UI: the daemon's run monitoring ends those
    try:
        os.kill(int(pid), 0)
    except ProcessLookupError:
        return True
    except PermissionError:
        return False
    return False


class RunLockError(RuntimeError):
    """Another run of the same year and scenario is in progress."""


def lock_key(tags: dict[str, str]) -> tuple[str, str] | None:
    """(year, scenario) a run's tags give; None for a run without a partition (nothing to lock)."""
    year = tags.get(PARTITION_TAG)
    return None if not year else (year, tags.get(SCENARIO_TAG) or OFFICIAL)


def _order(record: RunRecord) -> tuple:
    return record.create_timestamp, record.dagster_run.run_id


def _rivals(instance: DagsterInstance, run_id: str, key: tuple[str, str]) -> list[RunRecord]:
    records = instance.get_run_records(filters=RunsFilter(tags={PARTITION_TAG: key[0]}, statuses=IN_PROGRESS))
    rivals = []
    for record in records:
        if record.dagster_run.run_id == run_id or lock_key(record.dagster_run.tags) != key:
            continue
        if _launcher_gone(record):
            # Killed with its process (SIGKILL, a lost terminal): recorded as failed so the year is free again.
            instance.report_run_failed(record.dagster_run, "körningens process finns inte längre (avbruten)")
            continue
        rivals.append(record)
    return rivals


def holders(instance: DagsterInstance, year: str) -> list[RunRecord]:
    """The runs of ``year`` (any scenario) in progress and alive: what ``samverkan purge`` must wait for."""
    records = instance.get_run_records(filters=RunsFilter(tags={PARTITION_TAG: year}, statuses=IN_PROGRESS))
    return [r for r in records if not _launcher_gone(r)]


def _refusal(key: tuple[str, str], holder: RunRecord) -> RunLockError:
    year, scenario = key
    what = f"året {year}" if scenario == OFFICIAL else f"året {year} i scenariot {scenario}"
    started = holder.create_timestamp.strftime("%Y-%m-%d %H:%M")
    return RunLockError(
        f"{what} körs redan av körning {holder.dagster_run.run_id[:8]} (skapad {started} UTC); "
        "vänta tills den är klar eller avbryt den, och starta sedan igen")


def _holds(record: RunRecord) -> bool:
    return record.dagster_run.tags.get(HOLDER_TAG) == record.dagster_run.run_id


def _refuse(instance: DagsterInstance, run_id: str, key: tuple[str, str], holder: RunRecord) -> RunLockError:
    instance.add_run_tags(run_id, {HOLDER_TAG: REFUSED})
    return _refusal(key, holder)


def claim(instance: DagsterInstance, run_id: str) -> None:
    """Hold the run's (year, scenario) for it, or raise ``RunLockError`` if another run holds it."""
    record = instance.get_run_record_by_id(run_id)
    if record is None:
        return
    key = lock_key(record.dagster_run.tags)
    if key is None or _holds(record):
        return
    rivals = _rivals(instance, run_id, key)
    if record.dagster_run.tags.get(HOLDER_TAG) == REFUSED:
        raise _refusal(key, min(rivals, key=_order)) if rivals else RunLockError(
            f"körningen {run_id[:8]} fick inte köra året {key[0]} och stoppas")
    first = [r for r in rivals if _holds(r) or _order(r) < _order(record)]
    if first:
        raise _refuse(instance, run_id, key, min(first, key=_order))
    instance.add_run_tags(run_id, {HOLDER_TAG: run_id})
    # A rival that saw us before we were in progress may have claimed too: the one created first keeps it.
    earlier = [r for r in (instance.get_run_record_by_id(r.dagster_run.run_id) for r in _rivals(instance, run_id, key))
               if r is not None and _holds(r) and _order(r) < _order(record)]
    if earlier:
        raise _refuse(instance, run_id, key, min(earlier, key=_order))
