"""National-scale benchmark: one year and an 8-year backfill, per stage, wall seconds and peak memory.

    .venv/bin/python benchmarks/national.py                 # full: 80 förbund, 25 000 episodes/year, 2018-2025
    .venv/bin/python benchmarks/national.py --quick         # a small smoke run of the same script
    .venv/bin/python benchmarks/national.py --skip-backfill # only the one national year

What it does, in order, each part timed:

1. **synth**: ``synthesise(SynthSpec(forbund=80, participants_per_year=25000, 2018-2025, seed=1))`` and
   ``write_inbox`` (cached in ``var/benchmarks/``; ``--fresh`` regenerates).
2. **read**: the contract readers alone over the whole inbox, in a fresh process (peak RSS of that process).
3. **one year**: the real job (``samverkansbokslut``, partition ``--year``) through ``execute_job`` with the
   default multiprocess executor and its default worker count (cores + 1; ``--workers`` to change), from
   the inbox to every PDF. A success hook records each step's peak RSS (each step is its own process); step
   durations come from the run's event log. Steps are grouped into stages: validate (ingest +
   validation), ledger, monte_carlo, success_levels, render, other. Stages that the pipeline does not
   have yet are "not available".
4. **backfill**: the same for every year of the inbox, one run per year, as ``samverkan backfill`` does.
   Then, in the same process and instance, the year rerun for one förbund on the unchanged inbox
   (``benchmarks/forbund_rerun.py``; ``--skip-forbund`` leaves it out).
5. **duckdb**: the ledger arithmetic as one DuckDB query over the same cohort
   (``benchmarks/ledger_duckdb.py``), timed against the ledger step.
6. **floor**: after the one year, a few of its förbund's HTML twins laid out again by bare WeasyPrint in a
   fresh warm process, against those förbund's render steps; and the year's wall time against its render
   CPU over the cores (``benchmarks/floor.py``; ``--floor-reports``, ``--floor-repeats``).

Writes ``benchmarks/results/national.json`` and ``benchmarks/results/national.md``. Stage seconds are
the sum of step durations; steps of different stages overlap when workers > 1, so the stages add up
to more than the run's wall time. The targets (one year inbox→PDF < 120 s on 2 cores; ledger within
2× of DuckDB; render step ≤ 1.10× bare WeasyPrint; year ≤ 1.15× its render CPU over the cores) are
checked and printed.
"""

import argparse
import datetime as dt
import json
import os
import platform
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from dagster import HookContext, success_hook  # noqa: E402

from benchmarks.floor import chosen_reports, floor_summary, floor_targets  # noqa: E402
from benchmarks.forbund_rerun import forbund_target, measure_forbund_rerun, unchanged_target  # noqa: E402
from benchmarks.machine import measure_read, measure_yardstick, python_json  # noqa: E402
from benchmarks.national_markdown import markdown  # noqa: E402
from benchmarks.stages import run_steps, stage_table, step_assets, summarise_stages, total_stages  # noqa: E402
from pipelines.jobs import worker_count  # noqa: E402

RESULTS = ROOT / "benchmarks" / "results"
CACHE = ROOT / "var" / "benchmarks"
TARGET_YEAR_SECONDS = 120.0
TARGET_LEDGER_RATIO = 2.0
MEMORY_LOG = "SAMVERKAN_BENCH_MEMORY_LOG"


def peak_rss_mb() -> float:
    # ru_maxrss is in kilobytes on Linux.
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


@success_hook(name="record_step_memory")
def record_step_memory(context: HookContext) -> None:
    """Runs in the step's own process right after the step: that process's peak RSS is the step's."""
    path = os.environ.get(MEMORY_LOG)
    if path:
        own = resource.getrusage(resource.RUSAGE_SELF)
        # Processes the step started and waited for (e.g. a render pool) count as the step's CPU too.
        children = resource.getrusage(resource.RUSAGE_CHILDREN)
        cpu = own.ru_utime + own.ru_stime + children.ru_utime + children.ru_stime
        with open(path, "a", encoding="utf-8") as handle:
            handle.write(json.dumps({"run_id": context.run_id, "step": context.step_key,
                                     "peak_rss_mb": round(peak_rss_mb(), 1),
                                     "children_peak_rss_mb": round(children.ru_maxrss / 1024, 1),
                                     "cpu_seconds": round(cpu, 2)}) + "\n")


def benchmark_job():
    """The production job with the memory hook; step processes rebuild it from here."""
    from pipelines.run import samverkansbokslut_job_def

    return samverkansbokslut_job_def().with_hooks({record_step_memory})


# ---------------------------------------------------------------- parts


