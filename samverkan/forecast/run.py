"""A plan's forecast end to end: read, price, model every scenario, and the typed view a template formats.

``forecast_plan`` is the entry point the command line and the Dagster asset call; ``forecast`` is the same on an
already loaded plan, catalogue and parameters (the lifetime ledger calls it with its own catalogue, so plan and
outcome are priced alike).
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, replace
from pathlib import Path

import pandas as pd

from samverkan.files import write_csv_atomic
from samverkan.forecast.model import (
    FORECAST_COLUMNS,
    ScenarioModel,
    chart_table,
    expected_successes,
    forecast_table,
    price_success,
    scenario_model,
)
from samverkan.forecast.plan import Plan, PlanError, load_plan
from samverkan.forecast.scenarios import load_scenarios
from samverkan.ledger.actors import ACTOR_TO_CODE, ACTORS, ACTORS_WITH_TOTAL, MEMBERS
from samverkan.ledger.catalogue import Catalogue, load_catalogue
from samverkan.ledger.parameters import LedgerParameters, load_parameters
from samverkan.ledger.present_value import round_kronor
from samverkan.prerequisites import PREREQUISITES, in_place
from samverkan.support import parse_support
from samverkan.transitions import LABELS as OCCUPATION_LABELS

FORECAST_FILE, CHART_FILE, SCENARIOS_FILE = "forecast.csv", "forecast_chart.csv", "forecast_scenarios.csv"


@dataclass(frozen=True)
class ActorLine:
    actor: str
    investment_sek: int
    effect_pv_sek: int
    net_sek: int
    break_even_successes: int | None
    break_even_reason: str = ""  # why break_even_successes is empty, in Swedish; "" when it is not


@dataclass(frozen=True)
class ScenarioView:
    name: str
    label: str
    description: str
    basis: str
    years_after: int
    participants_per_year_after: float
    effect_strength: float
    extra_drop_off: float
    delay_years: int
    running_cost_per_year_sek: tuple[tuple[str, int], ...]  # (member, kronor per year after the project)
    forbund_locked_pv_sek: int
    overridden: tuple[str, ...]
    lines: tuple[ActorLine, ...]  # ACTORS_WITH_TOTAL order


@dataclass(frozen=True)
class ForecastView:
    """Everything an investeringskalkyl shows, already computed; a template only formats it."""

    plan_name: str
    forbund: str
    source: str
    start_date: str
    end_date: str
    participants: int
    expected_share: float
    expected_successes: float
    p0: float
    counterfactual_successes: float  # p₀·N: successes that would have happened anyway
    price_year: int
    prerequisites_in_place: int | None  # None when the plan scores none
    prerequisites_total: int
    prerequisites_missing: tuple[str, ...]
    scenarios: tuple[ScenarioView, ...]
    catalogue_version: str
    parameters_version: str
    scenarios_version: str
    notes: tuple[str, ...]
    target_group: str = ""
    years: int = 1
    situation_before: str = ""  # occupation and support before, in Swedish
    success: str = ""  # what counts as a success: occupation and support after
    discount_rate: float = 0.0
    horizon_years: int = 0
    attribution: float = 0.0
    drop_off: float = 0.0


@dataclass(frozen=True)
class Forecast:
    plan: Plan
    table: pd.DataFrame  # FORECAST_COLUMNS
    chart: pd.DataFrame  # scenario, successes, one net column per actor and Summa
    scenarios: pd.DataFrame  # one row per scenario: its assumptions and running costs per member
    view: ForecastView
    models: tuple[ScenarioModel, ...]


def plan_slug(plan: Plan) -> str:
    """A folder name for the plan: its source file's stem, ASCII, lower case."""
    stem = Path(plan.source).stem or plan.name
    ascii_text = unicodedata.normalize("NFKD", stem).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]+", "-", ascii_text.lower()).strip("-") or "plan"


