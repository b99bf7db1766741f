"""The commands that drive the pipeline: ``run`` (official, scenario or limited to some förbund) and ``backfill``,
with the checks that stop them before anything runs and what they print after."""

from __future__ import annotations

import argparse
import functools
import os
import sys
import time
from pathlib import Path

from pipelines.console import Progress, reports_line, reports_reused, run_steps, stderr_to


def _check_run_files(args: argparse.Namespace, year: int) -> bool:
    """Every problem of the given parameters, rules and catalogue files, one Swedish line each, before anything
    runs; partial files are merged over the shipped ones first."""
    from samverkan.run_files import validate_run_files

    problems = validate_run_files(args.parameters_file, args.rules_file, args.catalogue_file, year)
    for line in problems:
        print(f"fel: {line}", file=sys.stderr)
    return not problems


def _start_workers_early(args: argparse.Namespace) -> None:
    # Before the pipeline is imported: its preloading overlaps ours (pipelines/preload.py). Every step process is
    # forked from that forkserver and inherits its stderr, where Dagster's per-step "Executing step … in
    # subprocess" DEBUG line and the libraries' warnings land; the steward gets the failures from the run's
    # events instead (cmd_run), so without --debug they go nowhere.
    if not args.in_process:
        from pipelines.preload import start_step_forkserver

        with stderr_to(None if args.debug else os.devnull):
            start_step_forkserver()


def _failed(header: str, outcome, debug: bool) -> int:
    """A failed run on stderr: the header, one line per cause, the whole chains only with --debug; exit 1."""
    print(header, file=sys.stderr)
    for failure in outcome.failures:
        print(f"  {failure}", file=sys.stderr)
    if not outcome.failures:
        print("  orsaken finns inte bland stegens händelser; kör med --debug eller öppna körningen i Dagster",
              file=sys.stderr)
    if debug:
        print("\n".join(outcome.tracebacks), file=sys.stderr)
    return 1


def _blank_scenario(args: argparse.Namespace) -> bool:
    """``--scenario ""`` is refused rather than taken as the official year: the evaluator meant a scenario."""
    if args.scenario is None or args.scenario.strip():
        return False
    print("fel: --scenario kräver ett namn, t.ex. --scenario ranta-3 (utan --scenario körs det officiella året)",
          file=sys.stderr)
    return True


def _other_run(args: argparse.Namespace) -> int | None:
    """The exit code when ``run`` is refused or is a scenario or limited run (each its own command); None for an
    official run of the whole year."""
    if _blank_scenario(args):
        return 2
    if args.scenario is not None:
        return cmd_run_scenario(args)
    if not args.out:
        print("fel: --out krävs (utom för ett scenario, --scenario NAMN)", file=sys.stderr)
        return 2
    if not _check_run_files(args, args.year) or not _check_profile(args):
        return 2
    return cmd_run_forbund(args) if args.forbund else None


def cmd_run(args: argparse.Namespace) -> int:
    other = _other_run(args)
    if other is not None:
        return other
    _start_workers_early(args)
    from pipelines.run import JOB_NAME, run_year
    from samverkan.manifest import read_manifest

    settings = {name: getattr(args, name) for name in RUN_SETTINGS if getattr(args, name, None) is not None}
    # With --debug Dagster's own lines fill the console; a line rewritten in place among them would only garble.
    progress = Progress(run_steps(args.year, JOB_NAME, time.time()), enabled=not args.debug)
    try:
        with progress:
            outcome = run_year(Path(args.inbox), args.year, Path(args.out), in_process=args.in_process,
                               workers=args.workers, **_console_level(args), **settings)
    except ValueError as exc:
        print(f"fel: {exc}", file=sys.stderr)
        return 2
    _steward_view(outcome.run_id, outcome.out_dir)
    if not outcome.success:
        kept = f" (det den hann skriva: {outcome.out_dir}; {args.out} är orörd)" \
            if outcome.out_dir != Path(args.out) else ""
        return _failed(f"körningen {outcome.run_id} misslyckades{kept}:", outcome, args.debug)
    reports = reports_line(outcome.out_dir, reports_reused(outcome.run_id))
    if reports:
        print(reports)
    print(f"klart: {args.year} skrivet till {outcome.out_dir.resolve()} (körning {outcome.run_id})")
    for line in (read_manifest(outcome.out_dir) or {}).get("differences") or []:  # after an adopted version
        print(line)
    return 0


def _console_level(args: argparse.Namespace) -> dict[str, str]:
    # Dagster's console logger shows every step's events with --debug; otherwise run_year's default holds it back.
    return {"log_level": "DEBUG"} if args.debug else {}


def _keeps_environment(command):
    """The process's environment restored when ``command`` returns: a scenario sets its Great Expectations folder
    for the step processes it starts, and a caller in the same process (a test, a notebook) must not go on
    writing there."""
    @functools.wraps(command)
    def wrapper(args: argparse.Namespace) -> int:
        before = dict(os.environ)
        try:
            return command(args)
        finally:
            if dict(os.environ) != before:
                os.environ.clear()
                os.environ.update(before)

    return wrapper


