"""The rendered samverkansbokslut: text, tagging, fonts, safety and byte-for-byte determinism."""

import io
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from pypdf import PdfReader

from reports.formatting import kronor, number, percent, thousand_kronor
from reports.render import ReportFetcher, html_to_pdf, render_html, render_pdf, write_reports
from reports.sample import FORBUND, FORBUND_NAMES, sample_inputs
from samverkan.report import build_report_context

ROOT = Path(__file__).resolve().parents[1]
HOSTILE_FILE = '<img src="file:///etc/passwd">'
HOSTILE_URL = '<img src="https://example.invalid/track.png"><script>alert(1)</script>'


def _text(pdf: bytes) -> str:
    reader = PdfReader(io.BytesIO(pdf))
    return "\n".join(page.extract_text() for page in reader.pages)


def _squash(text: str) -> str:
    return re.sub(r"\s+", " ", text)


@pytest.fixture(scope="module")
def context():
    return build_report_context(sample_inputs(), FORBUND)


@pytest.fixture(scope="module")
def pdf(context):
    return render_pdf(context)


@pytest.fixture(scope="module")
def text(pdf):
    return _text(pdf)


def test_headings_in_swedish(text):
    for heading in ("Sammanfattning", "Deltagarflöde", "Socioekonomiskt bokslut per aktör", "Vinnare och förlorare",
                    "Sannolikhet att gå jämnt ut", "Insatser och framgångsnivåer", "Datakvalitet", "Metodbilaga",
                    "Profil över de tolv förutsättningarna", "Enhetskostnader", "Inlästa filer"):
        assert heading in text, heading


def test_cover(text, context):
    first_page = _squash(text.split("Sammanfattning")[0])
    assert FORBUND in first_page and "2025" in first_page
    assert "15 januari 2026" in first_page  # date of the data, Swedish month name
    assert context["report_id"] in first_page


def test_page_footer(pdf):
    reader = PdfReader(io.BytesIO(pdf))
    total = len(reader.pages)
    assert total >= 8
    for number_, page in enumerate(reader.pages, start=1):
        assert f"Sida {number_} av {total}" in page.extract_text()


def test_table_of_contents_gives_each_chapters_first_page(pdf):
    pages = [page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages]
    assert pages[1].lstrip().startswith("Innehåll")  # its own page, right after the cover
    entries = re.findall(r"^([^.\n]+?) [. ]+ (\d+)$", pages[1], re.MULTILINE)
    assert [title for title, _ in entries] == ["Sammanfattning", "Deltagarflöde", "Vilka som deltog",
                                               "Vart deltagarna gick", "Jämförelser",
                                               "Socioekonomiskt bokslut per aktör", "Känslighetsanalys",
                                               "Insatser och framgångsnivåer",
                                               "Datakvalitet", "Metodbilaga"]
    for title, page in entries:
        assert pages[int(page) - 1].lstrip().startswith(title), (title, page)


def test_flow_figures_match_the_context(text, context):
    row = next(r for r in context["flow"].rows if r.year == 2025)
    line = f"2025 {number(262)} {number(150)} {number(131)} {number(59)} {percent(0.45)}"
    assert row.participants.value == 262
    assert line in text
    # 2023: three exited, two to work: both and the share suppressed with the footnote mark.
    assert f"2023 {number(1234)} {number(640)} –* –* –*" in text
    assert "Färre än 5 personer" in text


def test_ledger_figures_match_the_context(text, context):
    summa = context["ledger"].total
    # The total row is marked as the field's convention, with the footnote saying what it is not.
    assert f"Summa† {kronor(summa.investment_sek)} {kronor(summa.effect_pv_sek)} {kronor(summa.net_sek)} 5,32" in text
    assert "Summa är fältets konvention" in text
    assert "20\u202f767" in text  # Summa after year 4 in tkr
    af = context["ledger"].rows[0]
    assert f"Arbetsförmedlingen {kronor(af.investment_sek)} {kronor(af.effect_pv_sek)} {kronor(af.net_sek)}" in text
    assert "\u2212239\u202f359\u00a0kr" in text  # AF's net, with a real minus sign
    transfer = context["ledger"].transfers[1]  # Kommun pays AF its share of AF's deficit
    assert f"Kommun {kronor(transfer['payer_net_sek'])} Arbetsförmedlingen {kronor(transfer['receiver_net_sek'])} " \
        f"{kronor(transfer['amount_sek'])}" in text
    assert f"Arbetsförmedlingen {percent(0.18)}" in text


