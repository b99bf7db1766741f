"""Render the samverkansbokslut: context → HTML (Jinja2, autoescaped) → PDF (WeasyPrint).

Safety: every value from the data is escaped by Jinja; the only markup marked safe is
the SVG built in :mod:`reports.charts`, which escapes its own labels. WeasyPrint
fetches through :class:`ReportFetcher`, which serves the report's own stylesheet and
fonts and refuses everything else (http, data:, any file outside ``reports/static`` and
``reports/fonts``), so a hostile name can neither read a local file nor call out.

Determinism: the PDF's dates come from the data (``document_date``), its identifier from
the inputs' fingerprint, and charts and tables are built in a fixed order, so the same
inputs give a byte-identical file.
"""

from __future__ import annotations

import atexit
import datetime as dt
import functools
import gc
import hashlib
import os
import shutil
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlsplit

from jinja2 import Environment, FileSystemLoader, StrictUndefined, Template
from weasyprint import CSS, HTML
from weasyprint.text.fonts import FontConfiguration
from weasyprint.urls import URLFetcher

from reports import charts as ch
from reports.formatting import FILTERS, kronor, number, percent
from reports.pdf_once import serialise_once
from reports.pdf_tags import add_header_scope
from reports.section_charts import section_charts
from samverkan.files import write_bytes_atomic
from samverkan.report import ReportInputs, build_report_context
from samverkan.report.flow import Cell

HERE = Path(__file__).resolve().parent
TEMPLATES = HERE / "templates"
STATIC = HERE / "static"
FONTS = HERE / "fonts"
TEMPLATE = "samverkansbokslut.html.j2"
PDF_VARIANTS = ("pdf/ua-1", "pdf/a-3u")
DEFAULT_PDF_VARIANT = "pdf/ua-1"


class RefusedURLError(ValueError):
    """A URL the report may not fetch."""


class ReportFetcher(URLFetcher):
    """WeasyPrint URL fetcher that serves only files under the allowed folders.

    Subclassing :class:`weasyprint.urls.URLFetcher` (WeasyPrint 70) keeps the
    attributes WeasyPrint expects (``_fail_on_errors``); ``fetch`` is the one hook.
    Refused URLs are remembered in ``refused`` so tests and callers can see them.
    """

    def __init__(self, roots: Iterable[Path] = (STATIC, FONTS)) -> None:
        super().__init__(allowed_protocols=("file",), allow_redirects=False, fail_on_errors=False)
        self.roots = tuple(Path(r).resolve() for r in roots)
        self.refused: list[str] = []

    def allowed_path(self, url: str) -> Path:
        parts = urlsplit(url)
        if parts.scheme.lower() != "file" or parts.netloc not in ("", "localhost"):
            raise RefusedURLError(f"endast rapportens egna filer får hämtas, inte {url!r}")
        path = Path(unquote(parts.path)).resolve()
        if not any(path.is_relative_to(root) for root in self.roots) or not path.is_file():
            raise RefusedURLError(f"filen ligger utanför rapportens mappar: {url!r}")
        return path

    def fetch(self, url: str, headers: dict[str, str] | None = None) -> Any:
        try:
            path = self.allowed_path(url)
        except RefusedURLError:
            self.refused.append(url)
            raise
        return super().fetch(path.as_uri(), headers)


@dataclass(frozen=True)
class Column:
    key: str
    label: str
    kind: str = "text"  # text | kr | ratio | number

    @property
    def numeric(self) -> bool:
        return self.kind in ("kr", "number")


PARAMETER_LABELS = {
    "group": "Område", "name": "Parameter", "parameter": "Parameter", "value": "Värde", "unit": "Enhet",
    "basis": "Grund",
    "source": "Källa", "version": "Version", "description": "Beskrivning",
}
TRANSFER_LABELS = {
    "payer": "Betalar", "payer_net_sek": "Betalarens netto", "receiver": "Tar emot",
    "receiver_net_sek": "Mottagarens netto", "amount_sek": "Överföring",
}


