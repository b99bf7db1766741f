"""The HTML twin has no WCAG 2.1 A/AA violation under axe-core, run in Debian's headless Chromium.

axe-core comes from npm (``tests/accessibility/package.json``, pinned, installed by ``npm ci`` on first use); the
page is the sample report's HTML exactly as published, with axe and a results element appended in a copy. CI
installs Chromium (``.ci/run``); without it the test fails rather than passes unseen.
"""

from __future__ import annotations

import html
import json
import re
import shutil
import subprocess
from pathlib import Path

import pytest

from reports.render import render_html
from reports.sample import FORBUND, sample_inputs
from samverkan.report import build_report_context

HERE = Path(__file__).resolve().parent / "accessibility"
AXE = HERE / "node_modules" / "axe-core" / "axe.min.js"
TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]
CHROMIUM_FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                  "--disable-background-networking", "--disable-component-update", "--disable-sync",
                  "--virtual-time-budget=30000"]

pytestmark = pytest.mark.slow


def _axe() -> Path:
    if not AXE.exists():
        subprocess.run(["npm", "ci", "--no-audit", "--no-fund", "--prefix", str(HERE)], check=True,
                       capture_output=True, timeout=300)
    return AXE


def _chromium() -> str:
    found = shutil.which("chromium") or shutil.which("chromium-browser")
    assert found, "Debian-paketet chromium behövs för tillgänglighetstestet (.ci/run installerar det)"
    return found


def axe_violations(page: str, tmp_path: Path) -> list[dict]:
    probe = f"""<script src="{_axe().as_uri()}"></script>
<script>
axe.run(document, {{runOnly: {{type: "tag", values: {json.dumps(TAGS)}}}, resultTypes: ["violations"]}})
  .then(r => {{ const out = document.createElement("pre"); out.id = "axe-results";
    out.textContent = JSON.stringify(r.violations.map(v => ({{id: v.id, impact: v.impact, help: v.help,
      targets: v.nodes.slice(0, 5).map(n => n.target.join(" "))}}))); document.body.appendChild(out); }})
  .catch(e => {{ const out = document.createElement("pre"); out.id = "axe-results";
    out.textContent = JSON.stringify([{{id: "axe-error", help: String(e)}}]); document.body.appendChild(out); }});
</script>"""
    copy = tmp_path / "page.html"
    copy.write_text(page.replace("</body>", probe + "</body>"), encoding="utf-8")
    dump = subprocess.run([_chromium(), *CHROMIUM_FLAGS, f"--user-data-dir={tmp_path / 'profile'}",
                           "--allow-file-access-from-files", "--dump-dom", copy.as_uri()],
                          capture_output=True, text=True, timeout=180, check=True).stdout
    found = re.search(r'<pre id="axe-results">(.*?)</pre>', dump, re.S)
    assert found, "axe-core gav inget resultat (sidan laddades inte klart)"
    return json.loads(html.unescape(found[1]))


def test_the_html_twin_has_no_wcag_21_aa_violation(tmp_path):
    page = render_html(build_report_context(sample_inputs(), FORBUND))
    assert axe_violations(page, tmp_path) == []


def test_the_check_finds_a_violation_when_there_is_one(tmp_path):
    # An image without alt text and a table header cell without text: the probe must see them.
    page = render_html(build_report_context(sample_inputs(), FORBUND)).replace(
        "</body>", '<img src="data:image/gif;base64,R0lGODlhAQABAAAAACw="></body>')
    ids = {v["id"] for v in axe_violations(page, tmp_path)}
    assert "image-alt" in ids