def test_projects_and_levels(text):
    squashed = _squash(text)
    assert "Nivå 2 – organisationerna använder metoden" in squashed
    assert "Beslut om implementering hos Kommun (2024-11-12)" in squashed
    assert "Skenbar framgång" in squashed and "För få deltagare för att bedöma effekten" in squashed
    assert "Avslutat 2019" not in squashed


def test_project_pages_show_the_total_by_year_not_the_per_actor_table(text, context):
    projects = [p for p in context["projects"] if p.ledger.available and p.ledger.years]
    assert projects
    for project in projects:
        total = next(r for r in project.ledger.rows if r.is_total)
        years = "; ".join(f"år {y}: {thousand_kronor(v)}" for y, v in zip(project.ledger.years, total.cumulative,
                                                                          strict=True))
        assert _squash(f"Ackumulerad effekt i nuvärde, alla aktörer (tkr): {years}.") in _squash(text)
    # The per-actor table by year is the förbund's alone (one page per project).
    assert "Hela förbundet: ackumulerad effekt i nuvärde per år" in text
    assert "Insatsen: ackumulerad effekt i nuvärde per år" not in text


def test_quality_and_method(text):
    assert f"Deltagare {number(4812)} {number(4790)} 22 0,5\u00a0%" in text
    assert "Totalt 4\u202f960 4\u202f937 23" in text
    assert "exited_on ogiltigt datum 15" in text
    assert "rules-2025.1" in text
    assert "a" * 64 in text.replace("\n", "")
    assert "SCB lönestrukturstatistik 2023" in text


def test_no_participant_level_data(text):
    # Quarantine messages (which may quote cell values) never reach the report.
    assert "personnummer (maskerat)" not in text and "ej datum" not in text


def test_tagged_pdf_ua_with_language_title_and_alt_text(pdf):
    reader = PdfReader(io.BytesIO(pdf))
    root = reader.trailer["/Root"]
    assert root["/Lang"] == "sv"
    assert bool(root["/MarkInfo"]["/Marked"])
    assert bool(root["/ViewerPreferences"]["/DisplayDocTitle"])
    assert reader.metadata.title == f"Samverkansbokslut 2025 – {FORBUND}"
    xmp = root["/Metadata"].get_object().get_data()
    assert b"pdfuaid:part=\"1\"" in xmp or b"<pdfuaid:part>1</pdfuaid:part>" in xmp
    figures = []

    def walk(node, depth=0):
        node = node.get_object()
        if isinstance(node, dict):
            if node.get("/S") == "/Figure":
                figures.append(node)
            kids = node.get("/K")
            if kids is not None:
                for kid in kids if isinstance(kids, list) else [kids]:
                    walk(kid, depth + 1)
        elif isinstance(node, list):
            for kid in node:
                walk(kid, depth + 1)

    walk(root["/StructTreeRoot"])
    assert len(figures) == 6  # flow, where people went, ledger, members, break-even, sensitivity
    assert all(str(f.get("/Alt", "")).strip() for f in figures)
    assert any("Stapeldiagram, deltagarflöde 2021–2025" in str(f["/Alt"]) for f in figures)
    assert any("Flödesdiagram, sysselsättning före och efter insatsen" in str(f["/Alt"]) for f in figures)
    assert any("Tornadodiagram, nettot för alla aktörer" in str(f["/Alt"]) for f in figures)


