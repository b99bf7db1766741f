"""The samverkansbokslut: one PDF (and its HTML twin) per förbund for the partition year.

A graph-backed asset: one op gathers the year's report inputs and fans out one dynamic output per
förbund, each förbund renders in its own step (counted by the ``pdf_render`` pool, retried and
re-executed on its own), and a last op writes reports.csv and returns it as the asset's value.
The inputs bundle and the per-förbund records are pickles under ``intermediate_io_manager``.

The report's data date (*Uppgifter per*) is an asset of the validation (``inbox_data_date``): a run limited to
some förbund reads the validated datasets cut to them, and a date taken from its rows would be theirs, not the
inbox's; taken with the validation, it is kept whole like the quality tables (pipelines/scope.py).
"""

import datetime as dt
import importlib.metadata
import re
import time

import pandas as pd
from dagster import (
    DynamicOut,
    DynamicOutput,
    MetadataValue,
    OpExecutionContext,
    Out,
    Output,
    asset,
    graph_asset,
    op,
)

from assets.ingest import OWNER
from pipelines.jobs import RENDER_TAG
from pipelines.metadata import absolute, failure, file_url, gated, gated_errors, gated_log, links
from pipelines.partitions import yearly_partitions
from pipelines.resources import SamverkanSettings
from reports.render import PDF_VARIANTS
from reports.reuse import write_report_reusing
from samverkan.files import write_csv_atomic
from samverkan.inbox import InboxChangedError
from samverkan.ingest import sha256_of
from samverkan.ledger.catalogue import load_catalogue
from samverkan.ledger.parameters import load_parameters
from samverkan.manifest import inputs_fields, record
from samverkan.national_reference import NationalReferenceError, find_reference
from samverkan.privacy import last_gate
from samverkan.publish import latest_version
from samverkan.report import ReportInputs, input_files_table, latest_data_date, slugify
from samverkan.report.aggregates import outcome_tables
from samverkan.report.benchmarks import export_reference
from samverkan.report.extracts import outcome_extracts
from samverkan.report.frames import has
from samverkan.success import load_rules

INTERMEDIATE = "intermediate_io_manager"
REPORT_COLUMNS = ["forbund", "pdf", "html", "pages", "pdf_sha256"]
# Where the data date is read: the latest enrolment, exit or project event of the accepted rows.
DATE_COLUMNS = ("enrolled_on", "exited_on", "date")


@asset(partitions_def=yearly_partitions, group_name="ingest", owners=[OWNER], kinds={"pandas"},
       description="Rapportens datum för uppgifterna (Uppgifter per): den senaste in- eller utskrivningen eller "
                   "händelsen bland hela inkorgens godkända rader. Räknas med valideringen, så att en körning för "
                   "några förbund anger samma datum som årets fullständiga körning.")
@gated_errors
def inbox_data_date(participants: pd.DataFrame, project_events: pd.DataFrame) -> Output[pd.DataFrame]:
    latest = latest_data_date([participants, project_events], DATE_COLUMNS)
    shown = latest.isoformat() if latest else ""
    return Output(pd.DataFrame({"data_date": [shown]}), metadata=gated({"data_date": shown or "inget datum"}))


def _data_date(table: pd.DataFrame) -> dt.date | None:
    shown = str(table["data_date"].iloc[0]) if has(table) and "data_date" in table.columns else ""
    return dt.date.fromisoformat(shown) if shown else None


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
        rules = load_rules(settings.rules_file or None, settings.parameters_file or None)
    except (OSError, ValueError) as exc:
        raise failure(description=f"rapportens parametrar kan inte läsas: {exc}") from None
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


def cut_to_scope(projects: pd.DataFrame, forbund: list[str]) -> bool:
    """Whether the run's datasets hold only the förbund it is limited to (``samverkan run --forbund`` cuts them):
    then they say nothing about the other förbund. The launchpad's ``forbund`` filter limits the reports only,
    on the whole year's data, and those reports compare as a full run's do."""
    if not forbund or not has(projects) or "forbund" not in projects.columns:
        return False
    return set(projects["forbund"].dropna().astype(str)) <= set(forbund)


def forbund_in_year(inputs: ReportInputs) -> list[str]:
    """Every förbund with anything to report for the year."""
    names: set[str] = set()
    if has(inputs.flow):
        names |= set(inputs.flow.loc[inputs.flow["year"] == inputs.year, "forbund"].dropna())
    for frame in (inputs.projects, inputs.ledger, inputs.success_levels):
        if has(frame) and "forbund" in frame.columns:
            names |= set(frame["forbund"].dropna())
    return sorted(str(n) for n in names)


def largest_first(inputs: ReportInputs, names: list[str]) -> list[str]:
    """``names`` with the förbund that have the most projects (a page each) first, ties in the given order.

    The executor starts ready steps in the order they were yielded; starting the longest renders first and
    ending with the short ones keeps every core busy until the last report (longest-processing-time-first).
    """
    counts: dict[str, int] = {}
    if has(inputs.projects) and "forbund" in inputs.projects.columns:
        counts = inputs.projects["forbund"].value_counts().to_dict()
    return sorted(names, key=lambda name: -counts.get(name, 0))  # stable: ties keep their order