def _columns(records: list[dict[str, Any]], labels: dict[str, str], hidden: Iterable[str] = ()) -> list[Column]:
    """Columns for a table whose columns were chosen by another stage: known ones get Swedish labels."""
    if not records:
        return []
    hidden = set(hidden)
    keys = [k for k in records[0] if k not in hidden]
    out = []
    for key in keys:
        values = [r.get(key) for r in records if r.get(key) is not None]
        is_number = bool(values) and all(isinstance(v, (int, float)) and not isinstance(v, bool) for v in values)
        if key.endswith("_sek"):
            kind = "kr"
        elif key == "price_year" or key.endswith("year"):
            kind = "text"
        elif is_number:
            kind = "number"
        else:
            kind = "text"
        out.append(Column(key, labels.get(key, key.replace("_", " ").capitalize()), kind))
    return out


def _tkr(value: float) -> str:
    return number(value / 1000)


def build_charts(context: dict[str, Any]) -> dict[str, ch.Chart | None]:
    """The report's charts, each with alt text that states the numbers (the tables carry the same)."""
    out: dict[str, ch.Chart | None] = {"flow": None, "ledger": None, "members": None, "break_even": None}
    flow = context["flow"]
    if flow.available:
        years = [str(r.year) for r in flow.rows]
        series = [
            ch.Series("Deltagare", [r.participants.value for r in flow.rows]),
            ch.Series("Avslutade", [r.exited.value for r in flow.rows]),
            ch.Series("Till arbete eller studier", [r.to_work_or_studies.value for r in flow.rows]),
        ]
        described = "; ".join(
            f"{r.year}: {_count_text(r.participants)} deltagare, {_count_text(r.exited)} avslutade, "
            f"{_count_text(r.to_work_or_studies)} till arbete eller studier "
            f"({_share_text(r.share_work_or_studies)})"
            for r in flow.rows)
        alt = f"Stapeldiagram, deltagarflöde {years[0]}–{years[-1]} för {context['forbund']}. {described}."
        out["flow"] = ch.bar_chart(alt, years, series, unit_label="personer")
    ledger = context["ledger"]
    if ledger.available and ledger.years:
        rows = ledger.rows
        series = [ch.Series(r.actor, r.cumulative) for r in rows]
        last = ledger.years[-1]
        described = "; ".join(f"{r.actor} {kronor(r.cumulative[-1])}" for r in rows if r.cumulative)
        alt = (f"Linjediagram, ackumulerad effekt i nuvärde per aktör år 1–{last}. Efter år {last}: {described}.")
        out["ledger"] = ch.line_chart(alt, [f"År {y}" for y in ledger.years], series, unit_label="tkr",
                                      tick_label=_tkr)
    members = ledger.members
    if members:
        labels = [r.actor for r in members]
        series = [ch.Series("Investering", [r.investment_sek for r in members]),
                  ch.Series("Effekt i nuvärde", [r.effect_pv_sek for r in members])]
        described = "; ".join(f"{r.actor}: investering {kronor(r.investment_sek)}, effekt "
                              f"{kronor(r.effect_pv_sek)}" for r in members)
        out["members"] = ch.horizontal_bar_chart(
            f"Liggande stapeldiagram, investering och effekt i nuvärde per medlem. {described}.", labels, series,
            tick_label=_tkr)
    break_even = ledger.break_even
    if break_even:
        labels = [b.actor for b in break_even]
        values = [b.p_break_even for b in break_even]
        described = "; ".join(f"{b.actor} {percent(b.p_break_even)}" for b in break_even)
        out["break_even"] = ch.horizontal_bar_chart(
            f"Liggande stapeldiagram, sannolikhet att gå jämnt ut per medlem: {described}.", labels,
            [ch.Series("Sannolikhet", values)], tick_label=lambda v: percent(v), fixed_range=(0.0, 1.0))
    return out | section_charts(context)


def _count_text(cell: Cell) -> str:
    if cell.suppressed:
        return "uppgift dold" if cell.secondary else "färre än fem"
    return number(cell.value)


def _share_text(cell: Cell) -> str:
    return "andel redovisas inte" if cell.suppressed else percent(cell.value)


