"""The whole template context for one förbund and the report year, from the section builders."""

from __future__ import annotations

import datetime as dt
import hashlib
import re
import unicodedata
from dataclasses import dataclass
from typing import TypedDict

from samverkan.privacy import SMALL_COUNT_LIMIT, mask_personal_numbers
from samverkan.report.benchmarks import BenchmarkSection, benchmark_section
from samverkan.report.breakdowns import BreakdownSection, breakdown_section
from samverkan.report.destinations import DestinationSection, destination_section
from samverkan.report.dimensions import DimensionSection, dimension_section
from samverkan.report.flow import FlowSection, flow_section
from samverkan.report.inputs import REPORT_FORMAT_VERSION, ReportInputs, input_fingerprint
from samverkan.report.kommun import KommunSection, kommun_section
from samverkan.report.ledger import LedgerSection, ledger_records, ledger_section
from samverkan.report.method import MethodSection, method_section
from samverkan.report.projects import LevelCount, ProjectSection, level_counts, project_sections
from samverkan.report.quality import QualitySection, quality_section
from samverkan.report.sensitivity import SensitivitySection, sensitivity_section
from samverkan.report.summary import Summary, after_years, horizons, summary


@dataclass(frozen=True)
class KeyFigure:
    label: str
    kind: str  # count | percent | kr | ratio | number
    value: int | float | None
    suppressed: bool = False


class ReportContext(TypedDict):
    """What the template sees, by name (a dict, so that it can be passed to the template as it is)."""

    forbund: str
    slug: str
    year: int
    title: str
    file_stem: str
    data_date: dt.date
    document_date: dt.date
    report_version: str
    report_id: str
    fingerprint: str
    summary: Summary
    key_figures: list[KeyFigure]
    flow: FlowSection
    breakdowns: BreakdownSection
    destinations: DestinationSection
    benchmarks: BenchmarkSection
    ledger: LedgerSection
    sensitivity: SensitivitySection
    kommun_ledger: KommunSection
    projects: list[ProjectSection]
    levels: list[LevelCount]
    levels_available: bool
    dimensions: DimensionSection
    quality: QualitySection
    method: MethodSection
    small_count_limit: int
    scenario: str  # "" for the official year; else the report says it is this what-if, not the adopted one


# A slug names the förbund's folder and is part of its file names (twice in a path): capped well below the
# 255 bytes a file name may have, so the longest name still gives a path every file system takes.
MAX_SLUG_LENGTH = 60
SLUG_HASH_LENGTH = 8


def slugify(name: str) -> str:
    """ASCII file-name slug: lowercase, å/ä→a, ö→o (any accent dropped), spaces→'-', at most 60 characters.

    A name whose slug would be longer, or that has no letter or digit to keep, gets a short hash of the whole
    name instead of its tail, so two long names that begin alike still get folders of their own. A personnummer
    in the name is masked first: folder and file names are shown too.
    """
    name = mask_personal_numbers(name)
    text = unicodedata.normalize("NFKD", name.strip().lower())
    text = "".join(ch for ch in text if not unicodedata.combining(ch))
    text = text.replace("æ", "ae").replace("ø", "o").replace("ß", "ss")
    text = re.sub(r"[^a-z0-9]+", "-", text).strip("-")
    if len(text) <= MAX_SLUG_LENGTH and (text or not name.strip()):
        return text or "forbund"
    digest = hashlib.sha256(name.strip().encode("utf-8")).hexdigest()[:SLUG_HASH_LENGTH]
    head = text[: MAX_SLUG_LENGTH - SLUG_HASH_LENGTH - 1].rstrip("-") or "forbund"
    return f"{head}-{digest}"


