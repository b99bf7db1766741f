"""The commands that call the core alone (or a little of the shell): they start fast, importing what they need
only when called."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path


def cmd_synth(args: argparse.Namespace) -> int:
    from samverkan.synth import SynthSpec, synthesise, write_inbox

    first, last = args.years
    spec = SynthSpec(forbund=args.forbund, first_year=first, last_year=last,
                     participants_per_year=args.participants_per_year, seed=args.seed,
                     with_errors=args.with_errors)
    frames, errors = synthesise(spec)
    written = write_inbox(frames, errors, Path(args.out))
    counts = ", ".join(f"{name} {len(frame)}" for name, frame in frames.items())
    print(f"skrev {len(written)} filer till {args.out}: {counts}"
          + (f"; {len(errors)} avsiktliga fel (se _injected_errors.csv)" if len(errors) else ""))
    return 0


def cmd_scenarios(args: argparse.Namespace) -> int:
    from pipelines.scenarios import scenarios_command

    return scenarios_command(args.delete)


def cmd_ledger(args: argparse.Namespace) -> int:
    from samverkan.ledger.present_value import ledger_command

    try:
        sys.stdout.write(ledger_command(args.flows, args.rate, args.years))
    except (OSError, ValueError) as exc:
        print(f"fel: {exc}", file=sys.stderr)
        return 2
    return 0


def cmd_compare(args: argparse.Namespace) -> int:
    from samverkan.compare import CompareError, compare_command

    try:
        lines = compare_command(args.a, args.b, args.out)
    except CompareError as exc:
        for line in exc.lines:
            print(f"fel: {line}", file=sys.stderr)
        return 2
    print("\n".join(lines))
    return 0


def cmd_adopt(args: argparse.Namespace) -> int:
    from samverkan.publish import AdoptError, adopt_command

    try:
        lines = adopt_command(args.out, args.year, by=args.by)
    except (AdoptError, OSError) as exc:
        print(f"fel: {exc}", file=sys.stderr)
        return 2
    print("\n".join(lines))
    return 0


def cmd_forecast(args: argparse.Namespace) -> int:
    from reports.kalkyl import write_kalkyl
    from samverkan.forecast.plan import PlanError
    from samverkan.forecast.run import FORECAST_FILE, forecast_plan
    from samverkan.ledger.actors import MEMBERS

    try:
        result = forecast_plan(args.plan, args.out, args.catalogue, args.parameters, args.scenarios)
    except PlanError as exc:
        for problem in exc.problems:
            print(problem, file=sys.stderr)
        return 2
    except (OSError, ValueError) as exc:
        print(f"fel: katalogen, parametrarna eller scenarierna kan inte användas: {exc}", file=sys.stderr)
        return 2
    kalkyl = write_kalkyl(result, args.out, variant=args.pdf_variant)
    view = result.view
    print(f"prognos för {view.plan_name} ({view.forbund}) skriven till {Path(args.out) / FORECAST_FILE}")
    print(f"investeringskalkyl: {kalkyl.pdf} och {kalkyl.html}")
    project = view.scenarios[0]
    print(f"måste lyckas för att gå jämnt ut ({project.label.lower()}, av {view.participants} planerade):")
    for line in project.lines:
        if line.actor not in MEMBERS and line is not project.lines[-1]:
            continue  # the others invest nothing; the PDF shows them
        count = "–" if line.break_even_successes is None else str(line.break_even_successes)
        print(f"  {line.actor}: {count}" + (f" ({line.break_even_reason})" if line.break_even_reason else ""))
    return 0


def cmd_profile_check(args: argparse.Namespace) -> int:
    from samverkan.profile_check import check_inbox

    report = check_inbox(Path(args.inbox), args.profile)
    print("\n".join(report.lines))
    return 0 if report.ok else 2


def cmd_purge(args: argparse.Namespace) -> int:
    from pipelines.instance import ensure_dagster_home

    ensure_dagster_home()
    import datetime as dt

    from dagster import DagsterInstance

    from pipelines.purge import PurgeRefusedError, purge_year

    try:
        counts = purge_year(DagsterInstance.get(), args.year, Path(args.storage) if args.storage else None)
    except PurgeRefusedError as exc:
        print(f"fel: {exc}", file=sys.stderr)
        return 2
    print(f"gallrat {args.year}:")
    for line in counts.lines(dt.date.today()):
        print(f"  {line}")
    return 0


def cmd_contract(args: argparse.Namespace) -> int:
    from samverkan.contract_doc import contract_markdown

    sys.stdout.write(contract_markdown())
    return 0


# Flags of `run` that map one to one onto SamverkanSettings fields.