@_keeps_environment
def cmd_run_scenario(args: argparse.Namespace) -> int:
    """``run --scenario NAME``: the year in the scenario's own instance and folders (pipelines/scenarios.py);
    with ``--forbund``, for the named förbund only."""
    from pipelines.scenarios import run_scenario, scenario_environment

    if not _check_run_files(args, args.year) or not _check_profile(args):
        return 2
    try:
        # Before the step forkserver starts: its processes keep the environment it started with.
        os.environ.update(scenario_environment(args.scenario))
    except ValueError as exc:
        print(f"fel: {exc}", file=sys.stderr)
        return 2
    if args.forbund:
        return _run_scenario_forbund(args)
    _start_workers_early(args)
    settings = {name: getattr(args, name) for name in RUN_SETTINGS if getattr(args, name, None) is not None}
    try:
        result = run_scenario(args.scenario, Path(args.inbox), args.year, Path(args.out) if args.out else None,
                              in_process=args.in_process, workers=args.workers, **settings)
    except ValueError as exc:
        print(f"fel: {exc}", file=sys.stderr)
        return 2
    outcome = result.run
    instance = _run_instance(result.home)
    _steward_view(outcome.run_id, outcome.out_dir, instance)
    if not outcome.success:
        return _failed(f"scenariot {result.name}: körningen {outcome.run_id} misslyckades (det officiella året är "
                       "orört):", outcome, args.debug)
    reports = reports_line(outcome.out_dir, reports_reused(outcome.run_id, instance))
    if reports:
        print(reports)
    print(f"klart: scenariot {result.name} för {args.year} skrivet till {outcome.out_dir} "
          f"(körning {outcome.run_id}, instans {result.home})")
    return 0


def _run_scenario_forbund(args: argparse.Namespace) -> int:
    from pipelines.scenarios import run_scenario_forbund

    # No early forkserver, as for an official limited run: with an unchanged inbox every step runs here.
    settings = {name: getattr(args, name) for name in RUN_SETTINGS if getattr(args, name, None) is not None}
    try:
        with stderr_to(None if args.debug else os.devnull):
            result = run_scenario_forbund(args.scenario, Path(args.inbox), args.year, args.forbund,
                                          Path(args.out) if args.out else None, in_process=args.in_process,
                                          workers=args.workers, **_console_level(args), **settings)
    except ValueError as exc:
        print(f"fel: {exc}", file=sys.stderr)
        return 2
    return _scoped_done(args, result.scoped, result.home)


def cmd_run_forbund(args: argparse.Namespace) -> int:
    """``run --forbund``: the year for the named förbund only (pipelines/scope.py)."""
    from pipelines.scope import run_scoped

    # An unknown förbund is refused by run_scoped before anything runs (a ScopeError is a ValueError).
    # No early forkserver: with an unchanged inbox every step runs in this process.
    settings = {name: getattr(args, name) for name in RUN_SETTINGS if getattr(args, name, None) is not None}
    try:
        # The validation, when the inbox changed, runs in step processes: their Dagster lines stay off the console,
        # as in a full run; failures are printed from the run's events.
        with stderr_to(None if args.debug else os.devnull):
            scoped = run_scoped(Path(args.inbox), args.year, Path(args.out), args.forbund,
                                in_process=args.in_process, workers=args.workers, **_console_level(args), **settings)
    except ValueError as exc:
        print(f"fel: {exc}", file=sys.stderr)
        return 2
    return _scoped_done(args, scoped)


def _scoped_done(args: argparse.Namespace, scoped, home: Path | None = None) -> int:
    """A limited run's lines: what it reused, which national reference it read, where it wrote; the exit code."""
    outcome = scoped.outcome
    name = f"scenariot {scoped.scenario}: " if scoped.scenario else ""
    _steward_view(outcome.run_id, outcome.out_dir, _run_instance(home))
    if not outcome.success:
        untouched = " (det officiella året är orört)" if scoped.scenario else ""
        return _failed(f"{name}körningen {outcome.run_id} misslyckades{untouched}:", outcome, args.debug)
    if scoped.official_validation:
        print("validerade data återanvända från det officiella årets lagring (inkorgen är oförändrad; bara lästa)")
    elif scoped.reused:
        storage = "scenariots lagring" if scoped.scenario else "lagringen"
        print(f"validerade data återanvända från {storage} (inkorgen är oförändrad)")
    else:
        print("inkorgen har ändrats (eller saknar lagrad validering): hela inkorgen validerades först"
              + (" i scenariots instans" if scoped.scenario else ""))
    if scoped.reference is None:
        print("riksjämförelse: ingen fullständig körning av året med nationell referens finns"
              + (" (varken i scenariot eller det officiella året)" if scoped.scenario else ""))
    elif scoped.official_reference:
        print(f"riksjämförelse: det officiella årets fullständiga körning {scoped.reference_run} ({scoped.reference}); "
              f"scenariot har ingen egen, så de nationella talen är det officiella årets")
    elif scoped.scenario:
        print(f"riksjämförelse: scenariots fullständiga körning {scoped.reference_run} ({scoped.reference})")
    else:
        print(f"riksjämförelse: {scoped.reference} (körning {scoped.reference_run})")
    instance = f", instans {home}" if home else ""
    print(f"klart: {name}{args.year} för {', '.join(scoped.forbund)} skrivet till {outcome.out_dir} "
          f"(körning {outcome.run_id}{instance})")
    return 0


