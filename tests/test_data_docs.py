"""Data Docs are safe to open: hostile values render inert, nothing is fetched from the internet, and the
site of the installed context lives under the instance's home."""

from __future__ import annotations

import datetime as dt
from html.parser import HTMLParser
from pathlib import Path

import pandas as pd
import pytest
from bad_inputs.corpus import GOOD, PROJECTS_ROWS, participants_csv, person, projects_csv

from pipelines import gx
from pipelines.gx.context import DEFAULT_CONTEXT_DIR, RESULTS_VARIABLE, results_dir
from pipelines.gx.offline import offline_html
from pipelines.gx.validate import neutralise
from samverkan.ingest import ingest_dataset

HOSTILE = {
    "gender": "<script>alert(1)</script>",
    "occ_before": '<img src=x onerror="alert(2)">',
    "reason": "<iframe src='javascript:alert(3)'></iframe>",
}


class Tags(HTMLParser):
    """Every start tag and attribute of a page, as a browser's tokenizer sees them."""

    def __init__(self) -> None:
        super().__init__()
        self.tags: list[tuple[str, list[tuple[str, str | None]]]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, attrs))


def hostile_site(inbox: Path, root: Path | None) -> Path:
    inbox.mkdir(parents=True, exist_ok=True)
    (inbox / "projects.csv").write_bytes(projects_csv(*PROJECTS_ROWS))
    (inbox / "participants.csv").write_bytes(participants_csv(
        person("P-1", gender=HOSTILE["gender"]), person("P-2", occ_before=HOSTILE["occ_before"]),
        person("P-3", reason=HOSTILE["reason"]), *[person(f"P-G{n}", enrolled=f"2022-03-0{n}") for n in range(1, 5)],
        GOOD))
    today = dt.date(2025, 6, 30)
    projects = ingest_dataset(inbox, "projects", None, today)
    result = ingest_dataset(inbox, "participants", projects.accepted["project_id"], today)
    assert result.quarantined_rows == 3 and result.usable
    outcome = gx.validate("participants", result.validation,
                          gx.parameters_for(pd.Timestamp(today), projects.accepted["project_id"]), root)
    assert gx.disagreements(outcome, result.quarantine, result.usable) == []
    # GX names the hostile values (made inert), so the steward sees what was written.
    examples = str([f.examples for f in outcome.failed])
    assert "‹script›alert(1)‹/script›" in examples and "<script>" not in examples
    index = gx.build_data_docs(root)
    assert index is not None
    return index


def assert_safe(site: Path) -> None:
    pages = list(site.rglob("*.html"))
    assert len(pages) >= 3
    for page in pages:
        text = page.read_text(encoding="utf-8")
        parser = Tags()
        parser.feed(text)
        names = [tag for tag, _ in parser.tags]
        assert "script" not in names and "iframe" not in names, page
        for tag, attrs in parser.tags:
            for name, value in attrs:
                assert not name.startswith("on"), (page, tag, name)
                assert not (value or "").strip().lower().startswith(("http:", "https:", "javascript:", "//")), \
                    (page, tag, name, value)
        assert "<script>alert" not in text and "onerror=" not in text.lower()
    for sheet in site.rglob("*.css"):
        assert "http://" not in sheet.read_text(encoding="utf-8") and "https://" not in sheet.read_text("utf-8")


def test_hostile_values_render_inert_and_offline(tmp_path: Path) -> None:
    root = tmp_path / "context"
    gx.sync_context(root)
    index = hostile_site(tmp_path / "inbox", root)
    site = index.parent
    assert_safe(site)
    page = next((site / "validations" / "participants").rglob("*.html")).read_text(encoding="utf-8")
    assert "‹script›alert(1)‹/script›" in page
    assert 'href="../../../../samverkan-offline.css"' in page
    # The index is plain HTML listing the result, without GX's JavaScript table.
    listing = index.read_text(encoding="utf-8")
    assert "participants" in listing and "underkänd" in listing and "validations/participants/" in listing


def test_the_installed_context_writes_results_and_docs_under_the_instance_home(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    home = tmp_path / "dagster_home"
    monkeypatch.setenv("DAGSTER_HOME", str(home))
    monkeypatch.delenv(RESULTS_VARIABLE, raising=False)
    assert results_dir(DEFAULT_CONTEXT_DIR) == home.resolve() / "gx"
    before = sorted(p.relative_to(DEFAULT_CONTEXT_DIR) for p in DEFAULT_CONTEXT_DIR.rglob("*")
                    if "uncommitted" not in p.parts)
    index = hostile_site(tmp_path / "inbox", DEFAULT_CONTEXT_DIR)
    assert index == home.resolve() / "gx" / "data_docs" / "local_site" / "index.html"
    assert list((home / "gx" / "validations" / "participants").rglob("*.json"))
    assert_safe(index.parent)
    after = sorted(p.relative_to(DEFAULT_CONTEXT_DIR) for p in DEFAULT_CONTEXT_DIR.rglob("*")
                   if "uncommitted" not in p.parts)
    assert after == before
    assert not list((DEFAULT_CONTEXT_DIR / "uncommitted").rglob("*.json"))


def test_a_results_folder_can_be_set(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(RESULTS_VARIABLE, str(tmp_path / "gx-results"))
    assert results_dir(tmp_path / "any") == (tmp_path / "gx-results").resolve()
    assert gx.data_docs_index(tmp_path / "any") == (tmp_path / "gx-results").resolve() / "data_docs" / \
        "local_site" / "index.html"


def test_neutralise_keeps_lengths_and_maps_file_names_back() -> None:
    frame = pd.DataFrame({"name": pd.Series(['a<b>&"c"', None], dtype="str"), "n": [1, 2],
                          "source_file": pd.Series(["<x>.csv", "y.csv"], dtype="str")})
    out, files = neutralise(frame)
    assert out["name"].iloc[0] == "a‹b›＆”c”" and pd.isna(out["name"].iloc[1])
    assert out["name"].str.len().iloc[0] == frame["name"].str.len().iloc[0]
    assert files["‹x›.csv"] == "<x>.csv" and out["n"].tolist() == [1, 2]


def test_offline_html_drops_scripts_cdn_resources_and_handlers() -> None:
    page = ('<html><head><link rel="stylesheet" href="https://cdn.example/x.css"><script src="https://x/y.js">'
            '</script><style>a{background:url(https://x/i.png)}</style></head><body onload="go()">'
            '<a href="https://greatexpectations.io">GX</a><a href="../index.html">hem</a><script>go()</script>'
            '</body></html>')
    out = offline_html(page, "../s.css")
    assert out == ('<html><head><style>a{background:}</style><!-- samverkan: offline -->'
                   '<link rel="stylesheet" href="../s.css"></head><body><a>GX</a><a href="../index.html">hem</a>'
                   '</body></html>')
    assert offline_html(out, "../s.css") == out
