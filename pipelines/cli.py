"""The ``samverkan`` command (the console script in pyproject.toml).

It lives on the shell side because ``run`` and ``backfill`` drive the pipeline; they import Dagster only when
asked for, so ``synth``, ``ledger`` and ``contract``, which call the core alone, start fast.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from pipelines.cli_commands import (
    cmd_adopt,
    cmd_compare,
    cmd_contract,
    cmd_forecast,
    cmd_ledger,
    cmd_profile_check,
    cmd_purge,
    cmd_scenarios,
    cmd_synth,
)
from pipelines.cli_run import cmd_backfill, cmd_run
from pipelines.cli_text import SwedishParser, VersionAction
from pipelines.console import quiet_libraries


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
    run.add_argument("--forbund", action="append", metavar="NAMN",
                     help="kör bara för det namngivna förbundet (kan anges flera gånger), officiellt eller i ett "
                          "scenario; riksjämförelsen läses från årets senaste fullständiga körning (i ett scenario "
                          "utan egen: det officiella årets). Exempel: samverkan run --inbox var/inbox --year 2024 "
                          "--out out/2024-a --forbund 'Samordningsförbundet A'")
    run.set_defaults(func=cmd_run)

    backfill = sub.add_parser("backfill", help="kör flera år efter varandra, ett år per körning",
                              description="Kör flera år efter varandra, en körning per år; ett misslyckat år "
                                          "stoppar inte nästa.",
                              epilog="Exempel: samverkan backfill --inbox var/demo-inbox --years 2022-2024 "
                                     "--out out/{year}")
    backfill.add_argument("--inbox", required=True, metavar="MAPP", help="inkorgen med exporterna för alla åren")
    backfill.add_argument("--years", type=_years, required=True, metavar="ÅÅÅÅ-ÅÅÅÅ", help="t.ex. 2022-2024")
    backfill.add_argument("--out", metavar="MALL", help="mall med {year}, t.ex. out/{year} (krävs utom för ett "
                                                        "scenario: då out/scenarios/NAMN/ÅR)")
    backfill.add_argument("--scenario", metavar="NAMN",
                          help="kör åren som scenariot NAMN i dess egen instans; det officiella året rörs inte")
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
    profile_sub = profile.add_subparsers(dest="profile_command", required=True, title="kommandon", metavar="KOMMANDO",
                                         help="check: visa vad inkorgens filer och kolumner blir med profilen")
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
    purge.add_argument("--year", type=int, required=True, metavar="ÅÅÅÅ", help="året som gallras")
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
    adopt.add_argument("--year", type=int, required=True, metavar="ÅÅÅÅ", help="året som fastställs")
    adopt.add_argument("--out", required=True, metavar="MAPP", help="årets utdatamapp, eller en mall med {year}")
    adopt.add_argument("--by", default="", metavar="BESLUT", help="vem som fastställde, t.ex. styrelsens protokoll")
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