def test_only_shipped_fonts_are_embedded(pdf):
    reader = PdfReader(io.BytesIO(pdf))
    names = set()
    for page in reader.pages:
        for font in (page["/Resources"].get("/Font") or {}).values():
            names.add(str(font.get_object()["/BaseFont"]))
    assert names and all("Liberation-Sans" in n for n in names), names


def test_shipped_fonts_need_no_system_fonts(tmp_path):
    """With Fontconfig shown no fonts at all, the report still sets in the fonts it ships."""
    conf = tmp_path / "fonts.conf"
    conf.write_text('<?xml version="1.0"?><!DOCTYPE fontconfig SYSTEM "fonts.dtd"><fontconfig></fontconfig>')
    script = (
        "import io, sys\n"
        "from pypdf import PdfReader\n"
        "from reports.render import render_pdf\n"
        "from reports.sample import FORBUND, sample_inputs\n"
        "from samverkan.report import build_report_context\n"
        "pdf = render_pdf(build_report_context(sample_inputs(), FORBUND))\n"
        "names = {str(f.get_object()['/BaseFont']) for p in PdfReader(io.BytesIO(pdf)).pages\n"
        "         for f in (p['/Resources'].get('/Font') or {}).values()}\n"
        "print(sorted(names))\n"
    )
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=300,
                          env={**os.environ, "FONTCONFIG_FILE": str(conf)}, cwd=ROOT)
    assert done.returncode == 0, done.stderr[-2000:]
    assert "Pango-CRITICAL" not in done.stderr
    names = done.stdout.strip()
    assert "Liberation-Sans" in names and "Liberation-Sans-Bold" in names, names


def test_a_forked_step_leaves_the_parents_font_files():
    """The forkserver registers the fonts once; a child ending must not remove the files its parent uses."""
    from reports.render import _release_fonts, shipped_fonts

    config, _ = shipped_fonts()
    folder = config._folder
    assert folder is not None and any(folder.iterdir())
    pid = os.fork()
    if pid == 0:
        _release_fonts()  # what a child's normal exit does
        os._exit(0)
    assert os.waitpid(pid, 0)[1] == 0
    assert any(folder.iterdir())


def test_same_inputs_give_identical_bytes(pdf):
    again = render_pdf(build_report_context(sample_inputs(), FORBUND))
    assert again == pdf
    reader = PdfReader(io.BytesIO(pdf))
    assert reader.metadata["/CreationDate"].startswith("D:20260115")


def test_reports_leave_the_process_alone():
    """Tuning the process (collector, heap, forks) is pipelines/runtime.py's business, not the renderer's."""
    import ast

    for path in sorted((ROOT / "reports").glob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        calls = {f"{node.func.value.id}.{node.func.attr}" for node in ast.walk(tree)
                 if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)
                 and isinstance(node.func.value, ast.Name)}
        imported = {alias.name.split(".")[0] for node in ast.walk(tree) if isinstance(node, ast.Import | ast.ImportFrom)
                    for alias in (node.names if isinstance(node, ast.Import) else [ast.alias(node.module or "")])}
        assert not calls & {"gc.freeze", "gc.unfreeze", "gc.set_threshold", "gc.disable", "os.register_at_fork",
                            "os.fork"}, path.name
        assert not imported & {"multiprocessing", "pipelines", "dagster"}, path.name
        assert "forkserver" not in path.read_text(encoding="utf-8"), path.name


def test_render_leaves_the_collector_as_it_was(context):
    import gc

    thresholds, frozen = gc.get_threshold(), gc.get_freeze_count()
    render_pdf(context)
    assert gc.get_threshold() == thresholds
    assert gc.get_freeze_count() == frozen


def test_objects_serialised_once_give_the_same_file(pdf, context, monkeypatch):
    # reports/pdf_once.py hands pydyf each object's bytes instead of letting it serialise them twice; the
    # file must not change by a byte. A pydyf that serialises differently makes this fail.
    import reports.render as render_module

    monkeypatch.setattr(render_module, "serialise_once", lambda document, pdf: None)
    assert render_pdf(context) == pdf
    assert PdfReader(io.BytesIO(pdf)).trailer["/ID"][0] != PdfReader(io.BytesIO(pdf)).trailer["/ID"][1]


