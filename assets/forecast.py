"""Forecasts of the planned efforts in the inbox's plans/ folder (ex ante, beside the annual accounts)."""

import pandas as pd
from dagster import AssetExecutionContext, MetadataValue, asset

from pipelines.metadata import failure, gated, gated_errors, markdown_table
from pipelines.partitions import yearly_partitions
from pipelines.resources import SamverkanSettings
from reports.kalkyl import write_kalkyl
from samverkan.forecast.model import FORECAST_COLUMNS
from samverkan.forecast.plan import PlanError
from samverkan.forecast.run import Forecast, forecast_plans
from samverkan.ledger.actors import ACTORS_WITH_TOTAL

PLANS_FOLDER = "plans"


def _kr(value: float) -> str:
    return f"{value:,.0f}".replace(",", "\u00a0")


def _summary(folder_name: str, result: Forecast) -> str:
    view = result.view
    names = [s.name for s in view.scenarios]
    lines = {line.actor: [] for line in view.scenarios[0].lines}
    for scenario in view.scenarios:
        for line in scenario.lines:
            even = "–" if line.break_even_successes is None else str(line.break_even_successes)
            lines[line.actor].append(f"{_kr(line.net_sek)} ({even})")
    prerequisites = ("inga förutsättningar angivna" if view.prerequisites_in_place is None
                     else f"förutsättningar {view.prerequisites_in_place} av {view.prerequisites_total}")
    table = markdown_table(["aktör", *(f"netto {n} (jämnt vid)" for n in names)],
                           ((actor, *lines[actor]) for actor in ACTORS_WITH_TOTAL),
                           right=tuple(range(1, 1 + len(names))))
    return (f"\n**{view.plan_name}** ({view.forbund}, `{folder_name}`): {view.participants} deltagare, "
            f"förväntat {view.expected_successes:g} till arbete eller studier; {prerequisites}. "
            f"Priser {view.price_year}.\n\n{table}\n")


@asset(partitions_def=yearly_partitions, group_name="forecast")
@gated_errors
def plan_forecasts(context: AssetExecutionContext, settings: SamverkanSettings) -> pd.DataFrame:
    """The investeringskalkyl of every plan in ``<inbox>/plans/*.yaml``: per scenario (projekt, 1, 2, 3) and actor
    the investment, effects and net in present value at the project's start, and the number of participants who
    must reach work or studies to break even. Writes ``<out>/plans/<plan>/forecast.csv``, ``forecast_chart.csv``
    (net against the number of successes), ``forecast_scenarios.csv`` and ``investeringskalkyl-<plan>.pdf`` with
    its HTML twin.

    Plans are not participant data, so the asset does not wait for the data gate. Each plan is priced in its own
    start year (the partition year only says where the files go). Fails with one Swedish line per problem when a
    plan is bad.
    """
    year = int(context.partition_key)
    out = settings.out_path(year) / PLANS_FOLDER
    try:
        written = forecast_plans(settings.inbox_path() / PLANS_FOLDER, out, settings.catalogue_file or None,
                                 settings.parameters_file or None)
    except PlanError as exc:
        raise failure(description="\n".join(exc.problems)) from None
    except (OSError, ValueError) as exc:
        raise failure(description=f"prognosens katalog eller parametrar kan inte användas: {exc}") from None
    kalkyler = [write_kalkyl(result, folder, variant=settings.pdf_variant) for folder, result in written]
    frames = [result.table.assign(plan=folder.name) for folder, result in written]
    table = (pd.concat(frames, ignore_index=True) if frames
             else pd.DataFrame(columns=[*FORECAST_COLUMNS, "plan"]))[["plan", *FORECAST_COLUMNS]]
    summary = "".join(_summary(folder.name, result) for folder, result in written) or \
        f"Inga planer i {PLANS_FOLDER}/."
    context.add_output_metadata(gated({
        "plans": len(written),
        "extracts": MetadataValue.json([str(folder) for folder, _ in written]),
        "investeringskalkyler": MetadataValue.json([str(k.pdf) for k in kalkyler]),
        "summary": MetadataValue.md(summary),
    }))
    return table