def _run_instance(home: Path | None):
    """The instance a run is recorded in: the official one, or a scenario's own (its home)."""
    from dagster import DagsterInstance

    return DagsterInstance.get() if home is None else DagsterInstance.from_config(str(home))


def _steward_view(run_id: str, out: Path, instance=None) -> None:
    """Counts per dataset, and the steward notice when a check failed (no daemon may be running)."""
    from pipelines.sensors import notify_steward
    from samverkan.files import read_csv_extract
    from samverkan.quality import SUMMARY_FILE

    instance = instance or _run_instance(None)
    run = instance.get_run_by_id(run_id)
    notice = notify_steward(instance, run) if run is not None else None
    if (out / SUMMARY_FILE).exists():
        for row in read_csv_extract(out / SUMMARY_FILE).itertuples():
            print(f"{row.dataset}: {row.rows_in} rader in, {row.accepted} godkända, {row.quarantined} i karantän")
    if notice is not None:
        print(f"granska: {notice} (alla fel med fil och rad: {(out / 'quality.csv').resolve()})")


@_keeps_environment
def cmd_backfill(args: argparse.Namespace) -> int:
    if _blank_scenario(args) or not _check_run_files(args, args.years[1]) or not _check_profile(args):
        return 2
    if args.out is None and args.scenario is None:
        print("fel: --out krävs (utom för ett scenario, --scenario NAMN)", file=sys.stderr)
        return 2
    if args.out is not None and "{year}" not in args.out:
        print("fel: --out ska innehålla {year}, t.ex. out/{year}", file=sys.stderr)
        return 2
    if args.scenario is not None:
        from pipelines.scenarios import scenario_environment

        try:
            os.environ.update(scenario_environment(args.scenario))  # before the forkserver, as for run
        except ValueError as exc:
            print(f"fel: {exc}", file=sys.stderr)
            return 2
    _start_workers_early(args)
    first, last = args.years
    settings = {name: getattr(args, name) for name in RUN_SETTINGS if getattr(args, name, None) is not None}
    kwargs = {"in_process": args.in_process, "batch": f"backfill-{first}-{last}", "workers": args.workers,
              **_console_level(args), **settings}
    try:
        outcomes = _backfill_years(args, range(first, last + 1), kwargs)
    except ValueError as exc:
        print(f"fel: {exc}", file=sys.stderr)
        return 2
    failed = 0
    home = None
    if args.scenario is not None:
        from pipelines.scenarios import scenario_home

        home = scenario_home(args.scenario)
    instance = _run_instance(home)  # once for every year's lines
    for year, outcome in outcomes.items():
        status = "klart" if outcome.success else "MISSLYCKADES"
        print(f"{year}: {status} (körning {outcome.run_id}) {outcome.out_dir}")
        _steward_view(outcome.run_id, outcome.out_dir, instance)
        for failure in outcome.failures:
            print(f"  {failure}", file=sys.stderr)
        if args.debug and not outcome.success:
            print("\n".join(outcome.tracebacks), file=sys.stderr)
        failed += not outcome.success
    return 1 if failed else 0


def _backfill_years(args: argparse.Namespace, years: range, kwargs: dict) -> dict:
    """Each year's outcome, official or of the scenario (its own instance; every folder checked first)."""
    if args.scenario is None:
        from pipelines.run import run_years

        return run_years(Path(args.inbox), years, args.out, **kwargs)
    from pipelines.scenarios import run_scenario_years

    runs = run_scenario_years(args.scenario, Path(args.inbox), list(years), args.out, **kwargs)
    if runs:
        home = next(iter(runs.values())).home
        print(f"scenariot {args.scenario} (instans {home}); det officiella året är orört")
    return {year: result.run for year, result in runs.items()}


def _check_profile(args: argparse.Namespace) -> bool:
    """A run's import profile, every problem in it one Swedish line, before anything runs."""
    from samverkan.overrides import RunFileError
    from samverkan.profile import for_inbox

    try:
        for_inbox(Path(args.inbox), args.profile_file)
    except RunFileError as exc:
        for line in exc.lines:
            print(f"fel: {line}", file=sys.stderr)
        return False
    return True


# Flags of `run` that map one to one onto SamverkanSettings fields.
RUN_SETTINGS: tuple[str, ...] = ("rules_file", "catalogue_file", "parameters_file", "pdf_variant",
                                 "expectations_dir", "profile_file")
