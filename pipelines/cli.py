"""The ``samverkan`` command (the console script in pyproject.toml).

It lives on the shell side because ``run`` and ``backfill`` drive the pipeline; they import Dagster only when
asked for, so ``synth``, ``ledger`` and ``contract``, which call the core alone, start fast.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path

from pipelines.cli_text import SwedishParser, VersionAction
from pipelines.console import Progress, quiet_libraries, reports_line, run_steps, stderr_to


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
    # Before the pipeline is imported: its preloading overlaps ours (pipelines/preload.py). Every step process is
    # forked from that forkserver and inherits its stderr, where Dagster's per-step "Executing step … in
    # subprocess" DEBUG line and the libraries' warnings land; the steward gets the failures from the run's
    # events instead (cmd_run), so without --debug they go nowhere.
    if not args.in_process:
        from pipelines.preload import start_step_forkserver

        with stderr_to(None if args.debug else os.devnull):
            start_step_forkserver()


def cmd_run(args: argparse.Namespace) -> int:
    if args.scenario:
        return cmd_run_scenario(args)
    if not args.out:
        print("fel: --out krävs (utom för ett scenario, --scenario NAMN)", file=sys.stderr)
        return 2
    if not _check_run_files(args, args.year) or not _check_profile(args):
        return 2
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
        print(f"körningen {outcome.run_id} misslyckades{kept}:", file=sys.stderr)
        for failure in outcome.failures:
            print(f"  {failure}", file=sys.stderr)
        if not outcome.failures:
            print("  orsaken finns inte bland stegens händelser; kör med --debug eller öppna körningen i Dagster",
                  file=sys.stderr)
        if args.debug:
            print("\n".join(outcome.tracebacks), file=sys.stderr)
        return 1
    reports = reports_line(outcome.out_dir)
    if reports:
        print(reports)
    print(f"klart: {args.year} skrivet till {outcome.out_dir.resolve()} (körning {outcome.run_id})")
    for line in (read_manifest(outcome.out_dir) or {}).get("differences") or []:  # after an adopted version
        print(line)
    return 0


def _console_level(args: argparse.Namespace) -> dict[str, str]:
    # Dagster's console logger shows every step's events with --debug; otherwise run_year's default holds it back.
    return {"log_level": "DEBUG"} if args.debug else {}


def cmd_run_scenario(args: argparse.Namespace) -> int:
    """``run --scenario NAME``: the year in the scenario's own instance and folders (pipelines/scenarios.py)."""
    import os

    from pipelines.scenarios import run_scenario, scenario_environment

    if not _check_run_files(args, args.year) or not _check_profile(args):
        return 2
    try:
        # Before the step forkserver starts: its processes keep the environment it started with.
        os.environ.update(scenario_environment(args.scenario))
    except ValueError as exc:
        print(f"fel: {exc}", file=sys.stderr)
        return 2
    _start_workers_early(args)
    settings = {name: getattr(args, name) for name in RUN_SETTINGS if getattr(args, name, None) is not None}
    try:
        result = run_scenario(args.scenario, Path(args.inbox), args.year, Path(args.out) if args.out else None,
                              in_process=args.in_process, workers=args.workers, **settings)
    except ValueError as exc:
        print(f"fel: {exc}", file=sys.stderr)
        return 2
    outcome = result.run
    _steward_view(outcome.run_id, outcome.out_dir)
    if not outcome.success:
        print(f"scenariot {result.name}: körningen {outcome.run_id} misslyckades (det officiella året är orört):",
              file=sys.stderr)
        for failure in outcome.failures:
            print(f"  {failure}", file=sys.stderr)
        if args.debug:
            print("\n".join(outcome.tracebacks), file=sys.stderr)
        return 1
    print(f"klart: scenariot {result.name} för {args.year} skrivet till {outcome.out_dir} "
          f"(körning {outcome.run_id}, instans {result.home})")
    return 0


def cmd_scenarios(args: argparse.Namespace) -> int:
    from pipelines.scenarios import scenarios_command

    return scenarios_command(args.delete)


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
        print(f"granska: {notice} (alla fel med fil och rad: {(out / 'quality.csv').resolve()})")


def cmd_backfill(args: argparse.Namespace) -> int:
    if not _check_run_files(args, args.years[1]) or not _check_profile(args):
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
                             batch=f"backfill-{first}-{last}", workers=args.workers, **_console_level(args),
                             **settings)
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
RUN_SETTINGS: tuple[str, ...] = ("rules_file", "catalogue_file", "parameters_file", "pdf_variant",
                                 "expectations_dir", "profile_file")


PROGRAM = """Samverkansbokslut för samordningsförbund: läs förbundens exporter, kontrollera dem, räkna fram
bokslutet och skriv årets rapporter (PDF och HTML) och utdrag (CSV).

Exempel: samverkan run --inbox var/demo-inbox --year 2024 --out out/2024"""