def mapping_key(forbund: str) -> str:
    """The förbund's slug in the characters Dagster allows in a mapping key (letters, digits, _)."""
    return re.sub(r"[^A-Za-z0-9_]", "_", last_gate(slugify(forbund)))  # the key is in every step's events


@op(
    out={"forbund": DynamicOut(str, io_manager_key=INTERMEDIATE),
         "inputs": Out(ReportInputs, io_manager_key=INTERMEDIATE),
         "order": Out(list, io_manager_key=INTERMEDIATE)},
)
@gated_errors
def report_inputs(
    context: OpExecutionContext,
    settings: SamverkanSettings,
    participant_flow: pd.DataFrame,
    projects: pd.DataFrame,
    participants: pd.DataFrame,
    project_costs: pd.DataFrame,
    ledger: pd.DataFrame,
    ledger_transfers: pd.DataFrame,
    ledger_uncertainty: pd.DataFrame,
    ledger_sensitivity: pd.DataFrame,
    success_levels: pd.DataFrame,
    prerequisite_profiles: pd.DataFrame,
    quality_summary: pd.DataFrame,
    quality_problems: pd.DataFrame,
    ledger_kommun: pd.DataFrame,
    ledger_lifetime: pd.DataFrame,
    ledger_lifetime_plan: pd.DataFrame,
    inbox_fingerprint: pd.DataFrame,
    inbox_data_date: pd.DataFrame,
):
    """The year's report inputs once, and one dynamic output per förbund with anything to show."""
    year = int(context.partition_key)
    try:
        input_files = input_files_table(inbox_fingerprint, settings.inbox_path(), settings.profile_file)
    except InboxChangedError as exc:
        raise failure(description=str(exc)) from None
    if settings.pdf_variant not in PDF_VARIANTS:
        raise failure(description=f"pdf_variant={settings.pdf_variant!r} är okänd; välj {', '.join(PDF_VARIANTS)}")
    parameters, unit_costs, rules_version, extra = _parameter_table(settings, year)
    # Counts for every förbund, once: the render steps get aggregates, never the participants' rows.
    outcomes = outcome_tables(participants, projects, project_costs, year)
    try:
        reference = find_reference(settings.national_reference, settings.inbox_path())
    except NationalReferenceError as exc:
        raise failure(description=str(exc)) from None
    inputs = ReportInputs(
        year=year,
        flow=participant_flow,
        projects=projects,
        breakdown_counts=outcomes.breakdown_counts,
        transition_counts=outcomes.transition_counts,
        outcome_measures=outcomes.measures,
        project_leavers=outcomes.project_leavers,
        ledger=ledger,
        ledger_uncertainty=ledger_uncertainty,
        ledger_sensitivity=ledger_sensitivity,
        transfers=ledger_transfers,
        ledger_kommun=ledger_kommun,
        ledger_lifetime=ledger_lifetime,
        ledger_lifetime_plan=ledger_lifetime_plan,
        success_levels=success_levels,
        prerequisite_profiles=prerequisite_profiles,
        quality_summary=quality_summary,
        quality_problems=quality_problems,
        parameters=parameters,
        unit_costs=unit_costs,
        input_files=input_files,
        rules_version=rules_version,
        data_date=_data_date(inbox_data_date),
        software_version=_software_version(),
        extra=extra,
        forbund_scope=tuple(settings.forbund) if cut_to_scope(projects, settings.forbund) else (),
        national_reference=reference,
        scenario=settings.scenario_name(),
    )
    names = [n for n in forbund_in_year(inputs) if not settings.forbund or n in settings.forbund]
    keys = [mapping_key(name) for name in names]
    if len(set(keys)) != len(keys):
        clashes = sorted({k for k in keys if keys.count(k) > 1})
        raise failure(description=f"förbundsnamn ger samma filnamn ({', '.join(clashes)}); byt namn i projects")
    # Published beside the reports, suppressed by the same view builders as the reports.
    out = settings.out_path(year)
    for file_name, table in outcome_extracts(inputs, names).items():
        write_csv_atomic(table, out / file_name)
    record(out, **inputs_fields(inputs.input_files.to_dict("records"), {**extra, "Regelversion": rules_version},
                                inputs.software_version, settings.pdf_variant))
    if not settings.forbund:  # only a run of every förbund is a national reference
        export_reference(inputs, out)
    yield Output(inputs, "inputs")
    yield Output(names, "order")
    key_of = dict(zip(names, keys, strict=True))
    for name in largest_first(inputs, names):  # reports.csv keeps förbund order ("order")
        yield DynamicOutput(name, mapping_key=key_of[name], output_name="forbund")