def make_inbox(args: argparse.Namespace) -> tuple[Path, dict]:
    from samverkan.synth import SynthSpec, synthesise, write_inbox

    spec = SynthSpec(forbund=args.forbund, participants_per_year=args.participants_per_year,
                     first_year=args.first_year, last_year=args.last_year, seed=args.seed)
    name = f"inbox-f{spec.forbund}-p{spec.participants_per_year}-{spec.first_year}-{spec.last_year}-s{spec.seed}"
    inbox = CACHE / name
    info: dict = {"spec": spec.__dict__, "inbox": str(inbox)}
    if args.fresh and inbox.exists():
        shutil.rmtree(inbox)
    started = time.perf_counter()
    frames, errors = synthesise(spec)
    info["synthesise_seconds"] = round(time.perf_counter() - started, 3)
    info["rows"] = {name: len(frame) for name, frame in frames.items()}
    info["projects"] = int(frames["projects"]["project_id"].nunique())
    if not (inbox / ".complete").exists():
        tmp = inbox.with_name(inbox.name + ".tmp")
        shutil.rmtree(tmp, ignore_errors=True)
        started = time.perf_counter()
        write_inbox(frames, errors, tmp)
        info["write_inbox_seconds"] = round(time.perf_counter() - started, 3)
        (tmp / ".complete").write_text("")
        shutil.rmtree(inbox, ignore_errors=True)
        tmp.rename(inbox)
    info["inbox_mb"] = round(sum(p.stat().st_size for p in inbox.iterdir()) / 2**20, 1)
    return inbox, info


def _one_run(job, instance, inbox: Path, year: int, out: Path, memory_log: Path, groups, names) -> dict:
    """One run of ``year`` through execute_job: wall seconds, PDFs, per-step times, CPU and memory."""
    from dagster import execute_job

    from pipelines.run import _literal

    run_config = {
        "resources": {"settings": {"config": {"inbox_dir": str(inbox), "out_dir": _literal(out)}}},
        "loggers": {"console": {"config": {"log_level": "WARNING"}}},
    }
    started = time.perf_counter()
    with execute_job(job, instance=instance, run_config=run_config,
                     tags={"dagster/partition": str(year)}) as result:
        wall = time.perf_counter() - started
        steps = run_steps(instance, result.run_id)
        success = result.success
    memory, cpu = {}, {}
    if memory_log.exists():
        for line in memory_log.read_text().splitlines():
            entry = json.loads(line)
            if entry["run_id"] == result.run_id:
                memory[entry["step"]] = max(entry["peak_rss_mb"], entry.get("children_peak_rss_mb", 0))
                cpu[entry["step"]] = entry.get("cpu_seconds")
    pdfs = sorted(out.rglob("*.pdf"))
    return {
        "run_id": result.run_id,
        "success": success,
        "wall_seconds": round(wall, 3),
        "pdfs": len(pdfs),
        "pdf_mb": round(sum(p.stat().st_size for p in pdfs) / 2**20, 1),
        "stages": summarise_stages(steps, memory, groups, names, cpu),
        "steps": {k: {"seconds": v.get("seconds"), "cpu_seconds": cpu.get(k), "peak_rss_mb": memory.get(k)}
                  for k, v in steps.items()},
        "load_average": [round(x, 2) for x in os.getloadavg()],
    }


