"""The socio-economic ledger per actor: contributions, results and the Monte Carlo."""

from collections.abc import Iterator

import pandas as pd
from dagster import AssetExecutionContext, AssetOut, MetadataValue, Output, asset, multi_asset

from assets.run_files import require_valid_run_files
from pipelines.metadata import failure, gated, gated_errors, markdown_table
from pipelines.partitions import yearly_partitions
from pipelines.resources import SamverkanSettings
from samverkan.files import write_csv_atomic
from samverkan.forecast.outcome import lifetime_with_plans as compute_lifetime
from samverkan.ledger.actors import MEMBERS
from samverkan.ledger.catalogue import Catalogue, load_catalogue
from samverkan.ledger.effects import episode_effects, observed_follow_up
from samverkan.ledger.kommun import KOMMUN_COLUMNS
from samverkan.ledger.kommun import kommun_ledger as compute_kommun
from samverkan.ledger.parameters import LedgerParameters, load_parameters
from samverkan.ledger.results import ALL_PROJECTS, ledger_results
from samverkan.ledger.sensitivity import SENSITIVITY_COLUMNS
from samverkan.ledger.sensitivity import sensitivity as compute_sensitivity
from samverkan.ledger.trace import ledger_contributions as compute_contributions
from samverkan.ledger.uncertainty import UNCERTAINTY_COLUMNS
from samverkan.ledger.uncertainty import ledger_uncertainty as compute_uncertainty
from samverkan.success import RulesError, load_rules

MAX_FORBUND_SHOWN = 6


def _inputs(settings: SamverkanSettings, year: int) -> tuple[Catalogue, LedgerParameters]:
    # The same check and lines as `samverkan run` gives before it starts, for a run launched from the UI.
    require_valid_run_files(settings, year)
    return load_catalogue(year, settings.catalogue_file or None), load_parameters(settings.parameters_file or None)


def _same_versions(contributions: pd.DataFrame, catalogue: Catalogue, parameters: LedgerParameters) -> None:
    """Refuse to mix contributions made with other files than this run's (re-materialise them first)."""
    if contributions.empty:
        return
    used = {(str(c), str(p)) for c, p in contributions[["catalogue_version", "parameters_version"]]
            .drop_duplicates().itertuples(index=False)}
    if used != {(catalogue.version, parameters.version)}:
        raise failure(description=(
            f"ledger_contributions gjordes med katalog/parametrar {sorted(used)}, men körningen använder "
            f"{catalogue.version} / {parameters.version}; materialisera ledger_contributions igen"))


def _kr(value: float) -> str:
    return f"{value:,.0f}".replace(",", "\u00a0")


@asset(partitions_def=yearly_partitions, group_name="ledger", deps=["data_gate"])
@gated_errors
def ledger_contributions(
    context: AssetExecutionContext,
    settings: SamverkanSettings,
    participants: pd.DataFrame,
    projects: pd.DataFrame,
    project_costs: pd.DataFrame,
) -> pd.DataFrame:
    """Every contribution to the ledger: one row per episode of the year's cohort and actor (the effect), and one
    per cost row of the year and actor (the investment), with source file and row and the catalogue and parameters
    versions. Every ledger figure is a sum of these rows.

    The cohort of year Y is the episodes that exited during Y, except felregistrering; the investment is the
    project costs of Y. Each row says whether its project's participant effect is established by the success rules
    (``participant_effect_established``, ``not_established_reason``). Also writes ledger_parameters.csv and
    ledger_catalogue.csv (the catalogue in Y's prices).
    """
    year = int(context.partition_key)
    catalogue, parameters = _inputs(settings, year)
    try:
        rules = load_rules(settings.rules_file or None, settings.parameters_file or None)
    except RulesError as exc:
        raise failure(description=str(exc)) from None
    result = compute_contributions(participants, projects, project_costs, year, catalogue, parameters, rules)
    info = result.info
    out = settings.out_path(year)
    write_csv_atomic(pd.DataFrame(parameters.table()).assign(version=parameters.version),
                     out / "ledger_parameters.csv")
    write_csv_atomic(catalogue.rows.assign(catalogue_version=catalogue.version), out / "ledger_catalogue.csv")
    follow_up = observed_follow_up(participants, year)
    basis = ", ".join(f"{k}: {v}" for k, v in info["after_basis"].items())
    params = markdown_table(["parameter", "värde"], ((r["parameter"], r["value"]) for r in parameters.table()))
    markdown = (
        f"**Kohort {year}**: {info['cohort_episodes']} avslutade episoder (av {info['exited_in_year']} avslut; "
        f"{info['misregistered']} felregistreringar och {info['unknown_project_episodes']} utan känt projekt "
        f"räknas inte). {info['cost_rows']} kostnadsrader för {year}.\n\n"
        f"Situation efter avslut: {basis}.\n\n"
        f"Målgrupp: {', '.join(f'{k}: {v}' for k, v in info['target_group_basis'].items())}.\n\n"
        f"Katalog: `{catalogue.version}`{' — ' + catalogue.note if catalogue.note else ''}. "
        f"Parametrar: `{parameters.version}`. Framgångsregler: `{rules.version}`.\n\n"
        f"Uppföljning efter 12 månader (före {year}): {follow_up['still_in_work_or_studies']} av "
        f"{follow_up['followed_up']} kvar i arbete/studier.\n\n{params}\n"
    )
    if info["unmatched_codes"]:
        markdown += f"\nStödkoder utan rad i katalogen (räknas som 0): {', '.join(info['unmatched_codes'])}\n"
    context.add_output_metadata(gated({
        "cohort_episodes": info["cohort_episodes"],
        "contributions": len(result.frame),
        "catalogue_version": catalogue.version,
        "parameters_version": parameters.version,
        "rules_version": rules.version,
        "follow_up": MetadataValue.json(follow_up),
        "target_group_basis": MetadataValue.json(info["target_group_basis"]),
        "summary": MetadataValue.md(markdown),
    }))
    return result.frame


