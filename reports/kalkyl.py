"""Render a plan's investeringskalkyl: its forecast → HTML (the annual report's stylesheet) → tagged PDF.

The same fetcher, shipped fonts, stylesheet and PDF finisher as the samverkansbokslut (:mod:`reports.render`), so
the two documents look alike and pass the same checks. Every figure comes ready from the forecast's view
(:class:`samverkan.forecast.run.ForecastView`); this module only draws the chart and fills the template.

Determinism: the PDF's dates are the plan's start date and its identifier the view's fingerprint, so the same
plan, catalogue, parameters and scenarios give a byte-identical file.
"""

from __future__ import annotations

import datetime as dt
import functools
import hashlib
import importlib.metadata
import math
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from jinja2 import Template

from reports import charts as ch
from reports.formatting import kronor, number
from reports.render import DEFAULT_PDF_VARIANT, environment, html_to_pdf, html_twin
from samverkan.files import write_bytes_atomic
from samverkan.forecast.run import Forecast, ForecastView, plan_slug
from samverkan.ledger.actors import MEMBERS

TEMPLATE = "investeringskalkyl.html.j2"
KALKYL_FORMAT_VERSION = "1"
# At most this many labelled ticks on the chart's axis of successes, so the labels do not run together.
MAX_LABELS = 12


@functools.cache
def kalkyl_template() -> Template:
    return environment().get_template(TEMPLATE)


def fingerprint(view: ForecastView) -> str:
    """The view's own digest: every figure, assumption and version the document shows."""
    return hashlib.sha256(repr(view).encode("utf-8")).hexdigest()


def _axis_labels(successes: list[int]) -> list[str]:
    step = max(1, math.ceil(len(successes) / MAX_LABELS))
    return [str(k) if i % step == 0 or i == len(successes) - 1 else "" for i, k in enumerate(successes)]


def break_even_chart(result: Forecast) -> ch.Chart:
    """Net in present value per member against the number of successes, project scenario. The total is left to
    the table: its production value dwarfs every member's line."""
    scenario = result.view.scenarios[0]
    rows = result.chart[result.chart["scenario"] == scenario.name]
    successes = [int(k) for k in rows["successes"]]
    actors = list(MEMBERS)
    series = [ch.Series(actor, [int(v) for v in rows[actor]]) for actor in actors]
    lines = {line.actor: line for line in scenario.lines}
    even = "; ".join(f"{actor} vid {lines[actor].break_even_successes}" if lines[actor].break_even_successes
                     is not None else f"{actor} inte (–)" for actor in actors)
    ends = "; ".join(f"{actor} {kronor(s.values[0])} vid 0 och {kronor(s.values[-1])} vid {successes[-1]}"
                     for actor, s in zip(actors, series, strict=True))
    alt = (f"Linjediagram, netto i nuvärde per medlem mot antalet deltagare som når arbete eller studier, "
           f"0–{successes[-1]}, {scenario.label.lower()}. Går jämnt ut: {even}. Netto: {ends}.")
    return ch.line_chart(alt, _axis_labels(successes), series, unit_label="tkr", tick_label=lambda v: number(v / 1000))


def software_version() -> str:
    """The installed package's version, shown on the cover (not part of the fingerprint)."""
    try:
        return f"samverkansbokslut {importlib.metadata.version('samverkansbokslut')}"
    except importlib.metadata.PackageNotFoundError:
        return "samverkansbokslut"


def kalkyl_context(result: Forecast, software_version: str = "") -> dict[str, Any]:
    """What the template and the PDF writer need: the view, the chart and the document's fixed metadata."""
    view = result.view
    start = dt.date.fromisoformat(view.start_date)
    return {
        "view": view,
        "chart": break_even_chart(result),
        "title": f"Investeringskalkyl: {view.plan_name}",
        "forbund": view.forbund,
        "year": start.year,
        "document_date": start,
        "fingerprint": fingerprint(view),
        "kalkyl_version": f"{KALKYL_FORMAT_VERSION} ({software_version or 'okänd programversion'})",
        "slug": plan_slug(result.plan),
    }


def kalkyl_markup(context: dict[str, Any]) -> str:
    """The investeringskalkyl's HTML without its stylesheet, as the PDF is laid out from it."""
    return kalkyl_template().render(**context, inline_css="")


@dataclass(frozen=True)
class RenderedKalkyl:
    pdf: Path
    html: Path
    pages: int


def kalkyl_paths(out_dir: Path | str, result: Forecast) -> tuple[Path, Path]:
    stem = f"investeringskalkyl-{plan_slug(result.plan)}"
    return Path(out_dir) / f"{stem}.pdf", Path(out_dir) / f"{stem}.html"


def write_kalkyl(result: Forecast, out_dir: Path | str, *, variant: str = DEFAULT_PDF_VARIANT,
                 version: str | None = None) -> RenderedKalkyl:
    """Write ``investeringskalkyl-<plan>.pdf`` and its HTML twin to ``out_dir`` (beside forecast.csv)."""
    context = kalkyl_context(result, software_version() if version is None else version)
    pdf_path, html_path = kalkyl_paths(out_dir, result)
    markup = kalkyl_markup(context)
    pdf = html_to_pdf(markup, context, variant=variant)
    write_bytes_atomic(pdf_path, pdf.data)
    write_bytes_atomic(html_path, html_twin(markup).encode("utf-8"))
    return RenderedKalkyl(pdf_path, html_path, pdf.pages)
