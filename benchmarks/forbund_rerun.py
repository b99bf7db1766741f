"""A part of ``national.py``: right after the one national year, the same year rerun for one förbund.

``samverkan run --forbund NAME`` on the unchanged inbox (``pipelines.scope.run_scoped``), in the benchmark's
process on the same instance and storage as the national year, so it finds that year's run as its last full run
and reuses its validated datasets. The förbund is the one with the most projects (the longest report). Timed as
the national year is: wall seconds of the call in a warm process. Then the same as the command a person types,
in a fresh process (its start-up and imports included), for a second figure. Target: at most 1/20 of the
national year's wall time.
"""

from __future__ import annotations

import subprocess
import sys
import time
from pathlib import Path

TARGET_SHARE = 1 / 20


def largest_forbund(inbox: Path) -> str:
    """The förbund with the most projects in the inbox; ties by name."""
    from samverkan.readers import read_dataset

    counts = read_dataset(inbox, "projects")["forbund"].value_counts()
    return sorted(counts.index, key=lambda name: (-counts[name], name))[0]


def measure_forbund_rerun(instance, inbox: Path, year: int, work: Path) -> dict:
    from benchmarks.stages import run_steps
    from pipelines.scope import run_scoped

    name = largest_forbund(inbox)
    out = work / "out-forbund" / str(year)
    started, cpu = time.perf_counter(), time.process_time()
    scoped = run_scoped(inbox, year, out, [name], instance=instance)
    wall, cpu = time.perf_counter() - started, time.process_time() - cpu
    steps = run_steps(instance, scoped.outcome.run_id)
    pdfs = sorted(out.rglob("*.pdf"))
    command = [str(Path(sys.executable).parent / "samverkan"), "run", "--inbox", str(inbox), "--year", str(year),
               "--out", str(work / "out-forbund-cli" / str(year)), "--forbund", name]
    cli_started = time.perf_counter()
    cli = subprocess.run(command, capture_output=True, text=True)
    cli_wall = time.perf_counter() - cli_started
    return {"cli_wall_seconds": round(cli_wall, 3), "cli_success": cli.returncode == 0,
            "cli_output": (cli.stdout + cli.stderr).strip().splitlines()[-3:],
            "forbund": name, "success": scoped.outcome.success, "failures": scoped.outcome.failures,
            "reused_validation": scoped.reused, "reference_run": scoped.reference_run,
            "wall_seconds": round(wall, 3), "cpu_seconds": round(cpu, 2), "phases": scoped.seconds,
            "pdfs": len(pdfs), "steps": {k: v.get("seconds") for k, v in sorted(steps.items())}}


def forbund_target(rerun: dict | None, year_wall: float) -> dict:
    if not rerun:
        return {"value": "not measured", "target": f"≤ 1/{round(1 / TARGET_SHARE)} of the year", "met": None}
    share = rerun["wall_seconds"] / year_wall
    return {"value": f"{rerun['wall_seconds']:.1f} s of {year_wall:.1f} s = 1/{1 / share:.0f} ({share:.3f})",
            "target": f"≤ 1/{round(1 / TARGET_SHARE)} of the year ({TARGET_SHARE:.3f})",
            "met": rerun["success"] and rerun["reused_validation"] and share <= TARGET_SHARE}


def forbund_lines(rerun: dict | None, year: dict) -> list[str]:
    """The rerun's paragraph; ``year`` is the national year's entry of the results (wall, steps' CPU)."""
    if not rerun:
        return []
    year_wall = year["wall_seconds"]
    year_cpu = sum(s.get("cpu_seconds") or 0.0 for s in year["steps"].values())
    phases = ", ".join(f"{k} {v:.2f} s" for k, v in rerun["phases"].items())
    slow = sorted(((s or 0.0, k) for k, s in rerun["steps"].items()), reverse=True)[:5]
    return ["## One förbund rerun on the unchanged inbox", "",
            f"`samverkan run --forbund` for {rerun['forbund']} (the most projects) right after the national year, "
            f"{'reusing' if rerun['reused_validation'] else 'NOT reusing'} its validation: "
            f"{'ok' if rerun['success'] else 'FAILED'}, {rerun['pdfs']} PDF, **{rerun['wall_seconds']:.2f} s** wall "
            f"({rerun['cpu_seconds']:.2f} CPU s in the process), {rerun['wall_seconds'] / year_wall:.3f} of the "
            f"year's {year_wall:.1f} s. Phases: {phases}. Longest steps: "
            + ", ".join(f"{k} {s:.2f} s" for s, k in slow) + ".", "",
            f"The same as a fresh command (`samverkan run … --forbund`, start-up and imports included): "
            f"{rerun['cli_wall_seconds']:.2f} s ({'ok' if rerun['cli_success'] else 'FAILED'}), "
            f"{rerun['cli_wall_seconds'] / year_wall:.3f} of the year.", "",
            f"By CPU, which the machine's load moves less than wall time: the rerun's {rerun['cpu_seconds']:.2f} "
            f"CPU s against the national year's steps' {year_cpu:.1f} CPU s = "
            f"{rerun['cpu_seconds'] / max(year_cpu, 1e-9):.3f}.",
            ""]