def _scenario_rows(models: list[ScenarioModel]) -> pd.DataFrame:
    rows = []
    for model in models:
        s = model.scenario
        running = round_kronor(model.running_cost_per_year)
        rows.append({"scenario": s.name, "label": s.label, "years_after": s.years_after,
                     "participants_per_year_after": round(model.participants_per_year_after, 2),
                     "effect_strength": s.effect_strength, "extra_drop_off": s.extra_drop_off,
                     "delay_years": s.delay_years,
                     **{f"running_cost_per_year_{ACTOR_TO_CODE[m]}_sek": int(running[ACTORS.index(m)])
                        for m in MEMBERS},
                     "forbund_locked_pv_sek": int(round_kronor(model.forbund_locked_pv)),
                     "overridden": ",".join(s.overridden), "basis": s.basis})
    return pd.DataFrame(rows)


def situation_text(occupation: str, support: str) -> str:
    """An occupation and its support codes in Swedish: "Arbetssökande; stöd: aktivitetsstod 100 %"."""
    parts = [f"{code} {extent} %" for code, extent in parse_support(support)]
    return f"{OCCUPATION_LABELS.get(occupation, occupation)}; stöd: {', '.join(parts) if parts else 'inget'}"


def break_even_reason(line: ActorLine, participants: int) -> str:
    """Why a line has no break-even count: it invests nothing, or its planned participants cannot reach it."""
    if line.break_even_successes is not None:
        return ""
    if line.investment_sek <= 0:
        return "investerar inget, så det finns ingen investering att tjäna igen"
    return f"går inte jämnt ut ens om alla {participants} planerade deltagare lyckas"


def _view(plan: Plan, table: pd.DataFrame, models: list[ScenarioModel], catalogue: Catalogue,
          parameters: LedgerParameters, version: str, notes: list[str]) -> ForecastView:
    scenarios = []
    for model in models:
        s = model.scenario
        rows = table[table["scenario"] == s.name]
        raw = [ActorLine(r.actor, int(r.investment_sek), int(r.effect_pv_sek), int(r.net_sek),
                         None if pd.isna(r.break_even_successes) else int(r.break_even_successes))
               for r in rows.itertuples()]
        lines = tuple(replace(line, break_even_reason=break_even_reason(line, plan.participants)) for line in raw)
        running = round_kronor(model.running_cost_per_year)
        scenarios.append(ScenarioView(
            name=s.name, label=s.label, description=s.description, basis=s.basis, years_after=s.years_after,
            participants_per_year_after=model.participants_per_year_after, effect_strength=s.effect_strength,
            extra_drop_off=s.extra_drop_off, delay_years=s.delay_years,
            running_cost_per_year_sek=tuple((m, int(running[ACTORS.index(m)])) for m in MEMBERS),
            forbund_locked_pv_sek=int(round_kronor(model.forbund_locked_pv)), overridden=s.overridden,
            lines=lines))
    count, missing = in_place(plan.prerequisites) if plan.prerequisites else (None, list(PREREQUISITES.values()))
    p0 = models[0].p0
    return ForecastView(
        plan_name=plan.name, forbund=plan.forbund, source=plan.source, start_date=plan.start_date.isoformat(),
        end_date=plan.end_date.isoformat(), participants=plan.participants, expected_share=plan.expected_share,
        expected_successes=expected_successes(plan), p0=p0, counterfactual_successes=p0 * plan.participants,
        price_year=catalogue.report_year, prerequisites_in_place=count, prerequisites_total=len(PREREQUISITES),
        prerequisites_missing=tuple(missing) if plan.prerequisites else (), scenarios=tuple(scenarios),
        catalogue_version=catalogue.version, parameters_version=parameters.version, scenarios_version=version,
        notes=tuple(notes), target_group=plan.target_group, years=plan.years,
        situation_before=situation_text(plan.occupation_before, plan.support_before),
        success=situation_text(plan.success_occupation, plan.success_support),
        discount_rate=parameters.discount_rate, horizon_years=parameters.horizon_years,
        attribution=parameters.attribution.value, drop_off=parameters.drop_off.value)