@multi_asset(
    partitions_def=yearly_partitions,
    group_name="ledger",
    outs={
        "ledger": AssetOut(description=(
            "Per förbund (project_id ALL), project and actor: investment, cumulative present value of the effects "
            "by year, net, return ratio, payback year and winner/loser. Writes ledger.csv and ledger_by_year.csv.")),
        "ledger_transfers": AssetOut(description=(
            "Per förbund and project, the transfers between members that would let every member break even. "
            "Writes ledger_transfers.csv.")),
    },
)
@gated_errors
def ledger(context: AssetExecutionContext, settings: SamverkanSettings,
           ledger_contributions: pd.DataFrame) -> Iterator[Output[pd.DataFrame]]:
    """The ledger and its break-even transfers, computed together by one call of the core."""
    year = int(context.partition_key)
    catalogue, parameters = _inputs(settings, year)
    _same_versions(ledger_contributions, catalogue, parameters)
    results = ledger_results(ledger_contributions, parameters)
    out = settings.out_path(year)
    paths = [
        write_csv_atomic(results.ledger_csv_frame(), out / "ledger.csv"),
        write_csv_atomic(results.by_year_frame(), out / "ledger_by_year.csv"),
    ]
    transfers_path = write_csv_atomic(results.transfers, out / "ledger_transfers.csv")
    totals = results.table[results.table["project_id"] == ALL_PROJECTS]
    lines = []
    for forbund, rows in list(totals.groupby("forbund", sort=True))[:MAX_FORBUND_SHOWN]:
        lines.append(f"\n**{forbund}**\n")
        lines.append(markdown_table(
            ["aktör", "investering", "effekt (nuvärde)", "netto", "återbetald år", ""],
            ((r.actor, _kr(r.investment_sek), _kr(r.effect_pv_sek), _kr(r.net_sek),
              "" if pd.isna(r.payback_year) else str(r.payback_year), r.outcome) for r in rows.itertuples()),
            right=(1, 2, 3, 4),
        ))
    members = totals[totals["actor"].isin(MEMBERS)]
    yield Output(results.table, output_name="ledger", metadata=gated({
        "extracts": MetadataValue.json([str(p) for p in paths]),
        "forbund": int(totals["forbund"].nunique()),
        "projects": int(results.table.loc[results.table["project_id"] != ALL_PROJECTS, "project_id"].nunique()),
        "member_losers": int((members["net_sek"] < 0).sum()),
        "summary": MetadataValue.md(
            f"Horisont {results.horizon} år, nuvärden i hela kronor; förbundets total (ALL) är summan av "
            f"projekten.\n" + "\n".join(lines)),
    }))
    yield Output(results.transfers, output_name="ledger_transfers", metadata=gated({
        "extract": str(transfers_path),
        "transfers": len(results.transfers),
    }))


