"""The ``samverkan`` command (the console script in pyproject.toml).

It lives on the shell side because ``run`` and ``backfill`` drive the pipeline; they import Dagster only when
asked for, so ``synth``, ``ledger`` and ``contract``, which call the core alone, start fast.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path


def _years(text: str) -> tuple[int, int]:
    first, _, last = text.partition("-")
    try:
        start, end = int(first), int(last or first)
    except ValueError:
        raise argparse.ArgumentTypeError(f"år ska skrivas ÅÅÅÅ-ÅÅÅÅ, fick {text!r}") from None
    if end < start:
        raise argparse.ArgumentTypeError(f"slutåret {end} är före startåret {start}")
    return start, end


def _steps_at_once(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"ska vara ett heltal, fick {text!r}") from None
    if value < 0:
        raise argparse.ArgumentTypeError(f"kan inte vara negativt, fick {value}")
    return value


def _run_file(text: str) -> str:
    """A parameters, rules or catalogue file as an absolute path; what it says is checked with the others before
    the run starts (``_check_run_files``)."""
    path = Path(text)
    if not path.is_file():
        raise argparse.ArgumentTypeError(f"{text}: filen finns inte")
    return str(path.resolve())


def _check_run_files(args: argparse.Namespace, year: int) -> bool:
    """Every problem of the given parameters, rules and catalogue files, one Swedish line each, before anything
    runs; partial files are merged over the shipped ones first."""
    from samverkan.run_files import validate_run_files

    problems = validate_run_files(args.parameters_file, args.rules_file, args.catalogue_file, year)
    for line in problems:
        print(f"fel: {line}", file=sys.stderr)
    return not problems


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


def _start_workers_early(args: argparse.Namespace) -> None:
    # Before the pipeline is imported: its preloading overlaps ours (pipelines/preload.py).
    if not args.in_process:
        from pipelines.preload import start_step_forkserver

        start_step_forkserver()


def cmd_run(args: argparse.Namespace) -> int:
    if not _check_run_files(args, args.year):
        return 2
    if args.forbund:
        return cmd_run_forbund(args)
    _start_workers_early(args)
    from pipelines.run import run_year

    settings = {name: getattr(args, name) for name in RUN_SETTINGS if getattr(args, name, None) is not None}
    try:
        outcome = run_year(Path(args.inbox), args.year, Path(args.out), in_process=args.in_process,
                           workers=args.workers, **settings)
    except ValueError as exc:
        print(f"fel: {exc}", file=sys.stderr)
        return 2
    _steward_view(outcome.run_id, outcome.out_dir)
    if not outcome.success:
        print(f"körningen {outcome.run_id} misslyckades:", file=sys.stderr)
        for failure in outcome.failures:
            print(f"  {failure}", file=sys.stderr)
        if args.debug:
            print("\n".join(outcome.tracebacks), file=sys.stderr)
        return 1
    print(f"klart: {args.year} skrivet till {outcome.out_dir} (körning {outcome.run_id})")
    return 0


def cmd_run_forbund(args: argparse.Namespace) -> int:
    """``run --forbund``: the year for the named förbund only (pipelines/scope.py)."""
    from pipelines.scope import ScopeError, requested_forbund, run_scoped

    try:
        requested_forbund(Path(args.inbox), args.forbund)
    except ScopeError as exc:
        print(f"fel: {exc}", file=sys.stderr)
        return 2
    # No early forkserver: with an unchanged inbox every step runs in this process.
    settings = {name: getattr(args, name) for name in RUN_SETTINGS if getattr(args, name, None) is not None}
    try:
        scoped = run_scoped(Path(args.inbox), args.year, Path(args.out), args.forbund, in_process=args.in_process,
                            workers=args.workers, **settings)
    except ValueError as exc:
        print(f"fel: {exc}", file=sys.stderr)
        return 2
    print("validerade data återanvända från lagringen (inkorgen är oförändrad)" if scoped.reused
          else "inkorgen har ändrats (eller saknar lagrad validering): hela inkorgen validerades först")
    print(f"riksjämförelse: {scoped.reference} (körning {scoped.reference_run})" if scoped.reference
          else "riksjämförelse: ingen fullständig körning av året med nationell referens finns")
    outcome = scoped.outcome
    if not outcome.success:
        print(f"körningen {outcome.run_id} misslyckades:", file=sys.stderr)
        for failure in outcome.failures:
            print(f"  {failure}", file=sys.stderr)
        if args.debug:
            print("\n".join(outcome.tracebacks), file=sys.stderr)
        return 1
    print(f"klart: {args.year} för {', '.join(scoped.forbund)} skrivet till {outcome.out_dir} "
          f"(körning {outcome.run_id})")
    return 0


def _steward_view(run_id: str, out: Path) -> None:
    """Counts per dataset, and the steward notice when a check failed (no daemon may be running)."""
    from dagster import DagsterInstance

    from pipelines.sensors import notify_steward
    from samverkan.files import read_csv_extract
    from samverkan.quality import SUMMARY_FILE

    instance = DagsterInstance.get()
    run = instance.get_run_by_id(run_id)
    notice = notify_steward(instance, run) if run is not None else None
    if (out / SUMMARY_FILE).exists():
        for row in read_csv_extract(out / SUMMARY_FILE).itertuples():
            print(f"{row.dataset}: {row.rows_in} rader in, {row.accepted} godkända, {row.quarantined} i karantän")
    if notice is not None:
        print(f"granska: {notice} (alla fel med fil och rad: {out / 'quality.csv'})")


def cmd_backfill(args: argparse.Namespace) -> int:
    if not _check_run_files(args, args.years[1]):
        return 2
    _start_workers_early(args)
    from pipelines.run import run_years

    if "{year}" not in args.out:
        print("fel: --out ska innehålla {year}, t.ex. out/{year}", file=sys.stderr)
        return 2
    first, last = args.years
    settings = {name: getattr(args, name) for name in RUN_SETTINGS if getattr(args, name, None) is not None}
    try:
        outcomes = run_years(Path(args.inbox), range(first, last + 1), args.out, in_process=args.in_process,
                             batch=f"backfill-{first}-{last}", workers=args.workers, **settings)
    except ValueError as exc:
        print(f"fel: {exc}", file=sys.stderr)
        return 2
    failed = 0
    for year, outcome in outcomes.items():
        status = "klart" if outcome.success else "MISSLYCKADES"
        print(f"{year}: {status} (körning {outcome.run_id}) {outcome.out_dir}")
        _steward_view(outcome.run_id, outcome.out_dir)
        for failure in outcome.failures:
            print(f"  {failure}", file=sys.stderr)
        if args.debug and not outcome.success:
            print("\n".join(outcome.tracebacks), file=sys.stderr)
        failed += not outcome.success
    return 1 if failed else 0


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


def cmd_contract(args: argparse.Namespace) -> int:
    from samverkan.contract_doc import contract_markdown

    sys.stdout.write(contract_markdown())
    return 0


# Flags of `run` that map one to one onto SamverkanSettings fields.
RUN_SETTINGS: tuple[str, ...] = ("rules_file", "catalogue_file", "parameters_file", "pdf_variant",
                                 "expectations_dir")


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="samverkan", description="Samverkansbokslut för samordningsförbund")
    parser.add_argument("--debug", action="store_true",
                        help="visa hela felkedjan (traceback) vid fel, inte bara orsaken på en rad")
    sub = parser.add_subparsers(dest="command", required=True)

    synth = sub.add_parser("synth", help="skriv en syntetisk inkorg")
    synth.add_argument("--forbund", type=int, default=3)
    synth.add_argument("--years", type=_years, default=(2018, 2025), help="t.ex. 2018-2025")
    synth.add_argument("--participants-per-year", type=int, default=600)
    synth.add_argument("--seed", type=int, default=2024)
    synth.add_argument("--with-errors", action="store_true", help="lägg in en dokumenterad andel felaktiga rader")
    synth.add_argument("--out", required=True)
    synth.set_defaults(func=cmd_synth)

    contract = sub.add_parser("contract", help="skriv datakontraktet som Markdown")
    contract.set_defaults(func=cmd_contract)

    ledger = sub.add_parser("ledger", help="kumulerade nuvärden per aktör för ett flöde (CSV till stdout)")
    ledger.add_argument("--flows", required=True, metavar="FIL",
                        help="CSV med actor,amount_sek (samma belopp varje år) eller actor,year,amount_sek")
    ledger.add_argument("--rate", type=float, default=0.04, help="diskonteringsränta (standard 0.04)")
    ledger.add_argument("--years", type=int, default=5, help="antal år (standard 5)")
    ledger.set_defaults(func=cmd_ledger)

    forecast = sub.add_parser("forecast", help="investeringskalkyl för en planerad insats (forecast.csv, PDF och HTML)")
    forecast.add_argument("--plan", required=True, metavar="FIL", help="planen (YAML)")
    forecast.add_argument("--out", required=True, metavar="MAPP", help="mapp för forecast.csv och kalkylen")
    forecast.add_argument("--catalogue", metavar="FIL",
                          help="enhetskostnadskatalog (CSV); standard: samverkan/data/unit_costs.csv")
    forecast.add_argument("--parameters", metavar="FIL",
                          help="parametrar (YAML); standard: samverkan/data/parameters.yaml")
    forecast.add_argument("--scenarios", metavar="FIL",
                          help="genomförandescenarier (YAML); standard: samverkan/data/implementation_scenarios.yaml")
    forecast.add_argument("--pdf-variant", choices=("pdf/ua-1", "pdf/a-3u"), default="pdf/ua-1",
                          help="kalkylens PDF-variant: pdf/ua-1 (tillgänglig, standard) eller pdf/a-3u (arkiv)")
    forecast.set_defaults(func=cmd_forecast)

    run = sub.add_parser("run", help="kör hela flödet för ett år och skriv årets utdrag")
    run.add_argument("--inbox", required=True)
    run.add_argument("--year", type=int, required=True)
    run.add_argument("--out", required=True)
    run.add_argument("--forbund", action="append", metavar="NAMN",
                     help="kör bara för det namngivna förbundet (kan anges flera gånger); riksjämförelsen läses från "
                          "årets senaste fullständiga körning. Exempel: samverkan run --inbox var/inbox --year 2024 "
                          "--out out/2024-a --forbund 'Samordningsförbundet A'")
    run.set_defaults(func=cmd_run)

    backfill = sub.add_parser("backfill", help="kör flera år efter varandra, ett år per körning")
    backfill.add_argument("--inbox", required=True)
    backfill.add_argument("--years", type=_years, required=True, help="t.ex. 2022-2024")
    backfill.add_argument("--out", required=True, help="mall med {year}, t.ex. out/{year}")
    backfill.set_defaults(func=cmd_backfill)
    for command in (run, backfill):
        command.add_argument("--rules", dest="rules_file", type=_run_file, metavar="FIL",
                             help="regelfil för framgångsnivåer (YAML); standard: samverkan/data/success_rules.yaml")
        command.add_argument("--workers", type=_steps_at_once,
                             help="steg samtidigt (0 = en fler än kärnorna; standard)")
        command.add_argument("--pdf-variant", choices=("pdf/ua-1", "pdf/a-3u"),
                             help="rapportens PDF-variant: pdf/ua-1 (tillgänglig, standard) eller pdf/a-3u (arkiv)")
        command.add_argument("--in-process", action="store_true", help="kör alla steg i en process (felsökning)")
        command.add_argument("--expectations", dest="expectations_dir", metavar="MAPP",
                             help="Great Expectations-kontext (sviter, checkpoints; resultat och Data Docs under "
                                  "MAPP/uncommitted); standard: expectations/, med resultat och Data Docs i "
                                  "$DAGSTER_HOME/gx")
    for command in (run, backfill):
        command.add_argument("--catalogue", dest="catalogue_file", type=_run_file, metavar="FIL",
                             help="enhetskostnadskatalog (CSV), hel eller bara raderna som ändras; standard: "
                                  "samverkan/data/unit_costs.csv")
        command.add_argument("--parameters", dest="parameters_file", type=_run_file, metavar="FIL",
                             help="parametrar för bokslutet (YAML), hela eller bara värdena som ändras; standard: "
                                  "samverkan/data/parameters.yaml")

    compare = sub.add_parser("compare", help="jämför två körningars utdata: parametrar, bokslut och nivåer",
                             description="Jämför två utdatamappar (t.ex. out/2024 och ett scenario) och skriv "
                                         "comparison.csv och comparison.md. Exempel: samverkan compare out/2024 "
                                         "out/2024-ranta-3 --out jamforelse")
    compare.add_argument("a", metavar="A", help="den första utdatamappen")
    compare.add_argument("b", metavar="B", help="den andra utdatamappen")
    compare.add_argument("--out", default=".", metavar="MAPP", help="var jämförelsen skrivs (standard: här)")
    compare.set_defaults(func=cmd_compare)
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        return args.func(args)
    except KeyboardInterrupt:
        print("avbrutet", file=sys.stderr)
        return 130
    except Exception as exc:  # one Swedish line for the unexpected too; the chain with --debug
        if args.debug:
            raise
        print(f"fel: {exc.__class__.__name__}: {str(exc).splitlines()[0] if str(exc) else ''} "
              "(kör med --debug för hela felkedjan)", file=sys.stderr)
        return 1


if __name__ == "__main__":
    sys.exit(main())
