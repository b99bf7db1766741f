"""The national benchmark's results as markdown (``results/<name>.md``), from the report it writes as JSON."""

from benchmarks.forbund_rerun import forbund_lines, unchanged_lines


def _cell(value: float | None, digits: int = 1) -> str:
    return "not available" if value is None else f"{value:.{digits}f}"


def _yardstick_lines(yardstick: dict | None) -> list[str]:
    if not yardstick:
        return []
    before, after = yardstick["before"], yardstick.get("after") or {}
    if not isinstance(before, dict):  # results written before the fixed workload was added
        before, after = {"render": before}, {"render": after or float("nan")}
    line = (f"Machine yardstick (CPU s, best of 3, before → after the runs): the demo report renders in "
            f"{before['render']:.2f} → {after.get('render', float('nan')):.2f}")
    if "python" in before:
        line += (f"; a fixed pure-Python workload takes {before['python']:.2f} → "
                 f"{after.get('python', float('nan')):.2f}")
    return [line + ". A year's render stage scales with both; the second is untouched by changes to this "
            "project's code, so it also compares runs of different versions.", ""]


def _floor_lines(floor: dict | None) -> list[str]:
    if not floor:
        return []
    repeats = len(floor["reports"][0]["bare_cpu_seconds_all"]) if floor["reports"] else 0
    lines = ["## The stack's floor", "",
             f"A render step's CPU against bare WeasyPrint turning the HTML twin that step wrote into a PDF in a "
             f"warm process of its own (median of {repeats} after one untimed render; same stylesheet, fonts, "
             f"variant and tags): **{_cell(floor['step_vs_bare'], 2)}** for these förbund together; against bare "
             f"WeasyPrint with the cyclic collector off {_cell(floor.get('step_vs_bare_collector_off'), 2)}.", "",
             "| förbund | pages (pipeline / bare) | step CPU s | bare WeasyPrint CPU s | collector off | ratio |",
             "|---|---:|---:|---:|---:|---:|"]
    for row in floor["reports"]:
        lines.append(f"| {row['forbund']} | {row['pages']} / {row['bare_pages']} | "
                     f"{_cell(row['step_cpu_seconds'], 2)} | {_cell(row['bare_cpu_seconds'], 2)} | "
                     f"{_cell(row.get('collector_off_cpu_seconds'), 2)} | {_cell(row['ratio'], 2)} |")
    return lines + [
        "", f"The year's wall time against its render CPU over the cores: {floor['year_wall_seconds']:.1f} s × "
        f"{floor['cores']} / {_cell(floor['render_cpu_seconds'], 1)} CPU s = "
        f"**{_cell(floor['wall_vs_render_cpu_per_core'], 2)}**.", ""]


def markdown(report: dict) -> str:
    lines = [
        f"# National-scale benchmark ({report['finished_at']})",
        "",
        f"Machine: {report['machine']['cpus']} cores, Python {report['machine']['python']}, "
        f"{report['machine']['platform']}; workers {report['workers']}.",
        f"Data: {report['inbox']['projects']} projects in {report['inbox']['spec']['forbund']} förbund, "
        f"{report['inbox']['rows'].get('participants', 0)} participant episodes over "
        f"{report['inbox']['spec']['first_year']}–{report['inbox']['spec']['last_year']} "
        f"({report['inbox']['inbox_mb']} MB inbox); synthesised in {report['inbox']['synthesise_seconds']} s.",
        "",
        *_yardstick_lines(report.get("yardstick")),
        "Wall seconds per stage are summed step durations (steps overlap across workers, so they add up to more",
        "than the run's wall time); CPU seconds are the step processes' own user+system time including processes",
        "they started (the render pool); memory is the largest peak RSS of a stage's step process or of one of its",
        "children (each includes the ~200 MB of preloaded pipeline modules).",
        "",
    ]
    for title, key in (("One year", "one_year"), ("Backfill", "backfill")):
        part = report.get(key)
        if not part:
            continue
        years = list(part["years"])
        lines += [f"## {title}: {years[0]}" + (f"–{years[-1]}" if len(years) > 1 else ""),
                  "", f"Wall time {part['wall_seconds']:.1f} s, "
                  f"{sum(y['pdfs'] for y in part['years'].values())} PDF, "
                  f"{'all runs succeeded' if part['success'] else 'SOME RUNS FAILED'}."
                  + (f" **Incomplete:** {part['stopped']}." if part.get("stopped") else ""), "",
                  f"Load average (1 min) at the end of each run: "
                  f"{', '.join(str(y['load_average'][0]) for y in part['years'].values())} "
                  f"({report['machine']['cpus']} cores, {report['workers']} workers: the run's "
                  "own steps; a load well above the workers means other work shared the machine).", "",
                  "| stage | wall seconds | CPU seconds | peak memory (MB) |", "|---|---:|---:|---:|"]
        for row in part["table"]:
            lines.append(f"| {row['stage']} | {_cell(row['seconds'])} | {_cell(row.get('cpu_seconds'))} | "
                         f"{_cell(row['peak_rss_mb'], 0)} |")
        lines.append("")
        if key == "one_year":
            lines += unchanged_lines(part.get("unchanged_rerun"))
            lines += forbund_lines(part.get("forbund_rerun"), part["years"][years[-1]])
    duck = report.get("duckdb", {})
    lines += ["## Ledger against DuckDB", ""]
    if duck.get("available"):
        lines.append(f"Same frames, same arithmetic ({duck['episodes']} cohort episodes, {duck['threads']} threads; "
                     f"results {'agree' if duck['agrees'] else 'DIFFER'}, largest difference "
                     f"{duck['largest_difference_sek']:.0f} kr): DuckDB {duck['seconds']:.3f} s, Python ledger "
                     f"(contributions + results) {duck['python_ledger_seconds']:.3f} s, ratio "
                     f"{_cell(duck['ratio_python_to_duckdb'], 2)}. The Dagster ledger steps, with loading and "
                     f"writing, took {_cell(report['targets'].get('ledger_seconds'), 2)} s.")
    else:
        lines.append(duck.get("reason", "not available"))
    lines += ["", *_floor_lines(report.get("floor")), "## Targets", ""]
    for name, target in report["targets"].items():
        if isinstance(target, dict):
            lines.append(f"- {name}: {target['value']} (target {target['target']}) — "
                         f"{'met' if target['met'] else 'NOT MET' if target['met'] is False else 'not measured'}")
    lines.append("")
    return "\n".join(lines)