@asset(partitions_def=yearly_partitions, group_name="ledger", deps=["data_gate"])
@gated_errors
def ledger_uncertainty(
    context: AssetExecutionContext,
    settings: SamverkanSettings,
    participants: pd.DataFrame,
    projects: pd.DataFrame,
    ledger_contributions: pd.DataFrame,
) -> pd.DataFrame:
    """Seeded Monte Carlo over the outcome (binomial from each project's own count), p0, other outcomes,
    attribution, drop-off and the unit costs by confidence grade: per förbund, project and actor the probability
    of breaking even (empty for an actor that invested nothing) and the 5/50/95 percentiles of the net present
    value. Writes ledger_uncertainty.csv."""
    year = int(context.partition_key)
    catalogue, parameters = _inputs(settings, year)
    _same_versions(ledger_contributions, catalogue, parameters)
    effects = episode_effects(participants, projects, year, catalogue, parameters)
    table = compute_uncertainty(effects, ledger_contributions, catalogue, parameters)
    path = write_csv_atomic(table[UNCERTAINTY_COLUMNS], settings.out_path(year) / "ledger_uncertainty.csv")
    totals = table[(table["project_id"] == ALL_PROJECTS) & table["actor"].isin(MEMBERS)]
    lines = markdown_table(
        ["förbund", "medlem", "P(går jämnt ut)", "90 % intervall för nettonuvärde"],
        ((r.forbund, r.actor, "–" if pd.isna(r.p_break_even) else f"{r.p_break_even:.0%}",
          f"{_kr(r.npv_p05)} – {_kr(r.npv_p95)}")
         for r in totals.head(4 * MAX_FORBUND_SHOWN).itertuples()),
        right=(2,),
    )
    context.add_output_metadata(gated({
        "extract": str(path),
        "draws": parameters.mc_draws,
        "seed": parameters.mc_seed,
        "summary": MetadataValue.md(
            f"{parameters.mc_draws} dragningar, frö {parameters.mc_seed}.\n\n"
            f"{lines}\n"),
    }))
    return table


@multi_asset(
    partitions_def=yearly_partitions,
    group_name="ledger",
    deps=["data_gate"],
    outs={
        "ledger_lifetime": AssetOut(description=(
            "Per project and actor over its whole life up to the year, discounted to the project's start. Writes "
            "ledger_lifetime.csv.")),
        "ledger_lifetime_plan": AssetOut(description=(
            "Plan against outcome per member for finished projects with a plan in plans/. Writes "
            "ledger_lifetime_plan.csv; the report's project pages read it.")),
    },
)
@gated_errors
def ledger_lifetime(
    context: AssetExecutionContext,
    settings: SamverkanSettings,
    participants: pd.DataFrame,
    projects: pd.DataFrame,
    project_costs: pd.DataFrame,
) -> Iterator[Output[pd.DataFrame]]:
    """Per project and actor over its whole life up to the partition year: every year's investment against the
    effects of all its leavers, discounted to the project's start, with the counterfactual applied once to the
    whole-life cohort (so it is not the sum of the annual ledgers). Priced in the partition year's catalogue, as
    the annual ledger. Where ``<inbox>/plans/`` holds a plan for a finished project, plan against outcome per
    member. Writes ledger_lifetime.csv and ledger_lifetime_plan.csv."""
    year = int(context.partition_key)
    catalogue, parameters = _inputs(settings, year)
    result = compute_lifetime(participants, projects, project_costs, year, catalogue, parameters,
                              settings.inbox_path() / "plans")
    out = settings.out_path(year)
    paths = [write_csv_atomic(result.table, out / "ledger_lifetime.csv"),
             write_csv_atomic(result.against_plan, out / "ledger_lifetime_plan.csv")]
    summa = result.table[result.table["actor"] == "Summa"]
    compared = markdown_table(
        ["insats", "aktör", "investering plan", "investering utfall", "effekt plan", "effekt utfall"],
        ((r.project_id, r.actor, _kr(r.forecast_investment_sek), _kr(r.outcome_investment_sek),
          _kr(r.forecast_effect_pv_sek), _kr(r.outcome_effect_pv_sek))
         for r in result.against_plan.head(5 * MAX_FORBUND_SHOWN).itertuples()),
        right=(2, 3, 4, 5),
    ) if len(result.against_plan) else "Ingen avslutad insats har en plan i plans/."
    problems = "".join(f"\n- {line}" for line in result.plan_problems)
    yield Output(result.table, "ledger_lifetime", metadata=gated({
        "extracts": MetadataValue.json([str(p) for p in paths]),
        "projects": int(summa["project_id"].nunique()),
        "finished_projects": int(summa["finished"].sum()),
        "plans_compared": int(result.against_plan["project_id"].nunique()) if len(result.against_plan) else 0,
        "summary": MetadataValue.md(
            f"Hela livstiden till och med {year}, nuvärde vid varje insats start; det kontrafaktiska utfallet "
            f"gäller hela livstidens kohort, så tabellen är inte summan av årsboksluten.\n\n"
            f"**Plan mot utfall**\n\n{compared}\n"
            + (f"\nPlaner som inte kunde jämföras:{problems}\n" if problems else "")),
    }))
    yield Output(result.against_plan, "ledger_lifetime_plan", metadata=gated({
        "extract": str(paths[1]), "dagster/row_count": len(result.against_plan)}))