@op(pool="pdf_render", tags={RENDER_TAG: "pdf"}, out=Out(dict, io_manager_key=INTERMEDIATE))
@gated_errors
def render_forbund(context: OpExecutionContext, settings: SamverkanSettings, forbund: str,
                   inputs: ReportInputs) -> dict:
    """One förbund's PDF and HTML twin, or the published ones when nothing they are made of changed; returns
    the row of reports.csv, the content hash, whether WeasyPrint ran and the time."""
    out = settings.out_path(inputs.year)
    started = time.perf_counter()
    made = write_report_reusing(inputs, forbund, out, variant=settings.pdf_variant,
                                published=latest_version(settings.published_path(inputs.year)))
    report, seconds = made.report, time.perf_counter() - started
    gated_log(context).info(f"{forbund}: {report.pages} sidor "
                            + ("återanvända (oförändrat innehåll)" if made.reused else f"på {seconds:.1f} s"))
    context.add_output_metadata(gated({"reused": made.reused, "weasyprint_calls": 0 if made.reused else 1,
                                       "content_hash": made.content_hash}))
    return {"forbund": report.forbund, "pdf": str(report.pdf.relative_to(out)),
            "html": str(report.html.relative_to(out)), "pages": report.pages,
            "pdf_sha256": sha256_of(report.pdf), "seconds": seconds, "content_hash": made.content_hash,
            "reused": made.reused}


@op
@gated_errors
def collect_reports(context: OpExecutionContext, settings: SamverkanSettings, records: list[dict],
                    order: list) -> pd.DataFrame:
    """reports.csv in förbund order (as the single-step stage wrote it) and the asset's metadata."""
    year = int(context.partition_key)
    out = settings.out_path(year)
    rank = {name: i for i, name in enumerate(order)}
    records = sorted(records, key=lambda r: rank[r["forbund"]])
    index = pd.DataFrame([{c: r[c] for c in REPORT_COLUMNS} for r in records], columns=REPORT_COLUMNS)
    path = write_csv_atomic(index, out / "reports.csv")
    record(out, reports={r["forbund"]: {k: r[k] for k in ("pdf", "html", "pages", "pdf_sha256", "content_hash")}
                         for r in records})
    seconds = sum(r["seconds"] for r in records)
    reused = sum(bool(r["reused"]) for r in records)
    lines = "\n".join(f"| {r.forbund} | [{r.pdf}]({file_url(out / r.pdf)}) | {r.pages} | `{r.pdf_sha256[:16]}…` |"
                      for r in index.itertuples())
    context.add_output_metadata(gated({
        "reports": len(index),
        "extract": absolute(path),
        **links(output_folder=out),
        "pdf_variant": settings.pdf_variant,
        "render_seconds": round(seconds, 2),
        "weasyprint_calls": len(records) - reused,
        "reused": reused,
        "forbund": MetadataValue.json(list(order)),
        "summary": MetadataValue.md(
            f"{len(index)} rapporter ({settings.pdf_variant}), ett steg per förbund, "
            f"sammanlagt {seconds:.1f} s renderingstid.\n\n"
            f"| förbund | pdf | sidor | sha256 |\n|---|---|---:|---|\n{lines}\n"),
    }))
    return index


@graph_asset(partitions_def=yearly_partitions, group_name="report")
def samverkansbokslut_reports(
    participant_flow: pd.DataFrame,
    projects: pd.DataFrame,
    participants: pd.DataFrame,
    project_costs: pd.DataFrame,
    ledger_kommun: pd.DataFrame,
    ledger_lifetime: pd.DataFrame,
    ledger_lifetime_plan: pd.DataFrame,
    ledger: pd.DataFrame,
    ledger_transfers: pd.DataFrame,
    ledger_uncertainty: pd.DataFrame,
    ledger_sensitivity: pd.DataFrame,
    success_levels: pd.DataFrame,
    prerequisite_profiles: pd.DataFrame,
    quality_summary: pd.DataFrame,
    quality_problems: pd.DataFrame,
    inbox_fingerprint: pd.DataFrame,
    inbox_data_date: pd.DataFrame,
) -> pd.DataFrame:
    """The annual samverkansbokslut in Swedish, one per förbund: `<out>/<förbund-slug>/samverkansbokslut-<slug>-<year>
    .pdf` (tagged PDF/UA-1, or PDF/A-3u with `pdf_variant`) and the same as `.html`, plus reports.csv listing them
    with their SHA-256. Each förbund renders in its own step. Same inputs and parameters give byte-identical files."""
    forbund, inputs, order = report_inputs(
        participant_flow, projects, participants, project_costs, ledger, ledger_transfers,
        ledger_uncertainty, ledger_sensitivity,
        success_levels, prerequisite_profiles, quality_summary, quality_problems,
        ledger_kommun=ledger_kommun, ledger_lifetime=ledger_lifetime,
        ledger_lifetime_plan=ledger_lifetime_plan, inbox_fingerprint=inbox_fingerprint,
        inbox_data_date=inbox_data_date)
    records = forbund.map(lambda name: render_forbund(name, inputs))
    return collect_reports(records.collect(), order)