def key_figures(flow: FlowSection, ledger: LedgerSection, projects: list[ProjectSection]) -> list[KeyFigure]:
    figures: list[KeyFigure] = []
    current = flow.current if flow.available else None
    if current:
        figures += [
            KeyFigure(label, kind, cell.value, cell.suppressed)
            for label, kind, cell in (
                ("Deltagare under året", "count", current.participants),
                ("Avslutade deltagare", "count", current.exited),
                ("Till arbete eller studier", "count", current.to_work_or_studies),
                ("Andel till arbete eller studier", "percent", current.share_work_or_studies),
            )
        ]
    total = ledger.total
    if total:
        figures.append(KeyFigure("Investering, alla aktörer", "kr", total.investment_sek))
        shown = horizons(ledger.years)
        if shown:
            # The short and the medium term side by side, as the field's own reports show them.
            for year in shown:
                value = total.cumulative[ledger.years.index(year)]
                figures.append(KeyFigure(f"Effekt i nuvärde {after_years(year)}", "kr", value))
            last = total.cumulative[ledger.years.index(shown[-1])]
            net = None if last is None or total.investment_sek is None else last - total.investment_sek
            figures.append(KeyFigure(f"Netto {after_years(shown[-1])}", "kr", net))
        else:
            figures += [KeyFigure("Effekt i nuvärde, alla aktörer", "kr", total.effect_pv_sek),
                        KeyFigure("Nettoeffekt", "kr", total.net_sek)]
        figures.append(KeyFigure("Avkastning per investerad krona (fältets konvention)", "ratio", total.return_ratio))
        # Society's own figure counts real resources and production only: the field's Summa also adds the taxes
        # and fees inside the value of the work, a second time.
        if total.effect_real_pv_sek is not None:
            figures.append(KeyFigure("Samhällets effekt i nuvärde (reala resurser och produktion)", "kr",
                                     total.effect_real_pv_sek))
            figures.append(KeyFigure("Samhällets avkastning per investerad krona", "ratio",
                                     total.society_return_ratio))
    figures.append(KeyFigure("Insatser i rapporten", "number", len(projects)))
    if any(p.level is not None for p in projects):
        figures.append(KeyFigure("Insatser på framgångsnivå 1–3", "number",
                                 sum(p.level in ("1", "2", "3") for p in projects)))
    return figures


def build_report_context(inputs: ReportInputs, forbund: str, generated_on: dt.date | None = None
                         ) -> ReportContext:
    """The whole template context for one förbund and the report year: every number the report prints.

    Sections whose inputs have not been computed (``None`` or an empty frame) are marked ``available``
    False and the report says so instead of failing. Nothing below the level of a project is put in it.
    """
    flow = flow_section(inputs.flow, forbund, inputs.year)
    records = ledger_records(inputs, forbund)
    ledger = ledger_section(inputs, records)
    projects = project_sections(inputs, forbund, records)
    fingerprint = input_fingerprint(inputs)
    data_date = inputs.data_date or dt.date(inputs.year, 12, 31)
    slug = slugify(forbund)
    return ReportContext(
        forbund=forbund,
        slug=slug,
        year=inputs.year,
        title=f"Samverkansbokslut {inputs.year} – {forbund}",
        file_stem=f"samverkansbokslut-{slug}-{inputs.year}",
        data_date=data_date,
        # Derived from the data, never the clock: the same inputs give the same file.
        document_date=generated_on or data_date,
        report_version=f"{REPORT_FORMAT_VERSION} ({inputs.software_version or 'okänd programversion'})",
        # One id per report: the inputs' fingerprint with the förbund and the year.
        report_id=hashlib.sha256(f"{fingerprint}|{forbund}|{inputs.year}".encode()).hexdigest()[:16],
        fingerprint=fingerprint,
        summary=summary(ledger, projects, inputs.year),
        key_figures=key_figures(flow, ledger, projects),
        flow=flow,
        breakdowns=breakdown_section(inputs.breakdown_counts, forbund),
        destinations=destination_section(inputs.transition_counts, forbund),
        benchmarks=benchmark_section(inputs.outcome_measures, inputs.ledger, forbund, inputs.year,
                                     inputs.national_reference, scoped=bool(inputs.forbund_scope),
                                     inbox_files=inputs.input_files),
        ledger=ledger,
        sensitivity=sensitivity_section(inputs.ledger_sensitivity, forbund),
        kommun_ledger=kommun_section(inputs.ledger_kommun, forbund),
        projects=projects,
        levels=level_counts(projects),
        levels_available=any(p.level is not None for p in projects),
        dimensions=dimension_section(inputs.prerequisite_profiles, forbund, inputs.year),
        quality=quality_section(inputs.quality_summary, inputs.quality_problems),
        method=method_section(inputs),
        small_count_limit=SMALL_COUNT_LIMIT,
        scenario=inputs.scenario,
    )