@asset(partitions_def=yearly_partitions, group_name="ledger", deps=["data_gate"])
@gated_errors
def ledger_sensitivity(
    context: AssetExecutionContext,
    settings: SamverkanSettings,
    participants: pd.DataFrame,
    projects: pd.DataFrame,
    ledger_contributions: pd.DataFrame,
) -> pd.DataFrame:
    """Per förbund and actor the net at base, at each uncertain parameter's low and high end (rate, p0, other
    outcomes, drop-off, unit-cost level, attribution, horizon up to ten years) and in the pessimistic and
    optimistic cases, computed from the contributions without rerunning. Writes ledger_sensitivity.csv."""
    year = int(context.partition_key)
    catalogue, parameters = _inputs(settings, year)
    _same_versions(ledger_contributions, catalogue, parameters)
    counts = episode_effects(participants, projects, year, catalogue, parameters).counts
    table = compute_sensitivity(ledger_contributions, counts, parameters)
    path = write_csv_atomic(table[SENSITIVITY_COLUMNS], settings.out_path(year) / "ledger_sensitivity.csv")
    summa = table[(table["actor"] == "Summa") & (table["parameter"] == "")]
    lines = markdown_table(
        ["förbund", "fall", "netto för alla aktörer"],
        ((r.forbund, r.case, f"{_kr(r.net_sek)} kr") for r in summa.head(3 * MAX_FORBUND_SHOWN).itertuples()),
        right=(2,),
    )
    context.add_output_metadata(gated({"extract": str(path), "rows": len(table), "summary": MetadataValue.md(lines)}))
    return table


@asset(partitions_def=yearly_partitions, group_name="ledger")
@gated_errors
def ledger_kommun(
    context: AssetExecutionContext,
    settings: SamverkanSettings,
    participants: pd.DataFrame,
    project_costs: pd.DataFrame,
    ledger_contributions: pd.DataFrame,
) -> pd.DataFrame:
    """The Kommun line split per member kommun, per förbund: effects by the participants' home kommun, the
    kommun's own money by the paying kommun and förbund money by the kommun shares configured for the förbund.
    Empty, with the reason in the metadata, when the inbox names no kommun. Writes ledger_kommun.csv."""
    year = int(context.partition_key)
    catalogue, parameters = _inputs(settings, year)
    _same_versions(ledger_contributions, catalogue, parameters)
    result = compute_kommun(ledger_contributions, participants, project_costs, parameters)
    path = write_csv_atomic(result.table[KOMMUN_COLUMNS], settings.out_path(year) / "ledger_kommun.csv")
    lines = result.missing_reason or markdown_table(
        ["förbund", "kommun", "investering", "effekt (nuvärde)", "netto"],
        ((r.forbund, r.kommun, _kr(r.investment_sek), _kr(r.effect_pv_sek), _kr(r.net_sek))
         for r in result.table.head(8 * MAX_FORBUND_SHOWN).itertuples()),
        right=(2, 3, 4),
    )
    context.add_output_metadata(gated({
        "extract": str(path),
        "kommuner": int(result.table["kommun"].nunique()),
        "summary": MetadataValue.md(f"Kommunraden per medlemskommun, {year}.\n\n{lines}\n"),
    }))
    return result.table