def forecast(plan: Plan, catalogue: Catalogue, parameters: LedgerParameters,
             scenarios_file: Path | str | None = None) -> Forecast:
    """Model every scenario of one plan (raises ``PlanError`` for bad scenario overrides)."""
    version, scenarios = load_scenarios(plan.scenarios, scenarios_file, source=plan.source)
    pricing = price_success(plan, catalogue)
    models = [scenario_model(plan, s, pricing, parameters) for s in scenarios.values()]
    table = forecast_table(plan, models)
    notes = [f"Priser i {catalogue.report_year} års nivå; år {plan.start_date.year} (startåret) är år 1 och "
             f"diskonteras inte.",
             f"Kontrafaktiskt: av {plan.participants} planerade deltagare hade {models[0].p0 * plan.participants:g} "
             f"nått arbete eller studier ändå (p₀ = {models[0].p0:g}); break_even_successes räknar dem med."]
    if catalogue.note:
        notes.append(catalogue.note)
    if pricing.unmatched_codes:
        notes.append(f"Stödkoder utan rad i katalogen (räknas som 0): {', '.join(pricing.unmatched_codes)}")
    view = _view(plan, table, models, catalogue, parameters, version, notes)
    return Forecast(plan=plan, table=table, chart=chart_table(plan, models), scenarios=_scenario_rows(models),
                    view=view, models=tuple(models))


def forecast_plan(plan_path: Path | str, out_dir: Path | str, catalogue_file: Path | str | None = None,
                  parameters_file: Path | str | None = None, scenarios_file: Path | str | None = None,
                  price_year: int | None = None) -> Forecast:
    """Forecast one plan file and write forecast.csv, forecast_chart.csv and forecast_scenarios.csv to ``out_dir``.

    Prices are in the plan's start year unless ``price_year`` is given. Raises ``PlanError`` (one Swedish line per
    problem) for a bad plan, ``ValueError`` for an unusable catalogue or parameters file.
    """
    plan = load_plan(plan_path)
    catalogue = load_catalogue(price_year or plan.start_date.year, catalogue_file or None)
    result = forecast(plan, catalogue, load_parameters(parameters_file or None), scenarios_file)
    write_forecast(result, out_dir)
    return result


def write_forecast(result: Forecast, folder: Path | str) -> list[Path]:
    """forecast.csv, forecast_chart.csv and forecast_scenarios.csv in ``folder``."""
    folder = Path(folder)
    return [write_csv_atomic(result.table[FORECAST_COLUMNS], folder / FORECAST_FILE),
            write_csv_atomic(result.chart, folder / CHART_FILE),
            write_csv_atomic(result.scenarios, folder / SCENARIOS_FILE)]


def side_by_side(result: Forecast, column: str = "net_sek") -> pd.DataFrame:
    """One row per actor (Summa last), one column per scenario: how a förbund board reads the scenarios."""
    wide = result.table.pivot(index="actor", columns="scenario", values=column)
    return wide.reindex(index=list(ACTORS_WITH_TOTAL), columns=list(dict.fromkeys(result.table["scenario"])))


def plan_files(plan_dir: Path | str) -> list[Path]:
    """The plans of an inbox folder (``*.yaml``), in name order; none when the folder is missing."""
    folder = Path(plan_dir)
    return sorted(folder.glob("*.yaml")) if folder.is_dir() else []


def forecast_plans(plan_dir: Path | str, out_dir: Path | str, catalogue_file: Path | str | None = None,
                   parameters_file: Path | str | None = None) -> list[tuple[Path, Forecast]]:
    """Forecast every plan of a folder into ``out_dir/<plan-slug>/``, each priced in its own start year.

    Every plan is checked before anything is written: a bad plan raises ``PlanError`` with the problems of all
    plans, one Swedish line each.
    """
    plans, problems = [], []
    for path in plan_files(plan_dir):
        try:
            plans.append(load_plan(path))
            load_scenarios(plans[-1].scenarios, source=plans[-1].source)
        except PlanError as exc:
            problems += exc.problems
    if problems:
        raise PlanError(problems)
    parameters = load_parameters(parameters_file or None)
    written = []
    for plan in plans:
        result = forecast(plan, load_catalogue(plan.start_date.year, catalogue_file or None), parameters)
        folder = Path(out_dir) / plan_slug(plan)
        write_forecast(result, folder)
        written.append((folder, result))
    return written