def build_parser() -> argparse.ArgumentParser:
    parser = SwedishParser(prog="samverkan", description=PROGRAM)
    parser.add_argument("--version", action=VersionAction,
                        help="visa versionen av samverkan, Dagster, Great Expectations, WeasyPrint och pandas")
    parser.add_argument("--debug", action="store_true",
                        help="visa hela felkedjan (traceback) vid fel och Dagsters och bibliotekens egna "
                             "loggrader och varningar")
    sub = parser.add_subparsers(dest="command", required=True, title="kommandon", metavar="KOMMANDO",
                                help="samverkan KOMMANDO --help visar kommandots flaggor och ett exempel")

    synth = sub.add_parser("synth", help="skriv en syntetisk inkorg",
                           description="Skriv en syntetisk inkorg med alla dataset, samma filer för samma frö.",
                           epilog="Exempel: samverkan synth --years 2018-2024 --out var/demo-inbox")
    synth.add_argument("--forbund", type=int, default=3, metavar="ANTAL", help="antal förbund (standard 3)")
    synth.add_argument("--years", type=_years, default=(2018, 2025), metavar="ÅÅÅÅ-ÅÅÅÅ",
                       help="åren i inkorgen (standard 2018-2025)")
    synth.add_argument("--participants-per-year", type=int, default=600, metavar="ANTAL",
                       help="nya deltagare per år och förbund (standard 600)")
    synth.add_argument("--seed", type=int, default=2024, metavar="TAL",
                       help="slumpfrö; samma frö ger samma filer (standard 2024)")
    synth.add_argument("--with-errors", action="store_true", help="lägg in en dokumenterad andel felaktiga rader")
    synth.add_argument("--out", required=True, metavar="MAPP", help="inkorgens mapp")
    synth.set_defaults(func=cmd_synth)

    contract = sub.add_parser("contract", help="skriv datakontraktet som Markdown",
                              description="Skriv datakontraktet (dataset, kolumner, typer och regler) som Markdown "
                                          "till standard ut.",
                              epilog="Exempel: samverkan contract > datakontrakt.md")
    contract.set_defaults(func=cmd_contract)

    ledger = sub.add_parser("ledger", help="kumulerade nuvärden per aktör för ett flöde (CSV till stdout)",
                            description="Kumulerade nuvärden per aktör för ett flöde av belopp, som CSV till "
                                        "standard ut.",
                            epilog="Exempel: samverkan ledger --flows flode.csv --rate 0.04 --years 5")
    ledger.add_argument("--flows", required=True, metavar="FIL",
                        help="CSV med actor,amount_sek (samma belopp varje år) eller actor,year,amount_sek")
    ledger.add_argument("--rate", type=float, default=0.04, metavar="RÄNTA",
                        help="diskonteringsränta (standard 0.04)")
    ledger.add_argument("--years", type=int, default=5, metavar="ANTAL", help="antal år (standard 5)")
    ledger.set_defaults(func=cmd_ledger)

    forecast = sub.add_parser("forecast", help="investeringskalkyl för en planerad insats (forecast.csv, PDF och HTML)",
                              description="Investeringskalkyl för en planerad insats: forecast.csv, PDF och HTML.",
                              epilog="Exempel: samverkan forecast --plan plans/ny-insats.yaml --out out/kalkyl")
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

    run = sub.add_parser("run", help="kör hela flödet för ett år och skriv årets utdrag",
                         description="Kör hela flödet för ett år: läs och kontrollera inkorgen, räkna bokslutet och "
                                     "skriv rapporter och utdrag. Skriver antalen per dataset, rapporterna och var "
                                     "allt ligger; ett fel blir en rad.",
                         epilog="Exempel: samverkan run --inbox var/demo-inbox --year 2024 --out out/2024")
    run.add_argument("--inbox", required=True, metavar="MAPP", help="inkorgen med årets exporter")
    run.add_argument("--year", type=int, required=True, metavar="ÅÅÅÅ", help="året som redovisas (ett avslutat år)")
    run.add_argument("--out", metavar="MAPP", help="mapp för årets rapporter och utdrag (krävs utom för ett "
                                                   "scenario: då out/scenarios/NAMN/ÅR; en officiell utmapp vägras)")
    run.add_argument("--scenario", metavar="NAMN",
                     help="kör året som ett namngivet scenario med egen instans, egna lagrade tillgångar, utdata "
                          "och Data Docs; det officiella året rörs inte (se samverkan scenarios)")
    run.set_defaults(func=cmd_run)

    backfill = sub.add_parser("backfill", help="kör flera år efter varandra, ett år per körning",
                              description="Kör flera år efter varandra, en körning per år; ett misslyckat år "
                                          "stoppar inte nästa.",
                              epilog="Exempel: samverkan backfill --inbox var/demo-inbox --years 2022-2024 "
                                     "--out out/{year}")
    backfill.add_argument("--inbox", required=True, metavar="MAPP", help="inkorgen med exporterna för alla åren")
    backfill.add_argument("--years", type=_years, required=True, metavar="ÅÅÅÅ-ÅÅÅÅ", help="t.ex. 2022-2024")
    backfill.add_argument("--out", required=True, metavar="MALL", help="mall med {year}, t.ex. out/{year}")
    backfill.set_defaults(func=cmd_backfill)
    for command in (run, backfill):
        command.add_argument("--rules", dest="rules_file", type=_run_file, metavar="FIL",
                             help="regelfil för framgångsnivåer (YAML); standard: samverkan/data/success_rules.yaml")
        command.add_argument("--workers", type=_steps_at_once, metavar="ANTAL",
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
        command.add_argument("--profile", dest="profile_file", type=_run_file, metavar="FIL",
                             help="importprofil (YAML) för förbundets egen exportlayout; standard: profile.yaml i "
                                  "inkorgen om den finns")

    profile = sub.add_parser("profile", help="importprofiler: kontrollera vad en inkorg blir med en profil",
                             description="Importprofiler (YAML) mappar ett förbunds egen exportlayout till "
                                         "datakontraktet. Exempel: samverkan profile check --inbox inkorg --profile "
                                         "profil.yaml")
    profile_sub = profile.add_subparsers(dest="profile_command", required=True)
    check = profile_sub.add_parser(
        "check", help="visa vad varje fil och kolumn i inkorgen blir med profilen",
        description="Visar för varje fil i inkorgen vilket dataset den blir (eller varför inte), för varje kolumn "
                    "vilken kolumn i kontraktet den blir, och hur många värden profilens värdemappning känner igen. "
                    "Slutkod 0 när allt går att läsa, 2 annars. Exempel: samverkan profile check --inbox inkorg "
                    "--profile samverkan/data/profiles/uppfoljning_finsam.yaml")
    check.add_argument("--inbox", required=True, metavar="MAPP", help="inkorgen som ska kontrolleras")
    check.add_argument("--profile", metavar="FIL",
                       help="importprofilen (YAML); utan den gäller kontraktets och de svenska kolumnnamnen")
    check.set_defaults(func=cmd_profile_check)

    scenarios = sub.add_parser(
        "scenarios", help="lista scenarierna (eller ta bort ett)",
        description="Listar scenarierna: namn, år, parameterfiler, när de skapades och senaste körningens status. "
                    "Med --delete tas ett scenario bort med sin instans, sina lagrade tillgångar och utdata. "
                    "Exempel: samverkan scenarios --delete ranta-3")
    scenarios.add_argument("--delete", metavar="NAMN",
                           help="ta bort scenariot NAMN (instans, lagrade tillgångar, Data Docs och utdata)")
    scenarios.set_defaults(func=cmd_scenarios)

    purge = sub.add_parser("purge", help="gallra ett års uppgifter på deltagarnivå, behåll aggregat och rapporter",
                           description="Tar bort ett års uppgifter på deltagarnivå (lagrade tillgångar, "
                                       "mellanresultat, radutdrag, Great Expectations-resultat och "
                                       "radförhandsvisningar i instansens händelser) och behåller aggregat, "
                                       "rapporter och materialiseringarnas historik (se docs/operations.md, "
                                       "Gallring). Exempel: samverkan purge --year 2022")
    purge.add_argument("--year", type=int, required=True, help="året som gallras")
    purge.add_argument("--storage", metavar="MAPP",
                       help="tillgångarnas lagringsmapp; standard: SAMVERKAN_STORAGE, annars var/storage")
    purge.set_defaults(func=cmd_purge)

    compare = sub.add_parser("compare", help="jämför två körningars utdata: parametrar, bokslut och nivåer",
                             description="Jämför två utdatamappar (t.ex. out/2024 och ett scenario) och skriv "
                                         "comparison.csv och comparison.md.",
                             epilog="Exempel: samverkan compare out/2024 out/2024-ranta-3 --out jamforelse")
    compare.add_argument("a", metavar="A", help="den första utdatamappen")
    compare.add_argument("b", metavar="B", help="den andra utdatamappen")
    compare.add_argument("--out", default=".", metavar="MAPP", help="var jämförelsen skrivs (standard: här)")
    compare.set_defaults(func=cmd_compare)

    adopt = sub.add_parser("adopt", help="fastställ årets officiella utdata (frys mapp och run.json)",
                           description="Märk årets senaste officiella version som fastställd av styrelsen: filerna "
                                       "blir skrivskyddade och en senare körning av året skrivs som en ny, numrerad "
                                       "version bredvid (out/2024-v2) med en jämförelse. "
                                       "Exempel: samverkan adopt --year 2024 --out out/2024")
    adopt.add_argument("--year", type=int, required=True, help="året som fastställs")
    adopt.add_argument("--out", required=True, metavar="MAPP", help="årets utdatamapp, eller en mall med {year}")
    adopt.add_argument("--by", default="", metavar="TEXT", help="vem som fastställde, t.ex. styrelsens protokoll")
    adopt.set_defaults(func=cmd_adopt)
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    if not args.debug:
        quiet_libraries()
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