def environment() -> Environment:
    env = Environment(
        loader=FileSystemLoader(TEMPLATES),
        autoescape=True,  # every template, whatever its extension
        undefined=StrictUndefined,
        trim_blocks=False,
        lstrip_blocks=False,
        keep_trailing_newline=True,
    )
    env.filters.update(FILTERS)
    return env


@functools.cache
def report_template() -> Template:
    """The compiled report template, once per process: compiling it costs more than rendering it."""
    return environment().get_template(TEMPLATE)


@functools.cache
def report_css() -> str:
    """The report's stylesheet, inlined in the HTML twin."""
    return (STATIC / "report.css").read_text(encoding="utf-8")


@functools.cache
def report_stylesheet() -> CSS:
    """``report_css`` parsed once per process, for every PDF the process lays out. It counts as the user's
    stylesheet, not the author's; with no other author style in the report the cascade comes out as from the
    twin's ``<style>`` element, and a test checks that the PDF does, byte for byte."""
    return CSS(string=report_css(), base_url=STATIC.as_uri() + "/", url_fetcher=ReportFetcher())


# The template's <style> element as the PDF's markup has it: empty, the PDF gets report_stylesheet() instead.
EMPTY_STYLE = "<style></style>"


def report_markup(context: dict[str, Any]) -> str:
    """The report's HTML without its stylesheet (an empty ``<style>`` element): what the PDF is laid out from."""
    method = context["method"]
    return report_template().render(
        **context,
        charts=build_charts(context),
        inline_css="",
        transfer_columns=_columns(context["ledger"].transfers, TRANSFER_LABELS),
        # One version per group, already listed under "Regler och programversion": not repeated per row.
        parameter_columns=_columns(method.parameters, PARAMETER_LABELS, hidden=("version",)),
    )


def html_twin(markup: str) -> str:
    """``markup`` with the stylesheet in its ``<style>`` element: the HTML published next to the PDF, one file
    that stands alone."""
    return markup.replace(EMPTY_STYLE, f"<style>{report_css()}</style>", 1)


def render_html(context: dict[str, Any]) -> str:
    """The report's HTML twin, stylesheet inlined."""
    return html_twin(report_markup(context))


def pdf_identifier(context: dict[str, Any], variant: str) -> bytes:
    """Fixed file identifier: the inputs' fingerprint, the förbund, the year and the variant."""
    text = f"{context['fingerprint']}|{context['forbund']}|{context['year']}|{variant}"
    return hashlib.sha256(text.encode()).hexdigest()[:32].encode()


@contextmanager
def _source_date(day: dt.date) -> Iterator[None]:
    """Pin SOURCE_DATE_EPOCH while rendering.

    Without HarfBuzz-Subset, WeasyPrint subsets fonts with fontTools, which stamps the
    font's ``head.modified`` with the current time unless SOURCE_DATE_EPOCH is set.
    """
    previous = os.environ.get("SOURCE_DATE_EPOCH")
    os.environ["SOURCE_DATE_EPOCH"] = str(int(dt.datetime(day.year, day.month, day.day, tzinfo=dt.UTC).timestamp()))
    try:
        yield
    finally:
        if previous is None:
            os.environ.pop("SOURCE_DATE_EPOCH", None)
        else:
            os.environ["SOURCE_DATE_EPOCH"] = previous


# (the process that registered them, whose temporary folder holds their files; configuration; stylesheet)
_SHIPPED_FONTS: list[tuple[int, FontConfiguration, CSS]] = []


def shipped_fonts() -> tuple[FontConfiguration, CSS]:
    """The fonts in ``reports/fonts``, registered with WeasyPrint once per process.

    ``@font-face`` rules take effect only through a FontConfiguration given both to the stylesheet
    and to the render; without one WeasyPrint silently falls back to whatever fonts the system has.
    Kept for the process's lifetime: Pango's font caches warm up with the first report.
    """
    if not _SHIPPED_FONTS:
        config = FontConfiguration()
        _SHIPPED_FONTS.append((os.getpid(), config, CSS(filename=str(STATIC / "fonts.css"),
                                                        url_fetcher=ReportFetcher(), font_config=config)))
    _, config, stylesheet = _SHIPPED_FONTS[0]
    return config, stylesheet


