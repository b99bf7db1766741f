"""The samverkansbokslut: one PDF (and its HTML twin) per förbund for the partition year."""

import importlib.metadata
import os
import time

import pandas as pd
from dagster import AssetExecutionContext, Failure, MetadataValue, asset

from pipelines.partitions import yearly_partitions
from pipelines.resources import SamverkanSettings
from reports.render import PDF_VARIANTS, write_reports
from samverkan.contract import DATASETS
from samverkan.files import write_csv_atomic
from samverkan.ingest import sha256_of
from samverkan.ledger.catalogue import load_catalogue
from samverkan.ledger.parameters import load_parameters
from samverkan.report_context import (
    ReportInputs,
    forbund_in_year,
    input_files_table,
    latest_data_date,
    transfers_from_ledger,
)
from samverkan.success import load_rules

INGESTED = tuple(DATASETS)


def _software_version() -> str:
    try:
        return f"samverkansbokslut {importlib.metadata.version('samverkansbokslut')}"
    except importlib.metadata.PackageNotFoundError:
        return "samverkansbokslut"


def _parameter_table(settings: SamverkanSettings, year: int) -> tuple[pd.DataFrame, pd.DataFrame, str, dict]:
    """Every ledger parameter and success rule with value, basis and version; the catalogue; the rules version."""
    try:
        parameters = load_parameters(settings.parameters_file or None)
        catalogue = load_catalogue(year, settings.catalogue_file or None)
        rules = load_rules(settings.rules_file or None)
    except (OSError, ValueError) as exc:
        raise Failure(description=f"rapportens parametrar kan inte läsas: {exc}") from None
    ledger_rows = pd.DataFrame(parameters.table()).assign(group="Bokslut", version=parameters.version)
    rule_rows = rules.parameters().assign(group="Framgångsnivåer", version=rules.version)
    table = pd.concat([ledger_rows, rule_rows], ignore_index=True)[["group", "parameter", "value", "basis", "version"]]
    extra = {"Katalogversion": catalogue.version, "Parameterversion": parameters.version}
    if catalogue.note:
        extra["Prisomräkning"] = catalogue.note
    for label, path in (("Enhetskostnadsfil", settings.catalogue_file), ("Parameterfil", settings.parameters_file),
                        ("Regelfil", settings.rules_file)):
        if path:
            extra[f"{label} (SHA-256)"] = sha256_of(path)
    return table, catalogue.rows, rules.version, extra


@asset(
    partitions_def=yearly_partitions,
    group_name="report",
    pool="pdf_render",
)
def samverkansbokslut_reports(
    context: AssetExecutionContext,
    settings: SamverkanSettings,
    participant_flow: pd.DataFrame,
    projects: pd.DataFrame,
    participants: pd.DataFrame,
    project_events: pd.DataFrame,
    ledger: pd.DataFrame,
    ledger_uncertainty: pd.DataFrame,
    success_levels: pd.DataFrame,
    prerequisite_profiles: pd.DataFrame,
    quality_summary: pd.DataFrame,
    quality_problems: pd.DataFrame,
) -> pd.DataFrame:
    """The annual samverkansbokslut in Swedish, one per förbund: `<out>/<förbund-slug>/samverkansbokslut-<slug>-<year>
    .pdf` (tagged PDF/UA-1, or PDF/A-3u with `pdf_variant`) and the same as `.html`, plus reports.csv listing them
    with their SHA-256. Same inputs and parameters give byte-identical files."""
    year = int(context.partition_key)
    if settings.pdf_variant not in PDF_VARIANTS:
        raise Failure(description=f"pdf_variant={settings.pdf_variant!r} är okänd; välj {', '.join(PDF_VARIANTS)}")
    parameters, unit_costs, rules_version, extra = _parameter_table(settings, year)
    inputs = ReportInputs(
        year=year,
        flow=participant_flow,
        projects=projects,
        ledger=ledger,
        ledger_by_year=ledger,  # the stored ledger table carries year_1..year_N
        ledger_uncertainty=ledger_uncertainty,
        transfers=transfers_from_ledger(ledger),
        success_levels=success_levels,
        prerequisite_profiles=prerequisite_profiles,
        quality_summary=quality_summary,
        quality_problems=quality_problems,
        parameters=parameters,
        unit_costs=unit_costs,
        input_files=input_files_table(settings.inbox_path(), INGESTED),
        rules_version=rules_version,
        data_date=latest_data_date([participants, project_events], ["enrolled_on", "exited_on", "date"]),
        software_version=_software_version(),
        extra=extra,
    )
    out = settings.out_path(year)
    started = time.perf_counter()
    workers = settings.render_workers or (os.cpu_count() or 1)
    rendered = write_reports(inputs, out, variant=settings.pdf_variant, workers=workers)
    seconds = time.perf_counter() - started
    index = pd.DataFrame(
        [{"forbund": r.forbund, "pdf": str(r.pdf.relative_to(out)), "html": str(r.html.relative_to(out)),
          "pages": r.pages, "pdf_sha256": sha256_of(r.pdf)} for r in rendered],
        columns=["forbund", "pdf", "html", "pages", "pdf_sha256"],
    )
    path = write_csv_atomic(index, out / "reports.csv")
    lines = "\n".join(f"| {r.forbund} | `{r.pdf}` | {r.pages} | `{r.pdf_sha256[:16]}…` |" for r in index.itertuples())
    context.add_output_metadata({
        "reports": len(index),
        "extract": str(path),
        "pdf_variant": settings.pdf_variant,
        "render_seconds": round(seconds, 2),
        "render_workers": workers,
        "forbund": MetadataValue.json(forbund_in_year(inputs)),
        "summary": MetadataValue.md(
            f"{len(index)} rapporter ({settings.pdf_variant}) på {seconds:.1f} s med {workers} processer.\n\n"
            f"| förbund | pdf | sidor | sha256 |\n|---|---|---:|---|\n{lines}\n"),
    })
    return index
