"""The stack's floor: what the render stage costs against what WeasyPrint alone needs for the same work.

Two ratios, measured in the same run as ``national.py``'s one year:

- **render step / bare WeasyPrint**: a förbund's render step CPU (its Dagster step process, as the
  benchmark's hook records it) against WeasyPrint turning the HTML twin that step wrote into a PDF in a warm
  process of its own: same stylesheet, fonts, PDF variant and tags, nothing else of the pipeline (no
  Dagster, no forkserver, no heap freeze, no collector settings, no fixed file identifier). What is above
  1.0 is what the pipeline adds to WeasyPrint's own work. Goal ≤ 1.10. The bare renders are also timed with
  Python's cyclic collector off, the one piece of the pipeline's process tuning that acts inside WeasyPrint's
  own work: the gap between the two bare figures is what that tuning can save at most.
- **year wall / (render CPU / cores)**: the year's wall time against the render stage's CPU spread over
  every core, i.e. how close the year comes to nothing but rendering with every core busy. Goal ≤ 1.15.

``bare_render_cpu`` runs in a fresh process (``national.measure_floor``), so its heap is WeasyPrint's and
the report module's, not the benchmark's.
"""

from __future__ import annotations

import csv
import gc
import json
import statistics
import sys
import time
from pathlib import Path

TARGET_STEP_RATIO = 1.10
TARGET_WALL_RATIO = 1.15


def chosen_reports(out: Path, count: int) -> list[dict]:
    """``count`` of the year's reports (rows of reports.csv), spread from the fewest pages to the most."""
    with (out / "reports.csv").open(encoding="utf-8-sig", newline="") as handle:  # written for Swedish Excel
        rows = sorted(csv.DictReader(handle, delimiter=";"), key=lambda r: (int(r["pages"]), r["forbund"]))
    if len(rows) <= count:
        return rows
    if count == 1:
        return [rows[len(rows) // 2]]
    return [rows[round(i * (len(rows) - 1) / (count - 1))] for i in range(count)]


def bare_render_cpu(html_paths: list[str], repeats: int) -> list[dict]:
    """CPU seconds (median of ``repeats``, after one untimed render of each) for WeasyPrint alone to turn each
    HTML file into a PDF, with the pipeline's stylesheet, fonts, variant and tags; also with the cyclic
    collector off, which tells the collector's share of the bare figure from the rest of what a step adds."""
    from weasyprint import CSS, HTML

    from reports.render import DEFAULT_PDF_VARIANT, STATIC, ReportFetcher, report_css, shipped_fonts

    font_config, fonts = shipped_fonts()
    base_url = STATIC.as_uri() + "/"
    stylesheet = CSS(string=report_css(), base_url=base_url, url_fetcher=ReportFetcher())
    inline = f"<style>{report_css()}</style>"
    options = {"pdf_variant": DEFAULT_PDF_VARIANT, "pdf_tags": True}

    def render(html: str) -> int:
        # The stylesheet parsed once, as a warm process would hold it; a twin that links it fetches it instead.
        sheets = [fonts, stylesheet] if inline in html else [fonts]
        source = HTML(string=html.replace(inline, "", 1), base_url=base_url, url_fetcher=ReportFetcher())
        document = source.render(stylesheets=sheets, font_config=font_config, **options)
        document.write_pdf(**options)
        return len(document.pages)

    def cpu_seconds(html: str, collector: bool) -> list[float]:
        seconds = []
        for _ in range(repeats):
            gc.collect()  # untimed: each render starts from a heap without the previous one's garbage
            if not collector:
                gc.disable()
            started = time.process_time()
            render(html)
            seconds.append(round(time.process_time() - started, 3))
            gc.enable()
        return seconds

    htmls = [Path(p).read_text(encoding="utf-8") for p in html_paths]
    pages = [render(html) for html in htmls]
    out = []
    for path, html, count in zip(html_paths, htmls, pages, strict=True):
        with_collector, collector_off = cpu_seconds(html, True), cpu_seconds(html, False)
        out.append({"html": path, "pages": count, "cpu_seconds": statistics.median(with_collector),
                    "cpu_seconds_all": with_collector,
                    "collector_off_cpu_seconds": statistics.median(collector_off)})
    return out


def ratio(numerator: float | None, denominator: float | None) -> float | None:
    return round(numerator / denominator, 3) if numerator and denominator else None


def floor_summary(reports: list[dict], bare: list[dict], step_cpu: dict[str, float | None], year_wall: float,
                  render_cpu: float | None, cores: int) -> dict:
    """Both ratios and the per-förbund figures behind the first; ``step_cpu`` by förbund."""
    rows = [{"forbund": r["forbund"], "pages": int(r["pages"]), "bare_pages": b["pages"],
             "step_cpu_seconds": step_cpu.get(r["forbund"]), "bare_cpu_seconds": b["cpu_seconds"],
             "bare_cpu_seconds_all": b["cpu_seconds_all"], "collector_off_cpu_seconds": b["collector_off_cpu_seconds"],
             "ratio": ratio(step_cpu.get(r["forbund"]), b["cpu_seconds"])}
            for r, b in zip(reports, bare, strict=True)]
    measured = [row for row in rows if row["step_cpu_seconds"] is not None]
    return {
        "reports": rows,
        "step_vs_bare": ratio(sum(r["step_cpu_seconds"] for r in measured),
                              sum(r["bare_cpu_seconds"] for r in measured)),
        "step_vs_bare_collector_off": ratio(sum(r["step_cpu_seconds"] for r in measured),
                                            sum(r["collector_off_cpu_seconds"] for r in measured)),
        "year_wall_seconds": year_wall,
        "render_cpu_seconds": render_cpu,
        "cores": cores,
        "wall_vs_render_cpu_per_core": ratio(year_wall * cores, render_cpu),
    }


def floor_targets(floor: dict) -> dict[str, dict]:
    """The two ratios as entries of the benchmark's ``targets``."""
    out = {}
    for name, key, goal in (("render_step_vs_bare_weasyprint", "step_vs_bare", TARGET_STEP_RATIO),
                            ("year_wall_vs_render_cpu_per_core", "wall_vs_render_cpu_per_core", TARGET_WALL_RATIO)):
        value = floor.get(key)
        out[name] = {"value": f"{value:.2f}" if value is not None else "not available", "target": f"≤ {goal:.2f}",
                     "met": None if value is None else value <= goal}
    return out


def main() -> None:
    """In the fresh process: ``python -c ... <repeats> <html>...``; prints the figures as JSON."""
    repeats, *paths = sys.argv[1:]
    print(json.dumps(bare_render_cpu(paths, int(repeats))))
