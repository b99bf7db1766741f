"""A benchmark run's steps: which stage each belongs to, their times from the event log, sums per stage."""

from collections import defaultdict

STAGES = ("read", "validate", "ledger", "monte_carlo", "success_levels", "render")


def stage_of_step(step_key: str, groups: dict[str, set[str]], names: dict[str, set[str]]) -> str:
    """Which benchmark stage a step belongs to, from its asset names and groups."""
    assets = names.get(step_key, set())
    group = groups.get(step_key, set())
    text = " ".join(sorted(assets | group | {step_key})).lower()
    if any(word in text for word in ("uncertainty", "monte", "simulation")):
        return "monte_carlo"
    if any(word in text for word in ("report", "render", "pdf", "bokslut_")):
        return "render"
    if "ledger" in text:
        return "ledger"
    if "success" in text or "prerequisite" in text:
        return "success_levels"
    if any(word in text for word in ("ingest", "quarantine", "validation", "quality", "steward")):
        return "validate"
    return "other"


def step_assets() -> tuple[dict[str, set[str]], dict[str, set[str]]]:
    """Per step (op) name: the groups and names of the assets it materialises."""
    from pipelines.definitions import defs

    groups: dict[str, set[str]] = defaultdict(set)
    names: dict[str, set[str]] = defaultdict(set)
    for assets_def in defs.resolve_asset_graph().assets_defs:
        if not assets_def.is_executable:
            continue
        step = assets_def.node_def.name
        for key in assets_def.keys:
            names[step].add(key.to_user_string())
            groups[step].add(assets_def.group_names_by_key.get(key, ""))
    return groups, names


def run_steps(instance, run_id: str) -> dict[str, dict[str, float]]:
    """Start, end and duration of every step of a run, from its event log."""
    from dagster import DagsterEventType

    steps: dict[str, dict[str, float]] = {}
    for record in instance.all_logs(run_id):
        event = record.dagster_event
        if event is None or not record.step_key:
            continue
        info = steps.setdefault(record.step_key, {})
        if event.event_type == DagsterEventType.STEP_START:
            info["start"] = record.timestamp
        elif event.event_type in (DagsterEventType.STEP_SUCCESS, DagsterEventType.STEP_FAILURE):
            info["end"] = record.timestamp
            info["ok"] = event.event_type == DagsterEventType.STEP_SUCCESS
    for info in steps.values():
        if "start" in info and "end" in info:
            info["seconds"] = round(info["end"] - info["start"], 3)
    return steps


def summarise_stages(steps: dict[str, dict[str, float]], memory: dict[str, float],
                     groups: dict[str, set[str]], names: dict[str, set[str]],
                     cpu: dict[str, float] | None = None) -> dict[str, dict]:
    out: dict[str, dict] = {}
    for step, info in steps.items():
        stage = stage_of_step(step, groups, names)
        entry = out.setdefault(stage, {"seconds": 0.0, "cpu_seconds": 0.0, "peak_rss_mb": 0.0, "steps": []})
        entry["seconds"] = round(entry["seconds"] + info.get("seconds", 0.0), 3)
        entry["cpu_seconds"] = round(entry["cpu_seconds"] + ((cpu or {}).get(step) or 0.0), 2)
        entry["peak_rss_mb"] = max(entry["peak_rss_mb"], memory.get(step, 0.0))
        entry["steps"].append(step)
    for entry in out.values():
        entry["steps"] = sorted(set(entry["steps"]))
    return out


def total_stages(per_year: list[dict[str, dict]]) -> dict[str, dict]:
    total: dict[str, dict] = {}
    for stages in per_year:
        for stage, entry in stages.items():
            t = total.setdefault(stage, {"seconds": 0.0, "cpu_seconds": 0.0, "peak_rss_mb": 0.0})
            t["seconds"] = round(t["seconds"] + entry["seconds"], 3)
            t["cpu_seconds"] = round(t["cpu_seconds"] + entry.get("cpu_seconds", 0.0), 2)
            t["peak_rss_mb"] = max(t["peak_rss_mb"], entry["peak_rss_mb"])
    return total


def stage_table(stages: dict[str, dict], read: dict | None = None) -> list[dict]:
    rows = []
    for stage in STAGES:
        if stage == "read" and read is not None:
            rows.append({"stage": stage, "seconds": read["seconds"], "cpu_seconds": read.get("cpu_seconds"),
                         "peak_rss_mb": read["peak_rss_mb"], "available": True})
        elif stage in stages:
            rows.append({"stage": stage, **{k: stages[stage].get(k) for k in ("seconds", "cpu_seconds", "peak_rss_mb")},
                         "available": True})
        else:
            rows.append({"stage": stage, "seconds": None, "cpu_seconds": None, "peak_rss_mb": None,
                         "available": False})
    if "other" in stages:
        rows.append({"stage": "other", **{k: stages["other"].get(k) for k in ("seconds", "cpu_seconds", "peak_rss_mb")},
                     "available": True})
    return rows