def run_partitions(inbox: Path, years: list[int], workers: int, work: Path, budget: float | None = None,
                   forbund_rerun: bool = False) -> dict:
    """One run per year through execute_job on a fresh SQLite instance; per-step times and memory."""
    from dagster import DagsterInstance, build_reconstructable_job

    from pipelines.console import reports_reused
    from samverkan.files import read_csv_extract

    memory_log = work / "memory.jsonl"
    os.environ.update({
        "DAGSTER_HOME": str(work / "dagster_home"),
        "SAMVERKAN_STORAGE": str(work / "storage"),
        "SAMVERKAN_ALERTS_DIR": str(work / "alerts"),
        "SAMVERKAN_WORKERS": str(workers),
        MEMORY_LOG: str(memory_log),
    })
    os.environ.pop("SAMVERKAN_INSTANCE", None)
    from pipelines.instance import ensure_dagster_home

    ensure_dagster_home()
    groups, names = step_assets()
    job = build_reconstructable_job("benchmarks.national", "benchmark_job", reconstructor_working_directory=str(ROOT))
    results: dict = {"years": {}}
    started_all = time.perf_counter()
    with DagsterInstance.get() as instance:
        for year in years:
            if budget is not None and time.perf_counter() - started_all > budget:
                results["stopped"] = (f"time budget of {budget:.0f} s used up after {len(results['years'])} of "
                                      f"{len(years)} years; the remaining years were not run")
                break
            out = work / "out" / str(year)
            entry = _one_run(job, instance, inbox, year, out, memory_log, groups, names)
            entry.pop("run_id")
            results["years"][str(year)] = entry
            print(f"  {year}: {'ok' if entry['success'] else 'MISSLYCKADES'} {entry['wall_seconds']:.1f} s, "
                  f"{entry['pdfs']} PDF", flush=True)
        # The years' wall time is theirs alone; the rerun after them has its own.
        results["wall_seconds"] = round(time.perf_counter() - started_all, 3)
        if forbund_rerun and results["years"]:
            # The same year again on the unchanged inbox, parameters and code: nothing to lay out again.
            print("  samma år igen, inget ändrat …", flush=True)
            last = years[-1]
            again = _one_run(job, instance, inbox, last, work / "out" / str(last), memory_log, groups, names)
            again["reports_reused"] = reports_reused(again.pop("run_id"), instance)
            again["reports"] = len(read_csv_extract(work / "out" / str(last) / "reports.csv"))
            again["of_first"] = round(again["wall_seconds"] / results["years"][str(last)]["wall_seconds"], 3)
            results["unchanged_rerun"] = {k: again[k] for k in ("success", "wall_seconds", "reports", "reports_reused",
                                                                 "of_first", "load_average")}
            print("  ett förbund, oförändrad inkorg …", flush=True)
            results["forbund_rerun"] = measure_forbund_rerun(instance, inbox, years[-1], work)
    results["stages"] = total_stages([y["stages"] for y in results["years"].values()])
    results["success"] = all(y["success"] for y in results["years"].values())
    return results


def run_part(inbox: Path, years: list[int], workers: int, work: Path, budget: float | None = None,
             forbund_rerun: bool = False) -> dict:
    """``run_partitions`` in a fresh process: the executor's forkserver keeps the environment it started
    with, so each part gets its own process, instance, storage and memory log."""
    work.mkdir(parents=True, exist_ok=True)
    request = work / "request.json"
    request.write_text(json.dumps({"inbox": str(inbox), "years": years, "workers": workers, "work": str(work),
                                   "budget": budget, "forbund_rerun": forbund_rerun}))
    subprocess.run([sys.executable, __file__, "--run-part", str(request)], cwd=ROOT, check=True)
    return json.loads((work / "result.json").read_text())


def measure_duckdb(work: Path, year: int) -> dict:
    """The ledger arithmetic as one DuckDB query over the run's stored, validated frames."""
    try:
        from benchmarks.ledger_duckdb import duckdb_ledger
    except ImportError as exc:
        return {"available": False, "reason": f"not available: {exc}"}
    return duckdb_ledger(work / "storage", year)


