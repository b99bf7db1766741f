"""An unchanged rerun: the same year twice on the same inbox, parameters and code; second wall over first.

    .venv/bin/python benchmarks/rerun.py                       # the demo inbox (3 förbund, 600 a year), 2024
    .venv/bin/python benchmarks/rerun.py --forbund 10 --participants-per-year 2000

Both runs go through ``samverkan run``'s path (``pipelines.run.run_year``: ``execute_job``, the multiprocess
executor) on a fresh instance and storage of their own. The second run finds every förbund's content hash in
the published folder's ``run.json`` and copies its PDF and HTML instead of calling WeasyPrint; the counts of
WeasyPrint calls come from the report asset's metadata, not from the times. Writes ``results/rerun.json``.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
RESULTS = ROOT / "benchmarks" / "results"


def _calls(instance, run_id: str) -> dict:
    from dagster import DagsterEventType

    for record in instance.all_logs(run_id, of_type=DagsterEventType.ASSET_MATERIALIZATION):
        materialization = record.dagster_event.event_specific_data.materialization
        if materialization.asset_key.to_user_string() == "samverkansbokslut_reports":
            meta = materialization.metadata
            return {"weasyprint_calls": meta["weasyprint_calls"].value, "reused": meta["reused"].value,
                    "reports": meta["reports"].value}
    return {}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--forbund", type=int, default=3)
    parser.add_argument("--participants-per-year", type=int, default=600)
    parser.add_argument("--year", type=int, default=2024)
    parser.add_argument("--seed", type=int, default=2024)
    args = parser.parse_args(argv)

    scratch = Path(tempfile.mkdtemp(prefix="rerun-"))
    os.environ["DAGSTER_HOME"] = str(scratch / "home")
    os.environ["SAMVERKAN_STORAGE"] = str(scratch / "storage")
    sys.path.insert(0, str(ROOT))
    from dagster import DagsterInstance

    from pipelines.instance import ensure_dagster_home
    from pipelines.run import run_year
    from samverkan.synth import SynthSpec, synthesise, write_inbox

    inbox = scratch / "inbox"
    frames, errors = synthesise(SynthSpec(forbund=args.forbund, first_year=2018, last_year=args.year,
                                          participants_per_year=args.participants_per_year, seed=args.seed))
    write_inbox(frames, errors, inbox)
    ensure_dagster_home()
    instance = DagsterInstance.get()
    out = scratch / "out" / str(args.year)
    runs = []
    for label in ("first", "second"):
        started = time.perf_counter()
        outcome = run_year(inbox, args.year, out, instance=instance)
        wall = time.perf_counter() - started
        if not outcome.success:
            print(f"{label}: misslyckades: {outcome.failures}", file=sys.stderr)
            return 1
        runs.append({"run": label, "wall_seconds": round(wall, 2), **_calls(instance, outcome.run_id)})
    result = {"inbox": {"forbund": args.forbund, "participants_per_year": args.participants_per_year,
                        "year": args.year, "seed": args.seed},
              "cpus": os.cpu_count(), "runs": runs,
              "second_over_first": round(runs[1]["wall_seconds"] / runs[0]["wall_seconds"], 3)}
    RESULTS.mkdir(exist_ok=True)
    (RESULTS / "rerun.json").write_text(json.dumps(result, indent=2) + "\n", encoding="utf-8")
    for run in runs:
        print(f"{run['run']}: {run['wall_seconds']} s, {run['weasyprint_calls']} WeasyPrint-anrop, "
              f"{run['reused']} återanvända av {run['reports']}")
    print(f"andra/första: {result['second_over_first']}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
