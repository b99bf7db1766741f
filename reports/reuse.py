"""One förbund's report, rendered or taken from the published folder when nothing it is made of changed.

The content hash is what the PDF is laid out from: the report's markup (the förbund's figures, the national
figures it shows, its charts, every text), the PDF's identifier and dates, the variant, the software version
and the report code, template, stylesheet and fonts, and WeasyPrint's version. Hashing the markup rather than
a slice of the inputs means a figure of another förbund that this report shows (a benchmark) changes the hash
too. Building the markup costs a small part of laying it out, which is what reuse saves.
"""

from __future__ import annotations

import functools
import hashlib
from dataclasses import dataclass
from pathlib import Path

import weasyprint

from reports.render import (
    DEFAULT_PDF_VARIANT,
    HERE,
    RenderedReport,
    html_to_pdf,
    html_twin,
    pdf_identifier,
    report_markup,
    report_paths,
)
from samverkan.files import write_bytes_atomic
from samverkan.manifest import reusable_report
from samverkan.report import ReportInputs, build_report_context

HASH_FORMAT = "samverkansbokslut-rapport 1"


@functools.cache
def code_hash() -> str:
    """Every file of the report package (code, template, stylesheet, fonts), once per process."""
    digest = hashlib.sha256()
    for path in sorted(p for p in HERE.rglob("*") if p.is_file() and "__pycache__" not in p.parts):
        digest.update(path.relative_to(HERE).as_posix().encode() + b"\0" + path.read_bytes() + b"\0")
    return digest.hexdigest()


def content_hash(markup: str, context: dict, variant: str) -> str:
    digest = hashlib.sha256()
    for part in (HASH_FORMAT, weasyprint.__version__, code_hash(), variant, pdf_identifier(context, variant).decode(),
                 str(context["document_date"]), str(context.get("report_version", "")), markup):
        digest.update(part.encode("utf-8") + b"\0")
    return digest.hexdigest()


@dataclass(frozen=True)
class Report:
    report: RenderedReport
    content_hash: str
    reused: bool  # True: copied from the published folder, WeasyPrint not called


def write_report_reusing(inputs: ReportInputs, forbund: str, out_dir: Path, *,
                         variant: str = DEFAULT_PDF_VARIANT, published: Path | None = None) -> Report:
    """Write the förbund's PDF and HTML twin into ``out_dir``: copied from ``published`` when its manifest
    lists the same content hash and both files still match their SHA-256, else rendered."""
    out_dir = Path(out_dir)
    context = build_report_context(inputs, forbund)
    pdf_path, html_path = report_paths(out_dir, context)
    markup = report_markup(context)
    digest = content_hash(markup, context, variant)
    pdf_name, html_name = (p.relative_to(out_dir).as_posix() for p in (pdf_path, html_path))
    entry = reusable_report(published, forbund, digest, pdf_name, html_name)
    if entry is not None:
        for name, path in ((pdf_name, pdf_path), (html_name, html_path)):
            source = Path(published) / name
            if source.resolve() != path.resolve():
                write_bytes_atomic(path, source.read_bytes())
        return Report(RenderedReport(forbund, pdf_path, html_path, entry.get("pages")), digest, True)
    pdf = html_to_pdf(markup, context, variant=variant)
    write_bytes_atomic(pdf_path, pdf.data)
    write_bytes_atomic(html_path, html_twin(markup).encode("utf-8"))
    return Report(RenderedReport(forbund, pdf_path, html_path, pdf.pages), digest, False)
