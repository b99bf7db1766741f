"""A part of ``national.py``: right after the one national year, the same year rerun for single förbund.

``samverkan run --forbund NAME`` on the unchanged inbox (``pipelines.scope.run_scoped``), in the benchmark's
process on the same instance and storage as the national year, so it finds that year's run as its last full run
and reuses its validated datasets. In order:

1. the förbund with the most projects (the longest report), into a folder of its own, so its report is laid
   out (the figure the target is judged on);
2. the same again into the same folder: nothing it is made of changed, so its report is reused (issue 19
   item 6), and what is left is the machinery of a limited run;
3. the förbund at the median of the project counts, laid out: a typical förbund;
4. the first as the command a person types, in a fresh process (start-up and imports included).

Each is timed as the national year is: wall seconds of the call, with the process's CPU seconds beside them and
the load average after, because a load the year did not have moves the ratio. Target: the first at most 1/20
of the national year's wall time.
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

TARGET_SHARE = 1 / 20


def project_counts(inbox: Path) -> list[tuple[str, int]]:
    """(förbund, projects) from the most projects to the fewest; ties by name."""
    from samverkan.readers import read_dataset

    counts = read_dataset(inbox, "projects")["forbund"].value_counts()
    return sorted(((str(name), int(n)) for name, n in counts.items()), key=lambda item: (-item[1], item[0]))


def _timed(instance, inbox: Path, year: int, out: Path, name: str, projects: int) -> dict:
    from benchmarks.stages import run_steps
    from pipelines.scope import run_scoped

    started, cpu = time.perf_counter(), time.process_time()
    scoped = run_scoped(inbox, year, out, [name], instance=instance)
    wall, cpu = time.perf_counter() - started, time.process_time() - cpu
    steps = run_steps(instance, scoped.outcome.run_id)
    return {"forbund": name, "projects": projects, "success": scoped.outcome.success,
            "failures": scoped.outcome.failures, "reused_validation": scoped.reused,
            "reference_run": scoped.reference_run, "wall_seconds": round(wall, 3), "cpu_seconds": round(cpu, 2),
            "phases": scoped.seconds, "pdfs": len(sorted(out.rglob("*.pdf"))),
            "load_average": round(os.getloadavg()[0], 2),
            "steps": {k: v.get("seconds") for k, v in sorted(steps.items())}}


def measure_forbund_rerun(instance, inbox: Path, year: int, work: Path) -> dict:
    counts = project_counts(inbox)
    (largest, most), (median, middle) = counts[0], counts[len(counts) // 2]
    out = work / "out-forbund" / str(year)
    first = _timed(instance, inbox, year, out, largest, most)
    again = _timed(instance, inbox, year, out, largest, most)
    typical = _timed(instance, inbox, year, work / "out-forbund-median" / str(year), median, middle)
    command = [str(Path(sys.executable).parent / "samverkan"), "run", "--inbox", str(inbox), "--year", str(year),
               "--out", str(work / "out-forbund-cli" / str(year)), "--forbund", largest]
    cli_started = time.perf_counter()
    cli = subprocess.run(command, capture_output=True, text=True)
    cli_wall = time.perf_counter() - cli_started
    return {**first, "again": again, "median": typical,
            "cli_wall_seconds": round(cli_wall, 3), "cli_success": cli.returncode == 0,
            "cli_load_average": round(os.getloadavg()[0], 2),
            "cli_output": (cli.stdout + cli.stderr).strip().splitlines()[-3:]}


def forbund_target(rerun: dict | None, year_wall: float) -> dict:
    if not rerun:
        return {"value": "not measured", "target": f"≤ 1/{round(1 / TARGET_SHARE)} of the year", "met": None}
    share = rerun["wall_seconds"] / year_wall
    return {"value": f"{rerun['wall_seconds']:.1f} s of {year_wall:.1f} s = 1/{1 / share:.0f} ({share:.3f}) for "
                     f"the förbund with the most projects",
            "target": f"≤ 1/{round(1 / TARGET_SHARE)} of the year ({TARGET_SHARE:.3f})",
            "met": rerun["success"] and rerun["reused_validation"] and share <= TARGET_SHARE}


def unchanged_target(again: dict | None) -> dict:
    """The same year run again with nothing changed (issue 19 item 6): no report laid out again."""
    if not again:
        return {"value": "not measured", "target": "every report reused", "met": None}
    return {"value": f"{again['wall_seconds']:.1f} s = {again['of_first']:.3f} of the first run, "
                     f"{again['reports_reused']} of {again['reports']} reports reused",
            "target": "every report reused (no report laid out again)",
            "met": again["success"] and again["reports_reused"] == again["reports"]}


def unchanged_lines(again: dict | None) -> list[str]:
    if not again:
        return []
    return ["## The same year again, nothing changed", "",
            f"A second run of the year on the unchanged inbox, parameters and code, into the same folder: "
            f"{'ok' if again['success'] else 'FAILED'}, {again['wall_seconds']:.1f} s wall = "
            f"**{again['of_first']:.3f} of the first run**, {again['reports_reused']} of {again['reports']} reports "
            f"reused rather than laid out (load {again['load_average'][0]:.1f} after).", ""]


def _row(label: str, run: dict, year_wall: float) -> str:
    render = next((s for k, s in run["steps"].items() if ".render_forbund[" in k), None)
    share = run["wall_seconds"] / year_wall
    return (f"| {label} | {run['forbund']} ({run['projects']} projects) | {'ok' if run['success'] else 'FAILED'} | "
            f"{run['wall_seconds']:.2f} | {run['cpu_seconds']:.2f} | {render or 0:.2f} | {run['load_average']:.1f} | "
            f"{share:.3f} = 1/{1 / share:.0f} |")


def forbund_lines(rerun: dict | None, year: dict) -> list[str]:
    """The reruns' table; ``year`` is the national year's entry of the results (wall, steps' CPU)."""
    if not rerun:
        return []
    year_wall = year["wall_seconds"]
    year_cpu = sum(s.get("cpu_seconds") or 0.0 for s in year["steps"].values())
    runs = [("laid out", rerun), ("again, nothing changed", rerun.get("again")),
            ("median förbund, laid out", rerun.get("median"))]
    lines = ["## One förbund rerun on the unchanged inbox", "",
             f"`samverkan run --forbund` right after the national year ({year_wall:.1f} s wall), "
             f"{'reusing' if rerun['reused_validation'] else 'NOT reusing'} its validation. Wall and CPU seconds "
             "of the call in the benchmark's process; the render step's seconds; the 1-minute load average after.",
             "", "| rerun | förbund | | wall s | CPU s | render s | load | of the year |",
             "|---|---|---|---:|---:|---:|---:|---:|"]
    lines += [_row(label, run, year_wall) for label, run in runs if run]
    phases = ", ".join(f"{k} {v:.2f} s" for k, v in rerun["phases"].items())
    slow = sorted(((s or 0.0, k) for k, s in rerun["steps"].items()), reverse=True)[:5]
    cli_share = rerun["cli_wall_seconds"] / year_wall
    lines += ["", f"The first, by phase: {phases}. Longest steps: "
              + ", ".join(f"{k} {s:.2f} s" for s, k in slow) + ".", "",
              f"The same as a fresh command (`samverkan run … --forbund`, start-up and imports included): "
              f"{rerun['cli_wall_seconds']:.2f} s ({'ok' if rerun['cli_success'] else 'FAILED'}, load "
              f"{rerun['cli_load_average']:.1f}), {cli_share:.3f} = 1/{1 / cli_share:.0f} of the year.", "",
              f"By CPU, which the machine's load moves less than wall time: the first rerun's "
              f"{rerun['cpu_seconds']:.2f} CPU s against the national year's steps' {year_cpu:.1f} CPU s = "
              f"{rerun['cpu_seconds'] / max(year_cpu, 1e-9):.3f}.", ""]
    return lines