def measure_floor(work: Path, year: int, part: dict, cores: int, count: int, repeats: int) -> dict:
    """The stack's floor for the one year's run in ``work`` (see ``benchmarks/floor.py``)."""
    from assets.report import mapping_key

    out = work / "out" / str(year)
    if not (out / "reports.csv").exists():  # the run failed before its reports: nothing to compare
        return {}
    reports = chosen_reports(out, count)
    bare = python_json("from benchmarks.floor import main; main()", str(repeats),
                        *(str(out / r["html"]) for r in reports))
    measured = part["years"][str(year)]
    steps = measured["steps"]
    step_cpu = {}
    for r in reports:
        suffix = f"[{mapping_key(r['forbund'])}]"
        step_cpu[r["forbund"]] = next((v["cpu_seconds"] for k, v in steps.items() if k.endswith(suffix)), None)
    render = measured["stages"].get("render", {})
    return floor_summary(reports, bare, step_cpu, measured["wall_seconds"], render.get("cpu_seconds"), cores)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--forbund", type=int, default=80)
    parser.add_argument("--participants-per-year", type=int, default=25_000)
    parser.add_argument("--first-year", type=int, default=2018)
    parser.add_argument("--last-year", type=int, default=2025)
    parser.add_argument("--year", type=int, help="the one year measured alone (default: the last year)")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--workers", type=int, default=0,
                        help="steps at once; 0 (default) = what samverkan run uses, the cores plus one")
    parser.add_argument("--skip-backfill", action="store_true")
    parser.add_argument("--skip-forbund", action="store_true", help="no one-förbund rerun after the one year")
    parser.add_argument("--backfill-budget", type=float, help="seconds after which no further backfill year starts")
    parser.add_argument("--fresh", action="store_true", help="regenerate the cached inbox")
    parser.add_argument("--floor-reports", type=int, default=3,
                        help="how many of the year's reports bare WeasyPrint lays out again (default 3)")
    parser.add_argument("--floor-repeats", type=int, default=5, help="timed bare renders of each (default 5)")
    parser.add_argument("--quick", action="store_true", help="3 förbund, 600 episodes/year, 2022-2024")
    parser.add_argument("--name", default="national", help="results file name (without extension)")
    parser.add_argument("--run-part", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.run_part:
        request = json.loads(Path(args.run_part).read_text())
        work = Path(request["work"])
        result = run_partitions(Path(request["inbox"]), request["years"], request["workers"], work,
                                request.get("budget"), request.get("forbund_rerun", False))
        (work / "result.json").write_text(json.dumps(result, default=str))
        return 0
    if args.quick:
        args.forbund, args.participants_per_year, args.first_year, args.last_year = 3, 600, 2022, 2024
        args.name = args.name if args.name != "national" else "quick"
    year = args.year or args.last_year

    print("syntetisk inkorg …", flush=True)
    inbox, inbox_info = make_inbox(args)
    print(f"  {inbox_info['projects']} insatser, {inbox_info['rows']['participants']} episoder, "
          f"{inbox_info['synthesise_seconds']} s", flush=True)
    print("läsning …", flush=True)
    read = measure_read(inbox)
    yardstick_before = measure_yardstick()
    report: dict = {
        "started_at": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        "machine": {"cpus": os.cpu_count(), "python": platform.python_version(), "platform": platform.platform()},
        "workers": args.workers or worker_count(),
        "inbox": inbox_info,
        "read": read,
        "yardstick": {"what": "CPU seconds, best of 3, before and after the runs: 'render' the demo report, "
                              "'python' a fixed pure-Python workload (see measure_yardstick)",
                      "before": yardstick_before},
    }
    work = Path(tempfile.mkdtemp(prefix="samverkan-bench-"))
    try:
        print(f"ett år ({year}) …", flush=True)
        one = run_part(inbox, [year], args.workers, work / "one", forbund_rerun=not args.skip_forbund)
        one["table"] = stage_table(one["stages"], read)
        report["one_year"] = one
        report["duckdb"] = measure_duckdb(work / "one", year)
        print("golvet (WeasyPrint ensam) …", flush=True)
        report["floor"] = measure_floor(work / "one", year, one, report["machine"]["cpus"], args.floor_reports,
                                        args.floor_repeats)
        if not args.skip_backfill:
            years = list(range(args.first_year, args.last_year + 1))
            print(f"backfill {years[0]}–{years[-1]} …", flush=True)
            back = run_part(inbox, years, args.workers, work / "backfill", args.backfill_budget)
            back["table"] = stage_table(back["stages"], None)
            report["backfill"] = back
    finally:
        shutil.rmtree(work, ignore_errors=True)
    report["yardstick"]["after"] = measure_yardstick()

    ledger = report["one_year"]["stages"].get("ledger")
    duck = report["duckdb"]
    # The ledger's own computation against DuckDB on the same frames (loading and writing aside).
    ratio = duck.get("ratio_python_to_duckdb") if duck.get("available") else None
    year_wall = report["one_year"]["wall_seconds"]
    one_year = report["one_year"]["years"][str(year)]
    report["targets"] = {
        "ledger_seconds": ledger["seconds"] if ledger else None,
        "ledger_ratio": round(ratio, 2) if ratio is not None else None,
        "one_year_inbox_to_pdf": {
            "value": f"{year_wall:.1f} s, {one_year['pdfs']} PDF",
            "target": f"< {TARGET_YEAR_SECONDS:.0f} s on 2 cores with every PDF",
            "met": year_wall < TARGET_YEAR_SECONDS and one_year["pdfs"] > 0 and report["one_year"]["success"],
        },
        "ledger_vs_duckdb": {
            "value": f"{ratio:.2f}×" if ratio is not None else "not available",
            "target": f"≤ {TARGET_LEDGER_RATIO:.0f}×",
            "met": None if ratio is None else ratio <= TARGET_LEDGER_RATIO,
        },
        **floor_targets(report["floor"]),
        "forbund_rerun_vs_year": forbund_target(report["one_year"].get("forbund_rerun"), one_year["wall_seconds"]),
        "unchanged_rerun_vs_first": unchanged_target(report["one_year"].get("unchanged_rerun")),
    }
    report["finished_at"] = dt.datetime.now(dt.UTC).isoformat(timespec="seconds")
    RESULTS.mkdir(parents=True, exist_ok=True)
    from samverkan.files import write_bytes_atomic

    write_bytes_atomic(RESULTS / f"{args.name}.json", json.dumps(report, indent=2, default=str).encode())
    write_bytes_atomic(RESULTS / f"{args.name}.md", markdown(report).encode())
    print(markdown(report))
    return 0


if __name__ == "__main__":
    sys.exit(main())