def test_serialise_once_steps_aside_for_another_pydyf(pdf, context, monkeypatch, caplog):
    import pydyf

    import reports.pdf_once as pdf_once

    assert pdf_once.written_for(pydyf.__version__)  # the pinned version: the test above covers it
    assert pdf_once.written_for("0.13.2") and not pdf_once.written_for("0.14.0")
    assert not pdf_once.written_for("1.13.0")
    monkeypatch.setattr(pydyf, "__version__", "0.14.0")
    monkeypatch.setattr(pdf_once, "_WARNED", set())
    objects = [pydyf.Dictionary({"Type": "/Test"})]
    document = type("Document", (), {"objects": objects})()
    with caplog.at_level("WARNING", logger="reports.pdf_once"):
        pdf_once.serialise_once(None, document)
        assert document.objects == objects and type(document.objects[0]) is pydyf.Dictionary
        assert render_pdf(context) == pdf  # pydyf left to itself: the same file here, only slower
    warnings = [r for r in caplog.records if r.name == "reports.pdf_once"]
    assert len(warnings) == 1 and "0.14.0" in warnings[0].getMessage()


def test_stylesheet_parsed_once_gives_the_same_file(pdf, context, monkeypatch):
    # The PDF is laid out from markup with an empty <style> element and the stylesheet parsed once per process;
    # the twin carries the stylesheet in that element. Laying out the twin by its own <style> instead must
    # give the same file, byte for byte.
    from weasyprint import CSS

    import reports.render as render_module

    markup, twin = render_module.report_markup(context), render_html(context)
    assert markup.count("<style></style>") == 1 and twin == render_module.html_twin(markup)
    assert f"<style>{render_module.report_css()}</style>" in twin and "<style></style>" not in twin
    monkeypatch.setattr(render_module, "report_stylesheet", lambda: CSS(string=""))
    assert render_module.html_to_pdf(twin, context).data == pdf


def test_archival_variant_is_pdf_a_3u_and_deterministic(context):
    first = render_pdf(context, variant="pdf/a-3u")
    assert first == render_pdf(context, variant="pdf/a-3u")
    reader = PdfReader(io.BytesIO(first))
    xmp = reader.trailer["/Root"]["/Metadata"].get_object().get_data()
    assert b"pdfaid" in xmp and b"3" in xmp and b"U" in xmp
    assert reader.trailer["/Root"]["/Lang"] == "sv"
    with pytest.raises(ValueError):
        render_pdf(context, variant="pdf/x-4")


def test_hostile_names_render_as_text():
    inputs = sample_inputs(project_name=HOSTILE_FILE)
    inputs.projects.loc[1, "name"] = HOSTILE_URL
    context = build_report_context(inputs, FORBUND)
    html = render_html(context)
    assert HOSTILE_FILE not in html and "&lt;img src=&#34;file:///etc/passwd&#34;&gt;" in html
    assert "<script>" not in html
    fetcher = ReportFetcher()
    pdf = render_pdf(context, fetcher=fetcher)
    text = _squash(_text(pdf))
    assert HOSTILE_FILE in text
    # As text, wrapped where the column ends (a line may break after the slash).
    assert "<script>alert(1)</script>" in text.replace("/ ", "/")
    assert "root:" not in text
    assert fetcher.refused == []  # nothing even tried: the names never became markup


