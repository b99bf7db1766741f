"""One run per year and scenario at a time on an instance, whoever starts it.

``samverkan run`` calls ``execute_job``, which bypasses the run queue, and the queue's tag limits only hold a run
back rather than refuse it; neither stops two runs of one year from writing the same outputs. So every step asks
``claim`` before it does anything: the first run of a key to claim holds it until it finishes, and a second one
fails at once with one Swedish line naming the run that holds it.

The lock lives in the instance's own run records (SQLite or PostgreSQL alike), so it holds across processes, pods
and entry points, and a crashed run frees it by no longer being in progress. The holder is marked with a run tag;
when two runs claim at the same moment and both see themselves free, the one created first keeps the lock and the
other gives it up (claim, then check again).
"""

from __future__ import annotations

from dagster import DagsterInstance, DagsterRunStatus, RunRecord, RunsFilter

PARTITION_TAG = "dagster/partition"
SCENARIO_TAG = "samverkan/scenario"
OFFICIAL = "official"
HOLDER_TAG = "samverkan/lock"
HELD = "held"
RELEASED = "released"
IN_PROGRESS = [DagsterRunStatus.STARTING, DagsterRunStatus.STARTED, DagsterRunStatus.CANCELING]


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
    return [r for r in records if r.dagster_run.run_id != run_id and lock_key(r.dagster_run.tags) == key]


def _refusal(key: tuple[str, str], holder: RunRecord) -> RunLockError:
    year, scenario = key
    what = f"året {year}" if scenario == OFFICIAL else f"året {year} i scenariot {scenario}"
    started = holder.create_timestamp.strftime("%Y-%m-%d %H:%M")
    return RunLockError(
        f"{what} körs redan av körning {holder.dagster_run.run_id[:8]} (skapad {started} UTC); "
        "vänta tills den är klar eller avbryt den, och starta sedan igen")


def claim(instance: DagsterInstance, run_id: str) -> None:
    """Hold the run's (year, scenario) for it, or raise ``RunLockError`` if another run holds it."""
    record = instance.get_run_record_by_id(run_id)
    if record is None:
        return
    tags = record.dagster_run.tags
    key = lock_key(tags)
    if key is None or tags.get(HOLDER_TAG) == HELD:
        return
    rivals = _rivals(instance, run_id, key)
    first = [r for r in rivals if r.dagster_run.tags.get(HOLDER_TAG) == HELD or _order(r) < _order(record)]
    if first:
        raise _refusal(key, min(first, key=_order))
    instance.add_run_tags(run_id, {HOLDER_TAG: HELD})
    # A rival that saw us before we were in progress may have claimed too: the one created first keeps it.
    earlier = [r for r in _rivals(instance, run_id, key)
               if instance.get_run_by_id(r.dagster_run.run_id).tags.get(HOLDER_TAG) == HELD
               and _order(r) < _order(record)]
    if earlier:
        instance.add_run_tags(run_id, {HOLDER_TAG: RELEASED})
        raise _refusal(key, min(earlier, key=_order))
