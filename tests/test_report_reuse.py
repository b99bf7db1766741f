"""A report whose content did not change is copied from the published folder, not laid out again
(reports/reuse.py); WeasyPrint calls are counted, not timed."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import pytest

import reports.reuse as reuse
from reports.sample import FORBUND, sample_inputs
from samverkan.manifest import DONE, file_hashes, record


@pytest.fixture()
def calls(monkeypatch) -> list[str]:
    seen: list[str] = []
    real = reuse.html_to_pdf

    def counted(markup, context, **options):
        seen.append(context["forbund"])
        return real(markup, context, **options)

    monkeypatch.setattr(reuse, "html_to_pdf", counted)
    return seen


def _publish(folder: Path, made: reuse.Report) -> None:
    """What the publish step leaves: the manifest's report entry and file hashes."""
    rel = {k: getattr(made.report, k).relative_to(folder).as_posix() for k in ("pdf", "html")}
    record(folder, status=DONE, files=file_hashes(folder),
           reports={FORBUND: {**rel, "pages": made.report.pages, "content_hash": made.content_hash}})


def test_unchanged_content_is_reused_byte_for_byte_and_a_change_renders(tmp_path: Path, calls) -> None:
    inputs = sample_inputs()
    published, staging = tmp_path / "2024", tmp_path / "2024.korning-r2"
    first = reuse.write_report_reusing(inputs, FORBUND, published, published=None)
    assert not first.reused and calls == [FORBUND]
    _publish(published, first)

    again = reuse.write_report_reusing(inputs, FORBUND, staging, published=published)
    assert again.reused and calls == [FORBUND]  # no second layout
    assert again.content_hash == first.content_hash and again.report.pages == first.report.pages
    assert again.report.pdf.read_bytes() == first.report.pdf.read_bytes()
    assert again.report.html.read_bytes() == first.report.html.read_bytes()

    # Another figure in the report: another hash, a new layout.
    changed = dataclasses.replace(inputs, year=inputs.year, extra={**(inputs.extra or {}), "Prisomräkning": "ny"})
    third = reuse.write_report_reusing(changed, FORBUND, tmp_path / "third", published=published)
    assert not third.reused and third.content_hash != first.content_hash and len(calls) == 2

    # The published PDF no longer matches its recorded SHA-256: rendered, never copied.
    first.report.pdf.write_bytes(b"%PDF-1.7 manipulerad")
    fourth = reuse.write_report_reusing(inputs, FORBUND, tmp_path / "fourth", published=published)
    assert not fourth.reused and len(calls) == 3
    assert fourth.report.pdf.read_bytes() == again.report.pdf.read_bytes()  # the same bytes, laid out again


def test_the_variant_is_part_of_the_hash(tmp_path: Path, calls) -> None:
    inputs = sample_inputs()
    ua = reuse.write_report_reusing(inputs, FORBUND, tmp_path / "ua", published=None)
    _publish(tmp_path / "ua", ua)
    archive = reuse.write_report_reusing(inputs, FORBUND, tmp_path / "a3u", variant="pdf/a-3u",
                                         published=tmp_path / "ua")
    assert not archive.reused and archive.content_hash != ua.content_hash and len(calls) == 2