def test_fetcher_refuses_remote_and_outside_files(context, tmp_path):
    fetcher = ReportFetcher()
    for url in ("http://example.invalid/a.png", "https://example.invalid/a.css", "file:///etc/passwd",
                "data:image/png;base64,AAAA", "file://remote-host/share/x.png"):
        with pytest.raises(ValueError):
            fetcher.fetch(url)
    escape = (ReportFetcher().roots[0] / ".." / ".." / "pyproject.toml").resolve()
    with pytest.raises(ValueError):
        fetcher.fetch(escape.as_uri())
    # Markup that does reach WeasyPrint still cannot load anything from outside.
    secret = tmp_path / "secret.svg"
    secret.write_text('<svg xmlns="http://www.w3.org/2000/svg"><text>HEMLIGT</text></svg>')
    html = (f'<html lang="sv"><head><title>t</title></head><body><p>x</p><img alt="a" src="{secret.as_uri()}">'
            '<img alt="b" src="http://127.0.0.1:9/x.png"><img alt="c" src="file:///etc/passwd"></body></html>')
    fetcher = ReportFetcher()
    pdf = html_to_pdf(html, context, variant="pdf/ua-1", fetcher=fetcher).data
    assert "HEMLIGT" not in _text(pdf)
    assert set(fetcher.refused) == {secret.as_uri(), "http://127.0.0.1:9/x.png", "file:///etc/passwd"}


def test_write_reports_layout(tmp_path):
    reports = write_reports(sample_inputs(), tmp_path, forbund=FORBUND_NAMES)
    names = sorted(p.pdf.relative_to(tmp_path).as_posix() for p in reports)
    assert names == ["finsam-vast/samverkansbokslut-finsam-vast-2025.pdf",
                     "samordningsforbundet-ostra-alvdalen/samverkansbokslut-samordningsforbundet-ostra-alvdalen-2025.pdf"]
    for report in reports:
        assert report.html.exists() and report.html.suffix == ".html"
        html = report.html.read_text(encoding="utf-8")
        assert '<html lang="sv">' in html and "<style>" in html
    # The page count comes from WeasyPrint's laid-out document; it must agree with the written PDF.
    from pypdf import PdfReader

    for report in reports:
        assert report.pages == len(PdfReader(report.pdf).pages) > 1
    # A second render writes the same bytes, in the same order.
    again = write_reports(sample_inputs(), tmp_path / "again", forbund=FORBUND_NAMES)
    assert [r.forbund for r in again] == [r.forbund for r in reports]
    for one, other in zip(reports, again, strict=True):
        assert one.pdf.read_bytes() == other.pdf.read_bytes()
        assert one.html.read_bytes() == other.html.read_bytes()


# CI installs poppler-utils (.ci/run), so there a missing pdftoppm fails the test instead of skipping it.
@pytest.mark.skipif(shutil.which("pdftoppm") is None and not os.environ.get("CI"),
                    reason="pdftoppm (poppler-utils) is not installed")
def test_first_page_is_not_blank(pdf, tmp_path):
    from PIL import Image

    source = tmp_path / "r.pdf"
    source.write_bytes(pdf)
    subprocess.run(["pdftoppm", "-r", "40", "-png", "-f", "1", "-l", "1", str(source), str(tmp_path / "p")],
                   check=True)
    image = Image.open(next(tmp_path.glob("p*.png"))).convert("L")
    histogram = image.histogram()
    # The cover is mostly dark blue with light text: neither a white page nor a single colour.
    assert histogram[255] < 0.5 * sum(histogram)
    lo, hi = image.getextrema()
    assert hi - lo > 100


def test_hostile_forbund_name_is_escaped_in_every_attribute():
    hostile = '"><img src=x onerror=alert(1)> Förbund'
    inputs = sample_inputs()
    for frame in (inputs.flow, inputs.projects, inputs.ledger, inputs.success_levels,
                  inputs.prerequisite_profiles, inputs.ledger_uncertainty, inputs.transfers):
        frame.loc[frame["forbund"] == FORBUND, "forbund"] = hostile
    context = build_report_context(inputs, hostile)
    assert context["slug"] == "img-src-x-onerror-alert-1-forbund"
    html = render_html(context)
    assert "<img src=x" not in html
    assert 'content="&#34;&gt;&lt;img src=x onerror=alert(1)&gt; Förbund"' in html
    assert 'data-title="Samverkansbokslut 2025 – &#34;&gt;&lt;img' in html