def _release_fonts() -> None:
    # Released while the interpreter is whole: left to shutdown, Pango's font map can be torn down after
    # the objects that still use it, and the process ends with a segmentation fault. The font folder is
    # removed here, not left to WeasyPrint's __del__, which a configuration no collection reaches never runs;
    # and only by the process that made it: a process forked from that one reads the same files.
    for owner, config, _ in _SHIPPED_FONTS:
        folder, config._folder = config._folder, None
        if folder is not None and owner == os.getpid():
            shutil.rmtree(folder, ignore_errors=True)
    _SHIPPED_FONTS.clear()
    gc.collect()


atexit.register(_release_fonts)


@dataclass(frozen=True)
class Pdf:
    data: bytes
    pages: int


def _finish(document: Any, pdf: Any) -> None:
    """Header cells get their scope, then every object is serialised once (which freezes them)."""
    add_header_scope(document, pdf)
    serialise_once(document, pdf)


def html_to_pdf(markup: str, context: dict[str, Any], *, variant: str = DEFAULT_PDF_VARIANT,
                fetcher: ReportFetcher | None = None) -> Pdf:
    """Lay out ``markup`` (as :func:`report_markup` gives it) with the shipped fonts and the report's stylesheet.

    The page count is taken from WeasyPrint's laid-out document (no re-parsing of the PDF)."""
    if variant not in PDF_VARIANTS:
        raise ValueError(f"okänd PDF-variant {variant!r}; välj en av {', '.join(PDF_VARIANTS)}")
    font_config, fonts = shipped_fonts()
    options = {
        "pdf_variant": variant,
        "pdf_tags": True,  # also for the archival variant: PDF/A-3u and tagged
        "pdf_identifier": pdf_identifier(context, variant),
        "uncompressed_pdf": False,
    }
    # The epoch must cover write_pdf too: fonts are subset (and stamped) when the PDF is written.
    with _source_date(context["document_date"]):
        source = HTML(string=markup, base_url=STATIC.as_uri() + "/", url_fetcher=fetcher or ReportFetcher())
        document = source.render(stylesheets=[fonts, report_stylesheet()], font_config=font_config, **options)
        return Pdf(document.write_pdf(finisher=_finish, **options), len(document.pages))


def render_pdf(context: dict[str, Any], *, variant: str = DEFAULT_PDF_VARIANT,
               fetcher: ReportFetcher | None = None) -> bytes:
    """The report's PDF, in memory."""
    return html_to_pdf(report_markup(context), context, variant=variant, fetcher=fetcher).data


@dataclass(frozen=True)
class RenderedReport:
    forbund: str
    pdf: Path
    html: Path
    pages: int | None = None


def report_paths(out_dir: Path, context: dict[str, Any]) -> tuple[Path, Path]:
    folder = Path(out_dir) / context["slug"]
    return folder / f"{context['file_stem']}.pdf", folder / f"{context['file_stem']}.html"


def write_report(inputs: ReportInputs, forbund: str, out_dir: Path, *, variant: str = DEFAULT_PDF_VARIANT
                 ) -> RenderedReport:
    """Render one förbund's report and write the PDF and its HTML twin atomically."""
    context = build_report_context(inputs, forbund)
    pdf_path, html_path = report_paths(out_dir, context)
    markup = report_markup(context)
    pdf = html_to_pdf(markup, context, variant=variant)
    write_bytes_atomic(pdf_path, pdf.data)
    write_bytes_atomic(html_path, html_twin(markup).encode("utf-8"))
    return RenderedReport(forbund, pdf_path, html_path, pdf.pages)


def write_reports(inputs: ReportInputs, out_dir: Path, *, variant: str = DEFAULT_PDF_VARIANT,
                  forbund: Iterable[str]) -> list[RenderedReport]:
    """One report per given förbund, in the given order.

    The pipeline renders each förbund as its own Dagster step (assets/report.py); this serial form
    serves the sample report and tests.
    """
    return [write_report(inputs, name, out_dir, variant=variant) for name in forbund]
